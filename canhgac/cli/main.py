"""`canhgac`: the one console script. Thin: parse, call one service or selector, print.

Errors print one line (plus the list of problems for bad input) to stderr and exit 1;
`--debug` shows the traceback instead.
"""

from __future__ import annotations

import enum
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from canhgac.cli.advisories import advisories_app
from canhgac.cli.bootstrap import setup_django
from canhgac.cli.exposure import exposure_app, findings_app
from canhgac.cli.notifications import notifications_app
from canhgac.cli.output import OutputFormat, console, emit
from canhgac.cli.remediation import campaigns_app, tasks_app, warnings_app
from canhgac.cli.reports import reports_app

app = typer.Typer(
    name="canhgac",
    help="Cảnh gác: security operations for a province's agencies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
unit_app = typer.Typer(help="Units (agencies, districts, providers).", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(unit_app, name="unit")
app.add_typer(audit_app, name="audit")
inventory_app = typer.Typer(help="Information systems, assets and software.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(inventory_app, name="inventory")
app.add_typer(advisories_app, name="advisories")
app.add_typer(exposure_app, name="exposure")
app.add_typer(findings_app, name="findings")
app.add_typer(notifications_app, name="notifications")
app.add_typer(warnings_app, name="warnings")
app.add_typer(tasks_app, name="tasks")
app.add_typer(reports_app, name="reports")
app.add_typer(campaigns_app, name="campaigns")

FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]


class CliState:
    debug = False


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    CliState.debug = debug


# --- Installation ------------------------------------------------------------------------------


def _init(quiet: bool = False) -> None:
    from canhgac.core.installation import installation_init

    report = installation_init()
    if not quiet:
        console.print(
            f"[green]ready[/green] database={report.database} "
            f"migrations_applied={report.migrations_applied} "
            f"static_files_collected={report.static_files_collected} "
            f"catalogs_compiled={report.catalogs_compiled}"
        )


@app.command()
def init() -> None:
    """Create or migrate the database and prepare static files (safe to run again)."""
    setup_django()
    _init()


@app.command()
def demo(
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Start the web UI.")] = True,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Load the demo province into CANHGAC_HOME, print its logins and serve the UI."""
    setup_django()
    from django.conf import settings

    from canhgac.demo.loader import demo_load

    _init(quiet=True)
    summary = demo_load()
    console.print(
        f"Demo province loaded into {settings.CANHGAC_HOME} "
        f"({summary.units_created} units and {summary.users_created} users created)."
    )
    emit(
        [
            {
                "username": user.username,
                "role": user.role.label,
                "unit": user.unit,
                "name": user.full_name,
            }
            for user in summary.users
        ],
        ["username", "role", "unit", "name"],
        OutputFormat.TABLE,
        title=f"Demo logins (password for all: {summary.password})",
    )
    if serve:
        console.print(f"Web UI: http://{host}:{port}/  (Ctrl-C to stop)")
        _serve_with_worker(host, port)


def _gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--no-control-socket",  # gunicorn >= 25 would otherwise put a socket in $HOME
        "--forwarded-allow-ips",
        os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]


def _serve_with_worker(host: str, port: int) -> None:
    """The demo: web server and one queue worker, stopped together (Ctrl-C or SIGTERM)."""

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    worker = subprocess.Popen([sys.executable, "-m", "canhgac.cli.main", "worker"])
    web = subprocess.Popen(_gunicorn_command(host, port, 2))  # noqa: S603
    try:
        web.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for process in (web, worker):
            if process.poll() is None:
                process.terminate()
        for process in (web, worker):
            process.wait(timeout=30)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="gunicorn worker processes.")] = 3,
    dev: Annotated[bool, typer.Option("--dev", help="Django's development server.")] = False,
) -> None:
    """Serve the web UI and API (gunicorn; Django's dev server only with --dev)."""
    if dev:
        os.environ.setdefault("DEBUG", "true")
        setup_django()
        from django.core.management import call_command

        call_command("runserver", f"{host}:{port}")
        return
    setup_django()  # fail here, with one line, if the settings refuse to start
    if not os.environ["DJANGO_SETTINGS_MODULE"].endswith(".production"):
        sys.stderr.write(
            "warning: serving with development settings (no secure cookies, no HSTS); set "
            "DJANGO_SETTINGS_MODULE=config.settings.production for a real deployment\n"
        )
    os.execv(sys.executable, _gunicorn_command(host, port, workers))  # noqa: S606


