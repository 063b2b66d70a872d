"""Windows and Microsoft knowledge: does a host have Microsoft's fix for a CVE?

MSRC's monthly documents name Microsoft products ("Windows Server 2019  (Server Core
installation)", "Windows 10 Version 21H2 for x64-based Systems", "Microsoft Exchange Server 2019
Cumulative Update 11") with the fixing KB, the KB it supersedes and a FixedBuild. The inventory
knows the OS name as the collector wrote it ("Microsoft Windows 10 Pro"), the build with its UBR
("10.0.19044.1645"), the installed KBs and the installed software. This module bridges the two
vocabularies; the engine combines the answers.

An OS fix is known to be there in one of two ways:

* build rule, NT 10.0 (Windows 10, 11, Server 2016 and later): every monthly cumulative update
  raises the UBR, so installed build ≥ FixedBuild says the fix (or a later one) is in, even when
  the inventory's KB list is incomplete, which it often is;
* KB rule, NT 6.x (7, 8.1, Server 2008/2012): FixedBuild there is the version of one patched
  file ("6.3.9600.20337"), not the OS build; only the installed KBs tell: a fixing KB, or one
  that supersedes it transitively (Monthly Rollups are cumulative, Security Only updates are not
  and supersede nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from canhgac.exposure.matching.logic import Tri

FIRST_NT10_BUILD = 10240  # Windows 10 1507: the first build of NT 10.0
_BUILD = re.compile(r"(\d{1,9})\.(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?")
_SHORT_BUILD = re.compile(r"(\d{5,9})\.(\d{1,9})")  # "19044.1645", as winver shows it
_KB = re.compile(r"(?:kb)?[\s-]*([0-9]{4,9})", re.IGNORECASE)  # as msrc.KB_PATTERN: 4-9 digits


@dataclass(frozen=True, slots=True, order=True)
class WindowsBuild:
    """major.minor.build.revision as Windows reports it: "10.0.17763.2686".

    `revision` is the UBR (update build revision); None when the inventory gave three numbers
    only ("10.0.17763"): the release is then known, its patch level is not. Ordering compares the
    four numbers in turn and raises TypeError when it reaches a None revision; decisions about
    fixes go through `build_fixed`, which turns that case into UNKNOWN.
    """

    major: int
    minor: int
    build: int
    revision: int | None = None

    @property
    def family(self) -> str:
        """The release, "10.0.17763": builds of one family differ by their UBR only."""
        return f"{self.major}.{self.minor}.{self.build}"

    @property
    def uses_build_rule(self) -> bool:
        """True on NT 10.0, where the cumulative update raises the UBR (see the module doc)."""
        return self.major == 10


def parse_build(text: str) -> WindowsBuild | None:
    """Read "10.0.17763.2686", "10.0.17763" (revision None) or winver's "17763.2686" (an NT 10
    build number, 10240 or more, so never mistaken for a 6.x one); anything else → None."""
    stripped = text.strip()
    if match := _BUILD.fullmatch(stripped):
        major, minor, build, revision = match.groups()
        return WindowsBuild(
            int(major), int(minor), int(build), None if revision is None else int(revision)
        )
    short = _SHORT_BUILD.fullmatch(stripped)
    if short and int(short[1]) >= FIRST_NT10_BUILD:
        return WindowsBuild(10, 0, int(short[1]), int(short[2]))
    return None


# Releases serviced by the same cumulative updates (enablement packages): one KB and one UBR for
# all, and MSRC sometimes writes the sibling's build (January 2022 gives 21H2 "10.0.19043.1466").
_SHARED_SERVICING = (
    frozenset({18362, 18363}),  # 1903, 1909
    frozenset({19041, 19042, 19043, 19044, 19045}),  # 2004 .. 22H2
    frozenset({22621, 22631}),  # Windows 11 22H2, 23H2
)


def _servicing(build: WindowsBuild) -> tuple[int, int, frozenset[int]]:
    group = next((g for g in _SHARED_SERVICING if build.build in g), frozenset({build.build}))
    return (build.major, build.minor, group)


def build_fixed(installed: WindowsBuild, fixed_build: str) -> Tri:
    """Is MSRC's FixedBuild reached? YES/NO when both UBRs are known on one NT 10 servicing
    branch (a family, or releases that share cumulative updates such as 19041-19045).

    UNKNOWN otherwise: installed revision unknown, FixedBuild unparseable or without a revision,
    a 6.x host (its FixedBuild is a file version, see the module doc), or another family, which
    means the caller compared a product that is not this host's: its mistake, never a verdict.
    """
    fixed = parse_build(fixed_build)
    if (
        fixed is None
        or fixed.revision is None
        or installed.revision is None
        or not installed.uses_build_rule
        or _servicing(installed) != _servicing(fixed)
    ):
        return Tri.UNKNOWN
    return Tri.of(installed.revision >= fixed.revision)


# NT 10 client builds → (product, version). The registry's ProductName says neither (Windows 11
# still writes "Windows 10 Pro"), so the build decides.
_CLIENT_NT10: dict[int, tuple[str, str]] = {
    10240: ("Windows 10", "1507"),
    10586: ("Windows 10", "1511"),
    14393: ("Windows 10", "1607"),
    15063: ("Windows 10", "1703"),
    16299: ("Windows 10", "1709"),
    17134: ("Windows 10", "1803"),
    17763: ("Windows 10", "1809"),
    18362: ("Windows 10", "1903"),
    18363: ("Windows 10", "1909"),
    19041: ("Windows 10", "2004"),
    19042: ("Windows 10", "20H2"),
    19043: ("Windows 10", "21H1"),
    19044: ("Windows 10", "21H2"),
    19045: ("Windows 10", "22H2"),
    22000: ("Windows 11", "21H2"),
    22621: ("Windows 11", "22H2"),
    22631: ("Windows 11", "23H2"),
    26100: ("Windows 11", "24H2"),
}
# MSRC names these without a version: "Windows 10 for x64-based Systems" is 1507, and the 2022
# documents say "Windows 11" for 21H2 (later ones "Windows 11 Version 21H2": see product_family).
_UNVERSIONED = frozenset({("Windows 10", "1507"), ("Windows 11", "21H2")})
_SERVER_NT10: dict[int, str] = {
    14393: "Windows Server 2016",
    17763: "Windows Server 2019",
    20348: "Windows Server 2022",
    26100: "Windows Server 2025",
    # semi-annual channel: "Windows Server Standard" without a year, Server Core only
    16299: "Windows Server, version 1709",
    17134: "Windows Server, version 1803",
    18362: "Windows Server, version 1903",
    18363: "Windows Server, version 1909",
    19041: "Windows Server, version 2004",
    19042: "Windows Server, version 20H2",
}
# NT 6.x minor → the names a client / server of that kernel can carry; the first is the default.
_LEGACY: dict[tuple[int, bool], tuple[str, ...]] = {
    (0, False): ("Windows Vista",),
    (0, True): ("Windows Server 2008",),
    (1, False): ("Windows 7",),
    (1, True): ("Windows Server 2008 R2",),
    (2, False): ("Windows 8",),
    (2, True): ("Windows Server 2012",),
    (3, False): ("Windows 8.1", "Windows RT 8.1"),
    (3, True): ("Windows Server 2012 R2",),
}
_SERVICE_PACK_BUILDS = {6001: 1, 6002: 2, 6003: 2, 7601: 1}  # 6003: 2008 SP2 after 2019-04
_NEEDS_SERVICE_PACK = frozenset(
    {"Windows Vista", "Windows 7", "Windows Server 2008", "Windows Server 2008 R2"}
)
_SERVER_YEARS = "2008 r2|2008|2012 r2|2012|2016|2019|2022|2025"
_SERVER_NAME = re.compile(rf"\bwindows server\b(?: ({_SERVER_YEARS}))?")
_CLIENT_NAME = re.compile(r"\bwindows (vista|7|8\.1|8|rt 8\.1|10|11)\b")
_TRADEMARK = re.compile(r"\((?:r|tm)\)|[®™]")  # "Windows Server (R) 2008", "Windows 7™"
_CLIENT_NAMES = {"vista": "Windows Vista", "rt 8.1": "Windows RT 8.1"}
_SERVICE_PACK_NAME = re.compile(r"\b(?:service pack|sp) ?([1-9])\b")
_VERSION_TOKEN = re.compile(r"\b(\d{4}|\d\dh[12])\b")


def _client_release(product: str, version: str) -> str:
    return product if (product, version) in _UNVERSIONED else f"{product} Version {version}"


def _name_base(name: str) -> str | None:
    """The Windows the name says, without version or service pack: "Windows Server 2012 R2",
    "Windows Server" (no year: semi-annual channel), "Windows 10"; None: not Windows."""
    if server := _SERVER_NAME.search(name):
        return "Windows Server" + (f" {server[1].upper()}" if server[1] else "")
    if client := _CLIENT_NAME.search(name):
        return _CLIENT_NAMES.get(client[1], f"Windows {client[1]}")
    return None


def os_release(os_name: str, build: WindowsBuild | None) -> str | None:
    """The Microsoft product family the host runs, in MSRC's words without architecture or
    installation type: "Windows Server 2019", "Windows 10 Version 21H2", "Windows 11",
    "Windows 7 Service Pack 1", "Windows Server, version 20H2". None: not Windows, or not told.

    Server or client comes from the name. With a build: an NT 10 client's version comes from the
    build number alone; a server's too, and a year in the name that disagrees with the build
    gives None (the inventory contradicts itself), as does a 6.x name on another kernel; the
    service pack of Vista, 7 and 2008 (R2) comes from the build (7601 = SP1). Without a build:
    the name must say the version ("Windows 10 Pro 21H2") or the service pack ("Windows 7
    Professional SP1"); a bare "Windows 10 Pro" or "Windows 7" gives None, never a guess.
    """
    name = " ".join(_TRADEMARK.sub(" ", os_name.casefold()).split())
    base = _name_base(name)
    if base is None:
        return None
    server = base.startswith("Windows Server")
    if build is None:
        return _release_from_name(base, name)
    if (build.major, build.minor) == (10, 0):
        if server:
            release = _SERVER_NT10.get(build.build)
            return release if release is not None and base in ("Windows Server", release) else None
        entry = _CLIENT_NT10.get(build.build)
        return _client_release(*entry) if entry and base in ("Windows 10", "Windows 11") else None
    bases = _LEGACY.get((build.minor, server)) if build.major == 6 else None
    if bases is None:
        return None
    base = bases[0] if base == "Windows Server" else base
    if base not in bases:
        return None
    pack = _SERVICE_PACK_BUILDS.get(build.build)
    return f"{base} Service Pack {pack}" if pack else base


def _release_from_name(base: str, name: str) -> str | None:
    if base in ("Windows 10", "Windows 11"):
        tokens = set(_VERSION_TOKEN.findall(name))
        for product, version in _CLIENT_NT10.values():
            if product == base and version.casefold() in tokens:
                return _client_release(product, version)
        return None
    if base == "Windows Server":
        return None  # no year: a semi-annual release that only the build tells
    if base in _NEEDS_SERVICE_PACK:
        pack = _SERVICE_PACK_NAME.search(name)
        return f"{base} Service Pack {pack[1]}" if pack else None
    return base


_ARCHITECTURE = re.compile(
    r"\s+for\s+(?:(?:x64|x86|arm64|itanium)-based|32-bit|64-bit)\s+systems\b", re.IGNORECASE
)
_SERVER_CORE = re.compile(r"\s*\(server core installation\)", re.IGNORECASE)
_WINDOWS_11_21H2 = re.compile(r"\bWindows 11 Version 21H2\b", re.IGNORECASE)


def product_family(msrc_product_name: str) -> str:
    """An MSRC product name without architecture ("for x64-based Systems", "for 32-bit systems",
    anywhere: "Windows 7 for x64-based Systems Service Pack 1" → "Windows 7 Service Pack 1") and
    without "(Server Core installation)", whitespace collapsed (MSRC writes "Windows Server 2019
    (Server Core installation)" with two spaces), "Windows 11 Version 21H2" written "Windows 11"
    as the 2022 documents do. Everything else stays, so ".NET Framework 4.8 on Windows Server
    2019" keeps its own family and never equals an OS release."""
    text = _ARCHITECTURE.sub("", _SERVER_CORE.sub("", msrc_product_name))
    return _WINDOWS_11_21H2.sub("Windows 11", " ".join(text.split()))


def is_server_core(msrc_product_name: str) -> bool:
    return _SERVER_CORE.search(msrc_product_name) is not None


def product_matches_os(msrc_product_name: str, release: str) -> bool:
    """Same family, case-insensitive (`release` as `os_release` gives it). Server Core and full
    installations match alike: MSRC gives both the same KB and FixedBuild."""
    if not release.strip():
        return False
    return product_family(msrc_product_name).casefold() == product_family(release).casefold()


_LANGUAGE = re.compile(r" - [a-z]{2}(?:-[a-z]{2,4})?$")  # "... 2019 - en-us"
_BITNESS = re.compile(r" (?:for (?:32|64)-bit (?:editions?|systems)|\((?:32|64)-bit editions?\))")
_CUMULATIVE_UPDATE = re.compile(r"\bcu ?(\d+)\b")
_OFFICE_LINE = re.compile(
    r"(office|excel|word|outlook|powerpoint|access|publisher|visio|project)(?: (ltsc))?"
    r"(?: (?:professional plus|professional|standard|home and business|home and student))?"
    r" (20\d\d)(?: service pack (\d+))?"
)
_SHAREPOINT_LINE = re.compile(
    r"(sharepoint) (?:enterprise )?server (20\d\d)(?: service pack (\d))?"
)


def _software_key(name: str) -> str:
    text = " ".join(name.casefold().split()).removeprefix("microsoft ")
    text = _BITNESS.sub("", _LANGUAGE.sub("", text))
    return _CUMULATIVE_UPDATE.sub(r"cumulative update \1", text)


def _product_line(key: str) -> tuple[str, bool, str, str | None] | None:
    """(line, LTSC, year, service pack) of an Office or SharePoint Server product key."""
    if office := _OFFICE_LINE.fullmatch(key):
        return (office[1], office[2] is not None, office[3], office[4])
    if sharepoint := _SHAREPOINT_LINE.fullmatch(key):
        return (sharepoint[1], False, sharepoint[2], sharepoint[3])
    return None


def product_matches_software(msrc_product_name: str, software_name: str) -> bool:
    """Is the installed software (uninstall registry name) this MSRC product? Conservative,
    since a false match invents findings or hides them behind a KB that does not apply:

    1. Equal after normalising both: case, whitespace, a leading "Microsoft ", a language tag
       (" - en-us"), bitness ("for 64-bit editions", "(32-bit edition)", "for 64-bit Systems":
       the uninstall name does not say it, so both MSRC variants match) and "CU11" written
       "Cumulative Update 11". Exchange therefore matches its own CU only, and an Exchange name
       without a CU matches nothing.
    2. Office desktop lines (Office, Excel, Word, Outlook, PowerPoint, Access, Publisher, Visio,
       Project) and SharePoint Server: same line and year, edition words ignored ("Professional
       Plus", "Standard", SharePoint "Enterprise"), "LTSC" on both sides or neither, MSRC's
       "Service Pack N" equal to the installed one or absent from the installed name (the
       uninstall name rarely carries it). Mac, RT, Click-to-Run 2013, Web Apps and Online Server
       products fall outside this rule, and a suite never matches its single applications.

    Not handled: products tied to an OS (".NET Framework 4.8 on Windows Server 2019") and
    version ranges ("Visual Studio 2019 version 16.11 (includes 16.0 - 16.10)").
    """
    product, software = _software_key(msrc_product_name), _software_key(software_name)
    if not product or not software:
        return False
    if product == software:
        return True
    product_line, software_line = _product_line(product), _product_line(software)
    if product_line is None or software_line is None:
        return False
    return product_line[:3] == software_line[:3] and software_line[3] in (None, product_line[3])


def normalise_kb(text: str) -> str:
    """Digits of a KB: "KB5011503", "kb 5011503", "5011503" → "5011503"; anything else → ""."""
    match = _KB.fullmatch(text.strip())
    return match[1] if match else ""


def supersedence_closure(edges: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """(kb, superseded) pairs → each KB and every KB it supersedes, directly or transitively.

    KBs are normalised; the superseded side may list several comma-separated, as
    `MsrcRemediationRecord.supersedence` does. Every KB met is a key (one superseding nothing
    maps to an empty set). Bad data can hold cycles: each KB's walk visits a KB once, and a KB
    never lists itself.
    """
    direct: dict[str, set[str]] = {}
    for kb, superseded in edges:
        newer = normalise_kb(kb)
        if not newer:
            continue
        targets = direct.setdefault(newer, set())
        for piece in superseded.split(","):
            if older := normalise_kb(piece):
                direct.setdefault(older, set())
                targets.add(older)
    closure: dict[str, frozenset[str]] = {}
    for kb, first in direct.items():
        seen: set[str] = set()
        stack = list(first)
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(direct[current] - seen)
        seen.discard(kb)
        closure[kb] = frozenset(seen)
    return closure


def fix_installed(
    fix_kbs: Iterable[str], installed: Iterable[str], closure: Mapping[str, frozenset[str]]
) -> str | None:
    """The installed KB (digits) that brings the fix: one of `fix_kbs`, else one superseding one
    of them through `closure`; None when neither is installed.

    The caller passes every fixing KB of the product: a Monthly Rollup and its Security Only
    twin both fix the CVE. A direct match is preferred, since it needs no supersedence data;
    among several, the lowest KB number, so the answer does not depend on the input order.
    """
    fixes = {kb for kb in map(normalise_kb, fix_kbs) if kb}
    present = sorted({kb for kb in map(normalise_kb, installed) if kb}, key=int)
    direct = next((kb for kb in present if kb in fixes), None)
    if direct is not None:
        return direct
    return next((kb for kb in present if closure.get(kb, frozenset()) & fixes), None)
