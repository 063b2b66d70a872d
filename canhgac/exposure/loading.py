"""Load what the matcher reads from the database, set-based: a few queries per run, none per row.

Hosts come with their current components, services and installed KBs. Advisories are loaded
only for the products the hosts run (criteria by product key, ecosystem ranges by package key,
Microsoft fixes by product), so a province with a few thousand distinct products never pulls
the 400,000-CVE base into memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from canhgac.advisories.models import (
    AffectedCriterion,
    CpeDeprecation,
    MsrcAffected,
    MsrcFix,
    MsrcProduct,
    Vulnerability,
)
from canhgac.core.files import cpe_product_key
from canhgac.core.purls import read_purl
from canhgac.core.sequences import chunks
from canhgac.exposure.matching import windows
from canhgac.exposure.matching.candidates import (
    component_software,
    os_software,
    service_software,
)
from canhgac.exposure.matching.facts import (
    Advisory,
    Configuration,
    Criterion,
    Host,
    Kind,
    MicrosoftFix,
    Node,
    PackageRange,
    Software,
)
from canhgac.inventory.models import Asset, Component, InstalledUpdate, Service

CHUNK = 500
GUESSED_SERVICE = 3  # nmap confidence at or below which the service was named from the port


def load_hosts(assets: QuerySet[Asset]) -> list[Host]:
    """The matcher's view of `assets` (current rows only: removed software is not matched)."""
    rows = list(assets.values_list("pk", "os_name", "os_version", "os_build", "os_cpe"))
    ids = [row[0] for row in rows]
    software: dict[int, list[Software]] = defaultdict(list)
    kbs: dict[int, set[str]] = defaultdict(set)
    for part in chunks(ids, CHUNK):
        for pk, asset_id, name, version, cpe, purl in Component.objects.filter(
            asset_id__in=part, removed_at__isnull=True
        ).values_list("pk", "asset_id", "name", "version", "cpe", "purl"):
            software[asset_id].append(
                component_software(pk, name=name, version=version, cpe=cpe, purl=purl)
            )
        for pk, asset_id, product, version, cpes, confidence in Service.objects.filter(
            asset_id__in=part, removed_at__isnull=True
        ).values_list("pk", "asset_id", "product", "version", "cpes", "confidence"):
            if confidence is not None and confidence <= GUESSED_SERVICE and not version:
                continue
            item = service_software(pk, product=product, version=version, cpes=tuple(cpes))
            if item is not None:
                software[asset_id].append(item)
        for asset_id, kb in InstalledUpdate.objects.filter(
            asset_id__in=part, removed_at__isnull=True
        ).values_list("asset_id", "kb"):
            kbs[asset_id].add(windows.normalise_kb(kb))
    hosts = []
    for pk, os_name, os_version, os_build, os_cpe in rows:
        items = software[pk]
        operating_system = os_software(pk, name=os_name, version=os_build or os_version, cpe=os_cpe)
        if operating_system is not None:
            items.append(operating_system)
        hosts.append(
            Host(
                asset=pk,
                software=tuple(items),
                os_name=os_name,
                os_build=os_build,
                os_known=bool(os_name or os_cpe),
                kbs=frozenset(kbs[pk] - {""}),
            )
        )
    return hosts


@dataclass(frozen=True, slots=True)
class Keys:
    """What a set of hosts can match on."""

    products: frozenset[str]  # CPE product keys
    packages: frozenset[str]  # versionless package URLs
    windows: frozenset[str]  # Windows product families the hosts run ("windows server 2019")
    microsoft_software: frozenset[str]  # names of installed Microsoft software


MICROSOFT_SOFTWARE = "microsoft"  # the key of any Microsoft software (names match loosely)


def _host_keys(host: Host, renames: dict[str, str] | None) -> Keys:
    """What one host can match on: CPE product keys (deprecated names with their successors),
    package keys, its Windows family, the names of its Microsoft software."""
    products: set[str] = set()
    packages: set[str] = set()
    microsoft: set[str] = set()
    build = windows.parse_build(host.os_build) if host.os_build else None
    release = windows.os_release(host.os_name, build) if host.os_name else None
    families = {windows.product_family(release).lower()} if release else set()
    for item in host.software:
        for text in item.cpes:
            key = cpe_product_key(text)
            products.update(filter(None, (key, (renames or {}).get(key))))
        package = read_purl(item.purl) if item.purl else None
        if package is not None:
            packages.add(package.key)
        if item.kind is Kind.COMPONENT and "microsoft" in item.name.lower():
            microsoft.add(item.name)
    return Keys(frozenset(products), frozenset(packages), frozenset(families), frozenset(microsoft))


