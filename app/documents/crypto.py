"""Secrets at rest (units' PKCS#12 files, passphrases, PINs): Fernet (AES-128-CBC with
HMAC-SHA256) under a key derived from ``BDTX_CREDENTIAL_KEY`` (else ``BDTX_SECRET_KEY``)."""

import base64
import hashlib

from cryptography.fernet import Fernet

from app.core.config import get_settings


def _fernet() -> Fernet:
    settings = get_settings()
    secret = settings.credential_key or settings.secret_key
    digest = hashlib.sha256(b"bdtx-signing-credential:" + secret.get_secret_value().encode())
    return Fernet(base64.urlsafe_b64encode(digest.digest()))


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    return _fernet().decrypt(token)
