"""CPE names: real NVD criteria and 2.2 URIs parsed, escapes and round trips, every error with
its message, each cell of the attribute table, whole-name verdicts, the target_sw table, and
generated texts and names (parse raises only CpeError; formatted() round-trips)."""

from __future__ import annotations

import re
import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canhgac.exposure.matching.cpe import (
    ANY,
    ATTRIBUTES,
    NA,
    CpeError,
    CpeName,
    Exact,
    Logical,
    Value,
    attribute_match,
    name_match,
    parse,
    target_software_conflict,
    versionless,
)
from canhgac.exposure.matching.logic import Tri

YES, NO, UNKNOWN = Tri.YES, Tri.NO, Tri.UNKNOWN


def cpe(part: Value = "a", **values: Value) -> CpeName:
    """A name with the given attributes and ANY elsewhere."""
    attributes: dict[str, Any] = dict.fromkeys(ATTRIBUTES, ANY) | values
    return CpeName(**(attributes | {"part": part}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "cpe:2.3:o:microsoft:windows_10:1809:*:*:*:*:*:*:*",
            cpe("o", vendor="microsoft", product="windows_10", version="1809"),
        ),
        (
            "cpe:2.3:o:microsoft:windows_11:-:*:*:*:*:*:arm64:*",
            cpe("o", vendor="microsoft", product="windows_11", version=NA, target_hw="arm64"),
        ),
        (
            "cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_11:*:*:*:*:*:*",
            cpe(
                vendor="microsoft",
                product="exchange_server",
                version="2019",
                update="cumulative_update_11",
            ),
        ),
        ("cpe:2.3:a:oracle:jdk:*:*:*:*:*:*:*:*", cpe(vendor="oracle", product="jdk")),
        (
            "cpe:2.3:a:vmware:spring_framework:*:*:*:*:*:*:*:*",
            cpe(vendor="vmware", product="spring_framework"),
        ),
        (
            "cpe:2.3:a:microsoft:.net_framework:4.8:*:*:*:*:*:*:*",
            cpe(vendor="microsoft", product=".net_framework", version="4.8"),
        ),
        (
            r"cpe:2.3:a:foo\:bar:baz:1.0\.1:*:*:*:*:*:*:*",
            cpe(vendor="foo:bar", product="baz", version="1.0.1"),
        ),
        (
            r"cpe:2.3:a:joomlashack:simple_image_gallery:1.0:*:*:*:*:joomla\!:*:*",
            cpe(
                vendor="joomlashack",
                product="simple_image_gallery",
                version="1.0",
                target_sw="joomla!",
            ),
        ),
        (
            "cpe:2.3:a:jenkins:git:*:*:*:*:*:jenkins:*:*",
            cpe(vendor="jenkins", product="git", target_sw="jenkins"),
        ),
        ("CPE:2.3:A:Microsoft:Edge:*:*:*:*:*:*:*:*", cpe(vendor="microsoft", product="edge")),
        (
            "  cpe:2.3:h:cisco:asa_5505:-:*:*:*:*:*:*:*\n",
            cpe("h", vendor="cisco", product="asa_5505", version=NA),
        ),
        ("cpe:2.3:*:*:*:*:*:*:*:*:*:*:*", cpe(ANY)),
        # Unescaped punctuation is read as literal (7695's unbinding is lenient).
        (
            "cpe:2.3:a:foo:bar+baz:1.0:*:*:*:*:*:*:*",
            cpe(vendor="foo", product="bar+baz", version="1.0"),
        ),
        # Wildcards at the ends stay in the plain string; quoted ones do not.
        ("cpe:2.3:a:vmware:spring_*:*:*:*:*:*:*:*:*", cpe(vendor="vmware", product="spring_*")),
        (
            "cpe:2.3:a:v:??_tool:1.?:*:*:*:*:*:*:*",
            cpe(vendor="v", product="??_tool", version="1.?"),
        ),
        (r"cpe:2.3:a:foo:bar\*:*:*:*:*:*:*:*:*", cpe(vendor="foo", product=Exact("bar*"))),
        (r"cpe:2.3:a:foo:a\*b:*:*:*:*:*:*:*:*", cpe(vendor="foo", product="a*b")),
        (r"cpe:2.3:a:foo:\-:*:*:*:*:*:*:*:*", cpe(vendor="foo", product="-")),
        (r"cpe:2.3:a:foo:\\:*:*:*:*:*:*:*:*", cpe(vendor="foo", product="\\")),
        # CPE 2.2 URIs, through cpe22_to_23.
        (
            "cpe:/a:apache:http_server:2.4.6",
            cpe(vendor="apache", product="http_server", version="2.4.6"),
        ),
        (
            "cpe:/o:redhat:enterprise_linux:7:ga:server",
            cpe(
                "o",
                vendor="redhat",
                product="enterprise_linux",
                version="7",
                update="ga",
                edition="server",
            ),
        ),
        ("cpe:/a:foo%21:bar:1.0:-", cpe(vendor="foo!", product="bar", version="1.0", update=NA)),
        ("cpe:/a:foo:%2d", cpe(vendor="foo", product="-")),
        ("cpe:/a:foo:bar%02", cpe(vendor="foo", product="bar*")),
        ("cpe:/a:foo:%01bar", cpe(vendor="foo", product="?bar")),
        ("cpe:/a:foo:bar%2a", cpe(vendor="foo", product=Exact("bar*"))),
        ("cpe:/a:Foo:Bar%41", cpe(vendor="foo", product="bara")),
        (
            "cpe:/a:foo:bar:1.0::~~~wordpress~~",
            cpe(vendor="foo", product="bar", version="1.0", target_sw="wordpress"),
        ),
        (
            "cpe:/a:foo:bar:1.0::~pro~-~node.js~x64~",
            cpe(
                vendor="foo",
                product="bar",
                version="1.0",
                edition="pro",
                sw_edition=NA,
                target_sw="node.js",
                target_hw="x64",
            ),
        ),
        ("cpe:/h:cisco", cpe("h", vendor="cisco")),
    ],
)
def test_parse(text: str, expected: CpeName) -> None:
    parsed = parse(text)
    assert parsed == expected
    assert [type(getattr(parsed, name)) for name in ATTRIBUTES] == [
        type(getattr(expected, name)) for name in ATTRIBUTES
    ]


