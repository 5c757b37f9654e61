"""One HTTP POST per attempt, with the standard library: no redirects, no proxies.

Redirects are not followed (a 3xx is a failure): a receiver that redirects could send the
signed body anywhere, past the address check. Proxies from the environment are ignored so
the address checked is the address called.
"""

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from app.core.config import Settings
from app.webhooks import signing, urls


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None


class Sender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())

    def post(self, url: str, secret: str, msg_id: str, body: bytes) -> Outcome:
        """Any 2xx is success; everything else (and any network error) is retried later."""
        try:
            urls.check(url, self.settings.webhook_allow_private)
        except urls.RefusedUrl as exc:
            return Outcome(False, error=f"refused: {exc}")
        headers = signing.headers(secret, msg_id, int(time.time()), body)
        headers["user-agent"] = "bdtx-webhooks/1"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with self.opener.open(request, timeout=self.settings.webhook_timeout_seconds) as r:
                r.read(4096)
                return Outcome(200 <= r.status < 300, r.status, None)
        except urllib.error.HTTPError as exc:
            return Outcome(False, exc.code, f"HTTP {exc.code}")
        except (OSError, ValueError) as exc:  # refused, timed out, TLS, a malformed answer
            return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:1000])
