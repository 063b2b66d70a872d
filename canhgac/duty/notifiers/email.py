"""Email through Django's email backend (SMTP with the EMAIL_* settings in production)."""

from __future__ import annotations

import smtplib
from typing import ClassVar

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from canhgac.duty.errors import NotifierError
from canhgac.duty.models import Delivery, Notification
from canhgac.duty.text import absolute_link, safe_error


class EmailNotifier:
    channel: ClassVar[str] = "email"
    display_name: ClassVar[str] = "Email"

    def send(self, delivery: Delivery, notification: Notification) -> None:
        message = EmailMessage(
            subject=notification.subject,
            body=email_body(notification),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.address],
            headers={
                "Auto-Submitted": "auto-generated",
                "X-Canhgac-Notification": str(notification.pk),
                "X-Canhgac-Kind": notification.kind,
            },
        )
        message.encoding = "utf-8"
        try:
            connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
            sent = connection.send_messages([message])
        except (smtplib.SMTPException, OSError, UnicodeError) as error:
            raise NotifierError(safe_error(error)) from error
        if sent != 1:
            raise NotifierError("the mail server accepted no message")


def email_body(notification: Notification) -> str:
    """The text, then the absolute link to the page it is about (when there is one)."""
    body = notification.body.rstrip()
    if notification.link:
        body += "\n\n" + absolute_link(notification.link)
    return body + "\n"