@pytest.mark.parametrize(
    "text",
    [
        "cpe:2.3:o:microsoft:windows_10:1809:*:*:*:*:*:*:*",
        "cpe:2.3:o:microsoft:windows_11:-:*:*:*:*:*:arm64:*",
        "cpe:2.3:a:microsoft:.net_framework:4.8:*:*:*:*:*:*:*",
        r"cpe:2.3:a:foo\:bar:baz:1.0.1:*:*:*:*:*:*:*",
        r"cpe:2.3:a:joomlashack:simple_image_gallery:1.0:*:*:*:*:joomla\!:*:*",
        "cpe:2.3:a:vmware:spring_*:*:*:*:*:*:*:*:*",
        "cpe:2.3:a:v:??_tool:1.?:*:*:*:*:*:*:*",
        r"cpe:2.3:a:foo:bar\*:*:*:*:*:*:*:*:*",
        r"cpe:2.3:a:foo:a\*b:*:*:*:*:*:*:*:*",
        r"cpe:2.3:a:foo:\-:*:*:*:*:*:*:*:*",
        r"cpe:2.3:a:foo:\\:*:*:*:*:*:*:*:*",
        r"cpe:2.3:a:foo:\?x\?:*:*:*:*:*:*:*:*",
        r"cpe:2.3:a:c\+\+:lib\(1\):1_0-2:*:*:*:*:*:*:*",
    ],
)
def test_formatted_round_trip(text: str) -> None:
    assert parse(text).formatted() == text


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        (r"cpe:2.3:a:foo:baz:1.0\.1:*:*:*:*:*:*:*", "cpe:2.3:a:foo:baz:1.0.1:*:*:*:*:*:*:*"),
        (r"cpe:2.3:a:foo:ba\_z:1\-2:*:*:*:*:*:*:*", "cpe:2.3:a:foo:ba_z:1-2:*:*:*:*:*:*:*"),
        ("cpe:2.3:a:foo:bar+baz:1.0:*:*:*:*:*:*:*", r"cpe:2.3:a:foo:bar\+baz:1.0:*:*:*:*:*:*:*"),
        ("CPE:2.3:A:Microsoft:Edge:*:*:*:*:*:*:*:*", "cpe:2.3:a:microsoft:edge:*:*:*:*:*:*:*:*"),
        ("cpe:/a:apache:http_server:2.4.6", "cpe:2.3:a:apache:http_server:2.4.6:*:*:*:*:*:*:*"),
        ("cpe:/a:foo%21:bar%2a", r"cpe:2.3:a:foo\!:bar\*:*:*:*:*:*:*:*:*"),
        ("cpe:/a:foo:bar:1.0::~~~wordpress~~", "cpe:2.3:a:foo:bar:1.0:*:*:*:*:wordpress:*:*"),
    ],
)
def test_formatted_is_canonical(text: str, canonical: str) -> None:
    assert parse(text).formatted() == canonical


