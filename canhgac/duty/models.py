"""Notifications: one message (`Notification`), each recipient's inbox (`InboxEntry`) and the
outbox of messages to send through a channel (`Delivery`, one per address and channel).

Deliveries are written in the transaction that creates the notification and sent after it
commits; a failed one waits for `next_attempt_at` (docs/adr/0010-notifications-outbox.md).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from canhgac.duty.enums import Channel, DeliveryStatus


class Notification(models.Model):
    kind = models.CharField(_("kind"), max_length=64)  # "warning.forwarded", "task.overdue", ...
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=500, blank=True)  # a path inside the app
    created_at = models.DateTimeField(_("created at"))
    created_by = models.CharField(_("by"), max_length=255)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"


class InboxEntry(models.Model):
    """A notification in one user's in-app inbox."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="inbox_entries"
    )
    user = models.ForeignKey(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox entry")
        verbose_name_plural = _("inbox entries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "user"], name="inbox_entry_unique")
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="inbox_user_read")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.notification_id}"


class Delivery(models.Model):
    """One message to one address through one channel, with its attempts."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    user = models.ForeignKey(  # none: a unit's shared mailbox
        "accounts.User",
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    claim = models.CharField(max_length=32, blank=True)  # the sender that holds it (SENDING)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel", "address"], name="delivery_unique_address"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["claim"], name="delivery_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address} {self.status}"
