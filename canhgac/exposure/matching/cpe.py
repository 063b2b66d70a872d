"""CPE 2.3 names with WFN semantics: parsed once, compared three-valued.

NVD configurations name affected software with CPE 2.3 criteria; the inventory names what runs
with CPEs too (scanners, SBOMs, host agents, sometimes as CPE 2.2 URIs). Both are read into
`CpeName`, the well-formed name (WFN) of NISTIR 7695, and compared by NISTIR 7696 with one change
of reading: where 7696 calls a criterion a superset of an ANY target, we say UNKNOWN, because an
inventory ANY means "not recorded" (no update level known), not "every update".

Values are kept unescaped and lower-cased, which is what callers compare versions on and index
by. A string's unquoted `*` (any run) and `?` (one character; a run of n matches up to n, as in
NIST's reference code) may only stand at its ends, as 7695 allows. A value whose `*` or `?` at
an end was quoted in the source becomes an `Exact`, so `foo\\*` stays a literal star.
"""

from __future__ import annotations

import enum
import functools
import re
import string
from dataclasses import dataclass, replace
from typing import TypeAlias

from canhgac.core.files import cpe22_to_23
from canhgac.exposure.matching.logic import Tri


class Logical(enum.Enum):
    """The WFN logical values: ANY (`*`: any value, or not recorded) and NA (`-`: has none)."""

    ANY = "*"
    NA = "-"


ANY = Logical.ANY
NA = Logical.NA


class Exact(str):
    """A string value whose `*` and `?` are all literal: they were escaped in the source.

    Made only when it matters (a quoted `*`/`?` at an end, where a plain string would read it as
    a wildcard). It compares equal to the plain string; `formatted()` tells the two apart.
    """

    __slots__ = ()


Value: TypeAlias = Logical | str
Chars: TypeAlias = list[tuple[str, bool]]  # (character, quoted) pairs of one component

ATTRIBUTES = (  # in binding order, which also puts the cheap, selective tests first
    "part", "vendor", "product", "version", "update", "edition",
    "language", "sw_edition", "target_sw", "target_hw", "other",
)  # fmt: skip
_WITHOUT_VERSION = tuple(name for name in ATTRIBUTES if name != "version")
_PARTS = frozenset({"a", "o", "h"})
_WORD = frozenset(string.ascii_letters + string.digits)  # never escaped: `\a` is an error
_BARE = frozenset(string.ascii_letters + string.digits + "_.-")  # bound unescaped (7695 §6.2.2)
_WILD = ("*", "?")
_VISIBLE = re.compile(r"[!-~]*")  # printable ASCII but the space: what a CPE name is made of


class CpeError(ValueError):
    """A text that is not a CPE 2.3 formatted string or CPE 2.2 URI; the message says why."""


@dataclass(frozen=True, slots=True)
class CpeName:
    """A well-formed CPE name: eleven attributes, each ANY, NA or a lower-case string.

    Build one with `parse`; a string given directly is read like a parsed one (`*`/`?` at its
    ends are wildcards unless it is an `Exact`) and must not be empty nor the bare `*`.
    """

    part: Value
    vendor: Value
    product: Value
    version: Value
    update: Value
    edition: Value
    language: Value
    sw_edition: Value
    target_sw: Value
    target_hw: Value
    other: Value

    @property
    def product_key(self) -> str:
        """`part:vendor:product` unescaped ("*" for ANY, "-" for NA): what the matcher indexes.

        A colon inside a vendor or product makes two keys collide; the index then only offers
        an extra candidate, which `name_match` refutes.
        """
        return f"{_key(self.part)}:{_key(self.vendor)}:{_key(self.product)}"

    def formatted(self) -> str:
        """The CPE 2.3 formatted string; `parse(name.formatted()) == name`."""
        return "cpe:2.3:" + ":".join(_bind(getattr(self, name)) for name in ATTRIBUTES)


def versionless(name: CpeName) -> CpeName:
    """The name with version and update ANY: one index entry for every release of a product."""
    return replace(name, version=ANY, update=ANY)


