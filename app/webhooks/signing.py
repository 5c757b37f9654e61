"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

The secret is ``whsec_`` and the base64 of random bytes; the signature of an attempt is
``v1,`` and the base64 HMAC-SHA256, under the decoded secret, of ``{id}.{timestamp}.{body}``.
"""

import base64
import binascii
import hashlib
import hmac
import re
import secrets

SECRET_PREFIX = "whsec_"
# 24 to 64 random bytes: what the specification's libraries accept
SECRET_PATTERN = r"^whsec_[A-Za-z0-9+/]{32,88}={0,2}$"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_bytes(secret: str) -> bytes | None:
    """The key a ``whsec_`` secret stands for; None when it is not one."""
    if not re.fullmatch(SECRET_PATTERN, secret):
        return None
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error:
        return None
    return key if 24 <= len(key) <= 64 else None


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = secret_bytes(secret)
    if key is None:
        raise ValueError("not a whsec_ secret")
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }
