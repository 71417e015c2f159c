"""The review app's walls: loopback only, the run's token in every URL, CSRF on every form, strict CSP.

The app is the gradebook: whoever can send it a request can change grades. So, for every HTTP request,
:class:`Guard` (an ASGI middleware, outermost) checks, in order:

1. the ``Host`` header is ``127.0.0.1:PORT`` or ``localhost:PORT`` exactly (DNS rebinding: a page on
   ``evil.example`` resolving to 127.0.0.1 sends its own name), else 403;
2. the path starts with ``/t/<token>/``, the run's random token (``secrets.token_urlsafe(32)``, printed
   once at start), compared in constant time, else 404 (the app does not say that it exists);
3. a ``POST`` comes from the app's own pages: an ``Origin`` or ``Sec-Fetch-Site`` header, when the
   browser sends one, names this origin (a sandboxed frame's form says ``Origin: null``), else 403.
   The CSRF token in the form itself is checked by :func:`check_csrf` in each handler.

Every response gets ``Cache-Control: no-store``, ``Referrer-Policy: same-origin`` (the token never leaves
in a ``Referer``; ``no-referrer`` would make the browser send ``Origin: null`` with the app's own forms),
``X-Content-Type-Options: nosniff`` and a Content-Security-Policy: the app's
pages :data:`PAGE_CSP` (no script at all, styles from the app's own stylesheet, frames only from the app),
student content :data:`FRAME_CSP` (its own ``sandbox``, no script, no forms, no requests).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FRAME_CSP",
    "PAGE_CSP",
    "CsrfError",
    "Guard",
    "Secrets",
    "check_csrf",
    "frame_headers",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; child-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""The app's own pages: no script-src (so no script runs), one stylesheet, frames only from the app."""

FRAME_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
    "frame-ancestors 'self'; base-uri 'none'; sandbox"
)
"""Student content (the executed notebook, the report): sandboxed even when opened on its own; no script,
no form, no request; inline styles only (they cannot run code, and nothing can be fetched)."""

_COMMON_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


class CsrfError(Exception):
    """A form arrived without this run's CSRF token."""


@dataclass(frozen=True, slots=True)
class Secrets:
    """This run's URL token and CSRF token (fresh random values each run unless given, e.g. in tests)."""

    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def prefix(self) -> str:
        """The path every page lives under: ``/t/<token>``."""
        return f"/t/{self.token}"

    @property
    def hosts(self) -> tuple[str, ...]:
        """The ``Host`` headers accepted."""
        return (f"127.0.0.1:{self.port}", f"localhost:{self.port}")

    @property
    def origins(self) -> tuple[str, ...]:
        """The ``Origin`` headers accepted on a POST."""
        return tuple(f"http://{host}" for host in self.hosts)

    def url(self, host: str = "127.0.0.1") -> str:
        """The address to open: ``http://127.0.0.1:PORT/t/<token>/``."""
        return f"http://{host}:{self.port}{self.prefix}/"


def check_csrf(secrets_: Secrets, submitted: object) -> None:
    """Raise :class:`CsrfError` unless ``submitted`` is this run's CSRF token (constant-time compare)."""
    if not isinstance(submitted, str) or not hmac.compare_digest(submitted.encode(), secrets_.csrf.encode()):
        raise CsrfError("the form's CSRF token is missing or wrong: reload the page and try again")


def frame_headers() -> dict[str, str]:
    """Headers for student content served into a sandboxed frame."""
    return {"content-security-policy": FRAME_CSP, "x-frame-options": "SAMEORIGIN", "referrer-policy": "no-referrer"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _refuse(send: Send, status: int, text: str) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in {**_COMMON_HEADERS, "content-security-policy": PAGE_CSP}.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware: the checks of the module docstring, then the security headers on every response."""

    def __init__(self, app: ASGIApp, secrets_: Secrets) -> None:
        self.app = app
        self.secrets = secrets_

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        if _header(scope, b"host") not in self.secrets.hosts:
            return 403, f"refused: the Host header must be one of {', '.join(self.secrets.hosts)}"
        path: str = scope.get("path", "")
        given = path[3:].split("/", 1)[0] if path.startswith("/t/") else ""
        if not hmac.compare_digest(given.encode(), self.secrets.token.encode()) or not path.startswith(
            self.secrets.prefix + "/"
        ):
            return 404, "not found"
        if scope.get("method") == "POST" and not self._same_origin(scope):
            return 403, "refused: a form must come from the review app's own pages"
        return None

    def _same_origin(self, scope: Scope) -> bool:
        origin = _header(scope, b"origin")
        site = _header(scope, b"sec-fetch-site")
        return (origin is None or origin in self.secrets.origins) and site in (None, "same-origin")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            return  # websockets: never accepted
        refusal = self._refusal(scope)
        if refusal is not None:
            await _refuse(send, *refusal)
            return
        scope["root_path"] = self.secrets.prefix

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {bytes(k).lower() for k, _ in message.get("headers", ())}
                extra = {**_COMMON_HEADERS, "content-security-policy": PAGE_CSP, "x-frame-options": "DENY"}
                message["headers"] = list(message.get("headers", ())) + [
                    (k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in present
                ]
            await send(message)

        await self.app(scope, receive, with_headers)