@app.command()
def worker(
    workers: Annotated[int, typer.Option(help="Worker threads.")] = 2,
) -> None:
    """Run the background-task consumer (Huey: SQLite queue, or Redis when REDIS_URL is set)."""
    setup_django()
    from django.core.management import call_command

    call_command("run_huey", "--workers", str(workers), "--worker-type", "thread")


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def manage(context: typer.Context) -> None:
    """Run a Django management command: canhgac manage <command> [options]."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["canhgac manage", *context.args])


# --- Users -------------------------------------------------------------------------------------


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise typer.BadParameter("no terminal to ask for the password: use --password-stdin")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("create")
def user_create(
    username: str,
    email: Annotated[str, typer.Option(help="Email address.")],
    full_name: Annotated[str, typer.Option(help="Full name.")] = "",
    title: Annotated[str, typer.Option(help="Job title.")] = "",
    unit: Annotated[str | None, typer.Option(help="Unit code for the first role.")] = None,
    role: Annotated[str | None, typer.Option(help="Role in that unit.")] = None,
    language: Annotated[str, typer.Option(help="vi or en.")] = "vi",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a user, optionally with a first role (--unit CODE --role ROLE)."""
    setup_django()
    from django.db import transaction

    from canhgac.accounts import services
    from canhgac.accounts.actors import SystemActor
    from canhgac.accounts.models import Unit
    from canhgac.core.exceptions import NotFoundError

    if (unit is None) != (role is None):
        raise typer.BadParameter("give --unit and --role together")
    password = _read_password(password_stdin)
    actor = SystemActor.cli()
    with transaction.atomic():
        user = services.user_create(
            by=actor,
            username=username,
            email=email,
            password=password,
            full_name=full_name,
            title=title,
            language=language,
        )
        if unit is not None and role is not None:
            target = Unit.objects.filter(code=unit).first()
            if target is None:
                raise NotFoundError(f"unit {unit!r} not found")
            services.membership_grant(by=actor, user=user, unit=target, role=role)
    console.print(f"created user {user.username}")


@user_app.command("grant")
def user_grant(
    username: str,
    unit: Annotated[str, typer.Option(help="Unit code.")],
    role: Annotated[str, typer.Option(help="Role.")],
) -> None:
    """Grant a role in a unit to an existing user."""
    setup_django()
    from canhgac.accounts import services
    from canhgac.accounts.actors import SystemActor
    from canhgac.accounts.models import Unit, User
    from canhgac.core.exceptions import NotFoundError

    person = User.objects.filter(username=username).first()
    target = Unit.objects.filter(code=unit).first()
    if person is None or target is None:
        raise NotFoundError(f"{'user ' + username if person is None else 'unit ' + unit} not found")
    services.membership_grant(by=SystemActor.cli(), user=person, unit=target, role=role)
    console.print(f"granted {role} in {unit} to {username}")


def _find_user(username: str) -> Any:
    from canhgac.accounts.models import User
    from canhgac.core.exceptions import NotFoundError

    person = User.objects.filter(username=username).first()
    if person is None:
        raise NotFoundError(f"user {username!r} not found")
    return person


@user_app.command("deactivate")
def user_deactivate(username: str) -> None:
    """Block a user from signing in; their API tokens are revoked."""
    setup_django()
    from canhgac.accounts import services
    from canhgac.accounts.actors import SystemActor

    services.user_set_active(by=SystemActor.cli(), user=_find_user(username), active=False)
    console.print(f"deactivated {username}")


@user_app.command("activate")
def user_activate(username: str) -> None:
    """Allow a deactivated user to sign in again."""
    setup_django()
    from canhgac.accounts import services
    from canhgac.accounts.actors import SystemActor

    services.user_set_active(by=SystemActor.cli(), user=_find_user(username), active=True)
    console.print(f"activated {username}")