@functools.lru_cache(maxsize=1 << 16)
def parse(text: str) -> CpeName:
    """Read a CPE 2.3 formatted string or CPE 2.2 URI (case-insensitive; blanks around ignored).

    Cached because the matcher parses the same criteria and inventory names over and over.
    Unescaped punctuation in a 2.3 string is read as literal, as 7695's unbinding does, so a
    sloppy producer's `foo+bar` still parses; `formatted()` escapes it again.
    """
    text = text.strip()
    if not _VISIBLE.fullmatch(text):
        bad = next(char for char in text if not "!" <= char <= "~")
        raise CpeError(f"invalid character {bad!r} in CPE name {text!r}")
    text = text.lower()
    if text.startswith("cpe:2.3:") and (plain := _plain(text)) is not None:
        return plain
    if text.startswith("cpe:2.3:"):
        components = _split_formatted(text)
    elif text.startswith("cpe:/"):
        components = _split_uri(text)
    else:
        raise CpeError(f"not a CPE name (expected 'cpe:2.3:' or 'cpe:/'): {text!r}")
    values = [_value(name, chars) for name, chars in zip(ATTRIBUTES, components, strict=True)]
    if values[0] is not ANY and values[0] not in _PARTS:
        raise CpeError(f"invalid part {_bind(values[0])!r} (expected 'a', 'o', 'h' or '*')")
    return CpeName(*values)


def literal_key(text: str) -> str:
    """`part:vendor:product` of a CPE 2.3 formatted string as written, lower-cased; "" when it
    has escapes or is not 13 components. Equal to a literal criterion's key, the names agree
    on all three without parsing (anything else goes through `parse`)."""
    if "\\" in text:
        return ""
    parts = text.lower().split(":")
    return ":".join(parts[2:5]) if len(parts) == 13 and parts[1] == "2.3" else ""


def _plain(text: str) -> CpeName | None:
    """The common case fast (no escapes, no wildcards, a known part): None for the rest."""
    if "\\" in text or "?" in text:
        return None
    values = text[len("cpe:2.3:") :].split(":")
    if len(values) != len(ATTRIBUTES) or values[0] not in _PARTS or "" in values:
        return None
    named: list[Value] = []
    for value in values:
        if value == "*":
            named.append(ANY)
        elif value == "-":
            named.append(NA)
        elif "*" in value:
            return None
        else:
            named.append(value)
    return CpeName(*named)


def _split_formatted(text: str) -> list[Chars]:
    components: list[Chars] = [[]]
    chars = iter(text[len("cpe:2.3:") :])
    for char in chars:
        if char == ":":
            components.append([])
        elif char == "\\":
            quoted = next(chars, "")
            if not quoted or quoted in _WORD:
                raise CpeError(f"bad escape '\\{quoted}' in {text!r}: only punctuation is escaped")
            components[-1].append((quoted, True))
        else:
            components[-1].append((char, False))
    if len(components) != len(ATTRIBUTES):
        raise CpeError(f"CPE 2.3 name has {len(components) + 2} components, expected 13")
    return components


def _split_uri(text: str) -> list[Chars]:
    """A 2.2 URI through `cpe22_to_23`, then what it leaves: percent codes and packed editions."""
    if text.count(":") > 7:
        raise CpeError(f"CPE 2.2 URI has {text.count(':')} components, expected at most 7")
    components = cpe22_to_23(text)[len("cpe:2.3:") :].split(":")
    edition = components[5]
    if edition.startswith("~"):  # 7695 §6.1.3.3: ~edition~sw_edition~target_sw~target_hw~other
        packed = edition.split("~")
        if len(packed) != 6:
            raise CpeError(f"packed edition {edition!r} in CPE 2.2 URI needs five '~'")
        components[5], components[7:] = packed[1] or "*", [value or "*" for value in packed[2:]]
    return [_uri_chars(component) for component in components]