def asset_keys(host: Host, renames: dict[str, str] | None = None) -> set[str]:
    """What one host can match on, as `AssetKey` stores it (Microsoft software as one key: its
    names match MSRC products loosely)."""
    keys = _host_keys(host, renames)
    return (
        set(keys.products | keys.packages)
        | {f"windows:{family}" for family in keys.windows}
        | ({MICROSOFT_SOFTWARE} if keys.microsoft_software else set())
    )


def advisory_keys(vulnerability_ids: Sequence[int]) -> set[str]:
    """What these vulnerabilities can match on: the products and packages their vulnerable
    criteria name, the Windows releases and Microsoft software their fixes are for."""
    keys: set[str] = set()
    for part in chunks(list(vulnerability_ids), CHUNK):
        keys.update(
            AffectedCriterion.objects.filter(vulnerability_id__in=part, vulnerable=True)
            .values_list("product", flat=True)
            .distinct()
        )
        for name in (
            MsrcFix.objects.filter(vulnerability_id__in=part, product__isnull=False)
            .values_list("product__name", flat=True)
            .distinct()
        ):
            family = windows.product_family(name)
            windows_release = family.lower().startswith("windows")
            keys.add(f"windows:{family.lower()}" if windows_release else MICROSOFT_SOFTWARE)
    return keys - {""}


def load_renames(hosts: Iterable[Host]) -> dict[str, str]:
    """Deprecated CPE products the hosts use → their successor, from the CPE dictionary
    (only where the dictionary deprecates the host's exact name for exactly one successor)."""
    names = sorted({text for host in hosts for item in host.software for text in item.cpes})
    renames: dict[str, str] = {}
    for part in chunks(names, CHUNK):
        for name, successors in CpeDeprecation.objects.filter(name__in=part).values_list(
            "name", "deprecated_by"
        ):
            if len(successors) == 1:
                old, new = cpe_product_key(name), cpe_product_key(successors[0])
                if old and new and old != new:
                    renames[old] = new
    return renames


def host_keys(hosts: Iterable[Host], renames: dict[str, str] | None = None) -> Keys:
    """What a set of hosts can match on (the union of each host's keys)."""
    found = [_host_keys(host, renames) for host in hosts]
    return Keys(
        frozenset().union(*(keys.products for keys in found)),
        frozenset().union(*(keys.packages for keys in found)),
        frozenset().union(*(keys.windows for keys in found)),
        frozenset().union(*(keys.microsoft_software for keys in found)),
    )


CRITERION_FIELDS = (
    "vulnerability_id",
    "source",
    "configuration",
    "configuration_operator",
    "configuration_negate",
    "node",
    "node_operator",
    "node_negate",
    "scheme",
    "key",
    "vulnerable",
    "version_start_including",
    "version_start_excluding",
    "version_end_including",
    "version_end_excluding",
    "ecosystem",
    "status",
    "vers",
    "versions",
    "pk",
)


def load_advisories(
    keys: Keys, *, vulnerability_ids: Sequence[int] | None = None
) -> tuple[list[Advisory], list[tuple[str, str]]]:
    """The advisories that can match `keys` (optionally only these vulnerabilities), and the
    KB supersedence edges."""
    wanted = set(vulnerability_ids) if vulnerability_ids is not None else None
    rows = _criteria_rows(keys, wanted)
    fixes = _microsoft_fixes(keys, wanted)
    ids = set(rows) | set(fixes)
    cve_ids: dict[int, str] = {}
    microsoft: dict[int, list[str]] = defaultdict(list)
    for part in chunks(sorted(ids), CHUNK):
        cve_ids.update(Vulnerability.objects.filter(pk__in=part).values_list("pk", "cve_id"))
        for pk, name in MsrcAffected.objects.filter(vulnerability_id__in=part).values_list(
            "vulnerability_id", "product__name"
        ):
            microsoft[pk].append(name)
    advisories = [
        Advisory(
            vulnerability=pk,
            cve_id=cve_ids.get(pk, ""),
            configurations=_configurations(rows.get(pk, ())),
            packages=_packages(rows.get(pk, ())),
            microsoft_fixes=tuple(fixes.get(pk, ())),
            microsoft_products=tuple(sorted(microsoft.get(pk, ()))),
        )
        for pk in sorted(ids)
    ]
    edges = (
        list(
            MsrcFix.objects.exclude(supersedence="")
            .exclude(kb="")
            .values_list("kb", "supersedence")
            .distinct()
        )
        if fixes
        else []
    )
    return advisories, [(kb, old) for kb, text in edges for old in _kbs(text)]


def _kbs(text: str) -> list[str]:
    return [
        kb
        for kb in (windows.normalise_kb(item) for item in text.replace(";", ",").split(","))
        if kb
    ]


