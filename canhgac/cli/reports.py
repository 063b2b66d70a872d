"""`canhgac reports render|register`: issue a numbered document or an export, list the register."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from canhgac.cli.bootstrap import setup_django
from canhgac.cli.output import OutputFormat, console, emit

reports_app = typer.Typer(
    help="Official documents (DOCX, PDF) and exports (CSV, XLSX), and their register.",
    no_args_is_help=True,
)

REGISTER_COLUMNS = ["id", "number", "issued_on", "kind", "format", "unit", "title", "created_by"]


class DocumentFormat(enum.StrEnum):
    DOCX = "docx"
    PDF = "pdf"
    CSV = "csv"
    XLSX = "xlsx"


@reports_app.command("render")
def reports_render(
    kind: Annotated[
        str,
        typer.Argument(help="forwarding_letter, unit_report, task_lines or campaign_report."),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the file.")],
    fmt: Annotated[
        DocumentFormat, typer.Option("--format", "-f", case_sensitive=False, help="The format.")
    ],
    letter: Annotated[str, typer.Option(help="The forwarded letter's number.")] = "",
    unit: Annotated[str, typer.Option(help="The unit's code (unit_report).")] = "",
    campaign: Annotated[str, typer.Option(help="The campaign's code (campaign_report).")] = "",
) -> None:
    """Render a document or export, register it (numbered when it is a document) and write it."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.reports.selectors import report_target_for_user
    from canhgac.reports.services import report_render

    actor = SystemActor.cli()
    target = report_target_for_user(
        user=actor, letter_number=letter, unit_code=unit, campaign_code=campaign
    )
    entry = report_render(by=actor, kind=kind, target=target, fmt=fmt.value)
    with entry.file.open("rb") as source:
        output.write_bytes(source.read())
    console.print(
        f"{entry.number or entry.name} registered as entry {entry.pk} "
        f"({entry.size:,} bytes, SHA-256 {entry.sha256[:16]}…); written to {output}"
    )


@reports_app.command("register")
def reports_register(
    fmt: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", case_sensitive=False, help="table, json or csv."),
    ] = OutputFormat.TABLE,
) -> None:
    """The report register: every document and export issued, newest first."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.reports.selectors import entry_item, register_list_for_user

    rows = [entry_item(entry) for entry in register_list_for_user(user=SystemActor.cli())]
    emit(
        rows,
        REGISTER_COLUMNS
        if fmt is OutputFormat.TABLE
        else list(rows[0])
        if rows
        else REGISTER_COLUMNS,
        fmt,
        title="Report register",
    )
