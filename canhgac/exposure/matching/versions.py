"""Version comparison for the matcher: NVD's free-form versions, and ecosystem versions via univers.

Two worlds meet here. NVD writes versions as vendors print them (`2.8.123e`, `5.3.0.RELEASE`,
`8.2p1`, `15.02.0986.022`, `2022-01-15`) with no scheme attached, so `compare` orders them with
one generic rule. Package ecosystems have real schemes (PEP 440, Maven, Debian...) whose rules
univers already implements, so `in_vers` hands those to univers and never second-guesses them.

Why a tokenizer of our own for NVD: univers' `GenericVersion` compares the raw strings
(`2.8.123e` < `2.8.75`, `1.10` < `1.9`), and its `generic` vers scheme uses `SemverVersion`, which
puts `1.1.1f` and `8.2p1` below `1.1.1` and `8.2` and `5.3.0.M1` above `5.3.0`. `MavenVersion`
comes closest but still ranks `5.3.0.RELEASE` above `5.3.0`, and its other rules are Maven's.

The generic rule, in the spirit of repology's libversion: lower-case, drop a leading `v`, split
into numeric and alphabetic runs (everything else separates: `.`, `-`, `_`, `+`, `~`, `(`...).
Numbers compare as integers (`0986` = `986`); zeros ending a numeric run are dropped (`1.0` =
`1.0.0`, `1.0-rc1` = `1.0.0-rc1`). Words rank, from low to high: pre-releases (`dev` = `snapshot`
< `alpha` < `beta` < `milestone` < `pre` = `preview` < `rc` = `cr`), then the end of the version,
then any other word (post-release letters: OpenSSL's `1.1.1f`, OpenSSH's `8.2p1`, `sp2`), then
numbers. `release`, `final` and `ga` are ignored. A lone `a`, `b` or `m` directly followed by a
number is `alpha`, `beta` or milestone (`2.0b3`, `5.3.0.M1`); at the end it is a letter
(`1.0.2a`, `1.0.2m` are OpenSSL releases after `1.0.2`). A version that does not start with a
digit (`*`, `-`, `latest`, `beta2`) has no place in that order: comparing it gives None.
"""

from __future__ import annotations

import functools
import operator
import re
from typing import Any, Final

from univers.gem import InvalidRequirementError
from univers.nuget import InvalidNuGetVersion
from univers.version_constraint import InvalidConstraintsError
from univers.version_range import RANGE_CLASS_BY_SCHEMES, InvalidVersionRange, VersionRange

from canhgac.exposure.matching.logic import Tri, all_of

MAX_VERSION_LENGTH: Final = 128  # NVD's longest are about 40; longer text is not a version
CACHE_SIZE: Final = 1 << 16  # distinct versions of one matching run; a few MB at most

_PRE, _END, _POST, _NUMBER = 0, 1, 2, 3  # token ranks; each token is the pair (rank, value)
_PRE_RELEASES: Final = {
    "dev": 0, "snapshot": 0, "alpha": 1, "beta": 2, "milestone": 3,
    "pre": 4, "preview": 4, "rc": 5, "cr": 5,
}  # fmt: skip
_BEFORE_NUMBER: Final = {"a": "alpha", "b": "beta", "m": "milestone"}  # `2.0b3`, `5.3.0.M1`
_RELEASE_WORDS: Final = frozenset({"release", "final", "ga"})
_TOKEN = re.compile(r"[0-9]+|[a-z]+")

# univers raises these on versions and ranges it cannot read: InvalidVersion is a ValueError,
# TypeError when a range holds versions it cannot order, InvalidConstraintsError (found by the
# property test) on a constraint sequence no vers validation caught, gem's
# InvalidRequirementError (an AttributeError) from its requirement parser.
_UNIVERS_ERRORS: Final = (
    ValueError,
    TypeError,
    InvalidVersionRange,
    InvalidNuGetVersion,
    InvalidConstraintsError,
    InvalidRequirementError,
)
# Purl types named differently from their univers scheme.
_PURL_TYPE_ALIASES: Final = {"alpine": "apk"}
# univers schemes that are no purl type: vers-only schemes, and `generic`, whose purls carry
# free-text versions that univers would read as semver.
_NOT_PURL_TYPES: Final = frozenset(
    {"all", "none", "generic", "intdot", "datetime", "lexicographic"}
    | {"apache", "mozilla", "nginx", "openssl", "mattermost"}
)
_APK_RELEASE = re.compile(r"-r[0-9]+$")

_Key = tuple[int | str, ...]  # flat (rank, value) pairs


@functools.lru_cache(maxsize=CACHE_SIZE)
def sort_key(text: str) -> _Key | None:
    """The sort key of an NVD version (flat rank/value pairs, so tuples compare natively and
    fast); None when it cannot be placed in the order (see the module docstring)."""
    text = text.strip().lower()
    if text[:1] == "v":
        text = text[1:]
    if not text.isascii() or len(text) > MAX_VERSION_LENGTH or not text[:1].isdigit():
        return None
    tokens = _TOKEN.findall(text)
    key: list[int | str] = []
    zeros = 0  # zeros seen in the current numeric run, kept only if a non-zero number follows
    for index, token in enumerate(tokens):
        if token.isdigit():
            number = int(token)
            if number == 0:
                zeros += 1
            else:
                key += [_NUMBER, 0] * zeros + [_NUMBER, number]
                zeros = 0
            continue
        if token in _RELEASE_WORDS:
            continue
        zeros = 0
        if token in _BEFORE_NUMBER and index + 1 < len(tokens) and tokens[index + 1].isdigit():
            token = _BEFORE_NUMBER[token]
        rank = _PRE_RELEASES.get(token)
        key += [_POST, token] if rank is None else [_PRE, rank]
    key += [_END, 0]
    return tuple(key)