def test_parse_is_cached() -> None:
    text = "cpe:2.3:a:oracle:jdk:1.8.0:update_202:*:*:*:*:*:*"
    assert parse(text) is parse(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cpe:2.3:a:v:p:1:*:*:*:*", "CPE 2.3 name has 10 components, expected 13"),
        ("cpe:2.3:a:v:p:1:*:*:*:*:*:*:*:*", "CPE 2.3 name has 14 components, expected 13"),
        ("cpe:2.3:", "CPE 2.3 name has 3 components, expected 13"),
        ("cpe:2.3:x:v:p:*:*:*:*:*:*:*:*", "invalid part 'x' (expected 'a', 'o', 'h' or '*')"),
        ("cpe:2.3:-:v:p:*:*:*:*:*:*:*:*", "invalid part '-' (expected 'a', 'o', 'h' or '*')"),
        ("cpe:2.3:app:v:p:*:*:*:*:*:*:*:*", "invalid part 'app' (expected 'a', 'o', 'h' or '*')"),
        ("cpe:/x:v:p", "invalid part 'x' (expected 'a', 'o', 'h' or '*')"),
        (
            r"cpe:2.3:a:v:\p:*:*:*:*:*:*:*:*",
            r"bad escape '\p' in 'cpe:2.3:a:v:\\p:*:*:*:*:*:*:*:*': only punctuation is escaped",
        ),
        (
            "cpe:2.3:a:v:p:*:*:*:*:*:*:*:\\",
            r"bad escape '\' in 'cpe:2.3:a:v:p:*:*:*:*:*:*:*:\\': only punctuation is escaped",
        ),
        ("cpe:2.3:a::p:*:*:*:*:*:*:*:*", "CPE name has an empty vendor"),
        ("cpe:2.3:a:v:p:*:*:*:*:*:*:*:", "CPE name has an empty other"),
        (
            "cpe:2.3:a:v:spr*ing:*:*:*:*:*:*:*:*",
            "unquoted wildcard inside the product 'spr*ing': allowed only at its ends",
        ),
        (
            "cpe:2.3:a:v:*?p:*:*:*:*:*:*:*:*",
            "unquoted wildcard inside the product '*?p': allowed only at its ends",
        ),
        (
            r"cpe:2.3:a:v:*p\*:*:*:*:*:*:*:*:*",
            "the product '*p*' mixes wildcards with quoted '*' or '?' at its ends",
        ),
        (
            "pkg:npm/lodash@4.17.21",
            "not a CPE name (expected 'cpe:2.3:' or 'cpe:/'): 'pkg:npm/lodash@4.17.21'",
        ),
        ("", "not a CPE name (expected 'cpe:2.3:' or 'cpe:/'): ''"),
        ("cpe:2.2:a:v:p", "not a CPE name (expected 'cpe:2.3:' or 'cpe:/'): 'cpe:2.2:a:v:p'"),
        (
            "cpe:2.3:a:v:my product:*:*:*:*:*:*:*:*",
            "invalid character ' ' in CPE name 'cpe:2.3:a:v:my product:*:*:*:*:*:*:*:*'",
        ),
        ("cpe:/a:v:cafe\u0301", "invalid character '\u0301' in CPE name 'cpe:/a:v:cafe\u0301'"),
        ("cpe:/a:v:p:1:u:e:l:x", "CPE 2.2 URI has 8 components, expected at most 7"),
        ("cpe:/a:v:p%zz", "bad percent-encoding '%zz' in CPE 2.2 URI part 'p%zz'"),
        ("cpe:/a:v:p%4", "bad percent-encoding '%4' in CPE 2.2 URI part 'p%4'"),
        ("cpe:/a:v:p%00", "invalid character '%00' in CPE 2.2 URI part 'p%00'"),
        ("cpe:/a:v:p:1::~a~b", "packed edition '~a~b' in CPE 2.2 URI needs five '~'"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(CpeError, match=f"^{re.escape(message)}$"):
        parse(text)


def test_cpe_error_is_a_value_error() -> None:
    assert issubclass(CpeError, ValueError)


@pytest.mark.parametrize(
    ("criterion", "target", "expected"),
    [
        # NISTIR 7696's table, with ANY in the target read as "not recorded".
        (ANY, ANY, YES),
        (ANY, NA, YES),
        (ANY, "1809", YES),
        (ANY, "spring_*", YES),
        (NA, ANY, UNKNOWN),
        (NA, NA, YES),
        (NA, "1809", NO),
        (NA, "-", NO),
        ("1809", ANY, UNKNOWN),
        ("1809", NA, NO),
        ("1809", "1809", YES),
        ("1809", "21h2", NO),
        ("spring_*", ANY, UNKNOWN),
        ("spring_*", NA, NO),
        # Wildcards in the criterion.
        ("spring_*", "spring_framework", YES),
        ("spring_*", "spring_", YES),
        ("spring_*", "spring", NO),
        ("spring_*", "springboot", NO),
        ("*_core", "spring_core", YES),
        ("*_core", "spring_core_x", NO),
        ("*sql*", "postgresql_jdbc", YES),
        ("1.?", "1.2", YES),
        ("1.?", "1.", YES),  # a run of n '?' matches up to n characters (NIST's reference code)
        ("1.?", "1.23", NO),
        ("??x", "abx", YES),
        ("??x", "abcx", NO),
        ("?", "a", YES),
        ("a.b*", "a.b.c", YES),
        ("a.b*", "axb", NO),  # the body is literal: '.' is no regex dot
        # Quoted stars are literal.
        (Exact("bar*"), "bar_x", NO),
        (Exact("bar*"), "bar*", UNKNOWN),  # a plain "bar*" target is itself a wildcard
        ("a*b", "a*b", YES),
        ("a*b", "axb", NO),
        # An inventory value with wildcards (rare) can be refuted, not confirmed.
        ("foo", "f*", UNKNOWN),
        ("bar", "f*", NO),
        ("f*", "f*", YES),
        ("g*", "f*", UNKNOWN),
        ("bar", Exact("bar*"), NO),
        (Exact("bar*"), Exact("bar*"), YES),
    ],
)
def test_attribute_match(criterion: Value, target: Value, expected: Tri) -> None:
    assert attribute_match(criterion, target) is expected


WINDOWS_10_NA = "cpe:2.3:o:microsoft:windows_10:-:*:*:*:*:*:*:*"
WINDOWS_10_1809 = "cpe:2.3:o:microsoft:windows_10:1809:*:*:*:*:*:*:*"
EXCHANGE_CU11 = "cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_11:*:*:*:*:*:*"
WINDOWS_11_ARM = "cpe:2.3:o:microsoft:windows_11:-:*:*:*:*:*:arm64:*"


@pytest.mark.parametrize(
    ("criterion", "target", "expected"),
    [
        (WINDOWS_10_NA, WINDOWS_10_1809, NO),
        (WINDOWS_10_1809, WINDOWS_10_1809, YES),
        (WINDOWS_10_1809, "cpe:2.3:o:microsoft:windows_10:*:*:*:*:*:*:*:*", UNKNOWN),
        (WINDOWS_10_1809, "cpe:/o:microsoft:windows_10:1809", YES),
        (WINDOWS_10_1809, "cpe:2.3:o:microsoft:windows_11:1809:*:*:*:*:*:*:*", NO),
        (WINDOWS_10_1809, "cpe:2.3:a:microsoft:windows_10:1809:*:*:*:*:*:*:*", NO),
        (EXCHANGE_CU11, "cpe:2.3:a:microsoft:exchange_server:2019:*:*:*:*:*:*:*", UNKNOWN),
        (
            EXCHANGE_CU11,
            "cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_10:*:*:*:*:*:*",
            NO,
        ),
        (EXCHANGE_CU11, EXCHANGE_CU11, YES),
        (WINDOWS_11_ARM, "cpe:2.3:o:microsoft:windows_11:-:*:*:*:*:*:x64:*", NO),
        (WINDOWS_11_ARM, "cpe:2.3:o:microsoft:windows_11:-:*:*:*:*:*:*:*", UNKNOWN),
        (
            "cpe:2.3:a:vmware:spring_*:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:vmware:spring_framework:5.3.18:*:*:*:*:*:*:*",
            YES,
        ),
        (
            "cpe:2.3:a:vmware:spring_*:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:pivotal:spring_framework:5.3.18:*:*:*:*:*:*:*",
            NO,
        ),
        (r"cpe:2.3:a:foo:bar\*:*:*:*:*:*:*:*:*", "cpe:2.3:a:foo:bar_x:1:*:*:*:*:*:*:*", NO),
        (r"cpe:2.3:a:foo:bar\*:*:*:*:*:*:*:*:*", r"cpe:2.3:a:foo:bar\*:1:*:*:*:*:*:*:*", YES),
        # A refuted vendor wins over attributes the inventory did not record.
        (EXCHANGE_CU11, "cpe:2.3:a:other:exchange_server:*:*:*:*:*:*:*:*", NO),
    ],
)
def test_name_match(criterion: str, target: str, expected: Tri) -> None:
    assert name_match(parse(criterion), parse(target)) is expected


@pytest.mark.parametrize(
    ("target", "with_version", "without_version"),
    [
        ("cpe:2.3:a:oracle:jdk:11.0.2:-:*:*:*:*:*:*", NO, YES),
        ("cpe:2.3:a:oracle:jdk:1.8.0:-:*:*:*:*:*:*", YES, YES),
        ("cpe:2.3:a:oracle:jdk:*:-:*:*:*:*:*:*", UNKNOWN, YES),
        ("cpe:2.3:a:oracle:jdk:11.0.2:*:*:*:*:*:*:*", NO, UNKNOWN),
        ("cpe:2.3:a:oracle:jdk:11.0.2:update_1:*:*:*:*:*:*", NO, NO),
        ("cpe:2.3:a:oracle:jre:1.8.0:-:*:*:*:*:*:*", NO, NO),
    ],
)
def test_name_match_without_version(target: str, with_version: Tri, without_version: Tri) -> None:
    criterion = parse("cpe:2.3:a:oracle:jdk:1.8.0:-:*:*:*:*:*:*")
    assert name_match(criterion, parse(target)) is with_version
    assert name_match(criterion, parse(target), compare_version=False) is without_version


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (WINDOWS_10_1809, "o:microsoft:windows_10"),
        ("cpe:2.3:a:*:jdk:*:*:*:*:*:*:*:*", "a:*:jdk"),
        ("cpe:2.3:a:oracle:*:*:*:*:*:*:*:*:*", "a:oracle:*"),
        ("cpe:2.3:*:*:*:*:*:*:*:*:*:*:*", "*:*:*"),
        ("cpe:2.3:a:microsoft:.net_framework:4.8:*:*:*:*:*:*:*", "a:microsoft:.net_framework"),
        (r"cpe:2.3:a:foo\:bar:baz:1.0\.1:*:*:*:*:*:*:*", "a:foo:bar:baz"),
        (r"cpe:2.3:a:joomla\!:joomla\!:*:*:*:*:*:*:*:*", "a:joomla!:joomla!"),
        ("cpe:/A:Apache:HTTP_Server:2.4.6", "a:apache:http_server"),
    ],
)
def test_product_key(text: str, key: str) -> None:
    assert parse(text).product_key == key


