"""Passwords (argon2), access tokens (JWT, HS256) and API keys (random, SHA-256 at rest)."""

import hashlib
import secrets
import time
from datetime import timedelta
from functools import lru_cache
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.core.config import get_settings
from app.core.model_base import utcnow

API_KEY_PREFIX = "bdtx_"
JWT_ALGORITHM = "HS256"


@lru_cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this when the username is unknown keeps response times alike, so
# timing does not tell which usernames exist.
@lru_cache
def dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def password_stamp(password_hash: str) -> str:
    """A short fingerprint of the user's current password hash, carried in their tokens.

    A new password gets a new (salted) hash, so every token issued before the change stops
    matching at once; the fingerprint says nothing about the password itself."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def create_access_token(
    user_id: int, password_hash: str, minutes: int | None = None
) -> tuple[str, int]:
    settings = get_settings()
    ttl = minutes if minutes is not None else settings.access_token_minutes
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + timedelta(minutes=ttl),
        "typ": "access",
        "pwd": password_stamp(password_hash),
    }
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=JWT_ALGORITHM)
    return token, ttl * 60


def decode_access_token(token: str) -> dict[str, Any] | None:
    """The claims of a valid, unexpired token of ours; ``None`` for anything else."""
    claims = _verified_claims(token, get_settings().secret_key.get_secret_value())
    if claims is None or claims["exp"] <= time.time():
        return None
    return claims


# A client sends the same token on every request until it expires; checking its signature
# again each time was a twentieth of a primary-key read. The signature and claims of a given
# string under a given key never change, so they are remembered; expiry is checked on every
# use above (and by PyJWT on the first).
@lru_cache(maxsize=4096)
def _verified_claims(token: str, secret: str) -> dict[str, Any] | None:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["exp", "iat", "sub", "pwd"]},
        )
    except jwt.PyJWTError:
        return None
    return claims if claims.get("typ") == "access" else None


def new_api_key() -> tuple[str, str, str]:
    """A fresh key: (the key shown once, its lookup prefix, its hash)."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, key[: len(API_KEY_PREFIX) + 8], hash_api_key(key)


def hash_api_key(key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is safe here (unlike passwords).
    return hashlib.sha256(key.encode()).hexdigest()
