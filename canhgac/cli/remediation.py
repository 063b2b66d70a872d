"""`canhgac warnings forward|proposals|cascade`, `canhgac tasks …`."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from canhgac.cli.bootstrap import setup_django
from canhgac.cli.output import OutputFormat, console, emit, parse_day

warnings_app = typer.Typer(
    help="Warning letters: forward to the units, see who received them.", no_args_is_help=True
)
tasks_app = typer.Typer(
    help="Remediation tasks: list, show, acknowledge, declare, escalate.", no_args_is_help=True
)

Output = Annotated[
    OutputFormat, typer.Option("--format", "-f", case_sensitive=False, help="table, json or csv.")
]
TASK_COLUMNS = ["id", "letter", "unit", "status", "hosts", "settled", "unverified", "due"]
LINE_COLUMNS = ["id", "revision", "asset", "system", "status", "verification", "matched", "due"]


def _letter(number: str) -> Any:
    from canhgac.advisories.models import WarningLetter
    from canhgac.core.exceptions import NotFoundError

    letter = WarningLetter.objects.filter(number=number).first()
    if letter is None:
        raise NotFoundError(f"no warning letter numbered '{number}'")
    return letter


def _day(text: str, option: str) -> date:
    day = parse_day(text, option)
    if day is None:
        raise typer.BadParameter("a date is required (dd/mm/yyyy)", param_hint=option)
    return day


def _units(codes: str) -> list[Any]:
    from canhgac.accounts.models import Unit
    from canhgac.core.exceptions import NotFoundError

    wanted = [code.strip() for code in codes.split(",") if code.strip()]
    found = {unit.code: unit for unit in Unit.objects.filter(code__in=wanted)}
    for code in wanted:
        if code not in found:
            raise NotFoundError(f"unknown unit '{code}'")
    return [found[code] for code in wanted]


def _flat(item: dict[str, Any]) -> dict[str, Any]:
    progress = item["progress"]
    return {
        **item,
        "hosts": progress["hosts"],
        "settled": progress["settled"],
        "unverified": progress["unverified_claims"],
    }


@warnings_app.command("forward")
def warnings_forward(
    number: Annotated[str, typer.Argument(help="The number of the letter to forward.")],
    as_number: Annotated[str, typer.Option("--as", help="The province letter's own number.")],
    due: Annotated[str, typer.Option(help="Fix by dd/mm/yyyy.")],
    units: Annotated[
        str,
        typer.Option(
            help="'auto' (the units whose inventory matches a cited CVE), unit codes "
            "separated by commas, or both: 'auto,SO-YT'."
        ),
    ] = "auto",
    issuer: Annotated[str, typer.Option(help="Who issues it (default: the coordinator).")] = "",
    issued_on: Annotated[str, typer.Option(help="dd/mm/yyyy (default: today).")] = "",
    actions: Annotated[str, typer.Option(help="Required actions (default: the original's).")] = "",
    fmt: Output = OutputFormat.TABLE,
) -> None:
    """Forward a warning letter to the province's units: each gets a task and is notified."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.accounts.models import Unit
    from canhgac.core import clock
    from canhgac.remediation.selectors import task_item
    from canhgac.remediation.services.forwarding import letter_forward

    codes = [code.strip() for code in units.split(",") if code.strip()]
    auto = "auto" in codes
    coordinator = Unit.objects.filter(is_coordinator=True).order_by("path").first()
    forwarded = letter_forward(
        by=SystemActor.cli(),
        original=_letter(number),
        number=as_number,
        issuer=issuer or (coordinator.name if coordinator else ""),
        issued_on=parse_day(issued_on, "--issued-on") or clock.today(),
        due_date=_day(due, "--due"),
        units=_units(",".join(code for code in codes if code != "auto")),
        auto=auto,
        required_actions=actions,
    )
    rows = [_flat(task_item(task)) for task in forwarded.tasks]
    if fmt is OutputFormat.TABLE:
        console.print(
            f"{forwarded.letter.number} forwarded to {len(rows)} units "
            f"({forwarded.proposed} proposed by matching)."
        )
    emit(rows, TASK_COLUMNS, fmt, title=f"Tasks of {forwarded.letter.number}")


@warnings_app.command("proposals")
def warnings_proposals(
    number: Annotated[str, typer.Argument(help="A warning letter's number.")],
    fmt: Output = OutputFormat.TABLE,
) -> None:
    """The units whose inventory matches a vulnerability the letter cites, with their hosts."""
    setup_django()
    from canhgac.remediation.services.forwarding import recipients_propose

    rows = [
        {
            "unit": proposal.unit.code,
            "unit_name": proposal.unit.name,
            "hosts": ", ".join(host.name for host in proposal.hosts),
            "vulnerabilities": ", ".join(proposal.vulnerabilities),
        }
        for proposal in recipients_propose(letter=_letter(number))
    ]
    emit(rows, ["unit", "unit_name", "hosts", "vulnerabilities"], fmt, title="Proposed units")


