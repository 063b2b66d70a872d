"""The pure matching core: inventory facts x advisory facts → explained verdicts.

No Django here (an import-linter contract keeps it so): the `exposure` services load what the
database holds into the dataclasses of `facts.py`, and these modules decide.

- `logic.py`: three-valued truth (yes / no / unknown) and its combination;
- `versions.py`: version comparison per scheme (NVD's free-form versions, univers schemes);
- `cpe.py`: CPE 2.3 names with WFN semantics;
- `windows.py`: Windows builds, Microsoft products and KB supersedence;
- `candidates.py`: inventory rows → CPEs (given, or an explicit table of known packages);
- `configurations.py`: NVD configurations (AND/OR, negate, platform context) evaluated;
- `knowledge.py`: the advisories indexed for a run, with the run's caches;
- `verdicts.py`: confidence, which verdict wins; `packages.py`: ecosystem ranges;
  `microsoft.py`: Windows builds and KBs;
- `engine.py`: everything together, one verdict per (asset, vulnerability, matched thing).
"""
