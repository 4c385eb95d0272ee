"""How the author of an anonymous flag reads its answers without anyone learning who they are.

Raising an anonymous flag hands its author a follow key, 32 random bytes (or, when the request
carries an Idempotency-Key, bytes derived from it and the token's idempotency scope, so that a
retried request gets the same key). The flag stores only the key's SHA-256: that names no
person, token or session, so the database still cannot say who raised the flag. Whoever holds
the key may read the flag and its answers; the browser keeps the keys of the flags it raised in
an HttpOnly cookie (`app.http.flag_pages`), an API client keeps the `follow_key` it was given.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 bytes, URL-safe base64 without padding
MAX_KEPT = 50  # keys a browser keeps: the newest flags it raised


def new_follow_key(scope: str | None = None, idempotency_key: str | None = None) -> str:
    """A fresh key, or the same one for every retry of one idempotent request."""
    if scope and idempotency_key:
        digest = hashlib.sha256(f"follow\n{scope}\n{idempotency_key}".encode()).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    return secrets.token_urlsafe(32)


def follow_hash(key: str) -> str:
    """What the flag stores: the key's SHA-256, from which the key cannot be found again."""
    return hashlib.sha256(f"flag-follow\n{key}".encode()).hexdigest()


def valid_keys(keys: list[str]) -> list[str]:
    """Only well-formed keys, newest last, at most `MAX_KEPT`; anything else is dropped."""
    seen: dict[str, None] = {}
    for key in keys:
        if KEY_PATTERN.match(key):
            seen.pop(key, None)
            seen[key] = None
    return list(seen)[-MAX_KEPT:]
