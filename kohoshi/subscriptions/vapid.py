"""The VAPID key pair that signs our Web Push requests (RFC 8292).

KOHOSHI_VAPID_PRIVATE_KEY (PEM, or the raw key base64url-encoded) when set; otherwise the file
`vapid_private.pem` in the data directory, written once by `kohoshi push_keys`. Without either,
Web Push is off (the registration endpoint says so) and the other channels work as before.
"""
from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid02


def key_path() -> Path:
    return Path(settings.DATA_DIR) / "vapid_private.pem"


def vapid() -> Vapid02 | None:
    if value := getattr(settings, "KOHOSHI_VAPID_PRIVATE_KEY", ""):
        if "BEGIN" in value:
            return Vapid02.from_pem(value.encode())
        return Vapid02.from_string(value)
    path = key_path()
    if path.exists():
        return Vapid02.from_file(str(path))
    return None


def application_server_key(v: Vapid02) -> str:
    """The public key as the browser's pushManager.subscribe wants it (uncompressed point, base64url)."""
    raw = v.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def keys_generate(*, force: bool = False) -> Path:
    path = key_path()
    if path.exists() and not force:
        return path
    v = Vapid02()
    v.generate_keys()
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(v.private_pem())
    return path
