"""`canhgac exposure match` and `canhgac findings list|explain|triage`."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from canhgac.cli.bootstrap import setup_django
from canhgac.cli.output import OutputFormat, console, emit, parse_day

exposure_app = typer.Typer(
    help="Match the inventory against the advisory knowledge base.", no_args_is_help=True
)
findings_app = typer.Typer(help="Findings: list, explain, triage.", no_args_is_help=True)

Output = Annotated[
    OutputFormat, typer.Option("--format", "-f", case_sensitive=False, help="table, json or csv.")
]
LIST_COLUMNS = [
    "id",
    "unit",
    "asset",
    "vulnerability",
    "matched",
    "state",
    "status",
    "confidence",
    "priority",
    "due",
]


@exposure_app.command("match")
def exposure_match(
    unit: Annotated[str, typer.Option(help="Only this unit (and its sub-units), by code.")] = "",
    full: Annotated[
        bool, typer.Option("--full", help="Rebuild: re-match every asset, changed or not.")
    ] = False,
    fmt: Output = OutputFormat.TABLE,
) -> None:
    """Match assets against every advisory and reconcile their findings.

    Without --full only what changed since the last successful run of the same scope is
    matched again (assets whose inventory changed, advisories that changed); the first run of
    a scope is always full."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.accounts.models import Unit
    from canhgac.core.exceptions import NotFoundError
    from canhgac.exposure.services.matching import exposure_match_changes

    target = None
    if unit:
        target = Unit.objects.filter(code=unit).first()
        if target is None:
            raise NotFoundError(f"unknown unit '{unit}'")
    runs = exposure_match_changes(by=SystemActor.cli(), unit=target, full=full)
    rows = [{"scope": run.scope, "status": run.status, **run.counts} for run in runs]
    if not rows and fmt is OutputFormat.TABLE:
        console.print("Nothing changed since the last run: no matching needed (--full rebuilds).")
        return
    emit(
        rows,
        ["scope", "assets", "verdicts", "new", "reopened", "closed", "unchanged", "seconds"],
        fmt,
        title="Matching",
    )


def _matched(item: dict[str, Any]) -> str:
    matched = item["matched"]
    return f"{matched['kind']}: {matched['name']} {matched['version']}".strip()


@findings_app.command("list")
def findings_list(
    unit: Annotated[str, typer.Option(help="Unit code (with its sub-units).")] = "",
    cve: Annotated[str, typer.Option(help="A CVE id.")] = "",
    asset: Annotated[str, typer.Option(help="An asset key.")] = "",
    status: Annotated[
        str, typer.Option(help="A status, or 'active' (open, in remediation, mitigated).")
    ] = "",
    min_priority: Annotated[str, typer.Option(help="P1, P2, P3 or P4 (and higher).")] = "",
    kev: Annotated[bool, typer.Option("--kev", help="Known exploited only.")] = False,
    warned: Annotated[bool, typer.Option("--warned", help="Cited by a warning letter.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Past their due date.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many rows (0: all).")] = 0,
    fmt: Output = OutputFormat.TABLE,
) -> None:
    """Findings, highest priority first."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.exposure.selectors import (
        FindingFilter,
        finding_filter,
        finding_item,
        finding_list_for_user,
    )

    if min_priority and min_priority.upper() not in {"P1", "P2", "P3", "P4"}:
        raise typer.BadParameter("P1, P2, P3 or P4", param_hint="--min-priority")
    findings = finding_filter(
        finding_list_for_user(user=SystemActor.cli()),
        FindingFilter(
            unit=unit,
            cve=cve,
            asset=asset,
            status=status,
            min_priority=min_priority.upper(),
            kev=kev,
            warned=warned,
            overdue=overdue,
        ),
    ).order_by("-priority_score", "due_date", "pk")
    if limit:
        findings = findings[:limit]
    items = [finding_item(finding) for finding in findings]
    if fmt is OutputFormat.JSON:
        emit(items, LIST_COLUMNS, fmt)
        return
    rows = [{**item, "matched": _matched(item)} for item in items]
    emit(rows, LIST_COLUMNS, fmt, title="Findings")


def _finding(finding_id: int) -> Any:
    from canhgac.accounts.actors import SystemActor
    from canhgac.exposure.selectors import finding_get_for_user

    return finding_get_for_user(user=SystemActor.cli(), finding_id=finding_id)


@findings_app.command("explain")
def findings_explain(
    finding_id: Annotated[int, typer.Argument(help="The finding's id.")],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", case_sensitive=False, help="table or json.")
    ] = OutputFormat.TABLE,
) -> None:
    """Why the finding exists, why its priority, where its due date comes from, its history."""
    setup_django()
    from canhgac.exposure.explanations import priority_factor
    from canhgac.exposure.selectors import finding_detail

    detail = finding_detail(_finding(finding_id))
    if fmt is not OutputFormat.TABLE:
        sys.stdout.write(json.dumps(detail, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    console.print(
        f"[bold]#{detail['id']} {detail['vulnerability']}[/bold] on {detail['asset']} "
        f"({detail['unit']}): {_matched(detail)}"
    )
    console.print(
        f"{detail['state']}, {detail['status']}; rule: {detail['rule_name']} "
        f"({detail['source']}), confidence {detail['confidence']}"
    )
    for reason in detail["reasons"]:
        console.print(f"  • {reason['text']}")
    console.print(
        f"priority {detail['priority']} = {detail['priority_score']} "
        f"(formula {detail['priority_formula']}):"
    )
    for part in detail["priority_breakdown"]:
        console.print(
            f"  {part['points']:+6.1f}  {priority_factor(part['factor'])} ({part['value']})"
        )
    if detail["due"]:
        console.print(f"due {detail['due']} ({detail['due_reason']})")
    for event in detail["history"]:
        console.print(f"  {event['at'][:16]} {event['kind']} {event['from']}→{event['to']}")


@findings_app.command("triage")
def findings_triage(
    finding_ids: Annotated[list[int], typer.Argument(help="One or more finding ids.")],
    status: Annotated[
        str,
        typer.Option(
            help="open, in_remediation, mitigated, false_positive, accepted_risk or not_affected."
        ),
    ],
    reason: Annotated[str, typer.Option(help="Why (kept with the decision and audited).")],
    until: Annotated[str | None, typer.Option(help="Accepted risk only: until dd/mm/yyyy.")] = None,
    justification: Annotated[
        str, typer.Option(help="Not affected only: the VEX justification.")
    ] = "",
    any_version: Annotated[
        bool,
        typer.Option("--any-version", help="The decision covers every version of the component."),
    ] = False,
) -> None:
    """Set the status of findings; the decision sticks when the inventory is imported again."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.exposure.services.decisions import findings_triage as triage

    findings = [_finding(finding_id) for finding_id in finding_ids]
    done = triage(
        by=SystemActor.cli(),
        findings=findings,
        status=status,
        reason=reason,
        until=parse_day(until, "--until"),
        justification=justification,
        scope="any_version" if any_version else "version",
    )
    for finding in done:
        console.print(f"#{finding.pk}: {finding.status}")
