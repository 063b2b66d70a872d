"""The version core of the matcher: every known trap of NVD's free-form versions, the cpeMatch
bounds in three-valued logic, purl types to univers schemes, vers ranges (cross-scheme refused),
distribution upstream versions, and properties: a total order, and no input that raises."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canhgac.exposure.matching.logic import Tri
from canhgac.exposure.matching.versions import (
    compare,
    in_vers,
    scheme_for_purl_type,
    upstream_version,
    within_bounds,
)


def sign(order: int | None) -> int | None:
    return None if order is None else (order > 0) - (order < 0)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("2.8.123e", "2.8.75", 1),  # numbers as numbers, never as strings
        ("1.10", "1.9", 1),
        ("1.0.0-rc1", "1.0.0", -1),  # pre-releases below the release
        ("1.0.0-beta", "1.0.0-rc1", -1),
        ("1.0.0-alpha", "1.0.0-beta", -1),
        ("1.0.0-dev", "1.0.0-alpha", -1),
        ("1.0-SNAPSHOT", "1.0", -1),
        ("2.0-preview1", "2.0-rc1", -1),
        ("2.0-pre", "2.0", -1),
        ("4.0.0.CR1", "4.0.0", -1),
        ("1.0.0-rc1", "1.0.0-rc2", -1),
        ("1.0-rc1", "1.0.0-rc1", 0),  # trailing zeros of the release part do not count
        ("2.0b3", "2.0", -1),  # a lone b before a number is a beta
        ("5.3.0.RELEASE", "5.3.0", 0),
        ("5.3.0.Final", "5.3.0", 0),
        ("5.3.0.GA", "5.3.0", 0),
        ("5.3.0.M1", "5.3.0", -1),  # milestone
        ("5.3.0.M1", "5.3.0.M2", -1),
        ("5.3.0.M2", "5.3.0.RC1", -1),
        ("1.1.1f", "1.1.1", 1),  # OpenSSL letters are post-releases
        ("1.1.1f", "1.1.1g", -1),
        ("1.1.1zb", "1.1.1z", 1),
        ("1.0.2a", "1.0.2", 1),  # a lone letter at the end is a letter, not an alpha
        ("1.0.2m", "1.0.2", 1),
        ("1.1.1z", "1.1.2", -1),
        ("8.2p1", "8.2", 1),  # OpenSSH
        ("8.2p1", "8.2p2", -1),
        ("8.2p1", "8.3", -1),
        ("1.0", "1.0.0", 0),
        ("1.0.0.0", "1", 0),
        ("1.0.1", "1.0", 1),
        ("0.9", "0.10", -1),
        ("2022-01-15", "2021-12-31", 1),
        ("v1.2", "1.2", 0),
        ("V1.2", "1.2", 0),
        ("1.0.0-RC1", "1.0.0-rc1", 0),  # case-insensitive
        ("10.0.17763.2803", "10.0.17763.2686", 1),
        ("15.02.0986.022", "15.2.986.22", 0),  # Exchange pads with zeros
        ("1.2_3", "1.2.3", 0),
        ("1.2~3", "1.2+3", 0),
        ("12.2(33)sxh", "12.2(33)sxi", -1),  # Cisco IOS trains
        (" 1.2 ", "1.2", 0),
    ],
)
def test_compare_orders_nvd_versions(left: str, right: str, expected: int) -> None:
    assert sign(compare(left, right)) == expected
    assert sign(compare(right, left)) == -expected


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("", "1.0"),
        ("*", "1.0"),
        ("-", "1.0"),
        ("1.0", "*"),
        ("1.0", "-"),
        ("*", "*"),
        ("latest", "1.0"),  # no digit to start from
        ("beta2", "beta3"),
        ("1.0", "1.0\u00e4"),  # not ASCII
        ("1." * 100, "1.0"),  # too long to be a version
    ],
)
def test_compare_refuses_what_cannot_be_ordered(left: str, right: str) -> None:
    assert compare(left, right) is None


@pytest.mark.parametrize(
    ("version", "bounds", "expected"),
    [
        ("1.5", {}, Tri.YES),
        ("*", {}, Tri.YES),  # no bounds: the CPE itself names the versions
        ("1.5", {"start_including": "1.0", "end_excluding": "2.0"}, Tri.YES),
        ("1.0", {"start_including": "1.0"}, Tri.YES),
        ("1.0", {"start_excluding": "1.0"}, Tri.NO),
        ("1.0.1", {"start_excluding": "1.0"}, Tri.YES),
        ("2.0", {"end_including": "2.0"}, Tri.YES),
        ("2.0", {"end_excluding": "2.0"}, Tri.NO),
        ("2.0-rc1", {"end_excluding": "2.0"}, Tri.YES),
        ("0.9", {"start_including": "1.0", "end_excluding": "2.0"}, Tri.NO),
        ("1.1.1f", {"end_excluding": "1.1.1g"}, Tri.YES),
        ("1.1.1g", {"end_excluding": "1.1.1g"}, Tri.NO),
        ("5.3.0.RELEASE", {"start_including": "5.3.0", "end_excluding": "5.3.18"}, Tri.YES),
        ("", {"end_excluding": "2.0"}, Tri.UNKNOWN),
        ("*", {"end_excluding": "2.0"}, Tri.UNKNOWN),
        ("-", {"start_including": "1.0"}, Tri.UNKNOWN),
        ("1.5", {"end_excluding": "latest"}, Tri.UNKNOWN),
        ("3.0", {"start_including": "latest", "end_excluding": "2.0"}, Tri.NO),  # NO wins an AND
        ("1.5", {"start_including": "latest", "end_excluding": "2.0"}, Tri.UNKNOWN),
    ],
)
def test_within_bounds(version: str, bounds: dict[str, str], expected: Tri) -> None:
    assert within_bounds(version, **bounds) is expected


@pytest.mark.parametrize(
    ("purl_type", "expected"),
    [
        ("pypi", "pypi"),
        ("npm", "npm"),
        ("maven", "maven"),
        ("golang", "golang"),
        ("gem", "gem"),
        ("cargo", "cargo"),
        ("nuget", "nuget"),
        ("composer", "composer"),
        ("deb", "deb"),
        ("rpm", "rpm"),
        ("apk", "apk"),
        ("alpine", "apk"),
        ("alpm", "alpm"),
        ("conan", "conan"),
        ("hex", "hex"),
        ("github", "github"),
        ("PyPI", "pypi"),
        ("pub", None),
        ("swift", None),
        ("generic", None),
        ("openssl", None),  # a vers scheme, no purl type
        ("all", None),
        ("", None),
    ],
)
def test_scheme_for_purl_type(purl_type: str, expected: str | None) -> None:
    assert scheme_for_purl_type(purl_type) == expected


@pytest.mark.parametrize(
    ("version", "vers", "scheme", "expected"),
    [
        ("1.2.0", "vers:pypi/>=1.0|<1.2.3", "pypi", Tri.YES),
        ("1.0", "vers:pypi/>=1.0|<1.2.3", "pypi", Tri.YES),
        ("1.2.3", "vers:pypi/>=1.0|<1.2.3", "pypi", Tri.NO),
        ("0.9", "vers:pypi/>=1.0|<1.2.3", "pypi", Tri.NO),
        ("1.2.3rc1", "vers:pypi/>=1.0|<1.2.3", "pypi", Tri.YES),  # PEP 440 by univers
        ("5.3.10", "vers:maven/>=5.3.0|<5.3.18", "maven", Tri.YES),
        ("5.3.18", "vers:maven/>=5.3.0|<5.3.18", "maven", Tri.NO),
        ("5.3.0.M1", "vers:maven/>=5.3.0|<5.3.18", "maven", Tri.NO),
        ("1:1.2-1", "vers:deb/<1:1.3", "deb", Tri.YES),
        ("1:1.2-1", "vers:deb/<2.0", "deb", Tri.NO),  # the epoch wins in Debian
        ("1.1.1f-1ubuntu2.12", "vers:deb/<1.1.1f-1ubuntu2.13", "deb", Tri.YES),
        ("4.17.20", "vers:npm/<4.17.21", "npm", Tri.YES),
        ("4.17.21", "vers:npm/<4.17.21", "npm", Tri.NO),
        ("1.0", "vers:npm/*", "npm", Tri.YES),
        ("1.2.0", "vers:pypi/>=1.0|<1.2.3", "deb", Tri.UNKNOWN),  # across schemes: refused
        ("1.2.0", "vers:deb/>=1.0|<1.2.3", "pypi", Tri.UNKNOWN),
        ("not a version!", "vers:pypi/<1.2.3", "pypi", Tri.UNKNOWN),
        ("", "vers:pypi/<1.2.3", "pypi", Tri.UNKNOWN),
        ("1.2.0", "vers:pypi/<not-a-version!", "pypi", Tri.UNKNOWN),
        ("1.2.0", "pypi/<1.2.3", "pypi", Tri.UNKNOWN),  # no vers: prefix
        ("1.2.0", "vers:nosuch/<1.2.3", "nosuch", Tri.UNKNOWN),
        ("1.2.0", "", "pypi", Tri.UNKNOWN),
        ("0", "vers:pypi/<0|<0", "pypi", Tri.UNKNOWN),  # no valid vers sequence
        ("1.5", "vers:pypi/<1|<2", "pypi", Tri.UNKNOWN),
    ],
)
def test_in_vers(version: str, vers: str, scheme: str, expected: Tri) -> None:
    assert in_vers(version, vers, scheme=scheme) is expected


@pytest.mark.parametrize(
    ("version", "scheme", "expected"),
    [
        ("1:11.0.14+9-0ubuntu2~20.04", "deb", "11.0.14"),
        ("11.0.14+9-0ubuntu2~20.04", "deb", "11.0.14"),
        ("1.18.0-0ubuntu1.2", "deb", "1.18.0"),
        ("1:8.9p1-3", "deb", "8.9p1"),
        ("1.1.1f-1ubuntu2.12", "deb", "1.1.1f"),
        ("2.9.10+dfsg-6.7+deb11u4", "deb", "2.9.10"),
        ("1.2.3~bpo11+1", "deb", "1.2.3"),  # no revision (native package); backport suffix
        ("2.0~rc1-1", "deb", "2.0~rc1"),  # a pre-release stays one
        ("2.0+really1.5-1", "deb", "1.5"),  # Debian's downgrade convention
        ("1.18.0", "deb", "1.18.0"),
        ("2.4.6-97.el7.centos.4", "rpm", "2.4.6"),
        ("1.0.2k-24.el7_9", "rpm", "1.0.2k"),
        ("1:1.0.2k-24.el7_9", "rpm", "1.0.2k"),
        ("1.2.3-r4", "apk", "1.2.3"),
        ("1.2.3_rc1-r0", "apk", "1.2.3_rc1"),
        ("1.2.3", "apk", "1.2.3"),
        ("1.2.3-4", "pypi", "1.2.3-4"),  # other schemes: unchanged
        ("1:2.0-1", "maven", "1:2.0-1"),
    ],
)
def test_upstream_version(version: str, scheme: str, expected: str) -> None:
    assert upstream_version(version, scheme=scheme) == expected


def test_upstream_versions_compare_with_nvd() -> None:
    upstream = upstream_version("1.1.1f-1ubuntu2.12", scheme="deb")
    assert within_bounds(upstream, start_including="1.1.1", end_excluding="1.1.1g") is Tri.YES


_PART = st.one_of(
    st.integers(min_value=0, max_value=30).map(str),
    st.sampled_from(["rc", "beta", "alpha", "m", "a", "b", "f", "p", "zb", "final", "dev"]),
)
_VERSIONS = st.builds(
    lambda first, rest, separators: (
        str(first) + "".join(sep + part for sep, part in zip(separators, rest, strict=False))
    ),
    st.integers(min_value=0, max_value=30),
    st.lists(_PART, max_size=6),
    st.lists(st.sampled_from([".", "-", "_", "+", "~", ""]), min_size=6, max_size=6),
)


@given(_VERSIONS, _VERSIONS)
def test_compare_is_antisymmetric(left: str, right: str) -> None:
    order = sign(compare(left, right))
    assert order is not None
    assert sign(compare(right, left)) == -order
    assert compare(left, left) == 0


@given(_VERSIONS, _VERSIONS, _VERSIONS)
def test_compare_is_transitive(first: str, second: str, third: str) -> None:
    for low, middle, high in itertools.permutations([first, second, third]):
        low_middle, middle_high = sign(compare(low, middle)), sign(compare(middle, high))
        assert low_middle is not None
        assert middle_high is not None
        if low_middle <= 0 and middle_high <= 0:
            assert sign(compare(low, high)) == min(low_middle, middle_high)


@given(st.text(), st.text())
def test_compare_never_raises(left: str, right: str) -> None:
    order = compare(left, right)
    assert order is None or isinstance(order, int)
    assert (order is None) == (compare(right, left) is None)


@given(st.text(), st.text(), st.text(), st.text(), st.text())
def test_within_bounds_never_raises(
    version: str, start: str, start_excluding: str, end: str, end_excluding: str
) -> None:
    result = within_bounds(
        version,
        start_including=start,
        start_excluding=start_excluding,
        end_including=end,
        end_excluding=end_excluding,
    )
    assert isinstance(result, Tri)


_SCHEMES = st.sampled_from(["pypi", "npm", "maven", "deb", "rpm", "apk", "nuget", "gem", "conan"])


@given(st.text(), st.text(), _SCHEMES)
def test_in_vers_never_raises(version: str, constraint: str, scheme: str) -> None:
    assert isinstance(in_vers(version, constraint, scheme=scheme), Tri)
    assert isinstance(in_vers(version, f"vers:{scheme}/{constraint}", scheme=scheme), Tri)
    assert isinstance(in_vers(version, f"vers:{scheme}/<{constraint}", scheme=scheme), Tri)
    assert isinstance(in_vers(constraint, f"vers:{scheme}/>={version}", scheme=scheme), Tri)


@given(st.text(), st.sampled_from(["deb", "rpm", "apk", "pypi"]))
def test_upstream_version_never_raises(version: str, scheme: str) -> None:
    assert isinstance(upstream_version(version, scheme=scheme), str)
