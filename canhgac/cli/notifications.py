"""`canhgac notifications deliveries|send-due`: the outbox of notification emails."""

from __future__ import annotations

from typing import Annotated

import typer

from canhgac.cli.bootstrap import setup_django
from canhgac.cli.output import OutputFormat, console, emit

notifications_app = typer.Typer(
    help="Notifications: email deliveries and their retries.", no_args_is_help=True
)

STATUSES = ("pending", "sending", "sent", "failed", "gave_up")
COLUMNS = [
    "id",
    "created_at",
    "kind",
    "address",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
]
Output = Annotated[
    OutputFormat, typer.Option("--format", "-f", case_sensitive=False, help="table, json or csv.")
]


@notifications_app.command("deliveries")
def deliveries(
    status: Annotated[
        str, typer.Option(help="Only this status: " + ", ".join(STATUSES) + ".")
    ] = "",
    limit: Annotated[
        int, typer.Option(help="At most this many rows, newest first (0: all).")
    ] = 100,
    fmt: Output = OutputFormat.TABLE,
) -> None:
    """Email deliveries of notifications, newest first, with their last error."""
    if status and status not in STATUSES:
        raise typer.BadParameter(", ".join(STATUSES), param_hint="--status")
    setup_django()
    from canhgac.accounts.actors import SystemActor
    from canhgac.duty.selectors import delivery_item, delivery_list_for_user

    rows = delivery_list_for_user(user=SystemActor.cli(), status=status)
    if limit:
        rows = rows[:limit]
    emit([delivery_item(row) for row in rows], COLUMNS, fmt, title="Deliveries")


@notifications_app.command("send-due")
def send_due(fmt: Output = OutputFormat.TABLE) -> None:
    """Send now what is due (new messages, failed ones whose wait has passed), once."""
    setup_django()
    from canhgac.duty.services.deliveries import deliveries_send_due

    result = deliveries_send_due()
    if fmt is OutputFormat.TABLE:
        console.print(
            f"sent={result.sent} failed={result.failed} gave_up={result.gave_up} "
            f"skipped={result.skipped}"
        )
        return
    emit([result.as_dict()], ["sent", "failed", "gave_up", "skipped"], fmt)