@warnings_app.command("cascade")
def warnings_cascade(
    number: Annotated[str, typer.Argument(help="A forwarded letter's number.")],
    fmt: Output = OutputFormat.TABLE,
) -> None:
    """Who received a forwarded letter: acknowledged, progress, due."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.remediation.selectors import letter_cascade

    rows = [
        _flat(row) for _task, row in letter_cascade(user=SystemActor.cli(), letter=_letter(number))
    ]
    emit(rows, TASK_COLUMNS, fmt, title=f"Recipients of {number}")


@tasks_app.command("list")
def tasks_list(
    unit: Annotated[str, typer.Option(help="Unit code (with its sub-units).")] = "",
    warning: Annotated[str, typer.Option(help="A letter's number.")] = "",
    status: Annotated[str, typer.Option(help="new, in_progress, done or overdue.")] = "",
    unverified: Annotated[
        bool, typer.Option("--unverified", help="With a host declared fixed, still matched.")
    ] = False,
    fmt: Output = OutputFormat.TABLE,
) -> None:
    """Remediation tasks, the earliest due first."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.remediation.selectors import (
        TaskFilter,
        task_filter,
        task_item,
        task_list_for_user,
    )

    tasks = task_filter(
        task_list_for_user(user=SystemActor.cli()),
        TaskFilter(unit=unit, letter=warning, status=status, unverified=unverified),
    ).order_by("due_date", "pk")
    items = [task_item(task) for task in tasks.prefetch_related("items")]
    emit(items if fmt is OutputFormat.JSON else [_flat(item) for item in items], TASK_COLUMNS, fmt)


def _task(task_id: int) -> Any:
    from canhgac.accounts.actors import SystemActor
    from canhgac.remediation.selectors import task_get_for_user

    return task_get_for_user(user=SystemActor.cli(), task_id=task_id)


