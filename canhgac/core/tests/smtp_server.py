"""A real SMTP server on loopback for tests of code that sends email (aiosmtpd).

    with SmtpServer() as server:
        send_something(host=server.host, port=server.port)
        assert server.messages[0].message["Subject"] == "Cảnh báo"
        server.stop()     # an outage: connections are refused
        server.start()    # back, on the same port

Messages are parsed with the modern email policy, so headers and bodies come back decoded.
"""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
# aiosmtpd logs every connection at INFO from its own thread, which can outlive the test whose
# captured stream it would write to ("--- Logging error ---" noise); only problems are kept.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Received:
    mail_from: str
    recipients: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def subject(self) -> str:
        # As a mail client shows it: Django folds a long encoded subject onto the next line,
        # and unfolding leaves a space in front.
        return str(self.message["Subject"]).strip()

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        assert body is not None
        content = str(body.get_content())  # type: ignore[attr-defined]
        return content.replace("\r\n", "\n")  # SMTP carries CRLF line ends


class _Collector:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode("utf-8")
        with self.server.lock:
            self.server.messages.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), raw))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.host = HOST
        self.port = port or free_port()
        self.messages: list[Received] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            controller = Controller(
                _Collector(self), hostname=self.host, port=self.port, decode_data=False
            )
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received_by(self, address: str) -> list[Received]:
        return [
            item
            for item in self.messages
            if address.casefold() in (rcpt.casefold() for rcpt in item.recipients)
        ]

    def __enter__(self) -> SmtpServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
