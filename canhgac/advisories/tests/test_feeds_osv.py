"""The OSV parser: golden samples, real Go and PyPA entries and both real zips with counts made
here from the archives, every kind of bad input with its location, zip safety, streaming,
mutations, and format recognition."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from canhgac.advisories.feeds import osv
from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.osv import OsvParser
from canhgac.advisories.feeds.records import (
    AdvisoryBatch,
    PackageRecord,
    RangeRecord,
    ReferenceRecord,
    ScoreRecord,
    VulnerabilityRecord,
)
from canhgac.advisories.feeds.registry import PARSERS
from canhgac.core.exceptions import ParseError, SourceLocation, ValidationError
from canhgac.core.golden import assert_matches_golden
from canhgac.core.tests.mutation import check_mutated, mutate_bytes, shuffle_json
from canhgac.core.tests.parsing import located, parse_error, rejected, write

SAMPLES = Path(__file__).parent / "samples"
OWN_SAMPLES = ["osv-min.json", "osv-min.yaml"]
GO_ZIP = "advisories/osv/Go-all.zip"
PYPA_ZIP = "advisories/osv/PyPI-pypa-advisory-database.zip"
GO_0969 = "advisories/osv/samples/go/GO-2022-0969.json"
PYSEC_2020_35 = "advisories/osv/samples/pypa/PYSEC-2020-35.yaml"


def parse(path: Path) -> AdvisoryBatch:
    return OsvParser().parse(path, source=path.name)


def warnings_of(batch: AdvisoryBatch) -> list[str]:
    return [str(warning) for warning in batch.warnings]


def entry(**fields: Any) -> dict[str, Any]:
    """A small valid OSV entry; `fields` replace or (with None) remove keys."""
    document: dict[str, Any] = {
        "schema_version": "1.6.0",
        "id": "GHSA-2222-3333-4444",
        "modified": "2024-02-03T04:05:06Z",
        "aliases": ["CVE-2024-0001"],
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "example"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2"}]}],
            }
        ],
    }
    for key, value in fields.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return document


def ranges(*events: dict[str, str], kind: str = "ECOSYSTEM", ecosystem: str = "PyPI") -> Any:
    """An `affected` list of one package with one range of `events`."""
    package = {"ecosystem": ecosystem, "name": "example"}
    return [{"package": package, "ranges": [{"type": kind, "events": list(events)}]}]


def one_json(tmp_path: Path, document: Any, name: str = "e.json") -> Path:
    return write(tmp_path, name, json.dumps(document))


def write_zip(path: Path, members: Mapping[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def only_record(batch: AdvisoryBatch) -> VulnerabilityRecord:
    (record,) = batch.vulnerabilities
    return record


def first_range(batch: AdvisoryBatch) -> RangeRecord:
    return batch.vulnerabilities[0].packages[0].ranges[0]


# --- golden samples ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", OWN_SAMPLES)
def test_own_samples_match_golden(name: str) -> None:
    batch = parse(SAMPLES / name)
    assert (batch.source_format, batch.source_name) == ("osv", name)
    assert_matches_golden(batch, SAMPLES / name)


def test_json_sample_values() -> None:
    batch = parse(SAMPLES / "osv-min.json")
    assert batch.warnings == ()
    first, second = batch.vulnerabilities
    assert (first.id, second.id) == ("CVE-2099-0001", "CVE-2099-0002")
    assert first.aliases == ("EXAMPLE-2099-0001", "GHSA-2222-3333-4444", "CVE-2099-0002")
    assert second.aliases == ("EXAMPLE-2099-0001", "CVE-2099-0001", "GHSA-2222-3333-4444")
    same = {"id": "x", "aliases": ()}
    assert VulnerabilityRecord(**{**vars_of(first), **same}) == VulnerabilityRecord(
        **{**vars_of(second), **same}
    )
    assert (first.document, first.source, first.status) == ("EXAMPLE-2099-0001", "osv", "")
    assert first.location == SourceLocation("osv-min.json", None, "$")
    assert first.published == datetime(2099, 5, 1, 3, 0, tzinfo=UTC)  # +07:00 → UTC
    assert first.last_modified == datetime(2099, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    assert first.title == "Request smuggling in example-web"
    assert first.description.startswith("An illustrative entry")  # stripped
    assert first.cwes == ("CWE-444", "CWE-20")
    assert first.scores == (
        ScoreRecord("cvss_v31", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "", "osv"),
        ScoreRecord(
            "cvss_v40",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            9.3,
            "",
            "osv",
        ),
        ScoreRecord("cvss_v2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "", "osv"),
        ScoreRecord("osv", severity="HIGH", provider="osv"),
    )
    assert first.references[0] == ReferenceRecord(
        "https://example.org/advisories/EXAMPLE-2099-0001", tags=("ADVISORY",)
    )
    assert [(p.scheme, p.key) for p in first.packages] == [
        ("purl", "pkg:pypi/example-web"),  # from the given purl: no version, qualifiers, subpath
        ("purl", "pkg:npm/%40example/widget"),
        ("purl", "pkg:maven/org.example/example-core"),
        ("purl", "pkg:deb/debian/example-web"),
        ("purl", "pkg:golang/example.org/x/web"),
        ("purl", "pkg:cargo/example-web"),
    ]
    assert [r.vers for p in first.packages for r in p.ranges] == [
        "vers:pypi/<1.2.3|>=2.0|<=2.1",
        "",  # GIT
        "vers:npm/>=1.0.0|<1.5.0",  # limit as the upper bound
        "vers:maven/*",  # introduced 0 alone: every version
        "vers:deb/<1.2.3-1+deb12u1",
        "vers:golang/<0.0.0-20990101000000-abcdefabcdef|>=1.19.0-0|<1.19.1",
        "vers:cargo/>=0.2.0|<0.3.7",  # two overlapping intervals given out of order, merged
    ]
    python = first.packages[0]
    assert (python.ecosystem, python.name, python.status) == ("PyPI", "Example_Web", "affected")
    assert python.versions == ("1.0", "1.2.2", "2.0", "2.1")
    assert python.ranges[1] == RangeRecord(
        "GIT",
        (("introduced", "0"), ("fixed", "0123456789abcdef0123456789abcdef01234567")),
        "",
        "https://git.example.org/example-web.git",
    )


def vars_of(record: VulnerabilityRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__slots__}


def test_yaml_sample_values() -> None:
    batch = parse(SAMPLES / "osv-min.yaml")
    record = only_record(batch)
    assert (record.id, record.aliases) == (
        "GHSA-5555-6666-7777",
        ("EXAMPLE-2099-0002", "PYSEC-2099-2"),
    )
    assert (record.status, record.last_modified) == ("Withdrawn", None)  # year 1: not recorded
    assert record.published == datetime(2099, 2, 3, 4, 5, 6, tzinfo=UTC)
    python, hackage, actions = record.packages
    assert python.versions == ("1.10", "1.10.1", "1.10.2", "1.10.3")  # YAML 1.10 stays text
    assert python.ranges[0].events == (("introduced", "1.10"), ("fixed", "1.10.4"))
    assert [r.vers for r in python.ranges] == ["vers:pypi/>=1.10|<1.10.4", ""]
    assert (hackage.scheme, hackage.key, hackage.ranges[0].vers) == (
        "name",
        "hackage/example-lib",
        "",
    )
    assert (actions.key, actions.ranges[0].vers) == (
        "github actions/example/setup-lib",
        "vers:generic/<1.2.0",  # SEMVER of an ecosystem without a scheme
    )
    assert record.scores[1:] == (
        ScoreRecord("osv", severity="medium", provider="Ubuntu"),
        ScoreRecord("osv", severity="MODERATE", provider="osv"),
    )
    assert warnings_of(batch) == [
        "osv-min.yaml [$.affected[0].ranges[1].events]: no vers for this range: '2019-09-12' is "
        "not a pypi version",
        "osv-min.yaml [$.affected[1].package.ecosystem]: ecosystem 'Hackage' has no package URL "
        "type canhgac knows: its packages are keyed by ecosystem and name",
        "osv-min.yaml [$.affected[1].ranges[0].type]: ecosystem 'Hackage' has no versioning "
        "scheme canhgac knows: its ECOSYSTEM ranges are kept without vers",
        "osv-min.yaml [$.affected[2].package.ecosystem]: ecosystem 'GitHub Actions' has no "
        "package URL type canhgac knows: its packages are keyed by ecosystem and name",
    ]


# --- real entries --------------------------------------------------------------------------------


def test_go_2022_0969(samples_dir: Path) -> None:
    batch = parse(samples_dir / GO_0969)
    assert batch.warnings == ()
    record = only_record(batch)
    assert (record.id, record.aliases, record.document) == (
        "CVE-2022-27664",
        ("GO-2022-0969", "GHSA-69cg-p879-7622"),
        "GO-2022-0969",
    )
    assert record.published == datetime(2022, 9, 12, 20, 23, 6, tzinfo=UTC)
    assert record.last_modified is None  # "0001-01-01T00:00:00Z"
    assert record.title == "Denial of service in net/http and golang.org/x/net/http2"
    assert record.packages == (
        PackageRecord(
            scheme="purl",
            key="pkg:golang/stdlib",
            ecosystem="Go",
            name="stdlib",
            ranges=(
                RangeRecord(
                    "SEMVER",
                    (
                        ("introduced", "0"),
                        ("fixed", "1.18.6"),
                        ("introduced", "1.19.0-0"),
                        ("fixed", "1.19.1"),
                    ),
                    "vers:golang/<1.18.6|>=1.19.0-0|<1.19.1",
                ),
            ),
        ),
        PackageRecord(
            scheme="purl",
            key="pkg:golang/golang.org/x/net",
            ecosystem="Go",
            name="golang.org/x/net",
            ranges=(
                RangeRecord(
                    "SEMVER",
                    (("introduced", "0"), ("fixed", "0.0.0-20220906165146-f3363e06e74c")),
                    "vers:golang/<0.0.0-20220906165146-f3363e06e74c",
                ),
            ),
        ),
    )
    assert [r.tags for r in record.references] == [("WEB",), ("REPORT",), ("FIX",)]
    assert (record.scores, record.cwes) == ((), ())


def test_pysec_2020_35(samples_dir: Path) -> None:
    record = only_record(parse(samples_dir / PYSEC_2020_35))
    assert (record.id, record.aliases) == (
        "CVE-2020-7471",
        ("PYSEC-2020-35", "GHSA-hmr4-m2h5-33qx"),
    )
    assert record.published == datetime(2020, 2, 3, 12, 15, tzinfo=UTC)
    assert record.last_modified == datetime(2020, 6, 19, 3, 15, tzinfo=UTC)
    assert record.description.startswith("Django 1.11 before 1.11.28, 2.2 before 2.2.10")
    assert len(record.references) == 13
    (django,) = record.packages
    assert (django.key, django.name) == ("pkg:pypi/django", "django")
    git, ecosystem = django.ranges
    assert git == RangeRecord(
        "GIT",
        (("introduced", "0"), ("fixed", "eb31d845323618d688ad429479c6dda973056136")),
        "",
        "https://github.com/django/django",
    )
    assert ecosystem.vers == "vers:pypi/>=1.11|<1.11.28|>=2.2|<2.2.10|>=3.0|<3.0.3"
    assert (len(django.versions), django.versions[:2], django.versions[-1]) == (
        40,
        ("1.11", "1.11.1"),
        "3.0.2",
    )


@pytest.mark.parametrize(
    "relative", sorted(f"advisories/osv/samples/{kind}" for kind in ("go", "pypa"))
)
def test_every_shared_osv_sample_parses(samples_dir: Path, relative: str) -> None:
    for path in sorted((samples_dir / relative).glob("*")):
        if path.name == "LICENSE":
            continue
        batch = parse(path)
        assert batch.warnings == (), path
        assert all(record.document == path.stem for record in batch.vulnerabilities)
        assert all(r.id.startswith("CVE-") for r in batch.vulnerabilities), path


# --- the real zips: counts made here from the archives -------------------------------------------


def entries_in(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every OSV entry of a zip, read here with json / YAML's text-only loader."""
    found = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".json"):
                found.append((name, json.loads(archive.read(name))))
            elif name.endswith(".yaml"):
                found.append((name, yaml.load(archive.read(name), Loader=yaml.CBaseLoader)))  # noqa: S506
    return found


