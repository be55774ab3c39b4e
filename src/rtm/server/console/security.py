"""Who may use the console, and protection against cross-site requests.

* **Loopback by default.** On a loopback address the console needs no token, but the
  ``Host`` header must name that loopback address (``127.0.0.1``, ``localhost``, ``[::1]``
  with the console's port): a web page cannot reach it through DNS rebinding.
* **Elsewhere, a token.** Bound to any other address (``--console-host``) every request must
  carry the access token: once as ``?token=...`` (the URL printed at start-up), which sets an
  HttpOnly, SameSite=Strict cookie and redirects to the same URL without it.
* **State changes** are POST only, with the double-submit CSRF token (a SameSite=Strict cookie
  and the same value in a hidden form field), and an ``Origin`` (or ``Referer``) equal to the
  console's own origin. The live WebSocket checks ``Origin`` too.
* Every response forbids framing and inline scripts (Content-Security-Policy) and sniffing.

Cookie names carry the port: cookies are per host, not per port, and several local servers
may run side by side.
"""

from __future__ import annotations

import contextvars
import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Final
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from rtm.server.config import is_loopback_host as is_loopback

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SECURITY_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
CSRF_FIELD: Final = "_csrf"
#: The CSRF token being issued to a browser that has none yet (set by the middleware).
_new_csrf: contextvars.ContextVar[str] = contextvars.ContextVar("rtm_console_new_csrf",
                                                                default="")


class Guard:
    """The checks of one console; ``token`` None = no token needed (loopback only)."""

    def __init__(self, host: str, token: str | None) -> None:
        if not is_loopback(host) and not token:
            raise ValueError("a console bound to a non-loopback address needs a token")
        self.host = host
        self.token = token
        self.port = 0  # set once bound

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(24)

    @property
    def token_cookie(self) -> str:
        return f"rtm_console_token_{self.port}"

    @property
    def csrf_cookie(self) -> str:
        return f"rtm_console_csrf_{self.port}"

    def allowed_host(self, host_header: str) -> bool:
        """Loopback consoles accept only loopback Host headers with their port."""
        if self.token is not None:
            return True  # the token is the protection (any name may reach such a console)
        name, _, port = host_header.rpartition(":")
        if not name or port != str(self.port):
            return False
        return name in ("localhost", "127.0.0.1", "[::1]") or is_loopback(name)

    def same_origin(self, request: web.Request) -> bool:
        """Origin (else Referer) names this console (scheme, host and port)."""
        source = request.headers.get("Origin") or request.headers.get("Referer")
        if not source or source == "null":
            return False
        parts = urlsplit(source)
        return parts.scheme == request.scheme and parts.netloc == request.host

    def token_ok(self, request: web.Request) -> bool:
        assert self.token is not None
        given = request.cookies.get(self.token_cookie, "")
        return bool(given) and hmac.compare_digest(given.encode(), self.token.encode())

    def csrf_ok(self, request: web.Request, form_value: str) -> bool:
        cookie = request.cookies.get(self.csrf_cookie, "")
        return bool(cookie) and bool(form_value) and hmac.compare_digest(
            cookie.encode(), form_value.encode())

    def csrf_of(self, request: web.Request) -> str:
        """This browser's CSRF token (a new one is set as a cookie by the middleware)."""
        value = request.cookies.get(self.csrf_cookie, "")
        return value if len(value) >= 16 else _new_csrf.get()

    def middleware(self) -> Middleware:
        @web.middleware
        async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
            if not self.allowed_host(request.host):
                return _refused(421, "This console answers only on its loopback address "
                                     "(unexpected Host header).")
            if self.token is not None and not self.token_ok(request):
                given = request.query.get("token", "")
                if given and hmac.compare_digest(given.encode(), self.token.encode()):
                    query = {k: v for k, v in request.query.items() if k != "token"}
                    target = request.rel_url.with_query(query)
                    redirect = web.Response(status=303, headers={"Location": str(target)})
                    redirect.set_cookie(self.token_cookie, self.token, httponly=True,
                                        samesite="Strict", path="/")
                    _secure(redirect)
                    return redirect
                return _refused(401, "Access token required: open the console URL that "
                                     "rtm server printed at start-up (…/?token=…).")
            if request.method not in ("GET", "HEAD") and not self.same_origin(request):
                return _refused(403, "Cross-site request refused (Origin check).")
            if request.headers.get("Upgrade", "").lower() == "websocket" and not (
                    self.same_origin(request)):
                return _refused(403, "Cross-site WebSocket refused (Origin check).")
            new_csrf = ""
            if len(request.cookies.get(self.csrf_cookie, "")) < 16:
                new_csrf = secrets.token_urlsafe(24)
            _new_csrf.set(new_csrf)  # the handler runs in this task: it sees the value
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                _secure(exc)
                raise
            if new_csrf and not response.prepared:
                response.set_cookie(self.csrf_cookie, new_csrf, httponly=True,
                                    samesite="Strict", path="/")
            if not response.prepared:
                _secure(response)
            return response

        return guard


def _secure(response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


def _refused(status: int, text: str) -> web.Response:
    response = web.Response(status=status, text=text)
    _secure(response)
    return response
