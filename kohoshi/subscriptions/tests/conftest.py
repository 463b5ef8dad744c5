"""Local stand-ins for what is outside our control, each speaking the documented protocol:

- a real SMTP server (aiosmtpd) on loopback that keeps what arrives and refuses, at RCPT time,
  any address whose local part starts with "bounce";
- a Web Push service (RFC 8030) that checks the VAPID JWT (RFC 8292) and decrypts the aes128gcm
  payload (RFC 8291) with the browser key pair the test made;
- the LINE Messaging API's push and multicast endpoints, checking token, limits and payload schema.
"""
from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

SMTP_PORT = 8301
PUSH_PORT = 8302
LINE_PORT = 8303


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---- SMTP ---------------------------------------------------------------------------------------


class _Handler:
    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@")[0].startswith("bounce"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


@dataclass
class Mailbox:
    handler: _Handler

    def messages(self, to: str | None = None):
        found = []
        for mail_from, rcpts, raw in list(self.handler.messages):
            if to is None or to in rcpts:
                found.append(message_from_bytes(raw, policy=policy.default))
        return found

    def raw(self):
        return [raw for _, _, raw in self.handler.messages]

    def clear(self):
        self.handler.messages.clear()


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    handler = _Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", SMTP_PORT
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "kohoshi <notify@kohoshi.example>"
    settings.SITE_URL = "https://kohoshi.example"
    try:
        yield Mailbox(handler)
    finally:
        controller.stop()


def links_in(message) -> list[str]:
    return re.findall(r"https://kohoshi\.example(/\S+)", message.get_content())


# ---- Web Push -----------------------------------------------------------------------------------


@dataclass
class Browser:
    """A browser's push subscription: the key pair and auth secret only it knows."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    def subscription_json(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}


@dataclass
class PushService:
    base: str
    browsers: dict = field(default_factory=dict)
    received: list = field(default_factory=list)  # (browser id, decrypted JSON, headers)
    refused: list = field(default_factory=list)  # (browser id, reason)
    gone: set = field(default_factory=set)  # browser ids answered with 410 Gone

    def browser(self, name: str | None = None) -> Browser:
        name = name or uuid.uuid4().hex
        b = Browser(f"{self.base}/push/{name}", ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
        self.browsers[name] = b
        return b


def _verify_vapid(header: str, audience: str) -> dict:
    """`Authorization: vapid t=<JWT>, k=<public key>`: ES256 signature, aud, exp, sub (RFC 8292)."""
    match = re.fullmatch(r"vapid t=([\w.-]+),\s*k=([\w-]+)", header or "")
    if not match:
        raise ValueError(f"no vapid authorization: {header!r}")
    token, key = match.groups()
    head, payload, signature = token.split(".")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    raw = b64url_decode(signature)
    if len(raw) != 64:
        raise ValueError("ES256 signature must be 64 bytes (r||s)")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{head}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    header_json, claims = json.loads(b64url_decode(head)), json.loads(b64url_decode(payload))
    if header_json.get("alg") != "ES256":
        raise ValueError(f"alg {header_json.get('alg')}")
    if claims.get("aud") != audience:
        raise ValueError(f"aud {claims.get('aud')} != {audience}")
    if not time.time() < claims["exp"] <= time.time() + 24 * 3600:
        raise ValueError("exp must be within 24 hours")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise ValueError(f"sub {claims.get('sub')!r}")
    return claims


@pytest.fixture
def push_service():
    service = PushService(base=f"http://127.0.0.1:{PUSH_PORT}")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            name = self.path.rsplit("/", 1)[-1]
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            browser = service.browsers.get(name)
            if browser is None or name in service.gone:
                service.refused.append((name, "gone"))
                return self._answer(410)
            try:
                _verify_vapid(self.headers.get("Authorization"), service.base)
                if self.headers.get("Content-Encoding") != "aes128gcm":
                    raise ValueError(f"Content-Encoding {self.headers.get('Content-Encoding')}")
                if not self.headers.get("TTL", "").isdigit():
                    raise ValueError("TTL header required")
                plain = http_ece.decrypt(body, private_key=browser.private_key, auth_secret=browser.auth, version="aes128gcm")
                service.received.append((name, json.loads(plain), dict(self.headers)))
            except Exception as exc:  # noqa: BLE001 - reported to the test
                service.refused.append((name, repr(exc)))
                return self._answer(400)
            self._answer(201)

        def _answer(self, status):
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", PUSH_PORT), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def vapid_key(settings):
    from py_vapid import Vapid02

    v = Vapid02()
    v.generate_keys()
    settings.KOHOSHI_VAPID_PRIVATE_KEY = v.private_pem().decode()
    settings.KOHOSHI_VAPID_SUBJECT = "mailto:koho@kohoshi.example"
    return v


# ---- LINE Messaging API -------------------------------------------------------------------------

LINE_USER = re.compile(r"U[0-9a-f]{32}")


def line_payload_problems(path: str, payload) -> list[str]:
    """The documented request body of push and multicast (Messaging API reference)."""
    problems = []
    if not isinstance(payload, dict):
        return ["body is not a JSON object"]
    to = payload.get("to")
    if path == "/v2/bot/message/multicast":
        if not isinstance(to, list) or not 1 <= len(to) <= 500:
            problems.append("multicast 'to' must be a list of 1 to 500 user ids")
        elif len(set(to)) != len(to):
            problems.append("duplicate user ids")
        elif not all(isinstance(u, str) and LINE_USER.fullmatch(u) for u in to):
            problems.append("user ids must be U + 32 hex digits")
    elif not (isinstance(to, str) and LINE_USER.fullmatch(to)):
        problems.append("push 'to' must be one user id")
    messages = payload.get("messages")
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        problems.append("1 to 5 messages")
    else:
        for m in messages:
            if m.get("type") != "text" or not isinstance(m.get("text"), str) or not 1 <= len(m["text"]) <= 5000:
                problems.append(f"bad text message {m!r}")
    extra = set(payload) - {"to", "messages", "notificationDisabled", "customAggregationUnits"}
    if extra:
        problems.append(f"unknown fields {sorted(extra)}")
    return problems


@dataclass
class LineApi:
    base: str
    tokens: set = field(default_factory=set)
    requests: list = field(default_factory=list)  # (path, payload)
    refused: list = field(default_factory=list)  # (path, status, reason)


@pytest.fixture
def line_api(settings):
    api = LineApi(base=f"http://127.0.0.1:{LINE_PORT}")
    settings.KOHOSHI_LINE_API_BASE = api.base

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path not in ("/v2/bot/message/multicast", "/v2/bot/message/push"):
                return self._answer(404, {"message": "Not found"})
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Bearer ") or auth[7:] not in api.tokens:
                api.refused.append((self.path, 401, "token"))
                return self._answer(401, {"message": "Authentication failed"})
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                api.refused.append((self.path, 415, "content type"))
                return self._answer(400, {"message": "content type"})
            retry_key = self.headers.get("X-Line-Retry-Key")
            if retry_key is not None:
                uuid.UUID(retry_key)
            try:
                payload = json.loads(body)
            except ValueError:
                return self._answer(400, {"message": "The request body has 1 error(s)"})
            problems = line_payload_problems(self.path, payload)
            if problems:
                api.refused.append((self.path, 400, problems))
                return self._answer(400, {"message": "The request body has errors", "details": problems})
            api.requests.append((self.path, payload))
            self._answer(200, {})

        def _answer(self, status, data):
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    server = ThreadingHTTPServer(("127.0.0.1", LINE_PORT), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