def expected_counts(entries: list[tuple[str, dict[str, Any]]]) -> dict[str, int]:
    def cves(document: dict[str, Any]) -> set[str]:
        ids = [document["id"], *document.get("aliases", [])]
        return {alias.upper() for alias in ids if alias.upper().startswith("CVE-")}

    every_range = [
        item
        for _, document in entries
        for affected in document.get("affected", [])
        for item in affected.get("ranges", [])
    ]
    return {
        "entries": len(entries),
        "records": sum(max(1, len(cves(document))) for _, document in entries),
        "without_cve": sum(not cves(document) for _, document in entries),
        "packages": sum(len(document.get("affected", [])) for _, document in entries),
        "ranges": len(every_range),
        "git": sum(item["type"] == "GIT" for item in every_range),
        "withdrawn": sum("withdrawn" in document for _, document in entries),
    }


def found_counts(batch: AdvisoryBatch) -> dict[str, int]:
    documents: dict[str, VulnerabilityRecord] = {}
    for record in batch.vulnerabilities:
        documents.setdefault(record.document, record)
    every_range = [r for record in documents.values() for p in record.packages for r in p.ranges]
    return {
        "entries": len(documents),
        "records": len(batch.vulnerabilities),
        "without_cve": sum(not record.id.startswith("CVE-") for record in documents.values()),
        "packages": sum(len(record.packages) for record in documents.values()),
        "ranges": len(every_range),
        "git": sum(r.type == "GIT" and not r.vers and bool(r.repo) for r in every_range),
        "withdrawn": sum(record.status == "Withdrawn" for record in documents.values()),
    }


