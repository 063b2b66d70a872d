"""What the matcher reads and what it says: plain frozen dataclasses, no ORM objects.

The `exposure` services load hosts and advisories from the database into these; tests build
them by hand or from the real sample files through the advisory parsers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Kind(enum.StrEnum):
    """What on a host a finding is about."""

    COMPONENT = "component"  # installed software or a library (inventory Component)
    SERVICE = "service"  # a listening network service (nmap)
    OS = "os"  # the operating system


@dataclass(frozen=True, slots=True)
class Software:
    """One thing on a host the matcher compares with advisories.

    `ref` is the id of the inventory row (component or service; the asset's id for the OS).
    `cpes` are CPE 2.3 names: given by the inventory or mapped from the package URL / nmap
    product (`mapped` says which: a mapped name is weaker evidence). `purl` is the full package
    URL when there is one. `version_guess`: the version comes from a banner or a distribution
    package's upstream part, so a range verdict on it is potential, not certain.
    """

    kind: Kind
    ref: int
    name: str
    version: str = ""
    cpes: tuple[str, ...] = ()
    purl: str = ""
    mapped: bool = False
    version_guess: str = ""  # why the version is only a guess; "" when it is what runs


@dataclass(frozen=True, slots=True)
class Host:
    """An asset as the matcher sees it.

    `os_known` is False when the inventory does not say which OS runs (then an OS platform
    condition is unknown, not false). `kbs`: installed Windows updates, digits only.
    """

    asset: int
    software: tuple[Software, ...]
    os_name: str = ""
    os_build: str = ""
    os_known: bool = False
    kbs: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Criterion:
    """One NVD cpeMatch (or a CPE-keyed CSAF range): a CPE name with optional bounds."""

    cpe: str
    vulnerable: bool
    start_including: str = ""
    start_excluding: str = ""
    end_including: str = ""
    end_excluding: str = ""


@dataclass(frozen=True, slots=True)
class Node:
    operator: str  # "OR" | "AND"
    negate: bool
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class Configuration:
    """An NVD configuration exactly as written: nodes combined by `operator`."""

    source: str
    operator: str  # "AND" | "OR" | "" (one node)
    negate: bool
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class PackageRange:
    """An ecosystem advisory's statement about a package (OSV range, CSAF product status).

    `key` is the versionless package URL (`canhgac.core.purls.package_key`), `ecosystem` as
    the source wrote it ("PyPI", "Ubuntu:20.04:LTS"), `vers` the range as a vers string ("" when
    it cannot be compared), `versions` enumerated versions, `status` "affected" or a CSAF status.
    """

    source: str
    key: str
    ecosystem: str = ""
    vers: str = ""
    versions: tuple[str, ...] = ()
    status: str = "affected"


@dataclass(frozen=True, slots=True)
class MicrosoftFix:
    """A Microsoft update fixing the CVE for one product (MSRC remediation)."""

    document: str  # "2022-Apr"
    product: str  # MSRC product name
    kb: str  # digits
    sub_type: str = ""
    fixed_build: str = ""


@dataclass(frozen=True, slots=True)
class Advisory:
    """Everything the knowledge base says about which software one vulnerability affects."""

    vulnerability: int  # Vulnerability id
    cve_id: str
    configurations: tuple[Configuration, ...] = ()
    packages: tuple[PackageRange, ...] = ()
    microsoft_fixes: tuple[MicrosoftFix, ...] = ()
    microsoft_products: tuple[str, ...] = ()  # MSRC names of the affected products


class State(enum.StrEnum):
    AFFECTED = "affected"  # every condition holds on what the inventory says
    POTENTIAL = "potential"  # the affected thing is there, a condition cannot be decided
    NOT_AFFECTED = "not_affected"  # a candidate refuted (fix installed, platform absent, ...)


class Rule(enum.StrEnum):
    """Which rule decided; the explanation names it."""

    CPE = "cpe"  # NVD configuration with CPE criteria
    PACKAGE = "package"  # ecosystem range (OSV / CSAF) on a package URL
    WINDOWS_BUILD = "windows_build"  # installed build + UBR against the fixed build
    MICROSOFT_KB = "microsoft_kb"  # installed KBs with supersedence


@dataclass(frozen=True, slots=True)
class Reason:
    """One step of an explanation: a code the interfaces translate, and its values."""

    code: str
    values: tuple[tuple[str, str], ...] = ()

    def value(self, name: str) -> str:
        return dict(self.values).get(name, "")


def reason(code: str, **values: str) -> Reason:
    return Reason(code, tuple(values.items()))


@dataclass(frozen=True, slots=True)
class Verdict:
    """The matcher's answer for one (host, vulnerability, matched thing)."""

    asset: int
    vulnerability: int
    cve_id: str
    kind: Kind
    ref: int
    name: str
    version: str
    state: State
    rule: Rule
    source: str  # the attribution that decided ("nvd", "osv:GHSA-…", "msrc:2022-Apr")
    confidence: int  # 0-100
    reasons: tuple[Reason, ...] = field(default=())

    @property
    def identity(self) -> tuple[int, int, str, int]:
        return (self.asset, self.vulnerability, self.kind.value, self.ref)
