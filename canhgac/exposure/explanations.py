"""Explanations in words: the matcher's reason codes as sentences a unit officer understands.

The matcher stores codes with values (`{"code": "build_below_fix", "kb": "KB5012647", ...}`);
this module turns them into translated sentences (Vietnamese first) for the web, the API and
the CLI. An unknown code is shown with its values rather than dropped.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _


def _templates() -> dict[str, str]:
    return _templates_in(get_language() or "")


@functools.lru_cache(maxsize=8)
def _templates_in(language: str) -> dict[str, str]:
    """The sentences in `language` (the active one, which gettext reads): built once per
    language, not once per reason of every row of a findings page."""
    return {
        "cpe_match": _(
            "The inventory names the product %(cpe)s, which the advisory criterion "
            "%(criterion)s covers."
        ),
        "cpe_mapped": _(
            "The package was recognised as %(cpe)s (canhgac's table of known "
            "packages), which the advisory criterion %(criterion)s covers."
        ),
        "cpe_renamed": _("The product name %(old)s is deprecated; it was matched as %(new)s."),
        "cpe_attribute_unknown": _(
            "The inventory does not say every detail the criterion "
            "%(criterion)s asks for (e.g. the update level)."
        ),
        "version_in_range": _("Version %(version)s is in the affected range %(range)s."),
        "version_outside_range": _("Version %(version)s is outside the affected range %(range)s."),
        "version_not_comparable": _(
            "Version %(version)s cannot be compared with the affected range %(range)s."
        ),
        "version_equal": _("Version %(version)s is the affected version (%(range)s)."),
        "version_different": _("Version %(version)s is not the affected version (%(range)s)."),
        "version_unknown": _(
            "The inventory does not give the version; the advisory affects %(range)s."
        ),
        "version_listed": _("Version %(version)s is listed as affected."),
        "version_not_listed": _("Version %(version)s is not among the affected versions."),
        "any_version": _("Every version is affected (version %(version)s here)."),
        "version_not_applicable": _("The criterion applies to the product without a version."),
        "version_guess": _(
            "The version is only an estimate (%(why)s): the vendor may have "
            "back-ported the fix, so check the package changelog."
        ),
        "platform_holds": _(
            "The required platform holds: %(criterion)s — %(software)s %(version)s is installed."
        ),
        "platform_fails": _(
            "The required platform does not hold: %(criterion)s — %(software)s "
            "%(version)s is installed."
        ),
        "platform_unknown": _(
            "The required platform %(criterion)s cannot be decided from %(software)s %(version)s."
        ),
        "platform_not_in_inventory": _(
            "The advisory needs the platform %(criterion)s, which the "
            "inventory does not list: check the host."
        ),
        "platform_absent": _("The required platform %(criterion)s is not on this host."),
        "package_match": _("The package %(package)s is named by the advisory (%(ecosystem)s)."),
        "product_status": _('The advisory gives the status "%(status)s" for this product.'),
        "release_unknown": _(
            "The advisory is for release %(release)s; the inventory does not "
            "say which release the package comes from."
        ),
        "build_below_fix": _(
            "%(product)s: installed build %(installed)s is older than "
            "%(fixed)s, the build of the fixing update %(kb)s."
        ),
        "build_has_fix": _(
            "%(product)s: installed build %(installed)s already contains update "
            "%(kb)s (build %(fixed)s)."
        ),
        "build_unknown": _(
            "%(product)s: the installed build (%(installed)s) does not say its "
            "revision and no installed update is known; the fix is %(kb)s "
            "(build %(fixed)s)."
        ),
        "kb_missing": _(
            "%(product)s: the fixing update %(kb)s is not installed, nor any update "
            "that replaces it."
        ),
        "kb_installed": _("%(product)s: the fixing update %(installed)s is installed."),
        "kb_superseded": _(
            "%(product)s: update %(installed)s is installed, which replaces the "
            "fixing update %(kb)s."
        ),
        "kb_list_unknown": _(
            "%(product)s: the fix is %(kb)s, but the inventory lists no "
            "installed updates for this host."
        ),
        "kb_none": _("%(product)s: Microsoft lists no update for this vulnerability yet."),
        "microsoft_not_listed": _(
            "Microsoft lists no update of this vulnerability for %(release)s: not affected."
        ),
        "microsoft_data_missing": _(
            "Microsoft's update data for this vulnerability is not "
            "loaded: a security update may already be installed."
        ),
    }


def sentence(item: Mapping[str, Any]) -> str:
    values = {key: value for key, value in item.items() if key != "code"}
    template = _templates().get(str(item.get("code", "")))
    if template is None:
        return f"{item.get('code', '?')}: " + ", ".join(f"{k}={v}" for k, v in values.items())
    try:
        return template % _Missing(values)
    except (TypeError, ValueError):
        return f"{item.get('code')}: {values}"


class _Missing(dict[str, Any]):
    """Values for a template; a missing one reads as "?" rather than failing."""

    def __missing__(self, key: str) -> str:
        return "?"


def sentences(explanation: Iterable[Mapping[str, Any]]) -> list[str]:
    return [sentence(item) for item in explanation]


def rule_name(rule: str) -> str:
    names = {
        "cpe": _("NVD configuration (CPE)"),
        "package": _("Package advisory (OSV / CSAF)"),
        "windows_build": _("Windows build against the fixed build"),
        "microsoft_kb": _("Installed Microsoft updates (KB)"),
    }
    return names.get(rule, rule)


def priority_factor(factor: str) -> str:
    names = {
        "cvss": _("CVSS base score"),
        "epss": _("EPSS percentile"),
        "kev": _("In CISA's Known Exploited Vulnerabilities"),
        "warning": _("Cited by a warning letter"),
        "exploit": _("Exploitation or public exploit reported"),
        "internet": _("Reachable from the Internet"),
        "level": _("Security level of the system"),
        "criticality": _("Asset criticality"),
        "potential": _("Only potentially affected"),
    }
    return names.get(factor, factor)


def due_reason(reason: str) -> str:
    kind, _separator, value = reason.partition(":")
    if kind == "sla":
        return _("deadline policy for %(priority)s") % {"priority": value}
    if kind == "warning":
        return _("warning letter %(number)s") % {"number": value}
    if kind == "kev":
        return _("CISA KEV due date")
    return reason
