"""A real SMTP server in-process (aiosmtpd): tests read what the worker delivered."""

import email
import email.policy
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

OUTBOX_ID = re.compile(rb"^X-BDTX-Outbox-Id: (\d+)", re.MULTILINE)


@dataclass
class Inbox:
    raw: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # fail this many deliveries first (a server that is down, then back)
    fail_first: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            if self.fail_first > 0:
                self.fail_first -= 1
                return "451 4.3.0 try again later"
            self.raw.append(envelope.content)  # parsed when read: the server stays fast
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(r, policy=email.policy.default) for r in self.raw]

    def outbox_ids(self) -> list[str]:
        """The X-BDTX-Outbox-Id of every message received (duplicates included)."""
        return [m.group(1).decode() for r in self.raw if (m := OUTBOX_ID.search(r))]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
