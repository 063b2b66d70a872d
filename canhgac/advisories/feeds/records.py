"""What every advisory parser returns: frozen dataclasses, never ORM objects.

Identifiers are normalised by the parsers: CVE ids upper-case ("CVE-2022-22965"), KB numbers as
digits only ("5012647"), dates and datetimes aware (UTC) where the source gives a time.
Text is kept as the source wrote it (stripped). Tuples keep the source's order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from canhgac.core.exceptions import Problem, SourceLocation


@dataclass(frozen=True, slots=True)
class ScoreRecord:
    """One severity score as a source gave it.

    `system`: "cvss_v2", "cvss_v30", "cvss_v31", "cvss_v40" or "msrc" (Microsoft's severity
    words); `vector` the CVSS vector string as given; `base_score` 0.0-10.0 or None;
    `severity` the source's word ("CRITICAL", "Important", ...); `provider` who scored it
    (e.g. "nvd@nist.gov", "secure@microsoft.com"); `primary` True for NVD "Primary" scores.
    """

    system: str
    vector: str = ""
    base_score: float | None = None
    severity: str = ""
    provider: str = ""
    primary: bool = False


@dataclass(frozen=True, slots=True)
class CpeMatchRecord:
    """One NVD cpeMatch: a CPE 2.3 criterion with optional version bounds."""

    criteria: str
    vulnerable: bool
    match_criteria_id: str = ""
    version_start_including: str = ""
    version_start_excluding: str = ""
    version_end_including: str = ""
    version_end_excluding: str = ""


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """An NVD configuration node: OR/AND over its matches, possibly negated."""

    operator: str  # "OR" | "AND"
    negate: bool
    matches: tuple[CpeMatchRecord, ...]


@dataclass(frozen=True, slots=True)
class ConfigurationRecord:
    """An NVD configuration: nodes combined by `operator` ("AND" when a platform node follows,
    else "OR"/absent), exactly as written."""

    operator: str  # "OR" | "AND" ("" when absent: one node)
    negate: bool
    nodes: tuple[NodeRecord, ...]


@dataclass(frozen=True, slots=True)
class ReferenceRecord:
    url: str
    source: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RangeRecord:
    """One version range of an affected package, as the source wrote it.

    `type`: OSV's "ECOSYSTEM", "SEMVER" or "GIT", or "vers" for a CSAF/vers range.
    `events`: OSV events in order, e.g. (("introduced", "0"), ("fixed", "1.2.3")); empty for
    a range given directly as a vers string.
    `vers`: the same range as a vers string with the ecosystem's versioning scheme
    ("vers:pypi/>=1.0|<1.2.3"), computed by the parser; "" when it cannot be expressed
    (GIT ranges, ecosystems without a known scheme): such ranges are kept but never compared.
    `repo`: the repository of a GIT range.
    """

    type: str
    events: tuple[tuple[str, str], ...] = ()
    vers: str = ""
    repo: str = ""


@dataclass(frozen=True, slots=True)
class PackageRecord:
    """A product or package an advisory names (OSV `affected[]`, a CSAF product), with ranges.

    `scheme`: "purl" (key is a versionless package URL, "pkg:pypi/django") or "cpe" (a CPE
    2.3 name) or "name" (no identifier given: key is "vendor/product", lower-cased).
    `ecosystem`: OSV ecosystem as written ("PyPI", "Go", "Debian:11") or the purl type.
    `status`: "affected" for OSV; CSAF product status ("known_affected", "fixed",
    "known_not_affected", "under_investigation", ...). `versions`: enumerated versions.
    """

    scheme: str
    key: str
    ecosystem: str = ""
    name: str = ""
    status: str = "affected"
    ranges: tuple[RangeRecord, ...] = ()
    versions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RemediationRecord:
    """A remediation of a generic advisory (CSAF `remediations[]`)."""

    category: str  # "vendor_fix", "workaround", "mitigation", "no_fix_planned", ...
    details: str = ""
    url: str = ""
    product_keys: tuple[str, ...] = ()  # keys of the PackageRecords it applies to
    date: datetime | None = None


@dataclass(frozen=True, slots=True)
class VulnerabilityRecord:
    """A vulnerability as one source describes it (NVD CVE record, OSV entry, CSAF vuln...)."""

    id: str  # canonical id: the CVE id when there is one
    location: SourceLocation
    source: str  # the feed id: "nvd", "osv", "csaf", "msrc", ...
    aliases: tuple[str, ...] = ()  # other ids (GHSA-..., PYSEC-..., GO-...)
    published: datetime | None = None
    last_modified: datetime | None = None
    status: str = ""  # NVD vulnStatus ("Analyzed", "Modified", "Rejected"...)
    title: str = ""
    description: str = ""  # English description
    scores: tuple[ScoreRecord, ...] = ()
    cwes: tuple[str, ...] = ()  # "CWE-94"; NVD-CWE-Other/noinfo kept as written
    references: tuple[ReferenceRecord, ...] = ()
    configurations: tuple[ConfigurationRecord, ...] = ()
    packages: tuple[PackageRecord, ...] = ()  # OSV / CSAF affected packages with ranges
    remediations: tuple[RemediationRecord, ...] = ()  # CSAF remediations
    document: str = ""  # the advisory document id when it differs from `id` (CSAF, OSV id)
    # KEV fields as NVD copies them into the CVE record (cisaExploitAdd etc.), if present.
    kev_date_added: date | None = None
    kev_due_date: date | None = None
    kev_required_action: str = ""
    kev_name: str = ""

    @property
    def attribution(self) -> str:
        """Who said it, as the knowledge base attributes it: the feed, or "feed:document" when
        one feed publishes several documents about one CVE (ADR 0007)."""
        return f"{self.source}:{self.document}" if self.document else self.source


@dataclass(frozen=True, slots=True)
class KevRecord:
    """One entry of CISA's Known Exploited Vulnerabilities catalogue."""

    cve_id: str
    location: SourceLocation
    vendor_project: str
    product: str
    name: str
    date_added: date
    due_date: date | None
    required_action: str
    known_ransomware_campaign_use: str  # "Known" | "Unknown" as published
    short_description: str = ""
    notes: str = ""
    cwes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EpssRecord:
    cve_id: str
    score: float  # probability 0-1
    percentile: float  # 0-1