def _criteria_rows(keys: Keys, wanted: set[int] | None) -> dict[int, list[tuple]]:  # type: ignore[type-arg]
    """The criterion rows the hosts can meet: those naming one of their products or packages;
    and, for a configuration or node that combines criteria with AND or NOT (platform
    conditions), every row of it. An OR node's other products cannot change a match's verdict,
    so a configuration listing forty Oracle products loads only the one a host runs."""
    found: dict[tuple[int, str, int], list[tuple]] = defaultdict(list)  # type: ignore[type-arg]
    whole: set[tuple[int, str, int]] = set()
    for names in chunks(sorted(keys.products | keys.packages), CHUNK):
        query = AffectedCriterion.objects.filter(product__in=names)
        if wanted is not None:
            query = query.filter(vulnerability_id__in=wanted)
        for row in query.values_list(*CRITERION_FIELDS):
            configuration = (row[0], row[1], row[2])
            found[configuration].append(row)
            if row[3] == "AND" or row[4] or row[6] == "AND" or row[7]:
                whole.add(configuration)
    for part in chunks(sorted({item[0] for item in whole}), CHUNK):
        complete: dict[tuple[int, str, int], list[tuple]] = defaultdict(list)  # type: ignore[type-arg]
        for row in AffectedCriterion.objects.filter(vulnerability_id__in=part).values_list(
            *CRITERION_FIELDS
        ):
            if (row[0], row[1], row[2]) in whole:
                complete[(row[0], row[1], row[2])].append(row)
        found.update(complete)
    by_vulnerability: dict[int, list[tuple]] = defaultdict(list)  # type: ignore[type-arg]
    for configuration, rows in sorted(found.items()):
        by_vulnerability[configuration[0]].extend(sorted(rows, key=_row_order))
    return by_vulnerability


def _row_order(row: tuple) -> tuple[int, int]:  # type: ignore[type-arg]
    return (row[5], row[-1])


def _configurations(rows: Iterable[tuple]) -> tuple[Configuration, ...]:  # type: ignore[type-arg]
    grouped: dict[tuple[str, int], dict[int, list[tuple]]] = {}  # type: ignore[type-arg]
    heads: dict[tuple[str, int], tuple] = {}  # type: ignore[type-arg]
    for row in rows:
        if row[16]:  # a package statement (it has a status), not an NVD configuration
            continue
        key = (row[1], row[2])
        grouped.setdefault(key, {}).setdefault(row[5], []).append(row)
        heads.setdefault(key, row)
    configurations = []
    for key, nodes in grouped.items():
        head = heads[key]
        configurations.append(
            Configuration(
                source=head[1],
                operator=head[3],
                negate=head[4],
                nodes=tuple(
                    Node(
                        operator=items[0][6],
                        negate=items[0][7],
                        criteria=tuple(
                            Criterion(
                                cpe=item[9],
                                vulnerable=item[10],
                                start_including=item[11],
                                start_excluding=item[12],
                                end_including=item[13],
                                end_excluding=item[14],
                            )
                            for item in items
                        ),
                    )
                    for _, items in sorted(nodes.items())
                ),
            )
        )
    return tuple(configurations)


def _packages(rows: Iterable[tuple]) -> tuple[PackageRange, ...]:  # type: ignore[type-arg]
    """Ecosystem ranges: one statement per range row; enumerated versions sit on the first."""
    found = []
    versions_of: dict[tuple[str, int], tuple[str, ...]] = {}
    for row in rows:
        if row[8] != "purl" or not row[16]:
            continue
        if row[18]:
            versions_of[(row[1], row[2])] = tuple(row[18])
        found.append(row)
    return tuple(
        PackageRange(
            source=row[1],
            key=row[9],
            ecosystem=row[15],
            vers=row[17],
            versions=versions_of.get((row[1], row[2]), ()),
            status=row[16] or "affected",
        )
        for row in found
    )


def _microsoft_fixes(keys: Keys, wanted: set[int] | None) -> dict[int, list[MicrosoftFix]]:
    """The fixes of the Microsoft products the hosts run (by Windows family or software name)."""
    if not keys.windows and not keys.microsoft_software:
        return {}
    names = {
        pk: name
        for pk, name in MsrcProduct.objects.values_list("pk", "name")
        if windows.product_family(name).lower() in keys.windows
        or any(windows.product_matches_software(name, item) for item in keys.microsoft_software)
    }
    if not names:
        return {}
    query = MsrcFix.objects.exclude(kb="").filter(product_id__in=list(names))
    if wanted is not None:
        query = query.filter(vulnerability_id__in=wanted)
    found: dict[int, list[MicrosoftFix]] = defaultdict(list)
    for vulnerability_id, product_id, document, kb, sub_type, fixed_build in query.values_list(
        "vulnerability_id", "product_id", "document", "kb", "sub_type", "fixed_build"
    ).distinct():
        found[vulnerability_id].append(
            MicrosoftFix(document, names[product_id], kb, sub_type, fixed_build)
        )
    return found
