"""The hot path (`Compiled`, `Judgements.decide`, `met`) says what `judge` says.

Every criterion of the real NVD samples and a set of hand-written shapes (bounds, exact
versions, any version, NA, update/edition attributes, target software, escapes, wildcards) is
judged against software around its versions, once through the hot path and once through
`judge`; the answers must agree. A refutation (`REFUTED`) agrees with `judge` saying NO or
"names differ" (both report nothing).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from canhgac.exposure.matching import configurations, cpe
from canhgac.exposure.matching.configurations import (
    REFUTED,
    Judgements,
    compile_criterion,
    judge,
)
from canhgac.exposure.matching.configurations import met as real_met
from canhgac.exposure.matching.facts import Criterion, Kind, Software
from canhgac.exposure.matching.logic import Tri
from canhgac.exposure.matching.tests.knowledge import knowledge

SPRING = "cpe:2.3:a:vmware:spring_framework:{}:*:*:*:*:*:*:*"
SHAPES = (
    Criterion(SPRING.format("*"), True, start_including="5.3.0", end_excluding="5.3.18"),
    Criterion(SPRING.format("*"), True, end_including="5.2.19"),
    Criterion(SPRING.format("*"), True, start_excluding="4.0", end_including="4.3.30"),
    Criterion(SPRING.format("5.3.17"), True),
    Criterion(SPRING.format("5.3.17"), False),
    Criterion(SPRING.format("*"), True),
    Criterion(SPRING.format("-"), True),
    Criterion(SPRING.format("5.3.*"), True),
    Criterion(SPRING.format("*"), True, end_excluding="not-a-version"),
    Criterion("cpe:2.3:a:vmware:spring_framework:5.3.17:rc1:*:*:*:*:*:*", True),
    Criterion("cpe:2.3:a:vmware:spring_framework:5.3.17:*:enterprise:*:*:*:*:*", True),
    Criterion("cpe:2.3:a:vmware:spring_framework:*:*:*:*:*:wordpress:*:*", True),
    Criterion("cpe:2.3:a:vmware:spring_framework:*:*:*:*:*:*:x64:*", True, end_excluding="6"),
    Criterion("cpe:2.3:a:vmware:spring_framework:*:*:*:*:*:*:*:*", True, end_excluding="5.3.18"),
    Criterion("cpe:2.3:a:vmware:spring\\_framework:*:*:*:*:*:*:*:*", True, end_excluding="6"),
    Criterion("cpe:2.3:a:vmware:spring*:*:*:*:*:*:*:*:*", True, end_excluding="6"),
    Criterion("CPE:2.3:A:VMware:Spring_Framework:5.3.17:*:*:*:*:*:*:*", True),
)
VERSIONS = ("", "4.0", "4.3.30", "5.2.19", "5.3.0", "5.3.17", "5.3.18", "5.3.17.RELEASE", "6.0.0")


def _software(version: str, text: str, guess: str, mapped: bool, purl: str) -> Software:
    return Software(
        Kind.COMPONENT,
        1,
        "spring-core",
        version=version,
        cpes=(text,),
        purl=purl,
        mapped=mapped,
        version_guess=guess,
    )


def _names(criterion: Criterion) -> list[str]:
    """CPE names a component of the criterion's product might carry: its own product key with
    versions around the criterion's, an update, an escape, another vendor, a CPE with no
    version."""
    name = cpe.parse(criterion.cpe)
    vendor, product = (cpe._key(value) for value in (name.vendor, name.product))
    written = [
        f"cpe:2.3:{cpe._key(name.part)}:{vendor}:{product}:{version or '*'}:*:*:*:*:*:*:*"
        for version in VERSIONS
    ]
    bounds = (
        criterion.start_including,
        criterion.start_excluding,
        criterion.end_including,
        criterion.end_excluding,
        "" if isinstance(name.version, cpe.Logical) else str(name.version),
    )
    written += [
        f"cpe:2.3:{cpe._key(name.part)}:{vendor}:{product}:{bound}:*:*:*:*:*:*:*"
        for bound in bounds
        if bound and "\\" not in bound
    ]
    written += [
        f"cpe:2.3:{cpe._key(name.part)}:{vendor}:{product}:5.3.17:rc1:*:*:*:*:*:*",
        f"cpe:2.3:{cpe._key(name.part)}:{vendor}:{product}:-:*:*:*:*:*:*:*",
        f"cpe:2.3:{cpe._key(name.part)}:{vendor}:{product}\\!:5.3.17:*:*:*:*:*:*:*",
        f"cpe:2.3:{cpe._key(name.part)}:another_vendor:{product}:5.3.17:*:*:*:*:*:*:*",
    ]
    return [text for text in written if _parses(text)]  # the inventory stores valid names


def _parses(text: str) -> bool:
    try:
        cpe.parse(text)
    except cpe.CpeError:
        return False
    return True


def _agree(criterion: Criterion, software: Software, text: str, kind: str) -> None:
    fast = Judgements().of(criterion, software, text, kind)
    slow = judge(criterion, text, software.version, software.version_guess, software.mapped, kind)
    if fast == REFUTED:
        assert slow is None or slow[0] is Tri.NO, (criterion, software, text, slow)
    else:
        assert fast == slow, (criterion, software, text)


def _criteria(samples_dir: Path) -> list[Criterion]:
    found = knowledge(samples_dir)
    from_samples = {
        criterion
        for advisory in found.advisories.values()
        for configuration in advisory.configurations
        for node in configuration.nodes
        for criterion in node.criteria
    }
    return [*SHAPES, *sorted(from_samples, key=lambda criterion: criterion.cpe)]


def test_the_hot_path_agrees_with_judge(samples_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    met_calls = []
    monkeypatch.setattr(
        configurations, "met", lambda *args: met_calls.append(args) or real_met(*args)
    )
    criteria = _criteria(samples_dir)
    assert len(criteria) > len(SHAPES) + 20  # the samples' criteria are in
    checked = 0
    for criterion in criteria:
        for text, version, guess, mapped, purl in itertools.product(
            _names(criterion),
            ("", "5.3.17", "4.3.30", "1.0"),
            ("", "distribution package"),
            (False, True),
            ("", "pkg:maven/org.springframework/spring-core@5.3.17", "pkg:npm/spring@1"),
        ):
            kind = purl.split(":")[1].split("/")[0] if purl else ""
            _agree(criterion, _software(version, text, guess, mapped, purl), text, kind)
            checked += 1
    assert checked > 10_000
    assert len(met_calls) > 1_000  # the hot path's answers were compared, not only judge's


@pytest.mark.parametrize(
    ("criterion", "fast", "meets"),
    [
        (SHAPES[0], True, True),  # bounds on a plain name
        (SHAPES[3], True, True),  # an exact version
        (SHAPES[5], True, True),  # any version: the name decides
        (SHAPES[6], False, False),  # NA
        (SHAPES[7], False, False),  # a wildcard in the version
        (SHAPES[9], True, False),  # an update: refuted by another version, met only by judge
        (SHAPES[11], False, False),  # a target software
        (SHAPES[14], False, False),  # an escape
        (SHAPES[15], True, False),  # a wildcard in the product: refuted by version only
    ],
)
def test_which_criteria_take_the_hot_path(criterion: Criterion, fast: bool, meets: bool) -> None:
    compiled = compile_criterion(criterion)
    assert compiled.fast is fast
    assert bool(compiled.key) is meets
