"""What a public form needs against abuse: CSRF tokens (a signed double-submit cookie), a
bounded request body, a per-address rate limit and the security headers of every response.

CSRF uses only the standard library (`hmac`, `secrets`): the token is a random nonce and its
HMAC-SHA256 under the app's secret; the same token goes in a cookie (HttpOnly, SameSite=Strict)
and in the form's hidden field, and a POST must bring both, equal and correctly signed.
"""

import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
from collections import deque
from collections.abc import AsyncIterator

from fastapi import Request

CSRF_COOKIE = "opgaveudvalg_csrf"
CSRF_FIELD = "csrf"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class BodyTooLarge(Exception):
    """The request's body is over the limit (answered with 413)."""


# --- CSRF ------------------------------------------------------------------------------------


class CsrfTokens:
    def __init__(self, secret: bytes):
        self.secret = secret

    def _sign(self, nonce: str) -> str:
        return hmac.new(self.secret, nonce.encode(), hashlib.sha256).hexdigest()

    def new(self) -> str:
        nonce = secrets.token_urlsafe(24)
        return f"{nonce}.{self._sign(nonce)}"

    def valid(self, token: str | None) -> bool:
        if not token or token.count(".") != 1:
            return False
        nonce, signature = token.split(".")
        return hmac.compare_digest(signature, self._sign(nonce))

    def for_request(self, request: Request) -> str:
        """The token the browser already holds, or a new one (set as cookie by the caller)."""
        held = request.cookies.get(CSRF_COOKIE)
        return held if held and self.valid(held) else self.new()

    def check(self, request: Request, posted: str | None) -> bool:
        """The double submit: the cookie and the form field are the same, signed token."""
        held = request.cookies.get(CSRF_COOKIE) or ""
        return self.valid(held) and hmac.compare_digest(held, posted or "")


# --- request body ----------------------------------------------------------------------------


async def limited_body(request: Request, limit: int) -> bytes:
    """The body, refused before it is parsed (and before it is all read) once over `limit`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    stream: AsyncIterator[bytes] = request.stream()
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


# --- client address and rate limit -----------------------------------------------------------


def _in_networks(
    address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


class ClientAddress:
    """The client's IP: the peer's, or — when the peer is a trusted reverse proxy — the
    right-most address in X-Forwarded-For that is not itself a trusted proxy."""

    def __init__(self, trusted_proxies: list[str]):
        self.trusted = [ipaddress.ip_network(p.strip(), strict=False) for p in trusted_proxies]

    def of(self, request: Request) -> str:
        peer = request.client.host if request.client else ""
        if not _in_networks(peer, self.trusted):
            return peer
        forwarded = [
            part.strip()
            for header in request.headers.getlist("x-forwarded-for")
            for part in header.split(",")
            if part.strip()
        ]
        for address in reversed(forwarded):
            if not _in_networks(address, self.trusted):
                return address
        return forwarded[0] if forwarded else peer


class RateLimiter:
    """A sliding window per key: at most `limit` events in `window` seconds; `limit` 0 is off.
    In memory, per process: run one worker process (or limit at the web server as well)."""

    def __init__(self, limit: int, window: float, max_keys: int = 100_000):
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self.events: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def retry_after(self, key: str, now: float | None = None) -> int:
        """0 and the event counted if allowed; else the seconds until it would be allowed."""
        if self.limit <= 0:
            return 0
        now = time.monotonic() if now is None else now
        with self.lock:
            events = self.events.setdefault(key, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return max(1, int(events[0] + self.window - now + 0.999))
            events.append(now)
            if len(self.events) > self.max_keys:
                self._forget_idle(now)
            return 0

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, e in self.events.items() if not e or e[-1] <= now - self.window]:
            del self.events[key]