@tasks_app.command("show")
def tasks_show(
    task_id: Annotated[int, typer.Argument(help="The task's id.")],
    fmt: Output = OutputFormat.TABLE,
) -> None:
    """A task and its hosts: declared status, verification, vulnerabilities still matched."""
    setup_django()
    from canhgac.remediation.selectors import line_item, task_item, task_lines, task_progress

    task = _task(task_id)
    lines = task_lines(task)
    detail = task_item(task, task_progress(lines)) | {"lines": [line_item(li) for li in lines]}
    if fmt is OutputFormat.JSON:
        sys.stdout.write(json.dumps(detail, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if fmt is OutputFormat.TABLE:
        console.print(
            f"[bold]{detail['letter']}[/bold] · {detail['unit_name']}: {detail['status']}, "
            f"due {detail['due'] or '—'}; {detail['progress']['settled']}/"
            f"{detail['progress']['hosts']} hosts settled"
        )
    rows = [{**line, "matched": " ".join(line["matched"])} for line in detail["lines"]]
    emit(rows, LINE_COLUMNS, fmt, title="Hosts")


@tasks_app.command("ack")
def tasks_ack(task_id: Annotated[int, typer.Argument(help="The task's id.")]) -> None:
    """Acknowledge the letter of a task on behalf of its unit."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.remediation.services.declarations import task_acknowledge

    task = task_acknowledge(by=SystemActor.cli(), task=_task(task_id))
    console.print(f"Task {task.pk} acknowledged: {task.status}.")


@tasks_app.command("update")
def tasks_update(
    task_id: Annotated[int, typer.Argument(help="The task's id.")],
    status: Annotated[
        str, typer.Option(help="not_reviewed, not_affected, patched, workaround or not_fixed.")
    ],
    hosts: Annotated[
        str, typer.Option(help="Host names separated by commas; 'all' for every host.")
    ] = "all",
    reason: Annotated[str, typer.Option(help="Needed for not_affected and not_fixed.")] = "",
    plan_date: Annotated[str, typer.Option(help="not_fixed: planned fix dd/mm/yyyy.")] = "",
) -> None:
    """Declare a status for hosts of a task (their current revisions)."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.core.exceptions import NotFoundError
    from canhgac.remediation.enums import ItemStatus
    from canhgac.remediation.services.declarations import items_declare

    try:
        declared = ItemStatus(status)
    except ValueError:
        raise typer.BadParameter(
            ", ".join(item.value for item in ItemStatus), param_hint="--status"
        ) from None
    task = _task(task_id)
    items = list(task.items.all())
    if hosts.strip() != "all":
        names = [name.strip() for name in hosts.split(",") if name.strip()]
        by_name = {item.asset_name: item for item in items}
        missing = [name for name in names if name not in by_name]
        if missing:
            raise NotFoundError(f"no host '{missing[0]}' in task {task.pk}")
        items = [by_name[name] for name in names]
    count = items_declare(
        by=SystemActor.cli(),
        task=task,
        revisions={item.pk: item.revision for item in items},
        status=declared,
        reason=reason,
        plan_date=parse_day(plan_date, "--plan-date"),
    )
    console.print(f"{count} hosts declared {declared.value}.")


@tasks_app.command("escalate")
def tasks_escalate() -> None:
    """Escalate overdue tasks now (the worker does it daily)."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.remediation.services.escalation import tasks_escalate as escalate

    counts = escalate(by=SystemActor.cli())
    console.print(
        f"{counts['manager']} tasks escalated to unit managers, "
        f"{counts['province']} to the province."
    )


campaigns_app = typer.Typer(
    help="Holiday campaigns: create, list, show the readiness board.", no_args_is_help=True
)


@campaigns_app.command("create")
def campaigns_create(
    code: Annotated[str, typer.Argument(help="A short code, e.g. le-30-4-2022.")],
    name: Annotated[str, typer.Option(help="e.g. 'Lễ 30/4 - 1/5/2022'.")],
    starts: Annotated[str, typer.Option(help="First day, dd/mm/yyyy.")],
    ends: Annotated[str, typer.Option(help="Last day, dd/mm/yyyy.")],
    ready_by: Annotated[str, typer.Option(help="Units ready by dd/mm/yyyy (default: start).")] = "",
    warnings: Annotated[
        str, typer.Option(help="Numbers of the warnings to fix before it, comma-separated.")
    ] = "",
    units: Annotated[str, typer.Option(help="Unit codes (default: every unit).")] = "",
) -> None:
    """Create a campaign with the regulation's readiness checklist and tell its units."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.remediation.services.campaigns import campaign_create

    campaign = campaign_create(
        by=SystemActor.cli(),
        code=code,
        name=name,
        starts_on=_day(starts, "--starts"),
        ends_on=_day(ends, "--ends"),
        prepare_by=parse_day(ready_by, "--ready-by"),
        letters=[_letter(number.strip()) for number in warnings.split(",") if number.strip()],
        units=_units(units) or None,
    )
    console.print(f"Campaign {campaign.code} created for {campaign.units.count()} units.")


@campaigns_app.command("list")
def campaigns_list(fmt: Output = OutputFormat.TABLE) -> None:
    """Every campaign, the latest first."""
    setup_django()
    from canhgac.remediation.board import campaign_list

    rows = [
        {
            "code": campaign.code,
            "name": campaign.name,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "prepare_by": campaign.prepare_by,
        }
        for campaign in campaign_list()
    ]
    emit(rows, ["code", "name", "starts_on", "ends_on", "prepare_by"], fmt, title="Campaigns")


@campaigns_app.command("show")
def campaigns_show(
    code: Annotated[str, typer.Argument(help="The campaign's code.")],
    fmt: Output = OutputFormat.TABLE,
) -> None:
    """The readiness board: per unit, readiness %, checklist, findings, overdue tasks."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.remediation.board import board_summary, campaign_board, campaign_get

    campaign = campaign_get(code=code)
    rows = campaign_board(user=SystemActor.cli(), campaign=campaign)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(
            json.dumps([row.as_dict() for row in rows], ensure_ascii=False, indent=2) + "\n"
        )
        return
    summary = board_summary(rows, campaign)
    if fmt is OutputFormat.TABLE:
        console.print(
            f"[bold]{campaign.name}[/bold]: {summary['ready']}/{summary['units']} units ready, "
            f"average {summary['average']}%, {summary['days_left']} days left"
        )
    flat = [
        {
            "unit": row.unit.code,
            "readiness": f"{row.readiness}%",
            "missing": ", ".join(state.check.key for state in row.checks if not state.done),
            "P1": row.findings["P1"],
            "P2": row.findings["P2"],
            "warned": row.warned,
            "overdue_tasks": row.overdue_tasks,
        }
        for row in rows
    ]
    emit(flat, ["unit", "readiness", "missing", "P1", "P2", "warned", "overdue_tasks"], fmt)


@campaigns_app.command("report")
def campaigns_report(
    code: Annotated[str, typer.Argument(help="The campaign's code.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the file.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="docx or pdf.")] = "docx",
) -> None:
    """The province's campaign status report, numbered in the register and written to a file
    (the same as `canhgac reports render campaign_report --campaign CODE`)."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.remediation.board import campaign_get
    from canhgac.reports.services import report_render

    entry = report_render(
        by=SystemActor.cli(), kind="campaign_report", target=campaign_get(code=code), fmt=fmt
    )
    with entry.file.open("rb") as source:
        output.write_bytes(source.read())
    console.print(f"{entry.number} registered as entry {entry.pk}; written to {output}")