def test_versionless() -> None:
    name = parse(EXCHANGE_CU11.replace(":*:*:*:*:*:*", ":*:*:*:*:x64:*"))
    assert versionless(name) == cpe(vendor="microsoft", product="exchange_server", target_hw="x64")
    assert name.version == "2019"  # the original is untouched


def test_logical_values() -> None:
    assert (ANY, NA) == (Logical.ANY, Logical.NA)
    assert (ANY.value, NA.value) == ("*", "-")


JENKINS_GIT = "cpe:2.3:a:jenkins:git:*:*:*:*:*:jenkins:*:*"
LODASH_NODE = "cpe:2.3:a:lodash:lodash:*:*:*:*:*:node.js:*:*"


@pytest.mark.parametrize(
    ("criterion", "ecosystem", "conflict"),
    [
        (JENKINS_GIT, "pypi", True),
        (JENKINS_GIT, "deb", True),
        (JENKINS_GIT, "rpm", True),
        (JENKINS_GIT, "npm", True),
        (JENKINS_GIT, "maven", False),
        (LODASH_NODE, "npm", False),
        (LODASH_NODE, "NPM", False),
        (LODASH_NODE, "deb", False),  # Debian's node-lodash is the same library
        (LODASH_NODE, "pypi", True),
        (LODASH_NODE, "maven", True),
        ("cpe:2.3:a:requests:requests:*:*:*:*:*:python:*:*", "pypi", False),
        ("cpe:2.3:a:requests:requests:*:*:*:*:*:python:*:*", "gem", True),
        ("cpe:2.3:a:rack:rack:*:*:*:*:*:ruby:*:*", "gem", False),
        ("cpe:2.3:a:newtonsoft:json.net:*:*:*:*:*:.net:*:*", "nuget", False),
        ("cpe:2.3:a:newtonsoft:json.net:*:*:*:*:*:.net:*:*", "npm", True),
        ("cpe:2.3:a:foo:contact_form:*:*:*:*:*:wordpress:*:*", "npm", True),
        ("cpe:2.3:a:foo:contact_form:*:*:*:*:*:wordpress:*:*", "deb", True),
        ("cpe:2.3:a:foo:contact_form:*:*:*:*:*:wordpress:*:*", "composer", False),
        (r"cpe:2.3:a:foo:gallery:*:*:*:*:*:joomla\!:*:*", "pypi", True),
        (r"cpe:2.3:a:foo:gallery:*:*:*:*:*:joomla\!:*:*", "composer", False),
        ("cpe:2.3:a:foo:views:*:*:*:*:*:drupal:*:*", "npm", True),
        ("cpe:2.3:a:foo:app:*:*:*:*:*:android:*:*", "apk", True),  # apk is Alpine
        ("cpe:2.3:a:foo:app:*:*:*:*:*:iphone_os:*:*", "cocoapods", False),
        ("cpe:2.3:a:foo:operator:*:*:*:*:*:kubernetes:*:*", "golang", False),
        ("cpe:2.3:a:foo:operator:*:*:*:*:*:kubernetes:*:*", "pypi", True),
        # Nothing to refute with: target_sw ANY, NA, a wildcard, unknown; unknown ecosystem.
        ("cpe:2.3:a:jenkins:git:*:*:*:*:*:*:*:*", "pypi", False),
        ("cpe:2.3:a:jenkins:git:*:*:*:*:*:-:*:*", "pypi", False),
        ("cpe:2.3:a:jenkins:git:*:*:*:*:*:jenk*:*:*", "pypi", False),
        ("cpe:2.3:a:foo:bar:*:*:*:*:*:some_platform:*:*", "npm", False),
        (JENKINS_GIT, "generic", False),
        (JENKINS_GIT, "", False),
    ],
)
def test_target_software_conflict(criterion: str, ecosystem: str, conflict: bool) -> None:
    assert target_software_conflict(parse(criterion), ecosystem) is conflict