def test_go_zip(samples_dir: Path) -> None:
    path = samples_dir / GO_ZIP
    entries = entries_in(path)
    batch = parse(path)
    assert batch.warnings == ()
    counts = found_counts(batch)
    assert counts == expected_counts(entries)
    with zipfile.ZipFile(path) as archive:
        assert counts["entries"] == sum(n.endswith(".json") for n in archive.namelist()) == 4291
    every_range = {r for record in batch.vulnerabilities for p in record.packages for r in p.ranges}
    assert all(r.vers.startswith("vers:golang/") for r in every_range)  # all SEMVER
    assert {p.key.split("/")[0] for r in batch.vulnerabilities for p in r.packages} == {
        "pkg:golang"
    }
    published = {r.document: r.published for r in batch.vulnerabilities}
    assert sum(moment is not None for moment in published.values()) == sum(
        not document["published"].startswith("0001-") for _, document in entries
    )
    assert {r.last_modified for r in batch.vulnerabilities} == {None}  # all "0001-01-01…"
    sample = only_record(parse(samples_dir / GO_0969))
    in_zip = [r for r in batch.vulnerabilities if r.document == "GO-2022-0969"]
    assert in_zip == [VulnerabilityRecord(**{**vars_of(sample), "location": in_zip[0].location})]
    assert in_zip[0].location == SourceLocation("Go-all.zip!GO-2022-0969.json", None, "$")
    four = [r for r in batch.vulnerabilities if r.document == "GO-2021-0097"]
    assert [r.id for r in four] == [f"CVE-2020-2924{digit}" for digit in (2, 3, 4, 5)]
    assert four[0].aliases[:3] == ("GO-2021-0097", "CVE-2020-29243", "CVE-2020-29244")
    no_cve = [r for r in batch.vulnerabilities if r.document in ("GO-2022-0360", "GO-2023-1860")]
    assert [(r.id, r.aliases) for r in no_cve] == [
        ("GHSA-5j5w-g665-5m35", ("GO-2022-0360",)),
        ("GO-2023-1860", ()),
    ]


