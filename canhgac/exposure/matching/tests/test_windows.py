"""Windows builds, Microsoft product names and KB supersedence, checked against the four real
MSRC CVRF documents of January to April 2022 (read once per module through the project's parser,
from the shared samples) and against the OS and software names collectors report."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from canhgac.advisories.feeds.msrc import MsrcCvrfParser
from canhgac.advisories.feeds.records import MsrcDocumentRecord
from canhgac.exposure.matching.logic import Tri
from canhgac.exposure.matching.windows import (
    WindowsBuild,
    build_fixed,
    fix_installed,
    is_server_core,
    normalise_kb,
    os_release,
    parse_build,
    product_family,
    product_matches_os,
    product_matches_software,
    supersedence_closure,
)

MONTHS = ("Jan", "Feb", "Mar", "Apr")

# Every product of April 2022 whose name starts with "Windows", grouped by family.
APRIL_WINDOWS_FAMILIES = {
    "Windows 10": {"Windows 10 for 32-bit Systems", "Windows 10 for x64-based Systems"},
    "Windows 10 Version 1607": {
        "Windows 10 Version 1607 for 32-bit Systems",
        "Windows 10 Version 1607 for x64-based Systems",
    },
    **{
        f"Windows 10 Version {version}": {
            f"Windows 10 Version {version} for 32-bit Systems",
            f"Windows 10 Version {version} for ARM64-based Systems",
            f"Windows 10 Version {version} for x64-based Systems",
        }
        for version in ("1809", "1909", "20H2", "21H1", "21H2")
    },
    "Windows 11": {"Windows 11 for ARM64-based Systems", "Windows 11 for x64-based Systems"},
    "Windows 7 Service Pack 1": {
        "Windows 7 for 32-bit Systems Service Pack 1",
        "Windows 7 for x64-based Systems Service Pack 1",
    },
    "Windows 8.1": {"Windows 8.1 for 32-bit systems", "Windows 8.1 for x64-based systems"},
    "Windows RT 8.1": {"Windows RT 8.1"},
    "Windows Server 2008 R2 Service Pack 1": {
        "Windows Server 2008 R2 for x64-based Systems Service Pack 1",
        "Windows Server 2008 R2 for x64-based Systems Service Pack 1 (Server Core installation)",
    },
    "Windows Server 2008 Service Pack 2": {
        "Windows Server 2008 for 32-bit Systems Service Pack 2",
        "Windows Server 2008 for 32-bit Systems Service Pack 2 (Server Core installation)",
        "Windows Server 2008 for x64-based Systems Service Pack 2",
        "Windows Server 2008 for x64-based Systems Service Pack 2 (Server Core installation)",
    },
    "Windows Server 2012": {
        "Windows Server 2012",
        "Windows Server 2012 (Server Core installation)",
    },
    "Windows Server 2012 R2": {
        "Windows Server 2012 R2",
        "Windows Server 2012 R2 (Server Core installation)",
    },
    "Windows Server 2016": {
        "Windows Server 2016",
        "Windows Server 2016  (Server Core installation)",
    },
    "Windows Server 2019": {
        "Windows Server 2019",
        "Windows Server 2019  (Server Core installation)",
    },
    "Windows Server 2022": {
        "Windows Server 2022",
        "Windows Server 2022 (Server Core installation)",
    },
    "Windows Server, version 20H2": {"Windows Server, version 20H2 (Server Core Installation)"},
    "Windows Upgrade Assistant": {"Windows Upgrade Assistant"},
}


@pytest.fixture(scope="module")
def documents(samples_dir: Path) -> dict[str, MsrcDocumentRecord]:
    folder = samples_dir / "advisories" / "msrc-cvrf"
    loaded: dict[str, MsrcDocumentRecord] = {}
    for month in MONTHS:
        path = folder / f"cvrfDocument-2022-{month}.xml"
        loaded[month] = MsrcCvrfParser().parse(path, source=path.name).msrc_documents[0]
    return loaded


@pytest.fixture(scope="module")
def all_product_names(documents: dict[str, MsrcDocumentRecord]) -> frozenset[str]:
    return frozenset(product.name for doc in documents.values() for product in doc.products)


@pytest.fixture(scope="module")
def real_closure(documents: dict[str, MsrcDocumentRecord]) -> dict[str, frozenset[str]]:
    return supersedence_closure(
        (remediation.kb, remediation.supersedence)
        for doc in documents.values()
        for vulnerability in doc.vulnerabilities
        for remediation in vulnerability.remediations
        if remediation.kind == "Vendor Fix" and remediation.kb
    )


def fixed_builds(document: MsrcDocumentRecord, family: str) -> set[tuple[str, str]]:
    """(kb, FixedBuild) of the Vendor Fix remediations of the products of one family."""
    ids = {
        product.product_id
        for product in document.products
        if product_family(product.name) == family
    }
    return {
        (remediation.kb, remediation.fixed_build)
        for vulnerability in document.vulnerabilities
        for remediation in vulnerability.remediations
        if remediation.kind == "Vendor Fix" and ids.intersection(remediation.product_ids)
    }


# -- builds ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.0.17763.2686", WindowsBuild(10, 0, 17763, 2686)),
        (" 10.0.19044.1645\n", WindowsBuild(10, 0, 19044, 1645)),
        ("10.0.17763", WindowsBuild(10, 0, 17763, None)),
        ("6.3.9600.20337", WindowsBuild(6, 3, 9600, 20337)),
        ("15.02.0986.022", WindowsBuild(15, 2, 986, 22)),
        ("19044.1645", WindowsBuild(10, 0, 19044, 1645)),
        ("9600.20337", None),
        ("", None),
        ("garbage", None),
        ("10.0", None),
        ("10.0.17763.2686.1", None),
        ("10.0.x.2686", None),
        ("10.0.17763.-1", None),
    ],
)
def test_parse_build(text: str, expected: WindowsBuild | None) -> None:
    assert parse_build(text) == expected


def test_build_family_rule_and_order() -> None:
    build = WindowsBuild(10, 0, 17763, 2686)
    assert (build.family, build.uses_build_rule) == ("10.0.17763", True)
    assert WindowsBuild(6, 3, 9600, 20337).uses_build_rule is False
    assert WindowsBuild(10, 0, 17763, None).family == "10.0.17763"
    later = [WindowsBuild(10, 0, 17763, 2803), WindowsBuild(10, 0, 14393, 5066), build]
    assert sorted(later) == [WindowsBuild(10, 0, 14393, 5066), build, later[0]]


@pytest.mark.parametrize(
    ("installed", "fixed", "expected"),
    [
        ("10.0.17763.2686", "10.0.17763.2803", Tri.NO),  # March on 1809 vs April's fix
        ("10.0.17763.2803", "10.0.17763.2803", Tri.YES),
        ("10.0.17763.2928", "10.0.17763.2803", Tri.YES),
        ("10.0.17763", "10.0.17763.2803", Tri.UNKNOWN),  # UBR not reported
        ("10.0.17763.2803", "", Tri.UNKNOWN),
        ("10.0.17763.2803", "10.0.17763", Tri.UNKNOWN),
        ("10.0.17763.2803", "not a build", Tri.UNKNOWN),
        ("10.0.20348.643", "10.0.17763.2803", Tri.UNKNOWN),  # not this host's product
        ("6.3.9600.20337", "6.3.9600.20337", Tri.UNKNOWN),  # a file version: the KB rule
        ("6.1.7601.25924", "6.1.7601.25898", Tri.UNKNOWN),
        ("10.0.19044.1466", "10.0.19043.1466", Tri.YES),  # one cumulative update for 2004-22H2
        ("10.0.19045.1415", "10.0.19043.1466", Tri.NO),
        ("10.0.18363.2212", "10.0.18362.2212", Tri.YES),
        ("10.0.22631.2428", "10.0.22621.2506", Tri.NO),
        ("10.0.22000.613", "10.0.22621.613", Tri.UNKNOWN),  # Windows 11 21H2 is serviced alone
        ("10.0.19044.1645", "1.4.19041.1555", Tri.UNKNOWN),  # Upgrade Assistant's own version
    ],
)
def test_build_fixed(installed: str, fixed: str, expected: Tri) -> None:
    build = parse_build(installed)
    assert build is not None
    assert build_fixed(build, fixed) is expected


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        ("Windows Server 2019", {("5012647", "10.0.17763.2803")}),
        ("Windows 10 Version 1809", {("5012647", "10.0.17763.2803")}),
        ("Windows Server 2016", {("5012596", "10.0.14393.5066")}),
        ("Windows Server 2022", {("5012604", "10.0.20348.643")}),
        (
            "Windows 10 Version 21H2",
            {("5012599", "10.0.19043.1645"), ("5012599", "10.0.19044.1645")},
        ),
        ("Windows 10 Version 1909", {("5012591", "10.0.18363.2212")}),
        ("Windows 11", {("5012592", "10.0.22000.613")}),
        ("Windows 10", {("5012653", "10.0.10240.19265")}),
        ("Windows Server 2012 R2", {("5012639", "6.3.9600.20337"), ("5012670", "6.3.9600.20337")}),
    ],
)
def test_april_fixed_builds(
    documents: dict[str, MsrcDocumentRecord], family: str, expected: set[tuple[str, str]]
) -> None:
    assert fixed_builds(documents["Apr"], family) == expected


@pytest.mark.parametrize(
    ("installed", "expected"),
    [
        ("10.0.17763.2686", Tri.NO),  # March
        ("10.0.17763.2803", Tri.YES),  # April
        ("10.0.17763.2928", Tri.YES),  # May
        ("10.0.17763", Tri.UNKNOWN),
        ("10.0.20348.643", Tri.UNKNOWN),
    ],
)
def test_april_server_2019_fix_by_build(
    documents: dict[str, MsrcDocumentRecord], installed: str, expected: Tri
) -> None:
    ((_, fixed),) = fixed_builds(documents["Apr"], "Windows Server 2019")
    build = parse_build(installed)
    assert build is not None
    assert build_fixed(build, fixed) is expected


def test_every_nt10_fixed_build_of_april_is_decided_on_its_own_release(
    documents: dict[str, MsrcDocumentRecord],
) -> None:
    checked = 0
    for family in APRIL_WINDOWS_FAMILIES:
        for _, fixed in fixed_builds(documents["Apr"], family):
            build = parse_build(fixed)
            if build is None or not build.uses_build_rule:
                continue
            assert build.revision is not None
            assert build_fixed(build, fixed) is Tri.YES
            older = WindowsBuild(build.major, build.minor, build.build, build.revision - 1)
            assert build_fixed(older, fixed) is Tri.NO
            checked += 1
    assert checked == 13  # 21H2 twice: MSRC gives it 19043.1645 and 19044.1645


def test_january_gives_21h2_the_build_of_21h1(documents: dict[str, MsrcDocumentRecord]) -> None:
    """MSRC wrote 10.0.19043.1466 for 21H2 (19044): the shared servicing still decides."""
    assert fixed_builds(documents["Jan"], "Windows 10 Version 21H2") == {
        ("5009543", "10.0.19043.1466")
    }
    assert build_fixed(WindowsBuild(10, 0, 19044, 1466), "10.0.19043.1466") is Tri.YES
    assert build_fixed(WindowsBuild(10, 0, 19044, 1415), "10.0.19043.1466") is Tri.NO


# -- MSRC product names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "family", "server_core"),
    [
        ("Windows Server 2019", "Windows Server 2019", False),
        ("Windows Server 2019  (Server Core installation)", "Windows Server 2019", True),
        ("Windows 10 Version 1809 for x64-based Systems", "Windows 10 Version 1809", False),
        ("Windows 10 Version 21H2 for 32-bit Systems", "Windows 10 Version 21H2", False),
        ("Windows 10 for x64-based Systems", "Windows 10", False),
        ("Windows 11 for ARM64-based Systems", "Windows 11", False),
        ("Windows 11 Version 21H2 for x64-based Systems", "Windows 11", False),
        ("Windows 11 Version 22H2 for x64-based Systems", "Windows 11 Version 22H2", False),
        ("Windows 8.1 for x64-based systems", "Windows 8.1", False),
        ("Windows RT 8.1", "Windows RT 8.1", False),
        ("Windows 7 for x64-based Systems Service Pack 1", "Windows 7 Service Pack 1", False),
        (
            "Windows Server 2008 R2 for x64-based Systems Service Pack 1",
            "Windows Server 2008 R2 Service Pack 1",
            False,
        ),
        (
            "Windows Server 2008 for 32-bit Systems Service Pack 2 (Server Core installation)",
            "Windows Server 2008 Service Pack 2",
            True,
        ),
        (
            "Windows Server, version 20H2 (Server Core Installation)",
            "Windows Server, version 20H2",
            True,
        ),
        (
            "Windows Server 2022 Azure Edition Core Hotpatch",
            "Windows Server 2022 Azure Edition Core Hotpatch",
            False,
        ),
        (
            "Microsoft Exchange Server 2019 Cumulative Update 11",
            "Microsoft Exchange Server 2019 Cumulative Update 11",
            False,
        ),
        (
            "Microsoft .NET Framework 3.5 AND 4.8 on Windows Server 2019"
            "  (Server Core installation)",
            "Microsoft .NET Framework 3.5 AND 4.8 on Windows Server 2019",
            True,
        ),
        (
            "Microsoft 365 Apps for Enterprise for 64-bit Systems",
            "Microsoft 365 Apps for Enterprise",
            False,
        ),
    ],
)
def test_product_family(name: str, family: str, server_core: bool) -> None:
    assert product_family(name) == family
    assert is_server_core(name) is server_core


def test_april_windows_products_group_by_family(documents: dict[str, MsrcDocumentRecord]) -> None:
    groups: dict[str, set[str]] = defaultdict(set)
    for product in documents["Apr"].products:
        if product.name.startswith("Windows"):
            groups[product_family(product.name)].add(product.name)
    assert groups == APRIL_WINDOWS_FAMILIES


def test_no_family_keeps_architecture_or_installation(all_product_names: frozenset[str]) -> None:
    assert len(all_product_names) == 285
    for name in all_product_names:
        family = product_family(name).casefold()
        assert "based systems" not in family, name
        assert "bit systems" not in family, name
        assert "server core" not in family, name
        assert "  " not in family, name


# -- the host's OS ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("os_name", "build", "expected"),
    [
        ("Microsoft Windows Server 2019 Standard", "10.0.17763.2686", "Windows Server 2019"),
        ("Microsoft Windows Server 2019 Standard", "", "Windows Server 2019"),
        ("Microsoft Windows Server 2016 Datacenter", "10.0.14393.5066", "Windows Server 2016"),
        ("Microsoft Windows Server 2022 Datacenter", "10.0.20348.643", "Windows Server 2022"),
        ("Windows Server 2022 Datacenter: Azure Edition", "10.0.20348.643", "Windows Server 2022"),
        ("Windows Server 2025 Standard", "10.0.26100.1742", "Windows Server 2025"),
        ("Windows Server 2012 R2 Datacenter", "6.3.9600", "Windows Server 2012 R2"),
        ("Windows Server 2012 R2 Datacenter", "", "Windows Server 2012 R2"),
        ("Microsoft Windows Server 2012 Standard", "6.2.9200", "Windows Server 2012"),
        (
            "Microsoft Windows Server 2008 R2 Enterprise",
            "6.1.7601",
            "Windows Server 2008 R2 Service Pack 1",
        ),
        (
            "Windows Server 2008 R2 Standard Service Pack 1",
            "",
            "Windows Server 2008 R2 Service Pack 1",
        ),
        ("Windows Server 2008 R2 Standard", "", None),  # which service pack?
        ("Microsoft® Windows Server® 2008 Standard SP2", "", "Windows Server 2008 Service Pack 2"),
        ("Windows 7 Professional (TM) Service Pack 1", "", "Windows 7 Service Pack 1"),
        ("Windows Server (R) 2008 Standard", "6.0.6003", "Windows Server 2008 Service Pack 2"),
        ("Windows Server Datacenter", "10.0.19042.1645", "Windows Server, version 20H2"),
        ("Windows Server Standard", "10.0.18363.2212", "Windows Server, version 1909"),
        ("Windows Server Standard", "", None),
        ("Microsoft Windows 10 Pro", "10.0.17763.2686", "Windows 10 Version 1809"),
        ("Microsoft Windows 10 Pro", "10.0.19044.1645", "Windows 10 Version 21H2"),
        ("Microsoft Windows 10 Enterprise", "10.0.19045.2965", "Windows 10 Version 22H2"),
        ("Windows 10 Enterprise 2016 LTSB", "10.0.14393.5066", "Windows 10 Version 1607"),
        ("Windows 10 Enterprise LTSC 2019", "10.0.17763.2803", "Windows 10 Version 1809"),
        ("Microsoft Windows 10 Enterprise", "10.0.10240.19265", "Windows 10"),
        ("Microsoft Windows 10 Pro", "", None),
        ("Microsoft Windows 10 Pro 21H2", "", "Windows 10 Version 21H2"),
        ("Windows 10 Enterprise LTSC 2019", "", None),
        ("Microsoft Windows 11 Enterprise", "10.0.22000.613", "Windows 11"),
        ("Microsoft Windows 11 Pro", "10.0.22621.1555", "Windows 11 Version 22H2"),
        ("Microsoft Windows 11 Pro", "10.0.22631.2428", "Windows 11 Version 23H2"),
        ("Windows 10 Pro", "10.0.22000.613", "Windows 11"),  # Windows 11's registry says 10
        ("Microsoft Windows 7 Professional", "6.1.7601", "Windows 7 Service Pack 1"),
        ("Microsoft Windows 7 Professional", "6.1.7600", "Windows 7"),  # RTM: MSRC lists none
        ("Windows 7 Ultimate SP1", "", "Windows 7 Service Pack 1"),
        ("Microsoft Windows 8.1 Pro", "6.3.9600", "Windows 8.1"),
        ("Windows RT 8.1", "6.3.9600", "Windows RT 8.1"),
        ("Windows 8.1 Enterprise", "", "Windows 8.1"),
        # the inventory contradicts itself: not told
        ("Microsoft Windows Server 2019 Standard", "10.0.20348.643", None),
        ("Windows Server 2012 R2 Datacenter", "6.2.9200", None),
        ("Microsoft Windows 7 Professional", "10.0.19044.1645", None),
        ("Microsoft Windows Server 2016 Standard", "6.3.9600", None),
        ("Microsoft Windows 10 Pro", "10.0.20348.643", None),  # a server build
        ("Microsoft Windows 10 Pro", "10.0.25000.1", None),  # not a released build
        ("Microsoft Windows XP Professional", "5.1.2600", None),
        ("Ubuntu 22.04.4 LTS", "", None),
        ("Red Hat Enterprise Linux 8.6", "", None),
        ("", "", None),
    ],
)
def test_os_release(os_name: str, build: str, expected: str | None) -> None:
    assert os_release(os_name, parse_build(build)) == expected


@pytest.mark.parametrize(
    ("os_name", "build", "family"),
    [
        ("Microsoft Windows Server 2019 Standard", "10.0.17763.2686", "Windows Server 2019"),
        ("Microsoft Windows 10 Pro", "10.0.19044.1645", "Windows 10 Version 21H2"),
        ("Microsoft Windows 10 Pro", "10.0.10240.19265", "Windows 10"),
        ("Microsoft Windows 11 Enterprise", "10.0.22000.613", "Windows 11"),
        ("Microsoft Windows 7 Enterprise", "6.1.7601", "Windows 7 Service Pack 1"),
        ("Windows Server 2008 R2 Datacenter", "6.1.7601", "Windows Server 2008 R2 Service Pack 1"),
        ("Windows Server 2008 Standard", "6.0.6003", "Windows Server 2008 Service Pack 2"),
        ("Windows 8.1 Pro", "6.3.9600", "Windows 8.1"),
        ("Windows Server 2012 Standard", "6.2.9200", "Windows Server 2012"),
        ("Windows Server Datacenter", "10.0.19042.1645", "Windows Server, version 20H2"),
    ],
)
def test_host_matches_exactly_its_april_products(
    documents: dict[str, MsrcDocumentRecord], os_name: str, build: str, family: str
) -> None:
    release = os_release(os_name, parse_build(build))
    assert release is not None
    matched = {p.name for p in documents["Apr"].products if product_matches_os(p.name, release)}
    assert matched == APRIL_WINDOWS_FAMILIES[family]


@pytest.mark.parametrize(
    ("product", "release", "expected"),
    [
        ("Windows 11 Version 21H2 for x64-based Systems", "Windows 11", True),
        ("Windows 11 for x64-based Systems", "windows 11 version 21h2", True),
        ("Windows 11 Version 22H2 for x64-based Systems", "Windows 11", False),
        ("Windows 10 for x64-based Systems", "Windows 10 Version 1809", False),
        ("Windows Server 2012", "Windows Server 2012 R2", False),
        ("Windows RT 8.1", "Windows 8.1", False),
        (
            "Windows Server 2008 R2 for x64-based Systems Service Pack 1",
            "Windows Server 2008 Service Pack 2",
            False,
        ),
        ("Windows Server 2022 Azure Edition Core Hotpatch", "Windows Server 2022", False),
        ("Microsoft .NET Framework 4.8 on Windows Server 2019", "Windows Server 2019", False),
        ("Windows Server 2019", "", False),
    ],
)
def test_product_matches_os(product: str, release: str, expected: bool) -> None:
    assert product_matches_os(product, release) is expected


# -- installed software ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("software", "expected"),
    [
        (
            "Microsoft Exchange Server 2019 Cumulative Update 11",
            {"Microsoft Exchange Server 2019 Cumulative Update 11"},
        ),
        (
            "Microsoft Exchange Server 2019 CU10",
            {"Microsoft Exchange Server 2019 Cumulative Update 10"},
        ),
        (
            "Microsoft Exchange Server 2016 Cumulative Update 22",
            {"Microsoft Exchange Server 2016 Cumulative Update 22"},
        ),
        ("Microsoft Exchange Server 2019 Cumulative Update 12", set()),
        ("Microsoft Exchange Server 2019", set()),
        (
            "Microsoft Office Professional Plus 2019 - en-us",
            {
                "Microsoft Office 2019 for 32-bit editions",
                "Microsoft Office 2019 for 64-bit editions",
            },
        ),
        (
            "Microsoft Office Standard 2016",
            {"Microsoft Office 2016 (32-bit edition)", "Microsoft Office 2016 (64-bit edition)"},
        ),
        (
            "Microsoft Office Professional Plus 2013",
            {
                "Microsoft Office 2013 Service Pack 1 (32-bit editions)",
                "Microsoft Office 2013 Service Pack 1 (64-bit editions)",
            },
        ),
        (
            "Microsoft Office LTSC Professional Plus 2021 - en-us",
            {
                "Microsoft Office LTSC 2021 for 32-bit editions",
                "Microsoft Office LTSC 2021 for 64-bit editions",
            },
        ),
        ("Microsoft Office Professional Plus 2021 - en-us", set()),  # retail 2021 is not LTSC
        ("Microsoft Office Professional Plus 2010", set()),
        (
            "Microsoft Excel 2016",
            {"Microsoft Excel 2016 (32-bit edition)", "Microsoft Excel 2016 (64-bit edition)"},
        ),
        (
            "Microsoft 365 Apps for enterprise - en-us",
            {
                "Microsoft 365 Apps for Enterprise for 32-bit Systems",
                "Microsoft 365 Apps for Enterprise for 64-bit Systems",
            },
        ),
        ("Microsoft SharePoint Server 2019", {"Microsoft SharePoint Server 2019"}),
        (
            "Microsoft SharePoint Server 2016",
            {"Microsoft SharePoint Enterprise Server 2016", "Microsoft SharePoint Server 2016"},
        ),
        (
            "Microsoft SharePoint Server 2013",
            {"Microsoft SharePoint Enterprise Server 2013 Service Pack 1"},
        ),
        ("Microsoft Visual Studio Code", {"Visual Studio Code"}),
        ("Microsoft Office Proofing (English) 2016", set()),
        ("Microsoft Excel MUI (English) 2016", set()),
        ("Microsoft Visual C++ 2019 X64 Minimum Runtime - 14.29.30133", set()),
        ("", set()),
    ],
)
def test_software_matches_real_products(
    all_product_names: frozenset[str], software: str, expected: set[str]
) -> None:
    assert {
        name for name in all_product_names if product_matches_software(name, software)
    } == expected


@pytest.mark.parametrize(
    ("product", "software", "expected"),
    [
        (
            "Microsoft Exchange Server 2019 Cumulative Update 11",
            "microsoft  exchange server 2019 cumulative update 11",
            True,
        ),
        ("Microsoft Exchange Server 2019 Cumulative Update 11", "Exchange Server 2019 CU 11", True),
        (
            "Microsoft Exchange Server 2019 Cumulative Update 11",
            "Microsoft Exchange Server 2019 Cumulative Update 1",
            False,
        ),
        (
            "Microsoft Exchange Server 2019 Cumulative Update 1",
            "Microsoft Exchange Server 2019 Cumulative Update 11",
            False,
        ),
        (
            "Microsoft Office 2019 for 64-bit editions",
            "Microsoft Office 2016 Professional Plus",
            False,
        ),
        ("Microsoft Office 2019 for Mac", "Microsoft Office Professional Plus 2019", False),
        (
            "Microsoft Office 2013 RT Service Pack 1",
            "Microsoft Office Professional Plus 2013",
            False,
        ),
        (
            "Microsoft Office 2013 Service Pack 1 (64-bit editions)",
            "Microsoft Office Standard 2013 Service Pack 2",
            False,
        ),
        ("Microsoft Word 2016 (64-bit edition)", "Microsoft Office Professional Plus 2016", False),
        (
            "Microsoft Office Web Apps Server 2013 Service Pack 1",
            "Microsoft Office Web Apps Server 2013",
            False,
        ),
        (
            "Microsoft SharePoint Foundation 2013 Service Pack 1",
            "Microsoft SharePoint Server 2013",
            False,
        ),
        ("Microsoft Project Server 2013", "Microsoft Project Professional 2013", False),
        (
            "Skype for Business Server 2019 CU6",
            "Skype for Business Server 2019 Cumulative Update 6",
            True,
        ),
    ],
)
def test_product_matches_software(product: str, software: str, expected: bool) -> None:
    assert product_matches_software(product, software) is expected


# -- KBs and supersedence -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KB5011503", "5011503"),
        ("kb 5011503", "5011503"),
        ("KB-5011503", "5011503"),
        (" 5011503 ", "5011503"),
        ("890830", "890830"),
        ("", ""),
        ("KB", ""),
        ("KB50115O3", ""),
        ("5011503,5011485", ""),
        ("Security Update", ""),
        ("123", ""),
    ],
)
def test_normalise_kb(text: str, expected: str) -> None:
    assert normalise_kb(text) == expected


@pytest.mark.parametrize(
    ("kb", "superseded"),
    [
        # Windows 10 1809 / Server 2019: April → March → February → January → December 2021
        ("5012647", {"5011503", "5010351", "5009557", "5008210", "5008218"}),
        ("5011503", {"5010351", "5009557", "5008210", "5008218"}),
        ("5009557", {"5008210", "5008218"}),
        ("5008218", set()),  # December 2021: not in these documents as a fix
        # Windows 7 / 2008 R2 Monthly Rollups; the Security Only update supersedes nothing
        ("5012626", {"5011552", "5010404", "5009610", "5008244"}),
        ("5012649", set()),
        # Exchange 2019 CU11: March → January → November 2021
        ("5012698", {"5008631", "5007409"}),
    ],
)
def test_real_supersedence_chains(
    real_closure: dict[str, frozenset[str]], kb: str, superseded: set[str]
) -> None:
    assert real_closure[kb] == superseded


def test_older_updates_never_supersede_newer(real_closure: dict[str, frozenset[str]]) -> None:
    assert "5012647" not in real_closure["5009557"]
    assert all(kb not in superseded for kb, superseded in real_closure.items())


def test_closure_survives_cycles_and_bad_data() -> None:
    closure = supersedence_closure(
        [
            ("KB1000001", "1000002"),
            ("1000002", "kb 1000003"),
            ("1000003", "1000001"),  # back to the start
            ("1000004", "1000004"),  # itself
            ("1000005", "1000006,KB1000007"),
            ("1000008", ""),
            ("garbage", "1000009"),
            ("1000010", "garbage"),
        ]
    )
    assert closure == {
        "1000001": frozenset({"1000002", "1000003"}),
        "1000002": frozenset({"1000001", "1000003"}),
        "1000003": frozenset({"1000001", "1000002"}),
        "1000004": frozenset(),
        "1000005": frozenset({"1000006", "1000007"}),
        "1000006": frozenset(),
        "1000007": frozenset(),
        "1000008": frozenset(),
        "1000010": frozenset(),
    }
    assert supersedence_closure([]) == {}


def test_long_chain() -> None:
    edges = [(str(100000 + n + 1), str(100000 + n)) for n in range(2000)]
    closure = supersedence_closure(edges)
    assert len(closure["102000"]) == 2000
    assert closure["100000"] == frozenset()


@pytest.mark.parametrize(
    ("fixes", "installed", "expected"),
    [
        # Server 2019, April fix: installed directly, with any spelling
        (["5012647"], ["KB5012647"], "5012647"),
        (["5012647"], ["KB5011503", "kb 5012647"], "5012647"),
        # January's fix, April's cumulative update installed: superseded transitively
        (["5009557"], ["KB5012647"], "5012647"),
        (["5009557"], ["KB5011503", "KB5012647"], "5011503"),  # the oldest that brings it
        (["5009557"], ["KB5009557", "KB5012647"], "5009557"),  # a direct match first
        # April's fix, only March's update: not fixed
        (["5012647"], ["KB5011503"], None),
        # Windows 7 April: Monthly Rollup 5012626 or Security Only 5012649, either is enough
        (["5012626", "5012649"], ["KB5012649"], "5012649"),
        (["5012626", "5012649"], ["KB5012626"], "5012626"),
        (["5012626", "5012649"], ["KB5011529", "KB5011552"], None),  # March's pair
        # January Security Only fix 5009621: later Security Only updates do not supersede it,
        # later Monthly Rollups do (5012626 → ... → 5009610; 5009621 is not in that chain)
        (["5009610", "5009621"], ["KB5012649"], None),
        (["5009610", "5009621"], ["KB5012626"], "5012626"),
        ([], ["KB5012647"], None),
        (["5012647"], [], None),
        (["5012647"], ["", "garbage", "KB"], None),
        (["garbage"], ["garbage"], None),
    ],
)
def test_fix_installed(
    real_closure: dict[str, frozenset[str]],
    fixes: list[str],
    installed: list[str],
    expected: str | None,
) -> None:
    assert fix_installed(fixes, installed, real_closure) == expected


def test_fix_installed_without_closure_needs_a_direct_match() -> None:
    assert fix_installed(["5009557"], ["KB5012647"], {}) is None
    assert fix_installed(iter(["5009557"]), iter(["5009557"]), {}) == "5009557"