def _uri_chars(component: str) -> Chars:
    """%01 and %02 are the wildcards `?` and `*`; any other %xx is a literal character."""
    if component in ("*", "-"):  # ANY (cpe22_to_23 writes an empty component so) and NA
        return [(component, False)]
    head, *pieces = component.split("%")
    chars: Chars = [(char, True) for char in head]
    for piece in pieces:
        code = piece[:2]
        if len(code) != 2 or not set(code) <= set(string.hexdigits):
            raise CpeError(f"bad percent-encoding '%{code}' in CPE 2.2 URI part {component!r}")
        if code in ("01", "02"):
            chars.append(("?" if code == "01" else "*", False))
        elif not "!" <= chr(int(code, 16)) <= "~":
            raise CpeError(f"invalid character '%{code}' in CPE 2.2 URI part {component!r}")
        else:
            chars.append((chr(int(code, 16)).lower(), True))
        chars.extend((char, True) for char in piece[2:])
    return chars


def _value(name: str, chars: Chars) -> Value:
    if chars in ([("*", False)], [("-", False)]):
        return Logical(chars[0][0])
    if not chars:
        raise CpeError(f"CPE name has an empty {name}")
    value = "".join(char for char, _ in chars)
    shape = "".join(c if not quoted and c in _WILD else "x" for c, quoted in chars)
    lead, trail = _ends(shape)
    if shape.count("*") + shape.count("?") != lead + trail:
        raise CpeError(f"unquoted wildcard inside the {name} {value!r}: allowed only at its ends")
    if _ends(value) == (lead, trail):
        return value
    if lead + trail == 0:
        return Exact(value)
    raise CpeError(f"the {name} {value!r} mixes wildcards with quoted '*' or '?' at its ends")


def _ends(value: str) -> tuple[int, int]:
    """Lengths of the wildcard runs (one `*`, or `?`s) at the start and end of a plain string."""
    lead = 1 if value.startswith("*") else len(value) - len(value.lstrip("?"))
    rest = value[lead:]
    return lead, 1 if rest.endswith("*") else len(rest) - len(rest.rstrip("?"))


def _bind(value: Value) -> str:
    if isinstance(value, Logical):
        return value.value
    lead, trail = (0, 0) if isinstance(value, Exact) else _ends(value)
    stop = len(value) - trail
    body = "".join(char if char in _BARE else "\\" + char for char in value[lead:stop])
    text = value[:lead] + body + value[stop:]
    return "\\-" if text == "-" else text  # a bare "-" would read back as NA


def _key(value: Value) -> str:
    return value.value if isinstance(value, Logical) else value


def attribute_match(criterion: Value, target: Value) -> Tri:
    """Does the criterion's attribute cover the target's? NISTIR 7696's table, read three-valued.

    ANY in the criterion covers everything; ANY in the target is "not recorded", so only ANY
    covers it for sure. NA is covered by NA alone. A string covers a string by wildcard match;
    an inventory string with wildcards (rare) can only be refuted, never confirmed.
    """
    if criterion is ANY:
        return Tri.YES
    if target is ANY:
        return Tri.UNKNOWN
    if isinstance(criterion, Logical) or isinstance(target, Logical):
        return Tri.of(criterion is target)  # what is left of the logical values is NA
    if not _is_pattern(target):
        return Tri.of(_matches(criterion, target))
    if _is_pattern(criterion):
        return Tri.YES if criterion == target else Tri.UNKNOWN
    return Tri.UNKNOWN if _matches(target, criterion) else Tri.NO


def name_match(criterion: CpeName, target: CpeName, *, compare_version: bool = True) -> Tri:
    """Kleene AND of `attribute_match` over the attributes, stopping at the first NO.

    `compare_version=False` leaves the version out, for a caller that compares it with the
    criterion's version bounds and a version scheme rather than as a string.
    """
    result = Tri.YES
    for name in ATTRIBUTES if compare_version else _WITHOUT_VERSION:
        verdict = attribute_match(getattr(criterion, name), getattr(target, name))
        if verdict is Tri.NO:
            return Tri.NO
        if verdict is Tri.UNKNOWN:
            result = Tri.UNKNOWN
    return result


