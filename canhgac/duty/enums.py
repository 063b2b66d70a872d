"""States of notification deliveries."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")  # claimed by a sender; the claim lapses after a lease
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will be retried")
    GAVE_UP = "gave_up", _("Failed, gave up")


# A sender may pick these up once `next_attempt_at` has passed (a lapsed SENDING claim means
# the sender stopped in the middle).
SENDABLE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.SENDING)
# An administrator may send these again now.
RETRYABLE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.GAVE_UP)


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
