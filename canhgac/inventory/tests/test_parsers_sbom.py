"""The SBOM parsers (CycloneDX JSON/XML, SPDX JSON/tag-value): golden samples, every real
sample with its exact component count, every kind of bad input with its location, mutations."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from canhgac.core.exceptions import ParseError, Problem, SourceLocation, ValidationError
from canhgac.core.golden import assert_matches_golden
from canhgac.core.tests.mutation import check_mutated, mutate_bytes, shuffle_json
from canhgac.core.tests.parsing import located, parse_error, write
from canhgac.inventory.enums import AssetKind
from canhgac.inventory.importers.cyclonedx import CycloneDxParser
from canhgac.inventory.importers.interface import InventoryParser
from canhgac.inventory.importers.records import AssetRecord, InventoryBatch
from canhgac.inventory.importers.spdx import SpdxParser

SAMPLES = Path(__file__).parent / "samples"
OWN_SAMPLES: list[tuple[str, type[InventoryParser]]] = [
    ("cyclonedx-min.json", CycloneDxParser),
    ("cyclonedx-min.xml", CycloneDxParser),
    ("spdx-min.spdx.json", SpdxParser),
    ("spdx-min.spdx", SpdxParser),
]

# Every real SBOM under sbom/, with the number of components counted independently (jq and a
# few lines of Python over the raw files, nested CycloneDX components included, the described
# SPDX package excluded, repeated identical SPDX packages counted once), the asset key, and one
# (name, version, purl) the file is known to hold.
REAL_SAMPLES: list[tuple[str, type[InventoryParser], int, str, tuple[str, str, str] | None]] = [
    (
        "cyclonedx/VEX__bom.json",
        CycloneDxParser,
        3,
        "com.example/example-app@1.0.0",
        (
            "jackson-core",
            "2.10.0",
            "pkg:maven/com.fasterxml.jackson.core/jackson-core@2.10.0?type=jar",
        ),
    ),
    ("cyclonedx/VEX__vex.json", CycloneDxParser, 0, "vex__vex.json", None),
    (
        "cyclonedx/cern-lhc-vdm-editor-e564943__bom.xml",
        CycloneDxParser,
        43,
        "lhc-vdm-editor@0.0.1",
        ("puppeteer", "1.19.0", "pkg:npm/puppeteer@1.19.0"),
    ),
    (
        "cyclonedx/dropwizard-1.3.15__bom.json",
        CycloneDxParser,
        167,
        "io.dropwizard/dropwizard-parent@1.3.15",
        (
            "jackson-databind",
            "2.9.10",
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10?type=jar",
        ),
    ),
    (
        "cyclonedx/dropwizard-1.3.15__bom.xml",
        CycloneDxParser,
        167,
        "io.dropwizard/dropwizard-parent@1.3.15",
        (
            "jetty-server",
            "9.4.18.v20190429",
            "pkg:maven/org.eclipse.jetty/jetty-server@9.4.18.v20190429?type=jar",
        ),
    ),
    (
        "cyclonedx/juice-shop__v11.1.2__bom.json",
        CycloneDxParser,
        840,
        "juice-shop@11.1.2",
        ("jsonwebtoken", "0.4.0", "pkg:npm/jsonwebtoken@0.4.0"),
    ),
    (
        "cyclonedx/laravel-7.12.0__bom.1.4.json",
        CycloneDxParser,
        62,
        "cyclonedx/cyclonedx-php-composer-demo@dev-master",
        ("portable-ascii", "1.6.1", "pkg:composer/voku/portable-ascii@1.6.1"),
    ),
    (
        "cyclonedx/proton-bridge__proton-bridge-v1.6.3.bom.json",
        CycloneDxParser,
        201,
        "github.com/protonmail/proton-bridge@v1.6.3",
        (
            "gopkg.in/yaml.v3",
            "v3.0.0-20200313102051-9f266ea9e77c",
            "pkg:golang/gopkg.in/yaml.v3@v3.0.0-20200313102051-9f266ea9e77c",
        ),
    ),
    (
        "cyclonedx-in-the-wild/ghidra-sbom-cdx.json",
        CycloneDxParser,
        109,
        "ghidra-sbom-cdx.json",
        ("protobuf-java", "3.17.3", "pkg:maven/com.google.protobuf/protobuf-java@3.17.3"),
    ),
    (
        "cyclonedx-in-the-wild/redis-commander-sbom-cdx.json",
        CycloneDxParser,
        514,
        "redis-commander@0.8.1-rc2",
        ("argparse", "1.0.10", "pkg:npm/argparse@1.0.10"),
    ),
    (
        "cyclonedx-in-the-wild/traefix-cdx.xml",
        CycloneDxParser,
        266,
        "traefik@2.8.0-rc1",
        (
            "busybox",
            "1.34.1-r5",
            "pkg:alpine/busybox@1.34.1-r5?arch=x86_64&upstream=busybox&distro=alpine-3.15.4",
        ),
    ),
    (
        "spdx-examples/example8_examplemaven-0.0.1.spdx.json",
        SpdxParser,
        5,
        "examplemaven@0.0.1",
        ("JUnit", "3.8.1", ""),
    ),
    (
        "spdx-examples/example9_appbomination.spdx.json",
        SpdxParser,
        6,
        "app-bom-ination@1.0",
        ("junit", "4.12", "pkg:maven/junit/junit@4.12"),
    ),
    (
        "spdx-in-the-lab/spdx-bom-bitnami_spring-cloud-dataflow.json",
        SpdxParser,
        100,
        "sha256:c40b897cf293edbb8afec15f567d604182bd42b6fb834a984f7b279bb2475f7d",
        ("sed", "4.7-1", "pkg:deb/debian/sed@4.7-1?arch=amd64"),
    ),
    (
        "spdx-in-the-lab/spdx-bom-bitnami_tomcat.json",
        SpdxParser,
        104,
        "sha256:3c3658ce6b0212ca4d7a4f27d1aed8519ff83558e3821b7422cc0dd265900185",
        ("bsdutils", "1:2.36.1-8+deb11u1", "pkg:deb/debian/bsdutils@1:2.36.1-8+deb11u1?arch=amd64"),
    ),
    (
        "spdx-in-the-wild/chronicle-sbom.spdx.json",
        SpdxParser,
        263,
        "chronicle-sbom.spdx.json",
        (
            "mvdan.cc/unparam",
            "v0.0.0-20190720180237-d51796306d8f",
            "pkg:golang/mvdan.cc/unparam@v0.0.0-20190720180237-d51796306d8f",
        ),
    ),
    (
        "spdx-in-the-wild/flux_0.26.3_sbom.spdx.json",
        SpdxParser,
        244,
        "flux_0.26.3_source_code.tar.gz",
        ("sigs.k8s.io/yaml", "v1.3.0", "pkg:golang/sigs.k8s.io/yaml@v1.3.0"),
    ),
    (
        "spdx-in-the-wild/kustomizer_2.1.0_sbom.spdx",
        SpdxParser,
        124,
        "kustomizer_2.1.0_source_code.tar.gz",
        (
            "github.com/docker/docker",
            "v20.10.12+incompatible",
            "pkg:golang/github.com/docker/docker@v20.10.12+incompatible",
        ),
    ),
    (
        "spdx-in-the-wild/microsoft-sbom-tool.spdx.json",
        SpdxParser,
        122,
        "sbomtool@1.1.2",
        (
            "Microsoft.Extensions.Caching.Memory",
            "7.0.0",
            "pkg:nuget/Microsoft.Extensions.Caching.Memory@7.0.0",
        ),
    ),
    ("spdx-in-the-wild/powershell-2.2.6.spdx.json", SpdxParser, 96, "unknown@0.0.0", None),
]


def parse(parser: type[InventoryParser], path: Path) -> InventoryBatch:
    return parser().parse(path, source=path.name)


def only_asset(batch: InventoryBatch) -> AssetRecord:
    (asset,) = batch.assets
    return asset


# --- golden samples -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_own_samples_match_golden(name: str, parser: type[InventoryParser]) -> None:
    batch = parse(parser, SAMPLES / name)
    assert batch.source_format == parser.id
    assert_matches_golden(batch, SAMPLES / name)


def test_cyclonedx_json_sample_values() -> None:
    batch = parse(CycloneDxParser, SAMPLES / "cyclonedx-min.json")
    asset = only_asset(batch)
    assert (asset.key, asset.name, asset.kind) == (
        "vn.gov.example/cong-dich-vu-cong@2.4.0",
        "Cong-Dich-Vu-Cong",
        AssetKind.WEB_APPLICATION,
    )
    assert [component.evidence for component in asset.components] == [
        "$.components[0]",
        "$.components[1]",
        "$.components[1].components[0]",
        "$.components[1].components[0].components[0]",
        "$.components[2]",
        "$.components[3]",
    ]
    by_name = {component.name: component for component in asset.components}
    assert "cyclonedx-npm" not in by_name  # metadata.tools.components are not the asset's
    assert "Cong-Dich-Vu-Cong" not in by_name  # nor is metadata.component itself
    assert by_name["log4j-core"].cpe == "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"
    assert by_name["log4j-core"].vendor == "The Apache Software Foundation"
    assert by_name["log4j-api"].vendor == "Apache Software Foundation"
    assert by_name["jquery"].cpe == ""
    assert (asset.os_name, asset.os_version) == ("ubuntu", "22.04")
    assert by_name["ubuntu"].version == "22.04"  # the operating system is also a component
    assert [str(warning) for warning in batch.warnings] == [
        "cyclonedx-min.json [$.components[1].components[0].components[0].version]: "
        "component 'log4j-api-java9.jar' has no version",
        "cyclonedx-min.json [$.components[2].cpe]: 'jquery 3.4.1' is not a CPE name; ignored",
    ]


def test_cyclonedx_xml_sample_values() -> None:
    asset = only_asset(parse(CycloneDxParser, SAMPLES / "cyclonedx-min.xml"))
    assert (asset.key, asset.kind) == ("registry.example.vn/portal@2024.05", AssetKind.SERVER)
    assert (asset.os_name, asset.os_version, asset.os_cpe) == (
        "debian",
        "12",
        "cpe:2.3:o:debian:debian_linux:12:*:*:*:*:*:*:*",
    )
    assert [(component.name, component.evidence) for component in asset.components] == [
        ("debian", "/bom/components/component[1]"),
        ("openssl", "/bom/components/component[2]"),
        ("nginx", "/bom/components/component[3]"),
        ("pcre2", "/bom/components/component[3]/components/component[1]"),
        ("ngx_http_geoip2_module", "/bom/components/component[3]/components/component[2]"),
    ]
    openssl = asset.components[1]
    assert openssl.vendor == "Debian OpenSSL Team"
    assert openssl.purl == "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"


def test_cyclonedx_xml_extension_elements_are_ignored(tmp_path: Path) -> None:
    text = XML_HEAD.replace("<bom ", '<bom xmlns:x="urn:example:extension" ') + (
        "<components><component type='library'><name>a</name><version>1</version>"
        "<x:name>not this one</x:name><x:components><x:component><x:name>b</x:name>"
        "</x:component></x:components></component></components></bom>"
    )
    asset = only_asset(parse(CycloneDxParser, write(tmp_path, "bom.xml", text)))
    assert [(item.name, item.version) for item in asset.components] == [("a", "1")]


def test_spdx_samples_values() -> None:
    batch = parse(SpdxParser, SAMPLES / "spdx-min.spdx.json")
    asset = only_asset(batch)
    assert (asset.key, asset.name, asset.location) == (
        "quan-ly-van-ban@3.1.0",
        "Quan-Ly-Van-Ban",
        SourceLocation("spdx-min.spdx.json", None, "$.packages[1]"),
    )
    django, pillow, alpine, vendored = asset.components
    assert django.cpe == "cpe:2.3:a:djangoproject:django:4.2.11:*:*:*:*:*:*:*"  # first of two
    assert django.vendor == "Django Software Foundation"
    assert pillow.purl == "pkg:pypi/pillow@9.0.0"  # first of two purls
    assert pillow.cpe == "cpe:2.3:a:python:pillow:9.0.0:*:*:*:*:*:*:*"  # CPE 2.2 converted
    assert pillow.vendor == "Jeffrey A. Clark"  # supplier NOASSERTION: the originator
    assert (asset.os_name, asset.os_version) == ("alpine", "3.19.1")
    assert alpine.evidence == "$.packages[3]"
    assert vendored.vendor == "Nguyễn Văn A"
    tag_value = only_asset(parse(SpdxParser, SAMPLES / "spdx-min.spdx"))
    assert (tag_value.key, tag_value.location) == (
        "cong-thong-tin@1.8.2",
        SourceLocation("spdx-min.spdx", 19, "PackageName"),
    )
    gin, xnet, shim = tag_value.components
    assert (gin.purl, gin.vendor, gin.evidence) == (
        "pkg:golang/github.com/gin-gonic/gin@v1.9.0",
        "Gin-Gonic",
        "line 26",
    )
    assert xnet.cpe == "cpe:2.3:a:golang:networking:0.7.0:*:*:*:*:*:*:*"
    assert (shim.name, shim.version) == ("libc-shim", "")


# --- real samples ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "parser", "count", "key", "known"),
    REAL_SAMPLES,
    ids=[row[0].rsplit("/", 1)[-1] for row in REAL_SAMPLES],
)
def test_real_samples(
    samples_dir: Path,
    relative: str,
    parser: type[InventoryParser],
    count: int,
    key: str,
    known: tuple[str, str, str] | None,
) -> None:
    path = samples_dir / "sbom" / relative
    batch = parse(parser, path)
    asset = only_asset(batch)
    assert (batch.source_format, batch.source_name) == (parser.id, path.name)
    assert len(asset.components) == count
    assert asset.key == key
    assert all(component.name for component in asset.components)
    assert all(
        component.purl == "" or component.purl.startswith("pkg:") for component in asset.components
    )
    assert all(
        component.cpe == "" or component.cpe.startswith("cpe:2.3:")
        for component in asset.components
    )
    if known is not None:
        triples = {(item.name, item.version, item.purl) for item in asset.components}
        assert known in triples


def test_vex_document_without_components_gives_an_empty_asset(samples_dir: Path) -> None:
    batch = parse(CycloneDxParser, samples_dir / "sbom/cyclonedx/VEX__vex.json")
    assert only_asset(batch) == AssetRecord(
        key="vex__vex.json",
        kind=AssetKind.WEB_APPLICATION,
        kind_is_guess=True,
        name="VEX__vex.json",
        location=SourceLocation("VEX__vex.json"),
    )
    assert batch.observed_at is None
    assert batch.warnings == (
        Problem(
            "the BOM lists no components (a VEX or services-only document?)",
            SourceLocation("VEX__vex.json"),
        ),
    )


def test_dropwizard_json_and_xml_agree(samples_dir: Path) -> None:
    from_json = only_asset(
        parse(CycloneDxParser, samples_dir / "sbom/cyclonedx/dropwizard-1.3.15__bom.json")
    )
    from_xml = only_asset(
        parse(CycloneDxParser, samples_dir / "sbom/cyclonedx/dropwizard-1.3.15__bom.xml")
    )
    triples = {(item.name, item.version, item.purl, item.vendor) for item in from_json.components}
    assert triples == {
        (item.name, item.version, item.purl, item.vendor) for item in from_xml.components
    }
    assert len(triples) == 167
    assert (from_json.key, from_json.name) == (from_xml.key, from_xml.name)


def test_nested_cyclonedx_components_are_flattened(samples_dir: Path) -> None:
    asset = only_asset(
        parse(
            CycloneDxParser,
            samples_dir / "sbom/cyclonedx-in-the-wild/redis-commander-sbom-cdx.json",
        )
    )
    nested = [item for item in asset.components if ".components[" in item.evidence[14:]]
    assert len(nested) == 514 - 435  # 435 top-level entries
    by_evidence = {item.evidence: item for item in asset.components}
    assert (
        by_evidence["$.components[4].components[0]"].name,
        by_evidence["$.components[4].components[0]"].version,
    ) == ("js-yaml", "3.14.0")


def test_container_sbom_takes_its_operating_system(samples_dir: Path) -> None:
    asset = only_asset(
        parse(CycloneDxParser, samples_dir / "sbom/cyclonedx-in-the-wild/traefix-cdx.xml")
    )
    assert (asset.kind, asset.name, asset.os_name, asset.os_version) == (
        AssetKind.SERVER,
        "traefik",
        "alpine",
        "3.15.4",
    )
    assert asset.components[-1].evidence == "/bom/components/component[266]"
    busybox = next(item for item in asset.components if item.name == "busybox")
    assert busybox.cpe == "cpe:2.3:a:busybox:busybox:1.34.1-r5:*:*:*:*:*:*:*"
    assert busybox.vendor == "Natanael Copa"


def test_spdx_container_image_is_a_server(samples_dir: Path) -> None:
    asset = only_asset(
        parse(SpdxParser, samples_dir / "sbom/spdx-in-the-lab/spdx-bom-bitnami_tomcat.json")
    )
    assert asset.kind == AssetKind.SERVER  # described package has a pkg:oci purl
    assert asset.location.field == "$.packages[104]"


def test_spdx_repeated_identical_packages_are_kept_once(samples_dir: Path) -> None:
    batch = parse(SpdxParser, samples_dir / "sbom/spdx-in-the-wild/chronicle-sbom.spdx.json")
    assert len(batch.warnings) == 60
    assert str(batch.warnings[0]) == (
        "chronicle-sbom.spdx.json [$.packages[26]]: package 'github.com/Microsoft/go-winio' "
        "(SPDXRef-Package-go-module-github.com/Microsoft/go-winio-v0.4.16) is listed 2 times "
        "with the same content ($.packages[26], $.packages[27]); kept once"
    )
    evidences = [item.evidence for item in only_asset(batch).components]
    assert "$.packages[27]" not in evidences
    assert len(set(evidences)) == 263


def test_spdx_document_name_is_the_asset_when_nothing_is_described(samples_dir: Path) -> None:
    asset = only_asset(
        parse(SpdxParser, samples_dir / "sbom/spdx-in-the-wild/kustomizer_2.1.0_sbom.spdx")
    )
    assert asset.name == "kustomizer_2.1.0_source_code.tar.gz"
    assert asset.location == SourceLocation("kustomizer_2.1.0_sbom.spdx", 4, "DocumentName")
    ssa = next(item for item in asset.components if item.name == "github.com/fluxcd/pkg/ssa")
    assert (ssa.version, ssa.evidence) == ("v0.13.0", "line 147")


def test_trailing_text_after_the_spdx_document_is_a_warning(samples_dir: Path) -> None:
    batch = parse(SpdxParser, samples_dir / "sbom/spdx-in-the-wild/powershell-2.2.6.spdx.json")
    assert batch.warnings == (
        Problem(
            "ignored 36 characters of text after the JSON document",
            SourceLocation("powershell-2.2.6.spdx.json", 2765),
        ),
    )
    asset = only_asset(batch)
    assert (asset.name, asset.kind) == ("Unknown", AssetKind.WEB_APPLICATION)
    assert {item.name for item in asset.components} >= {"Newtonsoft.Json"}


def test_trailing_text_after_a_cyclonedx_document_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.json", '{"bomFormat": "CycloneDX", "specVersion": "1.5"}\nfooter')
    error = parse_error(CycloneDxParser, path)
    assert located(error) == ["bom.json:2: invalid JSON: Extra data (column 1)"]


@pytest.mark.parametrize(
    ("relative", "parser", "observed"),
    [
        ("cyclonedx-in-the-wild/traefix-cdx.xml", CycloneDxParser, "2022-11-14T17:08:25+00:00"),
        (
            "cyclonedx/proton-bridge__proton-bridge-v1.6.3.bom.json",
            CycloneDxParser,
            "2021-05-16T17:08:44+02:00",
        ),
        ("cyclonedx/laravel-7.12.0__bom.1.4.json", CycloneDxParser, None),
        (
            "spdx-in-the-wild/chronicle-sbom.spdx.json",
            SpdxParser,
            "2021-11-13T19:38:32.447065+00:00",
        ),
        (
            "spdx-in-the-wild/kustomizer_2.1.0_sbom.spdx",
            SpdxParser,
            "2022-02-12T09:04:51.196976+00:00",
        ),
    ],
)
def test_sbom_timestamp_is_the_observation_time(
    samples_dir: Path, relative: str, parser: type[InventoryParser], observed: str | None
) -> None:
    batch = parse(parser, samples_dir / "sbom" / relative)
    assert batch.observed_at == (datetime.fromisoformat(observed) if observed else None)
    assert batch.complete == frozenset({"components"})  # an SBOM lists no services or updates


def test_timestamps_without_a_time_zone_are_ignored(tmp_path: Path) -> None:
    text = CDX_HEAD + '"metadata": {"timestamp": "2024-05-02T08:00:00"}, "components": []}'
    batch = parse(CycloneDxParser, write(tmp_path, "bom.json", text))
    assert batch.observed_at is None
    assert str(batch.warnings[0]) == (
        "bom.json [$.metadata.timestamp]: timestamp '2024-05-02T08:00:00' is not a date-time "
        "with a time zone; ignored"
    )
    text = "SPDXVersion: SPDX-2.3\nCreated: yesterday\nPackageName: a\nPackageVersion: 1\n"
    batch = parse(SpdxParser, write(tmp_path, "doc.spdx", text))
    assert batch.observed_at is None
    assert [str(warning) for warning in batch.warnings] == [
        "doc.spdx:2 [Created]: creation time 'yesterday' is not a date-time with a time zone; "
        "ignored"
    ]


def test_kind_is_a_guess_only_without_a_type() -> None:
    described = {
        "cyclonedx-min.json": (CycloneDxParser, False),  # type "application"
        "cyclonedx-min.xml": (CycloneDxParser, False),  # type "container"
        "spdx-min.spdx.json": (SpdxParser, False),  # primaryPackagePurpose APPLICATION
        "spdx-min.spdx": (SpdxParser, True),  # no purpose given
    }
    for name, (parser, guess) in described.items():
        assert only_asset(parse(parser, SAMPLES / name)).kind_is_guess is guess, name


# --- sniffing -------------------------------------------------------------------------------


def all_sbom_files(samples_dir: Path) -> list[tuple[Path, str]]:
    files = [(SAMPLES / name, parser.id) for name, parser in OWN_SAMPLES]
    files += [(samples_dir / "sbom" / relative, parser.id) for relative, parser, *_ in REAL_SAMPLES]
    return files


def test_sniff_picks_the_right_parser(samples_dir: Path) -> None:
    for path, expected in all_sbom_files(samples_dir):
        head = path.read_bytes()[: 64 * 1024]
        claims = [
            parser.id for parser in (CycloneDxParser, SpdxParser) if parser.sniff(head, path.name)
        ]
        assert claims == [expected], path.name


@pytest.mark.parametrize(
    "head",
    [
        b'{"vulnerabilities": []}',
        b'<?xml version="1.0"?><nmaprun scanner="nmap"></nmaprun>',
        b'<bom xmlns="http://example.com/other/bom">',
        b"hostname,ip\nweb01,10.0.0.1\n",
        b"PackageName: looks-like-tag-value-but-no-version-line\n",
        b"",
    ],
)
def test_sniff_refuses_other_files(head: bytes) -> None:
    assert not CycloneDxParser.sniff(head, "file")
    assert not SpdxParser.sniff(head, "file")


def test_each_parser_refuses_the_other_formats_samples(samples_dir: Path) -> None:
    for path, expected in all_sbom_files(samples_dir):
        other = SpdxParser if expected == CycloneDxParser.id else CycloneDxParser
        with pytest.raises(ParseError) as caught:
            parse(other, path)
        assert caught.value.source.path == path.name


def test_wrong_format_messages_name_the_field(samples_dir: Path) -> None:
    spdx = samples_dir / "sbom/spdx-examples/example8_examplemaven-0.0.1.spdx.json"
    assert located(parse_error(CycloneDxParser, spdx)) == [
        "example8_examplemaven-0.0.1.spdx.json [$.bomFormat]: not a CycloneDX BOM: bomFormat "
        "is missing, expected 'CycloneDX' (this looks like an SPDX document)"
    ]
    cyclonedx = samples_dir / "sbom/cyclonedx/VEX__bom.json"
    assert located(parse_error(SpdxParser, cyclonedx)) == [
        "VEX__bom.json [$.spdxVersion]: not an SPDX document: spdxVersion is missing "
        "(this looks like a CycloneDX BOM)"
    ]
    xml = samples_dir / "sbom/cyclonedx/cern-lhc-vdm-editor-e564943__bom.xml"
    assert located(parse_error(SpdxParser, xml)) == [
        "cern-lhc-vdm-editor-e564943__bom.xml:1: expected 'Tag: value', found "
        '\'<?xml version="1.0" encoding="utf-8"?>\''
    ]


# --- bad input ------------------------------------------------------------------------------

CDX_HEAD = '{"bomFormat": "CycloneDX", "specVersion": "1.5",\n'
SPDX_HEAD = '{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "doc",\n'
XML_HEAD = '<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.4">\n'


def test_malformed_json(tmp_path: Path) -> None:
    text = CDX_HEAD + '"components": [\n  {"name": "a",}\n]}'
    error = parse_error(CycloneDxParser, write(tmp_path, "bom.json", text))
    assert located(error) == [
        "bom.json:3: invalid JSON: Expecting property name enclosed in double quotes (column 16)"
    ]
    assert error.code == "parse_error"
    text = SPDX_HEAD + '"packages": [\n  {"name": "a"\n]}'
    assert located(parse_error(SpdxParser, write(tmp_path, "doc.spdx.json", text))) == [
        "doc.spdx.json:4: invalid JSON: Expecting ',' delimiter (column 1)"
    ]


def test_malformed_xml(tmp_path: Path) -> None:
    text = XML_HEAD + "<components><component type='library'><name>a</name>\n</components></bom>"
    assert located(parse_error(CycloneDxParser, write(tmp_path, "bom.xml", text))) == [
        "bom.xml:4: invalid XML: mismatched tag: line 4, column 2"
    ]


def test_malformed_tag_value(tmp_path: Path) -> None:
    text = "SPDXVersion: SPDX-2.2\nDataLicense: CC0-1.0\nthis line has no tag\n"
    assert located(parse_error(SpdxParser, write(tmp_path, "doc.spdx", text))) == [
        "doc.spdx:3: expected 'Tag: value', found 'this line has no tag'"
    ]
    text = "DataLicense: CC0-1.0\nPackageName: lonely\n"
    assert located(parse_error(SpdxParser, write(tmp_path, "doc.spdx", text))) == [
        "doc.spdx [SPDXVersion]: not an SPDX document: no 'SPDXVersion:' line"
    ]


@pytest.mark.parametrize(
    ("name", "parser", "expected"),
    [
        (
            "cyclonedx-min.json",
            CycloneDxParser,
            "cyclonedx-min.json:37: invalid JSON: Unterminated string starting at (column 7)",
        ),
        (
            "cyclonedx-min.xml",
            CycloneDxParser,
            "cyclonedx-min.xml:28: invalid XML: unclosed token: line 28, column 4",
        ),
        (
            "spdx-min.spdx.json",
            SpdxParser,
            "spdx-min.spdx.json:41: invalid JSON: Unterminated string starting at (column 7)",
        ),
    ],
)
def test_truncated_files(
    tmp_path: Path, name: str, parser: type[InventoryParser], expected: str
) -> None:
    content = (SAMPLES / name).read_bytes()
    path = write(tmp_path, name, content[: len(content) // 2])
    assert located(parse_error(parser, path)) == [expected]


def test_truncated_tag_value_inside_text(tmp_path: Path) -> None:
    content = (SAMPLES / "spdx-min.spdx").read_text(encoding="utf-8")
    cut = content.index("inside it.")
    path = write(tmp_path, "spdx-min.spdx", content[:cut])
    assert located(parse_error(SpdxParser, path)) == [
        "spdx-min.spdx:6 [DocumentComment]: <text> is never closed by </text>"
    ]


def test_empty_files(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.json", b"")
    assert located(parse_error(CycloneDxParser, path)) == [
        "empty.json:1: invalid JSON: Expecting value (column 1)"
    ]
    assert located(parse_error(SpdxParser, path)) == [
        "empty.json [SPDXVersion]: not an SPDX document: no 'SPDXVersion:' line"
    ]


@pytest.mark.parametrize(
    ("text", "parser", "expected"),
    [
        (
            '{"name": "something else"}',
            CycloneDxParser,
            "x.json [$.bomFormat]: not a CycloneDX BOM: bomFormat is missing, expected 'CycloneDX'",
        ),
        (
            '{"bomFormat": "SPDX"}',
            CycloneDxParser,
            "x.json [$.bomFormat]: not a CycloneDX BOM: bomFormat is 'SPDX', expected 'CycloneDX'",
        ),
        (
            "[1, 2]",
            CycloneDxParser,
            "x.json [$]: not a CycloneDX BOM: the document is a list, not an object",
        ),
        (
            '{"name": "something else"}',
            SpdxParser,
            "x.json [$.spdxVersion]: not an SPDX document: spdxVersion is missing",
        ),
        (
            '{"spdxVersion": 2.3}',
            SpdxParser,
            "x.json [$.spdxVersion]: not an SPDX document: spdxVersion is a number, not a string",
        ),
        (
            "[]",
            SpdxParser,
            "x.json [$]: not an SPDX document: the document is a list, not an object",
        ),
    ],
)
def test_json_of_another_format(
    tmp_path: Path, text: str, parser: type[InventoryParser], expected: str
) -> None:
    assert located(parse_error(parser, write(tmp_path, "x.json", text))) == [expected]


def test_xml_of_another_format(tmp_path: Path) -> None:
    path = write(tmp_path, "scan.xml", '<?xml version="1.0"?>\n<nmaprun scanner="nmap"/>')
    assert located(parse_error(CycloneDxParser, path)) == [
        "scan.xml [/nmaprun]: not a CycloneDX BOM: the root element is <nmaprun> in namespace "
        "'', expected <bom> in http://cyclonedx.org/schema/bom/<version>"
    ]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE bom [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4">
  <components><component type="library"><name>&lol9;</name></component></components>
</bom>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4">
  <components><component type="library"><name>&secret;</name></component></components>
</bom>
"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "external"])
def test_xml_with_dtd_or_entities_is_refused(tmp_path: Path, text: str) -> None:
    assert located(parse_error(CycloneDxParser, write(tmp_path, "bomb.xml", text))) == [
        "bomb.xml: refused XML: DTDForbidden (DTDs and entities are not allowed)"
    ]


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_file_over_the_size_limit(
    monkeypatch: pytest.MonkeyPatch, name: str, parser: type[InventoryParser]
) -> None:
    monkeypatch.setenv("CANHGAC_IMPORT_MAX_BYTES", "100")
    size = (SAMPLES / name).stat().st_size
    assert located(parse_error(parser, SAMPLES / name)) == [
        f"{name}: the file is {size} bytes; the limit is 100"
    ]


def test_non_utf8_bytes(tmp_path: Path) -> None:
    content = (CDX_HEAD + '"components": [\n  {"name": "caf\xe9"}]}').encode("latin-1")
    assert located(parse_error(CycloneDxParser, write(tmp_path, "bom.json", content))) == [
        "bom.json:3: not UTF-8 text (byte 80); save the file as UTF-8"
    ]
    content = "SPDXVersion: SPDX-2.2\nPackageName: caf\xe9\n".encode("latin-1")
    assert located(parse_error(SpdxParser, write(tmp_path, "doc.spdx", content))) == [
        "doc.spdx:2: not UTF-8 text (byte 38); save the file as UTF-8"
    ]
    content = (
        XML_HEAD + "<components><component type='library'>\n<name>caf\xe9</name>"
        "</component></components></bom>"
    ).encode("latin-1")
    assert located(parse_error(CycloneDxParser, write(tmp_path, "bom.xml", content))) == [
        "bom.xml:4: invalid XML: not well-formed (invalid token): line 4, column 9"
    ]


def test_unsupported_xml_encoding(tmp_path: Path) -> None:
    for encoding in ("utf-9", "utf-32", "rot13"):
        text = f'<?xml version="1.0" encoding="{encoding}"?>\n<bom/>'
        error = parse_error(CycloneDxParser, write(tmp_path, "bom.xml", text))
        assert error.source == SourceLocation("bom.xml", 1)
        # "unsupported encoding (...)" from Python, "multi-byte encodings ..." from expat
        assert error.message.startswith("bom.xml:1: invalid XML: ")


def test_json_nested_too_deeply(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    assert located(parse_error(CycloneDxParser, path)) == [
        "deep.json: invalid JSON: nested too deeply"
    ]
    assert located(parse_error(SpdxParser, path)) == ["deep.json: invalid JSON: nested too deeply"]


def test_component_that_is_not_an_object(tmp_path: Path) -> None:
    text = CDX_HEAD + '"components": [{"name": "a", "version": "1"}, "b"]}'
    error = parse_error(CycloneDxParser, write(tmp_path, "bom.json", text))
    assert error.source == SourceLocation("bom.json", None, "$.components[1]")
    assert located(error) == ["bom.json [$.components[1]]: component is a string, not an object"]


def test_every_component_problem_is_reported(tmp_path: Path) -> None:
    text = CDX_HEAD + (
        '"components": [{"name": "a", "version": 1}, [], {"version": "2"},'
        ' {"name": "c", "components": {"name": "d"}}, {"name": "e", "supplier": "ACME"}]}'
    )
    with pytest.raises(ValidationError) as caught:
        parse(CycloneDxParser, write(tmp_path, "bom.json", text))
    assert not isinstance(caught.value, ParseError)
    assert caught.value.message == "bom.json: 5 problems"
    assert located(caught.value) == [
        "bom.json [$.components[0].version]: version is a number, not a string",
        "bom.json [$.components[1]]: component is a list, not an object",
        "bom.json [$.components[2].name]: component has no name",
        "bom.json [$.components[3].components]: components is an object, not a list",
        "bom.json [$.components[4].supplier]: supplier is a string, not an object",
    ]


def test_component_without_a_name(tmp_path: Path) -> None:
    text = CDX_HEAD + '"components": [{"name": "a", "components": [{"name": "b"}, {"type": "x"}]}]}'
    assert located(parse_error(CycloneDxParser, write(tmp_path, "bom.json", text))) == [
        "bom.json [$.components[0].components[1].name]: component has no name"
    ]
    text = XML_HEAD + (
        "<components><component type='library'><name>a</name></component>"
        "<component type='library'><version>1</version></component>"
        "</components></bom>"
    )
    assert located(parse_error(CycloneDxParser, write(tmp_path, "bom.xml", text))) == [
        "bom.xml [/bom/components/component[2]/name]: component has no name"
    ]
    text = CDX_HEAD + '"metadata": {"component": {"type": "application", "name": " "}}}'
    assert located(parse_error(CycloneDxParser, write(tmp_path, "bom.json", text))) == [
        "bom.json [$.metadata.component.name]: the described component has no name"
    ]
    text = SPDX_HEAD + '"packages": [{"name": "a", "SPDXID": "SPDXRef-a"}, {"SPDXID": "x"}]}'
    assert located(parse_error(SpdxParser, write(tmp_path, "doc.json", text))) == [
        "doc.json [$.packages[1].name]: package has no name"
    ]
    text = "SPDXVersion: SPDX-2.2\n\nPackageName:\nSPDXID: SPDXRef-x\n"
    assert located(parse_error(SpdxParser, write(tmp_path, "doc.spdx", text))) == [
        "doc.spdx:3 [PackageName]: package has no name"
    ]


def test_spdx_package_that_is_not_an_object(tmp_path: Path) -> None:
    text = SPDX_HEAD + '"packages": [{"name": "a"}, 7], "relationships": {}}'
    with pytest.raises(ValidationError) as caught:
        parse(SpdxParser, write(tmp_path, "doc.json", text))
    assert located(caught.value) == [
        "doc.json [$.packages[1]]: package is a number, not an object",
        "doc.json [$.relationships]: relationships is an object, not a list",
    ]


def test_duplicate_bom_ref(tmp_path: Path) -> None:
    text = CDX_HEAD + (
        '"metadata": {"component": {"type": "application", "name": "app", "bom-ref": "r1"}},\n'
        '"components": [{"name": "a", "bom-ref": "r2"},'
        ' {"name": "b", "components": [{"name": "c", "bom-ref": "r2"}]}]}'
    )
    assert located(parse_error(CycloneDxParser, write(tmp_path, "bom.json", text))) == [
        "bom.json [$.components[1].components[0].bom-ref]: bom-ref 'r2' is used twice: "
        "at $.components[0] and at $.components[1].components[0]"
    ]
    text = XML_HEAD + (
        "<metadata><component type='application' bom-ref='r1'><name>app</name></component>"
        "</metadata><components><component type='library' bom-ref='r1'><name>a</name>"
        "</component></components></bom>"
    )
    assert located(parse_error(CycloneDxParser, write(tmp_path, "bom.xml", text))) == [
        "bom.xml [/bom/components/component[1]/bom-ref]: bom-ref 'r1' is used twice: "
        "at /bom/metadata/component and at /bom/components/component[1]"
    ]


def test_duplicate_spdxid_with_different_content(tmp_path: Path) -> None:
    text = SPDX_HEAD + (
        '"packages": [{"name": "a", "SPDXID": "SPDXRef-1", "versionInfo": "1"},'
        ' {"name": "a", "SPDXID": "SPDXRef-1", "versionInfo": "2"}]}'
    )
    assert located(parse_error(SpdxParser, write(tmp_path, "doc.json", text))) == [
        "doc.json [$.packages[1].SPDXID]: SPDXID 'SPDXRef-1' is used twice: "
        "at $.packages[0] and at $.packages[1]"
    ]
    text = (
        "SPDXVersion: SPDX-2.2\n\nPackageName: a\nSPDXID: SPDXRef-1\n\n"
        "PackageName: b\nSPDXID: SPDXRef-1\n"
    )
    assert located(parse_error(SpdxParser, write(tmp_path, "doc.spdx", text))) == [
        "doc.spdx:7 [SPDXID]: SPDXID 'SPDXRef-1' is used twice: at line 3 and at line 6"
    ]


def test_unknown_spec_versions_are_warnings(tmp_path: Path) -> None:
    text = '{"bomFormat": "CycloneDX", "specVersion": "1.7", "components": [{"name": "a"}]}'
    batch = parse(CycloneDxParser, write(tmp_path, "bom.json", text))
    assert [str(warning) for warning in batch.warnings] == [
        "bom.json [$.specVersion]: CycloneDX version '1.7' is not one of 1.2, 1.3, 1.4, 1.5, "
        "1.6; read as 1.6",
        "bom.json [$.components[0].version]: component 'a' has no version",
    ]
    text = (
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.1"><components>'
        "<component type='library'><name>a</name><version>1</version></component>"
        "</components></bom>"
    )
    batch = parse(CycloneDxParser, write(tmp_path, "bom.xml", text))
    assert [str(warning) for warning in batch.warnings] == [
        "bom.xml [/bom/@xmlns]: CycloneDX version '1.1' is not one of 1.2, 1.3, 1.4, 1.5, 1.6; "
        "read as 1.6"
    ]
    text = "SPDXVersion: SPDX-2.1\nDocumentName: old\n\nPackageName: a\nPackageVersion: 1\n"
    batch = parse(SpdxParser, write(tmp_path, "doc.spdx", text))
    assert [str(warning) for warning in batch.warnings] == [
        "doc.spdx:1 [SPDXVersion]: SPDX version 'SPDX-2.1' is not one of SPDX-2.2, SPDX-2.3; "
        "read as SPDX-2.3"
    ]
    assert only_asset(batch).components[0].version == "1"


def test_first_operating_system_is_the_assets(tmp_path: Path) -> None:
    text = SPDX_HEAD + (
        '"packages": [{"name": "debian", "versionInfo": "12",'
        ' "primaryPackagePurpose": "OPERATING-SYSTEM"},'
        ' {"name": "alpine", "versionInfo": "3.19", "primaryPackagePurpose": "OPERATING-SYSTEM"}]}'
    )
    batch = parse(SpdxParser, write(tmp_path, "doc.json", text))
    asset = only_asset(batch)
    assert (asset.os_name, asset.os_version, len(asset.components)) == ("debian", "12", 2)
    assert [str(warning) for warning in batch.warnings] == [
        "doc.json [$.packages[1]]: several operating systems: kept 'debian 12' "
        "($.packages[0]) as the asset's"
    ]
    text = CDX_HEAD + (
        '"components": [{"type": "operating-system", "name": "debian", "version": "12"},'
        ' {"type": "operating-system", "name": "alpine", "version": "3.19"}]}'
    )
    batch = parse(CycloneDxParser, write(tmp_path, "bom.json", text))
    assert (only_asset(batch).os_name, only_asset(batch).os_version) == ("debian", "12")
    assert [str(warning) for warning in batch.warnings] == [
        "bom.json [$.components[1]]: several operating systems: kept 'debian 12' "
        "($.components[0]) as the asset's"
    ]


def test_trailing_text_after_an_spdx_document(tmp_path: Path) -> None:
    text = SPDX_HEAD + '"packages": [{"name": "a", "versionInfo": "1"}]}\n\n  <footer/>\n'
    batch = parse(SpdxParser, write(tmp_path, "doc.json", text))
    assert [str(warning) for warning in batch.warnings] == [
        "doc.json:4: ignored 9 characters of text after the JSON document"
    ]


# --- mutations ------------------------------------------------------------------------------

TOKENS = [
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b",",
    b":",
    b"null",
    b"1e999",
    b"<",
    b">",
    b"</",
    b"<text>",
    b"</text>",
    b"\n",
    b"PackageName:",
    b"SPDXID: x\n",
    b"&amp;",
    b"&x;",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"<!DOCTYPE bom>",
    b"]]>",
    b"<![CDATA[",
]
ODD_VALUES: list[Any] = [None, 0, -1.5, True, "", "x", [], {}, [{}], {"name": 1}, [None]]


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    original = (SAMPLES / name).read_bytes()
    if name.endswith(".json") and draw(st.booleans()):
        chance = draw(st.randoms(use_true_random=False))
        original = json.dumps(shuffle_json(json.loads(original), chance, ODD_VALUES)).encode()
        if draw(st.booleans()):
            return original
    data = mutate_bytes(draw, original, TOKENS)
    return data


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_mutated_samples_raise_only_validation_errors(
    tmp_path_factory: pytest.TempPathFactory, name: str, parser: type[InventoryParser]
) -> None:
    def check_batch(batch: InventoryBatch) -> None:
        asset = only_asset(batch)
        assert asset.key
        assert all(component.name for component in asset.components)

    path = tmp_path_factory.mktemp("mutated") / name
    check_mutated(path, parser, mutated(name), check_batch)