@dataclass(frozen=True, slots=True)
class MsrcProductRecord:
    product_id: str  # Microsoft's ProductID, e.g. "11923"
    name: str  # "Windows Server 2019"


@dataclass(frozen=True, slots=True)
class MsrcRemediationRecord:
    """A Microsoft remediation (usually a KB) for some products of one CVE."""

    product_ids: tuple[str, ...]
    kb: str  # digits only: "5012647"; "" for remediations that are not KBs
    kind: str  # CVRF Type: "Vendor Fix", "Workaround", "Mitigation", "Will Not Fix", ...
    sub_type: str = ""  # "Security Update", "Monthly Rollup", "Security Only", ...
    supersedence: str = ""  # KB (digits) this one supersedes, as CVRF gives it
    fixed_build: str = ""  # e.g. "10.0.17763.2803"
    url: str = ""
    restart_required: str = ""
    description: str = ""  # raw Description value when it is not a KB number


@dataclass(frozen=True, slots=True)
class MsrcVulnerabilityRecord:
    cve_id: str
    location: SourceLocation
    title: str
    product_ids: tuple[str, ...]  # products the CVE affects (ProductStatuses Known Affected)
    # per product: Microsoft severity and impact words
    severities: tuple[tuple[str, str], ...] = ()  # (product_id, "Critical")
    impacts: tuple[tuple[str, str], ...] = ()  # (product_id, "Remote Code Execution")
    scores: tuple[ScoreRecord, ...] = ()  # CVSS sets (vector, base score), deduplicated
    remediations: tuple[MsrcRemediationRecord, ...] = ()
    exploited: str = ""  # from Threats "Exploited:Yes/No"
    publicly_disclosed: str = ""
    released: datetime | None = None


@dataclass(frozen=True, slots=True)
class MsrcDocumentRecord:
    """One monthly Security Update Guide document (CVRF 1.1 or CSAF 2.0)."""

    document_id: str  # "2022-Apr"
    title: str
    released: datetime | None
    products: tuple[MsrcProductRecord, ...]
    vulnerabilities: tuple[MsrcVulnerabilityRecord, ...]


@dataclass(frozen=True, slots=True)
class WarningLetterRecord:
    """A national or provincial warning letter (công văn cảnh báo)."""

    number: str  # "674/CATTT-NCSC"
    issuer: str
    issued_on: date
    title: str
    location: SourceLocation
    cves: tuple[tuple[str, str], ...] = ()  # (CVE id, "critical" | "high" | "other")
    summary: str = ""
    affected_products: str = ""
    required_actions: str = ""
    due_date: date | None = None
    exploited: bool = False
    public_exploit: bool = False
    forwarded_from: str = ""  # number of the letter this one re-issues


@dataclass(frozen=True, slots=True)
class CpeRecord:
    """A CPE dictionary entry (NVD Products API 2.0): whether the name is deprecated, and by what.

    `deprecated_by` lists the replacement CPE 2.3 names in source order (NVD's
    `deprecatedBy[].cpeName`); empty when the name is current or deprecated without a successor.
    """

    name: str  # CPE 2.3 formatted string
    location: SourceLocation
    deprecated: bool = False
    deprecated_by: tuple[str, ...] = ()
    title: str = ""  # English title
    last_modified: datetime | None = None


@dataclass(frozen=True, slots=True)
class WindowsReleaseRecord:
    """The latest update Microsoft lists for one Windows (or .NET on Windows) product:
    reference data for deciding whether a host is current (windows-versions.json)."""

    product: str  # "Windows Server 2019", "Microsoft .NET Framework 3.5 on Windows Server 2012"
    location: SourceLocation
    version: str = ""  # "1809", "22H2", "2012"
    build: str = ""  # as written: "17763.7678", or several ("2.0.50727.8984 & 3.0.30729.8980")
    latest_kb: str = ""  # digits only
    released: date | None = None


@dataclass(frozen=True, slots=True)
class AdvisoryBatch:
    """Everything one file (or one API page) holds."""

    source_format: str  # parser id: "nvd", "kev", "epss", "msrc-cvrf", ...
    source_name: str
    vulnerabilities: tuple[VulnerabilityRecord, ...] = ()
    kev: tuple[KevRecord, ...] = ()
    epss: tuple[EpssRecord, ...] = ()
    epss_model_version: str = ""
    epss_score_date: date | None = None
    msrc_documents: tuple[MsrcDocumentRecord, ...] = ()
    catalog_version: str = ""  # KEV catalogVersion, NVD timestamp...
    letters: tuple[WarningLetterRecord, ...] = ()
    cpes: tuple[CpeRecord, ...] = ()  # CPE dictionary entries (deprecations)
    windows_releases: tuple[WindowsReleaseRecord, ...] = ()
    warnings: tuple[Problem, ...] = field(default=())