CPE_CHARACTERS = st.sampled_from(sorted(set(string.printable[:94]) - set(string.ascii_uppercase)))


def _plain(text: str) -> bool:
    return text != "*"  # the bare '*' is ANY, not a string


STRING_VALUES = st.one_of(
    st.tuples(
        st.sampled_from(["", "*", "?", "??"]),
        st.text(CPE_CHARACTERS, max_size=8),
        st.sampled_from(["", "*", "?"]),
    )
    .map("".join)
    .filter(lambda value: value != "" and _plain(value)),
    st.text(CPE_CHARACTERS, min_size=1, max_size=8).map(Exact),
)
VALUES = st.one_of(st.just(ANY), st.just(NA), STRING_VALUES)
NAMES = st.builds(
    CpeName,
    st.sampled_from([ANY, "a", "o", "h"]),
    *[VALUES for _ in ATTRIBUTES[1:]],
)


@given(NAMES)
def test_generated_names_round_trip(name: CpeName) -> None:
    text = name.formatted()
    assert parse(text) == name
    assert parse(text).formatted() == text


FRAGMENTS = st.lists(
    st.sampled_from([*":\\*?-.%~!_a0A ", "%01", "%02", "%2a", "é", "cpe:/", "cpe:2.3:"])
).map("".join)


@given(
    st.one_of(
        st.text(),
        FRAGMENTS,
        st.builds("cpe:2.3:".__add__, FRAGMENTS),
        st.builds("cpe:/".__add__, FRAGMENTS),
        st.builds("cpe:2.3:".__add__, st.text(max_size=40)),
    )
)
def test_parse_raises_only_cpe_error(text: str) -> None:
    try:
        name = parse(text)
    except CpeError:
        return
    assert parse(name.formatted()) == name