@user_app.command("set-password")
def user_set_password(
    username: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a user's password (audited); their API tokens are revoked."""
    setup_django()
    from canhgac.accounts import services
    from canhgac.accounts.actors import SystemActor

    person = _find_user(username)
    services.user_set_password(
        by=SystemActor.cli(), user=person, password=_read_password(password_stdin)
    )
    console.print(f"password set for {username}")


@user_app.command("list")
def user_list(fmt: FormatOption = OutputFormat.TABLE) -> None:
    """List users with their roles."""
    setup_django()
    from canhgac.accounts.models import User

    rows = [
        {
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "is_active": user.is_active,
            "roles": [f"{m.role}@{m.unit.code}" for m in user.memberships.all()],
        }
        for user in User.objects.prefetch_related("memberships__unit").order_by("username")
    ]
    emit(rows, ["username", "full_name", "email", "is_active", "roles"], fmt, title="Users")


# --- Units -------------------------------------------------------------------------------------


@unit_app.command("import")
def unit_import(
    path: Annotated[Path, typer.Argument(help="CSV or YAML file.", exists=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and report only.")] = False,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Import units from CSV or YAML (all or nothing; re-importing changes nothing)."""
    setup_django()
    from django.db import transaction

    from canhgac.accounts import services
    from canhgac.accounts.actors import SystemActor
    from canhgac.accounts.importers import parse_units_file

    records = parse_units_file(path)
    with transaction.atomic():
        result = services.unit_import(by=SystemActor.cli(), records=records, source=str(path))
        if dry_run:
            transaction.set_rollback(True)
    summary = {"file": str(path), "dry_run": dry_run, **result.as_dict()}
    emit(
        [summary], ["file", "dry_run", "created", "updated", "unchanged"], fmt, title="Unit import"
    )


def _unit_row(unit: Any) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent.code if unit.parent_id else None,
        "depth": unit.depth,
        "is_coordinator": unit.is_coordinator,
        "is_active": unit.is_active,
        "email": unit.email,
        "phone": unit.phone,
    }


@unit_app.command("list")
def unit_list(
    fmt: FormatOption = OutputFormat.TABLE,
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
) -> None:
    """List units in tree order."""
    setup_django()
    from canhgac.accounts.models import Unit

    units = Unit.objects.select_related("parent").order_by("path")
    if kind:
        units = units.filter(kind=kind)
    emit(
        [_unit_row(unit) for unit in units],
        ["code", "name", "kind", "parent", "is_coordinator", "is_active"],
        fmt,
        title="Units",
    )


# --- Audit and tokens --------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Walk the hash chain; exit 1 and name the first broken event if it was tampered with."""
    setup_django()
    from canhgac.audit.selectors import audit_verify as verify

    report = verify()
    row = {
        "ok": report.ok,
        "checked": report.checked,
        "broken_at": report.first_break.sequence if report.first_break else None,
        "reason": report.first_break.reason if report.first_break else None,
    }
    if fmt is not OutputFormat.TABLE:
        emit([row], list(row), fmt)
    elif report.ok:
        console.print(f"[green]audit chain intact[/green]: {report.checked} events verified")
    if not report.ok and report.first_break is not None:
        sys.stderr.write(
            f"audit chain broken at event #{report.first_break.sequence}: "
            f"{report.first_break.reason} ({report.checked} events before it are intact)\n"
        )
        raise typer.Exit(1)


@token_app.command("create")
def token_create(
    username: str,
    name: Annotated[str, typer.Option(help="What the token is for.")],
    days: Annotated[int | None, typer.Option(help="Lifetime in days; 0 = never expires.")] = None,
) -> None:
    """Create a personal API token for a user; the token is printed once."""
    setup_django()
    from canhgac.accounts import services
    from canhgac.accounts.actors import SystemActor

    person = _find_user(username)
    _token, raw = services.token_create(by=SystemActor.cli(), user=person, name=name, days=days)
    sys.stdout.write(raw + "\n")


@token_app.command("revoke")
def token_revoke(
    username: str,
    name: Annotated[str | None, typer.Option(help="Revoke only the token with this name.")] = None,
) -> None:
    """Revoke a user's API tokens (all of them, or the one named)."""
    setup_django()
    from canhgac.accounts import services
    from canhgac.accounts.actors import SystemActor
    from canhgac.core.exceptions import NotFoundError

    person = _find_user(username)
    actor = SystemActor.cli()
    if name is None:
        count = services.tokens_revoke_all(by=actor, user=person, reason="revoked from the CLI")
        console.print(f"revoked {count} token(s) of {username}")
        return
    token = person.api_tokens.filter(name=name, revoked_at__isnull=True).first()
    if token is None:
        raise NotFoundError(f"{username} has no live token named {name!r}")
    services.token_revoke(by=actor, token=token)
    console.print(f"revoked token {name!r} of {username}")


# --- Inventory ---------------------------------------------------------------------------------


class InventoryKind(enum.StrEnum):
    SYSTEMS = "systems"
    ASSETS = "assets"
    COMPONENTS = "components"


@inventory_app.command("import")
def inventory_import(
    path: Annotated[Path, typer.Argument(help="The file to import.")],
    unit: Annotated[
        str | None, typer.Option(help="Unit of the assets the file does not place.")
    ] = None,
    format_id: Annotated[
        str, typer.Option("--format", help="auto, csv, xlsx, cyclonedx, spdx, nmap or host-json.")
    ] = "auto",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count only.")] = False,
    output: Annotated[
        OutputFormat, typer.Option("--output", "-o", help="Summary format.", case_sensitive=False)
    ] = OutputFormat.TABLE,
) -> None:
    """Import an inventory file, all or nothing (re-importing the same file changes nothing)."""
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.accounts.models import Unit
    from canhgac.core.exceptions import NotFoundError
    from canhgac.inventory.services import inventory_import_file

    target = None
    if unit is not None:
        target = Unit.objects.filter(code=unit).first()
        if target is None:
            raise NotFoundError(f"unit {unit!r} not found")
    report = inventory_import_file(
        by=SystemActor.cli(),
        path=path,
        source=str(path),
        unit=target,
        format_id=format_id,
        dry_run=dry_run,
    )
    summary = report.as_dict()
    if output is OutputFormat.JSON:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        return
    rows = [{"kind": kind, **summary[kind]} for kind in report.KINDS]
    title = f"{path} ({report.source_format}{', dry run: nothing stored' if dry_run else ''})"
    emit(rows, ["kind", "created", "updated", "unchanged", "removed"], output, title=title)
    for warning in summary["warnings"]:
        sys.stderr.write(f"warning: {warning}\n")


@inventory_app.command("list")
def inventory_list(
    kind: Annotated[InventoryKind, typer.Argument(help="systems, assets or components.")],
    unit: Annotated[
        str | None, typer.Option(help="Only this unit (and not its sub-units).")
    ] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """List the stored inventory."""
    setup_django()
    from canhgac.inventory.models import Asset, Component, InformationSystem

    rows: list[dict[str, Any]]
    if kind is InventoryKind.SYSTEMS:
        systems = InformationSystem.objects.select_related("owner_unit", "operator_unit")
        if unit:
            systems = systems.filter(owner_unit__code=unit)
        rows = [
            {
                "code": s.code,
                "name": s.name,
                "owner_unit": s.owner_unit.code,
                "operator_unit": s.operator_unit.code if s.operator_unit else None,
                "system_type": s.system_type,
                "status": s.status,
                "proposed_level": s.proposed_level,
                "approved_level": s.approved_level,
                "user_count": s.user_count,
                "domains": s.domains,
                "public_ips": s.public_ips,
            }
            for s in systems.order_by("code")
        ]
        columns = ["code", "name", "owner_unit", "status", "approved_level"]
    elif kind is InventoryKind.ASSETS:
        assets = Asset.objects.select_related("unit", "system")
        if unit:
            assets = assets.filter(unit__code=unit)
        rows = [
            {
                "unit": a.unit.code,
                "key": a.key,
                "kind": a.kind,
                "name": a.name,
                "system": a.system.code if a.system else None,
                "os_name": a.os_name,
                "os_build": a.os_build,
                "ip_addresses": a.ip_addresses,
                "hostnames": a.hostnames,
                "sources": a.sources,
                "last_seen": a.last_seen.isoformat(),
            }
            for a in assets.order_by("unit__code", "key")
        ]
        columns = ["unit", "key", "kind", "os_name", "os_build", "ip_addresses"]
    else:
        components = Component.objects.filter(removed_at__isnull=True).select_related(
            "asset", "asset__unit"
        )
        if unit:
            components = components.filter(asset__unit__code=unit)
        rows = [
            {
                "unit": c.asset.unit.code,
                "asset": c.asset.key,
                "name": c.name,
                "vendor": c.vendor,
                "version": c.version,
                "cpe": c.cpe,
                "purl": c.purl,
                "source": c.source,
            }
            for c in components.order_by("asset__unit__code", "asset__key", "name")
        ]
        columns = ["unit", "asset", "name", "version", "source"]
    emit(
        rows,
        columns if fmt is OutputFormat.TABLE else list(rows[0]) if rows else columns,
        fmt,
        title=kind.value,
    )


@inventory_app.command("template")
def inventory_template(
    directory: Annotated[Path, typer.Option("--output-dir", help="Where to write.")] = Path("."),
) -> None:
    """Write the blank inventory spreadsheet (XLSX, and one CSV per table)."""
    from canhgac.inventory.importers.template import write_template

    for written in write_template(directory):
        console.print(f"wrote {written}")


# --- Entry point -------------------------------------------------------------------------------


def _report_error(error: BaseException) -> None:
    from canhgac.core.exceptions import ValidationError

    message = getattr(error, "message", None) or str(error) or type(error).__name__
    sys.stderr.write(f"error: {message}\n")
    if isinstance(error, ValidationError):
        for problem in error.problems:
            sys.stderr.write(f"  - {problem}\n")


def run() -> None:
    """Console-script entry point: one clear line on error, traceback only with --debug."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    from canhgac.core.exceptions import CanhgacError

    try:
        app()
    except (CanhgacError, ImproperlyConfigured, DatabaseError, OSError) as error:
        if CliState.debug or "--debug" in sys.argv:
            raise
        _report_error(error)
        sys.exit(1)


if __name__ == "__main__":
    run()
