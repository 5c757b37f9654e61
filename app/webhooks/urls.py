"""Where a webhook may point (SSRF): not at this machine, a private network or link-local.

Checked when a subscription is saved (422 naming ``url``) and again before every attempt,
since a name may resolve elsewhere by then. ``BDTX_WEBHOOK_ALLOW_PRIVATE`` lifts both, and
also allows plain http, for a receiver on the same host or network (and the tests).
"""

import ipaddress
import socket
from urllib.parse import urlsplit


class RefusedUrl(ValueError):
    """Why a URL may not be called; the message is English, for logs and ``msg``."""


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedUrl(f"host does not resolve: {host}") from exc
    return sorted({str(info[4][0]) for info in infos})


def check(url: str, allow_private: bool) -> None:
    """Raise ``RefusedUrl`` unless ``url`` may be called."""
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in allowed_schemes:
        raise RefusedUrl("https required")
    if not parts.hostname:
        raise RefusedUrl("no host")
    if parts.username or parts.password:
        raise RefusedUrl("credentials in the URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise RefusedUrl("invalid port") from exc
    if allow_private:
        return
    for found in addresses(parts.hostname, port):
        if _forbidden(ipaddress.ip_address(found.split("%")[0])):
            raise RefusedUrl(f"{parts.hostname} resolves to a non-public address {found}")