def compare(left: str, right: str) -> int | None:
    """Order two NVD versions: negative, 0 or positive; None when either cannot be ordered
    (empty, `*`, `-`, not starting with a digit, not ASCII, or absurdly long)."""
    left_key, right_key = sort_key(left), sort_key(right)
    if left_key is None or right_key is None:
        return None
    return (left_key > right_key) - (left_key < right_key)


def within_bounds(
    version: str,
    *,
    start_including: str = "",
    start_excluding: str = "",
    end_including: str = "",
    end_excluding: str = "",
) -> Tri:
    """Whether `version` satisfies an NVD cpeMatch's version bounds (an empty bound is none).

    Kleene AND of the bounds: NO as soon as one is violated, even if another cannot be
    compared; UNKNOWN when a bound cannot be compared (or the version is empty, `*` or `-`).
    With no bounds at all the criterion names its versions in the CPE itself: YES.
    """
    checks = (
        (start_including, operator.ge),
        (start_excluding, operator.gt),
        (end_including, operator.le),
        (end_excluding, operator.lt),
    )
    results = []
    for bound, accepts in checks:
        if bound:
            order = compare(version, bound)
            results.append(Tri.UNKNOWN if order is None else Tri.of(accepts(order, 0)))
    return all_of(results)


def scheme_for_purl_type(purl_type: str) -> str | None:
    """The univers versioning scheme of a package-URL type; None when univers has none for it
    (pub, swift, generic...), so the caller falls back to NVD-style `compare`.

    The vers specification names schemes after purl types, so univers' own
    `RANGE_CLASS_BY_SCHEMES` is the mapping, less the schemes that are no package type.
    """
    scheme = purl_type.strip().lower()
    scheme = _PURL_TYPE_ALIASES.get(scheme, scheme)
    if scheme in _NOT_PURL_TYPES or scheme not in RANGE_CLASS_BY_SCHEMES:
        return None
    return scheme


@functools.lru_cache(maxsize=CACHE_SIZE)
def _range(vers: str) -> Any:
    """A univers VersionRange, or None when univers cannot read `vers` or its constraints are
    no valid vers sequence (`<1|<2`: univers' containment test assumes a valid one)."""
    try:
        return VersionRange.from_string(vers, validate=True)  # type: ignore[no-untyped-call]  # univers leaves it unannotated
    except _UNIVERS_ERRORS:
        return None


@functools.lru_cache(maxsize=CACHE_SIZE)
def _version(scheme: str, version: str) -> Any:
    """A univers Version of `scheme`, or None when it is not a valid one."""
    version_class: Any = RANGE_CLASS_BY_SCHEMES[scheme].version_class
    try:
        return version_class(version)
    except _UNIVERS_ERRORS:
        return None


def in_vers(version: str, vers: str, *, scheme: str) -> Tri:
    """Whether `version`, written in `scheme`, lies in the vers range `vers` (univers decides).

    UNKNOWN, never a guess, when the range is of another scheme than the version (a Debian
    version against a PyPI range is no evidence either way), or when univers cannot read one.
    """
    version_range = _range(vers)
    if version_range is None or version_range.scheme != scheme:
        return Tri.UNKNOWN
    parsed = _version(scheme, version)
    if parsed is None:
        return Tri.UNKNOWN
    try:
        return Tri.of(bool(version_range.contains(parsed)))
    except _UNIVERS_ERRORS:
        return Tri.UNKNOWN


def upstream_version(version: str, *, scheme: str) -> str:
    """The upstream part of a distribution package's version, to compare with NVD's versions.

    deb and rpm: drop the epoch (`1:`) and the packaging revision (after the last `-`), then
    anything after `+` (repacks, builds: `+dfsg`, `+9`) or after a `~` that opens no
    pre-release (`~20.04`, `~git2021`); a `~rc1` stays, since `compare` reads it as a
    pre-release. Debian's `2.0+really1.5` is upstream 1.5. apk: drop the `-rN` release.
    Other schemes: the version unchanged.

    Distributions backport fixes without changing the upstream version, so `1.1.1f-1ubuntu2.12`
    may be fixed although 1.1.1f is not: a match on this part is weaker evidence, which the
    caller records as lower confidence.
    """
    if scheme == "apk":
        return _APK_RELEASE.sub("", version)
    if scheme not in ("deb", "rpm"):
        return version
    epoch, colon, rest = version.partition(":")
    upstream = rest if colon and epoch.isdigit() else version
    upstream = upstream.rpartition("-")[0] or upstream
    if "+really" in upstream:
        upstream = upstream.partition("+really")[2]
    upstream = upstream.partition("+")[0]
    head, tilde, tail = upstream.partition("~")
    if tilde and not _opens_pre_release(tail):
        upstream = head
    return upstream


def _opens_pre_release(text: str) -> bool:
    tokens = _TOKEN.findall(text.lower())
    return bool(tokens) and (tokens[0] in _PRE_RELEASES or tokens[0] in _BEFORE_NUMBER)


CACHED = (sort_key, _range, _version)  # the caches above (emptied by benchmarks measuring cold)
