"""Matching runs: load the scope, ask the pure matcher, reconcile the findings in one transaction.

Scopes: everything, a unit's subtree, some assets (an inventory import changed them), or some
vulnerabilities (an advisory import changed them). Reconciliation touches only findings inside
the scope: (assets in scope) x (vulnerabilities in scope). A run that fails changes no finding;
a finding is closed only by a run that completed over its asset and vulnerability.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet

from canhgac.accounts.enums import Permission
from canhgac.accounts.models import Unit
from canhgac.accounts.services.common import Actor, audit, require
from canhgac.advisories.models import Attribution, WarningCve
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.core.exceptions import ConflictError
from canhgac.core.sequences import chunks
from canhgac.exposure.enums import (
    RunStatus,
)
from canhgac.exposure.loading import (
    advisory_keys,
    asset_keys,
    host_keys,
    load_advisories,
    load_hosts,
    load_renames,
)
from canhgac.exposure.matching.engine import Knowledge, match_host
from canhgac.exposure.matching.facts import Host, Verdict
from canhgac.exposure.models import AssetKey, Finding, MatchRun
from canhgac.exposure.services.reconcile import Summary, reconcile
from canhgac.exposure.signals import announce
from canhgac.inventory.models import Asset

CHUNK = 500
STALE_RUN = timedelta(hours=2)  # a "running" run older than this died with its process
HOSTS_PER_BATCH = 500  # hosts matched and reconciled together (bounds the verdicts in memory)
NO_REFUTATIONS: frozenset[int] = frozenset()  # the first pass asks for none (see `match_host`)


def _scope_name(
    unit: Unit | None, asset_ids: Sequence[int] | None, vulnerability_ids: Sequence[int] | None
) -> str:
    parts = []
    if unit is not None:
        parts.append(f"unit:{unit.code}")
    if asset_ids is not None:
        parts.append(f"assets:{len(asset_ids)}")
    if vulnerability_ids is not None:
        parts.append(f"vulnerabilities:{len(vulnerability_ids)}")
    return " ".join(parts) or "all"


def _start(by: Actor, scope: str, full: bool) -> MatchRun:
    now = clock.now()
    with transaction.atomic():
        running = MatchRun.objects.select_for_update().filter(
            scope=scope, status=RunStatus.RUNNING, started_at__gte=now - STALE_RUN
        )
        if running.exists():
            raise ConflictError(f"a matching run for '{scope}' is already running")
        return MatchRun.objects.create(
            scope=scope,
            full=full,
            status=RunStatus.RUNNING,
            started_at=now,
            actor=getattr(by, "label", "") or str(by),
        )


def exposure_match(
    *,
    by: Actor,
    unit: Unit | None = None,
    asset_ids: Sequence[int] | None = None,
    vulnerability_ids: Sequence[int] | None = None,
    full: bool = False,
    label: str = "",
) -> MatchRun:
    """Match the scope (a unit's subtree or everything, narrowed to some assets and/or some
    vulnerabilities) and reconcile its findings; returns the run with its counts.

    `label` names the run's scope (default: described from the arguments); `full` is recorded
    to tell a rebuild from an incremental run."""
    require(by, Permission.EXPOSURE_MATCH, unit.pk if unit is not None else None)
    run = _start(by, label or _scope_name(unit, asset_ids, vulnerability_ids), full)
    started = time.perf_counter()
    try:
        assets = _assets(unit, asset_ids)
        if vulnerability_ids is not None and asset_ids is None:
            assets = _candidates(assets, vulnerability_ids)
        hosts = load_hosts(assets)
        renames = load_renames(hosts)
        keys = host_keys(hosts, renames)
        advisories, edges = load_advisories(keys, vulnerability_ids=vulnerability_ids)
        knowledge = Knowledge(advisories, edges, renames)
        by_asset = {host.asset: host for host in hosts}

        def refute(asset_id: int, vulnerabilities: set[int]) -> list[Verdict]:
            """Why the findings the run closes are no longer reported."""
            return match_host(by_asset[asset_id], knowledge, vulnerabilities)

        summary = Summary()
        with transaction.atomic():
            # hosts a batch at a time: the verdicts of a whole province never sit in memory
            for batch in chunks(hosts, HOSTS_PER_BATCH):
                verdicts = [
                    verdict
                    for host in batch
                    for verdict in match_host(host, knowledge, NO_REFUTATIONS)
                ]
                _remember_keys(batch, renames)
                summary.add(
                    reconcile(
                        run,
                        [host.asset for host in batch],
                        verdicts,
                        refute,
                        vulnerability_ids=vulnerability_ids,
                    )
                )
            summary.assets = len(hosts)
            summary.seconds = time.perf_counter() - started
            run.status, run.finished_at, run.counts = RunStatus.OK, clock.now(), summary.as_dict()
            run.save(update_fields=["status", "finished_at", "counts"])
            audit(
                by,
                AuditAction.EXPOSURE_MATCHED,
                unit=unit,
                target=run,
                parameters={"scope": run.scope, "full": full, **summary.as_dict()},
            )
    except Exception as error:
        run.status, run.finished_at, run.error = RunStatus.FAILED, clock.now(), str(error)[:2000]
        run.save(update_fields=["status", "finished_at", "error"])
        raise
    announce(run)
    return run


def exposure_match_changes(
    *, by: Actor, unit: Unit | None = None, full: bool = False
) -> list[MatchRun]:
    """Match what changed since the last successful run of this scope: the assets whose
    inventory changed (against every advisory) and the advisories that changed (against every
    asset). The first run of a scope, or `full`, matches everything."""
    base = _scope_name(unit, None, None)
    last = MatchRun.objects.filter(scope=base, status=RunStatus.OK).order_by("-started_at").first()
    if full or last is None:
        return [exposure_match(by=by, unit=unit, full=True, label=base)]
    since = last.started_at
    assets = list(
        _assets(unit, None)
        .filter(Q(updated_at__gte=since) | Q(last_seen__gte=since))
        .values_list("pk", flat=True)
    )
    # what a source described anew, or a warning letter cites (priority and due dates change)
    vulnerabilities = sorted(
        set(
            Attribution.objects.filter(last_seen__gte=since).values_list(
                "vulnerability_id", flat=True
            )
        )
        | set(
            WarningCve.objects.filter(warning__updated_at__gte=since).values_list(
                "vulnerability_id", flat=True
            )
        )
    )
    runs = []
    if assets:
        runs.append(exposure_match(by=by, unit=unit, asset_ids=assets, label=base))
    if vulnerabilities:
        runs.append(exposure_match(by=by, unit=unit, vulnerability_ids=vulnerabilities, label=base))
    return runs


def _candidates(assets: QuerySet[Asset], vulnerability_ids: Sequence[int]) -> QuerySet[Asset]:
    """The assets these vulnerabilities can concern: those whose keys (as their last run saw
    them) the advisories name, and those that already have a finding of them."""
    found: set[int] = set()
    for keys in chunks(sorted(advisory_keys(vulnerability_ids)), CHUNK):
        found.update(AssetKey.objects.filter(key__in=keys).values_list("asset_id", flat=True))
    for ids in chunks(list(vulnerability_ids), CHUNK):
        found.update(
            Finding.objects.filter(vulnerability_id__in=ids).values_list("asset_id", flat=True)
        )
    return assets.filter(pk__in=sorted(found))


def _remember_keys(hosts: Sequence[Host], renames: dict[str, str]) -> None:
    """Store what each matched host can match on; only the differences are written."""
    stored: dict[tuple[int, str], int] = {}
    for part in chunks([host.asset for host in hosts], CHUNK):
        stored.update(
            ((asset, key), pk)
            for pk, asset, key in AssetKey.objects.filter(asset_id__in=part).values_list(
                "pk", "asset_id", "key"
            )
        )
    wanted = {(host.asset, key[:512]) for host in hosts for key in asset_keys(host, renames)}
    gone = [pk for pair, pk in stored.items() if pair not in wanted]
    for part in chunks(gone, CHUNK):
        AssetKey.objects.filter(pk__in=part).delete()
    AssetKey.objects.bulk_create(
        (AssetKey(asset_id=asset, key=key) for asset, key in sorted(wanted - stored.keys())),
        batch_size=2000,
    )


def _assets(unit: Unit | None, asset_ids: Sequence[int] | None) -> QuerySet[Asset]:
    assets = Asset.objects.all()
    if unit is not None:
        assets = assets.filter(unit__path__startswith=unit.path)
    if asset_ids is not None:
        assets = assets.filter(pk__in=list(asset_ids))
    return assets.order_by("pk")