def _is_pattern(value: str) -> bool:
    return not isinstance(value, Exact) and (value[:1] in _WILD or value[-1:] in _WILD)


def _matches(pattern: str, text: str) -> bool:
    if not _is_pattern(pattern):
        return pattern == text
    return _compile(pattern).fullmatch(text) is not None


@functools.lru_cache(maxsize=4096)
def _compile(pattern: str) -> re.Pattern[str]:
    lead, trail = _ends(pattern)
    stop = len(pattern) - trail
    return re.compile(
        _run(pattern[:lead]) + re.escape(pattern[lead:stop]) + _run(pattern[stop:]), re.DOTALL
    )


def _run(wildcards: str) -> str:
    return ".*" if wildcards == "*" else f".{{0,{len(wildcards)}}}" if wildcards else ""


# Package-URL types this module can tell apart from a platform (`apk` is Alpine's package type,
# not an Android application); an ecosystem outside this set never conflicts.
OS_ECOSYSTEMS = frozenset({"deb", "rpm", "apk", "alpm", "ebuild", "opkg"})
KNOWN_ECOSYSTEMS = OS_ECOSYSTEMS | frozenset(
    {"npm", "pypi", "gem", "maven", "composer", "nuget", "golang", "cargo", "conda", "cpan"}
    | {"hex", "pub", "cocoapods", "swift", "cran", "hackage", "conan"}
)


def _runtime(*registries: str) -> frozenset[str]:
    # A language runtime's libraries come from its registry or are repackaged by distributions
    # (python3-requests, node-lodash, ruby-rack, libspring-java), and NVD CPEs name those too.
    return frozenset(registries) | OS_ECOSYSTEMS


# The Grype lesson (anchore/grype#390, #961): a criterion whose target_sw names a platform is a
# plug-in or library *for that platform*; a component from an ecosystem that cannot be that
# platform only shares a name with it. Plug-ins of application platforms come through the
# platform's channel, which inventories report as one type (Jenkins plug-ins are Maven
# artefacts; WordPress, Joomla!, Drupal, TYPO3 and Magento extensions Composer packages), and
# distributions do not package them. Keys are unescaped: `joomla\!` in a criterion is "joomla!".
TARGET_SOFTWARE_ECOSYSTEMS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("node.js", "nodejs"), _runtime("npm")),
    "python": _runtime("pypi", "conda"),
    **dict.fromkeys(("ruby", "rails"), _runtime("gem")),
    "php": _runtime("composer"),
    "perl": _runtime("cpan"),
    "java": _runtime("maven"),
    "go": _runtime("golang"),
    "rust": _runtime("cargo"),
    **dict.fromkeys((".net", ".net_framework", ".net_core"), _runtime("nuget")),
    "kubernetes": _runtime("golang"),  # operators and controllers: Go modules or OS packages
    "jenkins": frozenset({"maven"}),
    **dict.fromkeys(
        ("wordpress", "joomla!", "joomla", "drupal", "typo3", "magento"), frozenset({"composer"})
    ),
    "android": frozenset({"maven"}),  # Android libraries; apps have no package-URL type here
    "iphone_os": frozenset({"cocoapods", "swift"}),
}


def target_software_conflict(criterion: CpeName, ecosystem: str) -> bool:
    """True when the criterion's target_sw rules out a component of this package-URL type.

    Only refutes what the table knows on both sides: target_sw ANY, NA, a wildcard or an
    unlisted platform, and an unlisted ecosystem, never conflict (a false negative here would
    hide a vulnerability).
    """
    target_software = criterion.target_sw
    if isinstance(target_software, Logical):
        return False
    allowed = TARGET_SOFTWARE_ECOSYSTEMS.get(target_software)
    kind = ecosystem.lower()
    return allowed is not None and kind in KNOWN_ECOSYSTEMS and kind not in allowed