@pytest.mark.slow  # 3-4 s on the shared 2-core machine: 2,661 YAML entries read twice
def test_pypa_zip(samples_dir: Path) -> None:
    path = samples_dir / PYPA_ZIP
    entries = entries_in(path)
    batch = parse(path)
    counts = found_counts(batch)
    assert counts == expected_counts(entries)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    assert counts["entries"] == sum(name.endswith(".yaml") for name in names) == 2661
    assert len(names) == 3328  # with 665 directories, LICENSE and vulns/.id-allocator: skipped
    every_range = [
        r
        for record in {r.document: r for r in batch.vulnerabilities}.values()
        for p in record.packages
        for r in p.ranges
    ]
    ecosystem = [r for r in every_range if r.type == "ECOSYSTEM"]
    assert len(ecosystem) == counts["ranges"] - counts["git"]
    assert sum(not r.vers for r in ecosystem) == 2  # the two versions PEP 440 does not allow
    assert all(r.vers.startswith("vers:pypi/") for r in ecosystem if r.vers)
    assert warnings_of(batch) == [
        "PyPI-pypa-advisory-database.zip!vulns/binderhub/PYSEC-2021-371.yaml "
        "[$.affected[0].ranges[1].events]: no vers for this range: '0.2.0-n653' is not a pypi "
        "version",
        "PyPI-pypa-advisory-database.zip!vulns/steam/PYSEC-2019-125.yaml "
        "[$.affected[0].ranges[0].events]: no vers for this range: '2019-09-12' is not a pypi "
        "version",
    ]
    by_document = {r.document: r for r in batch.vulnerabilities}
    # events given out of order and overlapping (pyspark): one merged interval
    assert by_document["PYSEC-2023-72"].packages[0].ranges[0].vers == "vers:pypi/<3.2.2"
    # the same entry unpacked among the shared samples
    sample = only_record(parse(samples_dir / PYSEC_2020_35))
    assert by_document["PYSEC-2020-35"] == VulnerabilityRecord(
        **{
            **vars_of(sample),
            "location": SourceLocation(
                "PyPI-pypa-advisory-database.zip!vulns/django/PYSEC-2020-35.yaml", None, "$"
            ),
        }
    )


# --- mapping details -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "vers"),
    [
        ([{"introduced": "1.0"}], "vers:pypi/>=1.0"),
        ([{"introduced": "0"}, {"last_affected": "1.4"}], "vers:pypi/<=1.4"),
        ([{"introduced": "1.0"}, {"limit": "*"}], "vers:pypi/>=1.0"),
        (
            [{"introduced": "1.0"}, {"fixed": "2.0"}, {"introduced": "2.0"}, {"fixed": "3"}],
            "vers:pypi/>=1.0|<3",
        ),
        (
            [{"introduced": "1.0"}, {"last_affected": "2.0"}, {"introduced": "2.0"}],
            "vers:pypi/>=1.0",
        ),
        (
            [{"introduced": "2.0"}, {"fixed": "3.0"}, {"introduced": "0"}, {"fixed": "1.0"}],
            "vers:pypi/<1.0|>=2.0|<3.0",
        ),
        ([{"introduced": "1.0"}, {"fixed": "1.0"}, {"introduced": "2.0"}], "vers:pypi/>=2.0"),
    ],
)
def test_vers_of_events(tmp_path: Path, events: list[dict[str, str]], vers: str) -> None:
    batch = parse(one_json(tmp_path, entry(affected=ranges(*events))))
    assert (first_range(batch).vers, batch.warnings) == (vers, ())


@pytest.mark.parametrize(
    ("events", "reason"),
    [
        ([{"fixed": "1.0"}, {"introduced": "0"}], "fixed 1.0 does not follow an introduced event"),
        ([{"introduced": "2.0"}, {"fixed": "1.0"}], "introduced 2.0 is above 1.0"),
        ([{"introduced": "1.0"}, {"fixed": "1.0"}], "it affects no version"),
        ([], "it has no events"),
        ([{"introduced": "0"}, {"fixed": "1.0|<2"}], "'1.0|<2' is not a pypi version"),
    ],
)
def test_ranges_without_vers_are_kept(
    tmp_path: Path, events: list[dict[str, str]], reason: str
) -> None:
    batch = parse(one_json(tmp_path, entry(affected=ranges(*events))))
    written = tuple((kind, value) for event in events for kind, value in event.items())
    assert first_range(batch) == RangeRecord("ECOSYSTEM", written, "")
    assert warnings_of(batch) == [
        f"e.json [$.affected[0].ranges[0].events]: no vers for this range: {reason}"
    ]


@pytest.mark.parametrize(
    ("package", "key"),
    [
        ({"ecosystem": "PyPI", "name": "Zope.Interface"}, "pkg:pypi/zope-interface"),
        (
            {"ecosystem": "Go", "name": "github.com/Example/Mod/v2"},
            "pkg:golang/github.com/Example/Mod/v2",
        ),
        ({"ecosystem": "npm", "name": "left-pad"}, "pkg:npm/left-pad"),
        ({"ecosystem": "RubyGems", "name": "rails"}, "pkg:gem/rails"),
        ({"ecosystem": "NuGet", "name": "Newtonsoft.Json"}, "pkg:nuget/Newtonsoft.Json"),
        (
            {"ecosystem": "Packagist", "name": "Symfony/HTTP-Kernel"},
            "pkg:composer/symfony/http-kernel",
        ),
        ({"ecosystem": "Hex", "name": "Plug"}, "pkg:hex/plug"),
        ({"ecosystem": "Pub", "name": "http"}, "pkg:pub/http"),
        ({"ecosystem": "Ubuntu:22.04:LTS", "name": "openssl"}, "pkg:deb/ubuntu/openssl"),
        ({"ecosystem": "Alpine:v3.18", "name": "openssl"}, "pkg:apk/alpine/openssl"),
        ({"ecosystem": "Maven", "name": "log4j"}, "pkg:maven/log4j"),
        (
            {"ecosystem": "Go", "name": "x", "purl": "pkg:golang/example.org/y@v1.0.0"},
            "pkg:golang/example.org/y",
        ),
    ],
)
def test_package_keys(tmp_path: Path, package: dict[str, str], key: str) -> None:
    document = entry(affected=[{"package": package}])
    batch = parse(one_json(tmp_path, document))
    assert (batch.vulnerabilities[0].packages[0].key, batch.warnings) == (key, ())


