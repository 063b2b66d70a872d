"""`canhgac advisories …`: import, sync, search and show advisories; offline bundles; status."""

from __future__ import annotations

import json
import sys
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any

import typer

from canhgac.cli.bootstrap import setup_django
from canhgac.cli.output import OutputFormat, console, emit, parse_day

advisories_app = typer.Typer(
    help="The advisory knowledge base (NVD, KEV, EPSS, Microsoft, OSV, CSAF, warning letters).",
    no_args_is_help=True,
)

FORMATS = "auto, nvd, nvd-cpe, kev, kev-csv, epss, msrc-cvrf, msrc-csaf, osv, csaf or warning"
Output = Annotated[
    OutputFormat, typer.Option("--format", "-f", case_sensitive=False, help="table, json or csv.")
]


def _report_row(name: str, report: Any) -> dict[str, Any]:
    counts = report.vulnerabilities
    return {
        "file": name,
        "format": report.source_format,
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "stale": counts.stale,
        "msrc_fixes": report.msrc_fixes,
        "letters": report.letters,
        "warnings": len(report.warnings),
    }


REPORT_COLUMNS = ["file", "format", "created", "updated", "unchanged", "stale", "msrc_fixes"]


@advisories_app.command("import")
def advisories_import(
    paths: Annotated[list[Path], typer.Argument(help="Files to import, one transaction each.")],
    format_id: Annotated[str, typer.Option("--format", help=FORMATS)] = "auto",
    output: Annotated[
        OutputFormat, typer.Option("--output", "-o", case_sensitive=False, help="Summary format.")
    ] = OutputFormat.TABLE,
) -> None:
    """Import advisory files (each all or nothing; re-importing a file changes nothing)."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.advisories.services import advisories_import_file

    actor = SystemActor.cli()
    rows = []
    for path in paths:
        report = advisories_import_file(by=actor, path=path, source=str(path), format_id=format_id)
        rows.append(_report_row(str(path), report))
    emit(rows, [*REPORT_COLUMNS, "letters", "warnings"], output, title="Advisories imported")


@advisories_app.command("show")
def advisories_show(
    cve_id: Annotated[str, typer.Argument(help="e.g. CVE-2022-26809 or GHSA-…")],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", case_sensitive=False, help="table or json.")
    ] = OutputFormat.TABLE,
) -> None:
    """Everything known about one vulnerability, with its sources."""
    setup_django()
    from canhgac.advisories.selectors import vulnerability_detail

    detail = vulnerability_detail(cve_id=cve_id)
    if fmt is not OutputFormat.TABLE:
        sys.stdout.write(json.dumps(detail, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    console.print(f"[bold]{detail['id']}[/bold] {detail['title']}")
    if detail["aliases"]:
        console.print("aliases: " + ", ".join(detail["aliases"]))
    console.print(detail["description"])
    console.print("sources: " + ", ".join(s["source"] for s in detail["sources"]))
    for warning in detail["warnings"]:
        console.print(f"cited by {warning['number']} ({warning['issuer']}, {warning['severity']})")
    emit(
        [
            {"product": product, **fix}
            for product, fixes in detail["microsoft_fixes"].items()
            for fix in fixes
            if fix["kb"]
        ],
        ["product", "kb", "fixed_build", "supersedes", "document"],
        OutputFormat.TABLE,
        title="Microsoft updates",
    )


@advisories_app.command("search")
def advisories_search(
    text: Annotated[str, typer.Argument(help="Id, alias, or words of the title/description.")] = "",
    vendor: Annotated[str, typer.Option(help="CPE vendor or purl type.")] = "",
    product: Annotated[str, typer.Option(help="Product or package name.")] = "",
    severity: Annotated[str, typer.Option(help="critical, high, medium or low (or above).")] = "",
    min_score: Annotated[float | None, typer.Option(help="Minimum CVSS base score.")] = None,
    published_from: Annotated[str | None, typer.Option(help="dd/mm/yyyy")] = None,
    published_to: Annotated[str | None, typer.Option(help="dd/mm/yyyy")] = None,
    kev: Annotated[bool, typer.Option("--kev", help="Known exploited only.")] = False,
    cited: Annotated[bool, typer.Option("--cited", help="Cited by a warning letter.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 100,
    fmt: Output = OutputFormat.TABLE,
) -> None:
    """Search the knowledge base (newest first)."""
    setup_django()
    from canhgac.advisories.selectors import VulnerabilityFilter, vulnerability_search

    if severity and severity not in {"critical", "high", "medium", "low"}:
        raise typer.BadParameter("critical, high, medium or low", param_hint="--severity")
    found = vulnerability_search(
        VulnerabilityFilter(
            q=text,
            vendor=vendor,
            product=product,
            severity=severity,
            min_score=min_score,
            published_from=parse_day(published_from, "--published-from"),
            published_to=parse_day(published_to, "--published-to"),
            kev=True if kev else None,
            cited=True if cited else None,
        )
    )[:limit]
    emit(
        [
            {
                "id": v.cve_id,
                "published": v.published.date() if v.published else "",
                "kev": v.kev_date_added or "",
                "epss": v.epss_score if v.epss_score is not None else "",
                "title": v.title[:80],
            }
            for v in found
        ],
        ["id", "published", "kev", "epss", "title"],
        fmt,
        title="Vulnerabilities",
    )


@advisories_app.command("sync")
def advisories_sync(
    sources: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="kev, epss, nvd, nvd-cpe, msrc, osv, csaf (repeat)."),
    ] = None,
    fmt: Output = OutputFormat.TABLE,
) -> None:
    """Fetch the online sources (default: ADVISORY_SYNC_SOURCES). Resumes an interrupted sync;
    a failing source keeps its data and the others still run (exit status 1 then)."""
    setup_django()
    from rich.progress import Progress

    from canhgac.accounts.actors import SystemActor
    from canhgac.advisories.sync.service import advisories_sync as sync

    with Progress(console=console, transient=True, disable=not console.is_terminal) as bars:
        tasks: dict[str, Any] = {}

        def progress(source: str, done: int, total: int, label: str) -> None:
            if source not in tasks:
                tasks[source] = bars.add_task(source, total=total or None)
            bars.update(tasks[source], completed=done, total=total or None, description=label)

        outcomes = sync(by=SystemActor.cli(), sources=sources or None, progress=progress)
    emit(
        [o.as_dict() for o in outcomes],
        ["source", "ok", "files", "changed", "error"],
        fmt,
        title="Advisory sync",
    )
    if not all(outcome.ok for outcome in outcomes):
        raise typer.Exit(1)


@advisories_app.command("status")
def advisories_status(fmt: Output = OutputFormat.TABLE) -> None:
    """Each source: last sync, data up to, records held, last error."""
    setup_django()
    from canhgac.advisories.selectors import feed_status

    status = feed_status(runs=0)
    emit(
        status["sources"],
        ["id", "scheduled", "last_success", "synced_until", "held", "running", "last_error"],
        fmt,
        title="Advisory feeds",
    )


@advisories_app.command("export-bundle")
def export_bundle(
    file: Annotated[Path, typer.Argument(help="The bundle to write (.zip).")],
    since: Annotated[
        str | None, typer.Option(help="Only what was imported since this day (dd/mm/yyyy).")
    ] = None,
) -> None:
    """Write an offline bundle for an isolated network; prints its SHA-256 to check there."""
    setup_django()
    from django.utils import timezone

    from canhgac.accounts.actors import SystemActor
    from canhgac.advisories.bundles import export_bundle as export

    day = parse_day(since, "--since")
    moment = (
        datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone()) if day else None
    )
    summary = export(by=SystemActor.cli(), path=file, since=moment)
    console.print(
        f"wrote {file}: {summary.files} files, {summary.letters} warning letters, "
        f"{'signed' if summary.signed else 'not signed (no ADVISORY_BUNDLE_KEY)'}"
    )
    console.print(f"SHA-256 of the manifest: {summary.sha256}")


@advisories_app.command("import-bundle")
def import_bundle(
    file: Annotated[Path, typer.Argument(help="A bundle written by export-bundle.")],
    expect_sha256: Annotated[
        str, typer.Option(help="Refuse the bundle unless its SHA-256 is this.")
    ] = "",
    fmt: Output = OutputFormat.TABLE,
) -> None:
    """Verify an offline bundle, then apply it (importing it again changes nothing)."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.advisories.bundles import import_bundle as apply

    summary = apply(by=SystemActor.cli(), path=file, source=str(file), expect_sha256=expect_sha256)
    for warning in summary.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    if summary.already:
        console.print(f"{file}: already imported ({summary.sha256}); nothing changed")
        return
    emit(
        [_report_row(report.source_name, report) for report in summary.reports],
        REPORT_COLUMNS,
        fmt,
        title=f"Bundle {summary.sha256[:12]} ({'signed' if summary.signed else 'hash only'})",
    )
