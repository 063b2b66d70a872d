"""Ecosystem advisories (OSV, CSAF) on package URLs: the ecosystem's own version scheme decides.

A statement for another release of a distribution ("Ubuntu:22.04") says nothing about this
package's versions; a package without its release qualifier makes the verdict potential.
"""

from __future__ import annotations

from collections.abc import Iterable

from canhgac.core.purls import read_purl
from canhgac.exposure.matching import versions
from canhgac.exposure.matching.facts import (
    Advisory,
    Host,
    PackageRange,
    Rule,
    Software,
    State,
    Verdict,
    reason,
)
from canhgac.exposure.matching.knowledge import Knowledge
from canhgac.exposure.matching.logic import Tri
from canhgac.exposure.matching.verdicts import make_verdict

ACTIVE_STATUSES = ("affected", "known_affected", "first_affected", "last_affected")
UNDECIDED_STATUSES = ("under_investigation",)


def package_verdicts(host: Host, knowledge: Knowledge) -> Iterable[Verdict]:
    for software in host.software:
        package = read_purl(software.purl) if software.purl else None
        if package is None or not package.version:
            continue
        for advisory, statement in knowledge.by_package.get(package.key, ()):
            verdict = _package_verdict(host, advisory, software, statement)
            if verdict is not None:
                yield verdict


def _package_verdict(
    host: Host, advisory: Advisory, software: Software, statement: PackageRange
) -> Verdict | None:
    package = read_purl(software.purl)
    if package is None:
        return None
    release = _release(statement.ecosystem)
    if release and package.distro and not _same_release(release, package.distro):
        return None  # another distribution release's advisory: its versions mean other things
    scheme = versions.scheme_for_purl_type(package.type) or ""
    if package.version in statement.versions:
        inside, why = Tri.YES, reason("version_listed", version=package.version)
    elif statement.vers:
        inside = versions.in_vers(package.version, statement.vers, scheme=scheme)
        code = {Tri.YES: "version_in_range", Tri.NO: "version_outside_range"}.get(
            inside, "version_not_comparable"
        )
        why = reason(code, version=package.version, range=statement.vers)
    elif statement.versions:
        inside, why = Tri.NO, reason("version_not_listed", version=package.version)
    else:
        return None
    if inside is Tri.NO:
        state = State.NOT_AFFECTED
    elif statement.status in ACTIVE_STATUSES:
        state = State.AFFECTED if inside is Tri.YES else State.POTENTIAL
    elif statement.status in UNDECIDED_STATUSES:
        state = State.POTENTIAL
    else:  # fixed, known_not_affected, ...: the vendor says this version is not affected
        state = State.NOT_AFFECTED
    reasons = [reason("package_match", package=package.key, ecosystem=statement.ecosystem), why]
    if statement.status not in ("", "affected"):
        reasons.append(reason("product_status", status=statement.status))
    if release and not package.distro:
        reasons.append(reason("release_unknown", release=release))
        state = State.POTENTIAL if state is State.AFFECTED else state
    return make_verdict(
        host,
        advisory,
        software,
        state=state,
        rule=Rule.PACKAGE,
        source=statement.source,
        reasons=reasons,
    )


def _release(ecosystem: str) -> str:
    """ "Ubuntu:20.04:LTS" → "20.04"; "" for ecosystems without releases."""
    parts = ecosystem.split(":")
    return parts[1] if len(parts) > 1 else ""


def _same_release(release: str, distro: str) -> bool:
    """The purl `distro` qualifier ("ubuntu-20.04", "bookworm", "debian-12") names the release."""
    return distro.lower().endswith(release.lower())