def test_pub_ecosystem_ranges_have_no_scheme(tmp_path: Path) -> None:
    affected = ranges({"introduced": "0"}, {"fixed": "1.0.0"}, ecosystem="Pub")
    affected += ranges({"introduced": "0"}, {"fixed": "2.0.0"}, ecosystem="Pub")
    affected += ranges({"introduced": "0"}, {"fixed": "1.0.0"}, kind="SEMVER", ecosystem="Pub")
    batch = parse(one_json(tmp_path, entry(affected=affected)))
    packages = batch.vulnerabilities[0].packages
    assert [p.ranges[0].vers for p in packages] == ["", "", "vers:generic/<1.0.0"]
    assert warnings_of(batch) == [  # told once per file
        "e.json [$.affected[0].ranges[0].type]: ecosystem 'Pub' has no versioning scheme "
        "canhgac knows: its ECOSYSTEM ranges are kept without vers"
    ]


def test_canonical_ids(tmp_path: Path) -> None:
    def ids(document: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
        batch = parse(one_json(tmp_path, document))
        return [(record.id, record.aliases) for record in batch.vulnerabilities]

    assert ids(entry(id="cve-2024-0002", aliases=["GHSA-x", "CVE-2024-0001"])) == [
        ("CVE-2024-0002", ("GHSA-x", "CVE-2024-0001")),
        ("CVE-2024-0001", ("CVE-2024-0002", "GHSA-x")),
    ]
    assert ids(entry(id="PYSEC-1", aliases=["SNYK-1", "GHSA-a", "GHSA-b"])) == [
        ("GHSA-a", ("PYSEC-1", "SNYK-1", "GHSA-b"))
    ]
    assert ids(entry(id="GHSA-own", aliases=["GHSA-other"])) == [("GHSA-own", ("GHSA-other",))]
    assert ids(entry(id="RUSTSEC-1", aliases=None)) == [("RUSTSEC-1", ())]


@pytest.mark.parametrize(
    ("written", "moment"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05.5Z", datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)),
        ("2024-01-02T03:04:05.123456789Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2024-01-02T10:04:05+07:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", None),
    ],
)
def test_times(tmp_path: Path, written: str, moment: datetime | None) -> None:
    record = parse(one_json(tmp_path, entry(modified=written, published=written))).vulnerabilities[
        0
    ]
    assert (record.last_modified, record.published) == (moment, moment)


def test_warnings_keep_the_entry(tmp_path: Path) -> None:
    document = entry(
        severity=[
            {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N"},
            {
                "type": "CVSS_V3",
                "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            },
            {"type": "CVSS_V2", "score": "CVSS:9.9/AV:N"},
            {"type": "NOT_CVSS", "score": "high"},
        ],
        database_specific={"severity": 3, "cwe_ids": "CWE-79"},
        affected=[
            {"package": {"ecosystem": "PyPI", "name": "a", "purl": "not a purl"}},
            {"ranges": [{"type": "GIT", "events": [{"introduced": "abc"}]}]},
            {
                "package": {"ecosystem": "PyPI", "name": "b"},
                "ranges": [{"type": "DATE", "events": [{"introduced": "2024-01-01"}]}],
            },
        ],
    )
    batch = parse(one_json(tmp_path, document))
    record = only_record(batch)
    assert [(s.system, s.base_score) for s in record.scores] == [
        ("cvss_v31", None),
        ("cvss_v40", 9.3),
        ("cvss_v2", None),
    ]
    assert [(p.scheme, p.key) for p in record.packages] == [
        ("purl", "pkg:pypi/a"),
        ("name", ""),
        ("purl", "pkg:pypi/b"),
    ]
    assert record.packages[1].ranges == (RangeRecord("GIT", (("introduced", "abc"),), "", ""),)
    assert record.packages[2].ranges[0].vers == ""
    assert warnings_of(batch) == [
        "e.json [$.severity[0].score]: bad CVSS vector 'CVSS:3.1/AV:N': Missing mandatory "
        'metrics "AC, PR, UI, S, C, I, A"',
        "e.json [$.severity[1].score]: bad CVSS vector 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/"
        "VI:H/VA:H/SC:N/SI:N/SA:N': it is not of the type CVSS_V3",
        "e.json [$.severity[2].score]: bad CVSS vector 'CVSS:9.9/AV:N': it is not of the type "
        "CVSS_V2",
        "e.json [$.severity[3].type]: severity type 'NOT_CVSS' is not one canhgac reads; ignored",
        "e.json [$.database_specific.severity]: severity is a number, not a word; ignored",
        "e.json [$.database_specific.cwe_ids]: cwe_ids is not a list of strings; ignored",
        "e.json [$.affected[0].package.purl]: purl 'not a purl' is not a package URL (purl is "
        "missing the required \"pkg\" scheme component: 'not a purl'.); ignored",
        "e.json [$.affected[1].package]: no package: the ranges are kept under an empty key",
        "e.json [$.affected[1].ranges[0].repo]: a GIT range without repo",
        "e.json [$.affected[2].ranges[0].type]: range type 'DATE' is not one canhgac reads: kept "
        "without vers",
    ]


def test_withdrawn_and_database_specific_of_another_type(tmp_path: Path) -> None:
    document = entry(withdrawn="2024-05-01T00:00:00Z", database_specific=["x"])
    batch = parse(one_json(tmp_path, document))
    assert only_record(batch).status == "Withdrawn"
    assert warnings_of(batch) == [
        "e.json [$.database_specific]: database_specific is a list, not an object; ignored"
    ]


# --- bad input -----------------------------------------------------------------------------------


def test_malformed_documents(tmp_path: Path) -> None:
    text = json.dumps(entry(), indent=1)
    assert located(parse_error(OsvParser, write(tmp_path, "e.json", text[:200]))) == [
        "e.json:12: invalid JSON: Unterminated string starting at (column 5)"
    ]
    assert located(parse_error(OsvParser, write(tmp_path, "e.yaml", "id: X\naffected: [\n"))) == [
        "e.yaml:3: invalid YAML: while parsing a flow node: did not find expected node content"
    ]
    assert located(parse_error(OsvParser, write(tmp_path, "e.json", "[1]"))) == [
        "e.json [$]: not an OSV entry: the document is a list, not an object"
    ]
    assert located(parse_error(OsvParser, write(tmp_path, "e.yaml", "- a\n"))) == [
        "e.yaml [$]: not an OSV entry: the document is a list, not an object"
    ]
    deep = "[" * 100_000 + "]" * 100_000
    assert located(parse_error(OsvParser, write(tmp_path, "e.json", deep))) == [
        "e.json: nested too deeply"
    ]
    content = json.dumps(entry(summary="caf\xe9"), ensure_ascii=False).encode("latin-1")
    assert located(parse_error(OsvParser, write(tmp_path, "e.json", content)))[0].startswith(
        "e.json:1: not UTF-8 text"
    )


def test_missing_id_and_wrong_types(tmp_path: Path) -> None:
    assert located(parse_error(OsvParser, one_json(tmp_path, entry(id=None)))) == [
        "e.json [$.id]: id is missing"
    ]
    document = entry(
        schema_version="2.0.0",
        modified="yesterday",
        aliases="CVE-2024-0001",
        summary=7,
        references=[{"type": "WEB"}],
        severity=[{"type": "CVSS_V3"}],
        affected=[
            {"package": "PyPI/x"},
            {
                "package": {"ecosystem": "PyPI"},
                "ranges": [
                    {
                        "events": [
                            "introduced",
                            {"introduced": "0", "fixed": "1"},
                            {"affected": "1"},
                            {"fixed": 2},
                            {"fixed": " "},
                        ]
                    },
                    {"type": "SEMVER", "events": {"introduced": "0"}},
                ],
                "versions": [1.0],
            },
            5,
        ],
    )
    error = rejected(OsvParser, one_json(tmp_path, document))
    assert not isinstance(error, ParseError)
    assert error.message == "e.json: 17 problems"
    assert located(error) == [
        "e.json [$.schema_version]: schema_version '2.0.0': canhgac reads OSV schema 1.x",
        "e.json [$.aliases]: aliases is not a list of strings",
        "e.json [$.modified]: modified 'yesterday' is not an RFC 3339 date-time",
        "e.json [$.summary]: summary is a number, not a string",
        "e.json [$.severity[0].score]: score is missing",
        "e.json [$.references[0].url]: url is missing",
        "e.json [$.affected[2]]: entry is a number, not an object",
        "e.json [$.affected[0].package]: package is a string, not an object",
        "e.json [$.affected[1].package.name]: name is missing",
        "e.json [$.affected[1].ranges[0].type]: type is missing",
        "e.json [$.affected[1].ranges[0].events[0]]: entry is a string, not an object",
        "e.json [$.affected[1].ranges[0].events[1]]: the event has 2 keys; it must have one of "
        "introduced, fixed, last_affected, limit",
        "e.json [$.affected[1].ranges[0].events[2]]: unknown event 'affected' (one of introduced, "
        "fixed, last_affected, limit)",
        "e.json [$.affected[1].ranges[0].events[3].fixed]: fixed is a number, not a string",
        "e.json [$.affected[1].ranges[0].events[4].fixed]: fixed is empty",
        "e.json [$.affected[1].ranges[1].events]: events is an object, not a list",
        "e.json [$.affected[1].versions]: versions is not a list of strings",
    ]


def test_problems_stop_at_one_hundred(tmp_path: Path) -> None:
    document = entry(affected=[{"package": {"ecosystem": 1, "name": 2}}] * 80)
    error = rejected(OsvParser, one_json(tmp_path, document))
    assert error.message == "e.json: 100 problems; stopped reading"
    assert len(error.problems) == 100


def test_file_limits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert located(parse_error(OsvParser, tmp_path / "gone.json")) == [
        "gone.json: cannot read the file: No such file or directory"
    ]
    monkeypatch.setenv("CANHGAC_IMPORT_MAX_BYTES", "100")
    size = (SAMPLES / "osv-min.json").stat().st_size
    assert located(parse_error(OsvParser, SAMPLES / "osv-min.json")) == [
        f"osv-min.json: the file is {size} bytes; the limit is 100"
    ]


# --- zips ----------------------------------------------------------------------------------------


def test_zip_of_entries(tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "all.zip",
        {
            "README.md": "# not an entry",
            "docs/": "",
            "a/osv-min.json": (SAMPLES / "osv-min.json").read_bytes(),
            "b/osv-min.yaml": (SAMPLES / "osv-min.yaml").read_bytes(),
            "c/LICENSE": "CC-BY-4.0",
        },
    )
    batch = parse(path)
    assert [(r.id, r.location.path) for r in batch.vulnerabilities] == [
        ("CVE-2099-0001", "all.zip!a/osv-min.json"),
        ("CVE-2099-0002", "all.zip!a/osv-min.json"),
        ("GHSA-5555-6666-7777", "all.zip!b/osv-min.yaml"),
    ]
    alone = parse(SAMPLES / "osv-min.yaml")
    assert [str(w).split(" ", 1)[1] for w in batch.warnings] == [
        str(w).split(" ", 1)[1] for w in alone.warnings
    ]
    assert str(batch.warnings[0]).startswith("all.zip!b/osv-min.yaml [$.affected[0]")


def test_zip_member_errors_are_located_and_collected(tmp_path: Path) -> None:
    good = json.dumps(entry())
    path = write_zip(
        tmp_path / "all.zip",
        {
            "GO-1.json": good,
            "GO-2.json": good[:-1],
            "vulns/x/PYSEC-3.yaml": "id: PYSEC-3\nmodified: now\n",
            "GO-4.json": json.dumps(entry(id="GO-4", affected={"package": {}})),
            "GO-5.json": b'{"id": "caf\xe9"}',
        },
    )
    error = rejected(OsvParser, path)
    assert error.message == "all.zip: 4 problems"
    assert located(error) == [
        f"all.zip!GO-2.json:1: invalid JSON: Expecting ',' delimiter (column {len(good)})",
        "all.zip!vulns/x/PYSEC-3.yaml [$.modified]: modified 'now' is not an RFC 3339 date-time",
        "all.zip!GO-4.json [$.affected]: affected is an object, not a list",
        "all.zip!GO-5.json:1: not UTF-8 text (byte 11)",
    ]
    one_bad = write_zip(tmp_path / "one.zip", {"GO-1.json": good, "GO-2.json": "{"})
    assert located(parse_error(OsvParser, one_bad)) == [
        "one.zip!GO-2.json:1: invalid JSON: Expecting property name enclosed in double quotes "
        "(column 2)"
    ]


def test_zip_problems_stop_at_one_hundred(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "all.zip", {f"GO-{n}.json": "{}" for n in range(150)})
    error = rejected(OsvParser, path)
    assert error.message == "all.zip: 100 problems; stopped reading"
    assert located(error)[:2] == [
        "all.zip!GO-0.json [$.id]: id is missing",
        "all.zip!GO-0.json [$.modified]: modified is missing",
    ]


def test_zip_duplicates(tmp_path: Path) -> None:
    text = json.dumps(entry())
    batch = parse(write_zip(tmp_path / "all.zip", {"a/G.json": text, "b/G.json": text}))
    assert len(batch.vulnerabilities) == 1
    assert warnings_of(batch) == [
        "all.zip!b/G.json [$]: GHSA-2222-3333-4444 (CVE-2024-0001) is given twice, in "
        "all.zip!a/G.json and in all.zip!b/G.json; kept the first"
    ]
    other = json.dumps(entry(summary="changed"))
    path = write_zip(tmp_path / "all.zip", {"a/G.json": text, "b/G.json": other})
    assert located(parse_error(OsvParser, path)) == [
        "all.zip!b/G.json [$]: GHSA-2222-3333-4444 (CVE-2024-0001) is given twice with "
        "different content, in all.zip!a/G.json and in all.zip!b/G.json"
    ]


@pytest.mark.parametrize(
    "name", ["../GO-1.json", "/GO-1.json", "C:/GO-1.json", "a\\..\\GO-1.json", "../x/"]
)
def test_zip_slip_names_are_refused(tmp_path: Path, name: str) -> None:
    path = write_zip(tmp_path / "all.zip", {"GO-0.json": json.dumps(entry()), name: "{}"})
    assert located(parse_error(OsvParser, path)) == [f"all.zip!{name}: unsafe member name {name!r}"]


def test_zip_bombs_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    padded = json.dumps(entry(details=" " * 5_000_000))
    path = write_zip(tmp_path / "bomb.zip", {"GO-1.json": padded})
    assert path.stat().st_size < 100_000
    monkeypatch.setenv("CANHGAC_IMPORT_MAX_BYTES", "1000000")
    size = len(padded)
    assert located(parse_error(OsvParser, path)) == [
        f"bomb.zip: the archive expands to {size} bytes; the limit is 1000000"
    ]
    monkeypatch.delenv("CANHGAC_IMPORT_MAX_BYTES")
    monkeypatch.setattr(osv, "MAX_MEMBER_BYTES", 1000)
    assert located(parse_error(OsvParser, path)) == [
        f"bomb.zip!GO-1.json: the member is {size} bytes; the limit is 1000"
    ]


def test_zip_with_a_lying_size(tmp_path: Path) -> None:
    """A member whose central directory entry understates its size is read only up to that
    size, and then fails its CRC check."""
    path = write_zip(tmp_path / "lie.zip", {"GO-1.json": json.dumps(entry())})
    raw = bytearray(path.read_bytes())
    central = raw.index(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    assert located(parse_error(OsvParser, path)) == [
        "lie.zip!GO-1.json: cannot read the member: Bad CRC-32 for file 'GO-1.json'"
    ]


def test_not_a_zip_or_an_empty_one(tmp_path: Path) -> None:
    assert located(parse_error(OsvParser, write(tmp_path, "x.zip", b"PK\x03\x04broken"))) == [
        "x.zip: not a readable zip file: File is not a zip file"
    ]
    empty = write_zip(tmp_path / "empty.zip", {"README": "nothing"})
    assert located(parse_error(OsvParser, empty)) == [
        "empty.zip: no OSV entries (*.json, *.yaml, *.yml) in the archive"
    ]


def test_zip_streams(tmp_path: Path) -> None:
    """Members are read one at a time: 200 entries carrying 200 KB each that is not kept (40 MB
    expanded) peak at a few members, not the archive."""
    filler = {"filler": "x" * 200_000}
    members: dict[str, str | bytes] = {
        f"GO-{n}.json": json.dumps(entry(id=f"GO-{n}", aliases=[], ecosystem_specific=filler))
        for n in range(200)
    }
    path = write_zip(tmp_path / "big.zip", members)
    tracemalloc.start()
    try:
        batch = parse(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(batch.vulnerabilities) == 200
    assert peak < 4_000_000


def test_zip_of_ten_thousand_entries(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(10_000):
            archive.writestr(f"GO-{n}.json", json.dumps(entry(id=f"GO-{n}", aliases=[])))
    batch = parse(write(tmp_path, "many.zip", buffer.getvalue()))
    assert len(batch.vulnerabilities) == 10_000
    assert batch.vulnerabilities[-1].location.path == "many.zip!GO-9999.json"


# --- format recognition --------------------------------------------------------------------------


def head_of(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(64 * 1024)


def test_sniff_own_samples() -> None:
    for path in sorted(SAMPLES.iterdir()):
        expected = path.name in OWN_SAMPLES
        assert OsvParser.sniff(head_of(path), path.name) == expected, path
    for name in OWN_SAMPLES:
        others = [
            p.id for p in PARSERS if p is not OsvParser and p.sniff(head_of(SAMPLES / name), name)
        ]
        assert others == [], name


def test_sniff_shared_files(samples_dir: Path) -> None:
    """Exactly the OSV files among all shared samples (not STIX objects, Sigma rules with
    `id:` and `modified:`, NVD records, osv-scanner output, SBOMs, other zips' members)."""
    claimed = sorted(
        str(path.relative_to(samples_dir))
        for path in samples_dir.rglob("*")
        if path.is_file() and OsvParser.sniff(head_of(path), path.name)
    )
    osv_files = sorted(
        str(path.relative_to(samples_dir))
        for path in (samples_dir / "advisories" / "osv").rglob("*")
        if path.is_file() and path.name != "LICENSE"
    )
    assert claimed == osv_files
    assert len(claimed) == 19
    for relative in osv_files:  # and no other format claims them
        head = head_of(samples_dir / relative)
        others = [p.id for p in PARSERS if p is not OsvParser and p.sniff(head, relative)]
        assert others == [], relative


def test_sniff_names_and_zips(tmp_path: Path) -> None:
    head = (SAMPLES / "osv-min.yaml").read_bytes()
    assert not OsvParser.sniff(head, "osv-min.txt")  # YAML only by its name
    path = write_zip(tmp_path / "a.zip", {"GO-1.json": json.dumps(entry())})
    assert OsvParser.sniff(head_of(path), "a.zip")
    assert not OsvParser.sniff(head_of(path), "a.xlsx")
    other = write_zip(tmp_path / "b.zip", {"README.md": "x"})
    assert not OsvParser.sniff(head_of(other), "b.zip")


# --- mutations -----------------------------------------------------------------------------------

TOKENS = [b"{", b"}", b"[", b"]", b'"', b",", b":", b"null", b"1e999", b"\n", b"- ", b": ", b"~"]
TOKENS += [b"\x00", b"\xff", b"\xef\xbb\xbf", b'"introduced":', b"CVE-2024-1", b"&a", b"*a", b"!!"]
ODD_VALUES: list[Any] = [None, 0, -1.5, True, "", "x", "0", [], {}, [{}], {"fixed": 1}, [None]]


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    original = (SAMPLES / name).read_bytes()
    if draw(st.booleans()):
        chance = draw(st.randoms(use_true_random=False))
        loaded = json.loads(original) if name.endswith(".json") else yaml.safe_load(original)
        shuffled = shuffle_json(loaded, chance, ODD_VALUES)
        if name.endswith(".json"):
            original = json.dumps(shuffled).encode()
        else:
            original = yaml.safe_dump(shuffled).encode()
        if draw(st.booleans()):
            return original
    return mutate_bytes(draw, original, TOKENS)


def check_batch(batch: AdvisoryBatch) -> None:
    assert batch.source_format == "osv"
    for record in batch.vulnerabilities:
        assert record.id
        assert record.document
        assert record.source == "osv"
        assert record.id not in record.aliases
        for moment in (record.published, record.last_modified):
            assert moment is None or moment.tzinfo is UTC
        for package in record.packages:
            assert package.scheme in ("purl", "name")
            assert package.scheme == "name" or package.key.startswith("pkg:")
            assert all(not r.vers or r.vers.startswith("vers:") for r in package.ranges)


@pytest.mark.parametrize("name", OWN_SAMPLES)
def test_mutated_samples_raise_only_validation_errors(
    tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    path = tmp_path_factory.mktemp("mutated") / name
    check_mutated(path, OsvParser, mutated(name), check_batch)


def test_mutated_zips_raise_only_validation_errors(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    members = {name: (SAMPLES / name).read_bytes() for name in OWN_SAMPLES}
    original = write_zip(tmp_path_factory.mktemp("zip") / "all.zip", members).read_bytes()
    path = tmp_path_factory.mktemp("mutated") / "all.zip"

    @st.composite
    def damaged(draw: st.DrawFn) -> bytes:
        return mutate_bytes(draw, original)

    @settings(max_examples=150, deadline=None, database=None)
    @given(content=damaged())
    def check_damaged(content: bytes) -> None:
        path.write_bytes(content)
        try:
            batch = parse(path)
        except ValidationError as raised:
            problems = raised.problems
        else:
            check_batch(batch)
            return
        assert problems
        assert all(p.location and p.location.path.split("!")[0] == "all.zip" for p in problems)

    check_damaged()


def test_is_an_advisory_parser() -> None:
    assert issubclass(OsvParser, AdvisoryParser)
    assert (OsvParser.id, OsvParser.extensions) == ("osv", (".json", ".yaml", ".yml", ".zip"))
