"""E-mail over SMTP with the standard library: one connection per batch."""

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from app.core.config import Settings


class Mailer:
    """Opens the connection on first use; ``close`` ends it. Not thread-safe (one per worker)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        host, port, timeout = s.smtp_host or "", s.smtp_port, s.smtp_timeout_seconds
        conn: smtplib.SMTP
        if s.smtp_tls == "ssl":
            conn = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(host, port, timeout=timeout)
            if s.smtp_tls == "starttls":
                conn.starttls(context=ssl.create_default_context())
        if s.smtp_username and s.smtp_password:
            conn.login(s.smtp_username, s.smtp_password.get_secret_value())
        return conn

    def send(self, outbox_id: int, to: str, subject: str, body: str) -> None:
        """Raises on any failure; the caller retries later with backoff."""
        msg = EmailMessage()
        msg["From"] = self.settings.smtp_sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        # one id per outbox row: a message sent twice (a worker killed between sending and
        # recording it) is recognisable as the same message
        msg["Message-ID"] = f"<bdtx-email-{outbox_id}@bdtx.invalid>"
        msg["X-BDTX-Outbox-Id"] = str(outbox_id)
        msg.set_content(body, charset="utf-8")
        if self._conn is None:
            self._conn = self._connect()
        try:
            self._conn.send_message(msg)
        except (smtplib.SMTPException, OSError):
            # a refusal may leave the session mid-transaction, a timeout a dead socket: the
            # next message starts on a fresh connection
            self.close()
            raise

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._conn.quit()
            self._conn = None
