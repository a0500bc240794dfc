"""Rate limits on the endpoints strangers can reach, through Flask-Limiter.

- SAML ACS and OIDC callback, per client address and connection: PORTAL_RATE_LIMIT_SSO_RESPONSES
- /sso/authorize (each start writes an attempt), per client address:
  PORTAL_RATE_LIMIT_SSO_AUTHORIZE
- POST /sso/token, per client address: PORTAL_RATE_LIMIT_SSO_TOKEN
- POST dashboard sign-in, per client address and per email:
  PORTAL_RATE_LIMIT_DASHBOARD_SIGN_IN_IP, PORTAL_RATE_LIMIT_DASHBOARD_SIGN_IN_EMAIL
- /admin/launch (magic links), per client address: PORTAL_RATE_LIMIT_ADMIN_LAUNCH
- SCIM requests refused for their token (only those), per address:
  PORTAL_RATE_LIMIT_SCIM_AUTH_FAILURES

Counters live in the app's Redis (`REDIS_URL`), shared by every web process, under the queue's
name (two deployments on one Redis already need their own `PORTAL_QUEUE_NAME`, and so does
each test); without Redis each process counts in memory. When Redis goes away, each process
counts in memory until it is back: a limit never becomes an error page. The client address is
`request.remote_addr`, which the proxy hops setting (`PORTAL_PROXY_HOPS`) decides.
A refused request is a `RateLimitExceeded` (a 429), which `portal/error_handlers.py` answers
in its audience's shape with `Retry-After`.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_limiter import Limiter, RateLimitExceeded, RouteLimit

EXTENSION = "portal_rate_limits"
# A Redis that stops answering costs each request at most this long before memory takes over.
REDIS_TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}

SIGN_IN_WAIT = "Too many sign-in attempts from your network. Wait a minute and try again."


def client_address() -> str:
    return request.remote_addr or "unknown"


def _address_and_connection() -> str:
    return f"{client_address()}/{(request.view_args or {}).get('connection_id', '')}"


def _email() -> str:
    return (request.form.get("email") or "").strip().lower() or "(no email)"


@dataclass(frozen=True)
class ViewLimit:
    endpoint: str
    setting: str
    key: Callable[[], str]
    message: str
    methods: tuple[str, ...] | None = None


VIEW_LIMITS = (
    ViewLimit(
        "sso.saml_acs", "PORTAL_RATE_LIMIT_SSO_RESPONSES", _address_and_connection, SIGN_IN_WAIT
    ),
    ViewLimit(
        "sso.oidc_callback",
        "PORTAL_RATE_LIMIT_SSO_RESPONSES",
        _address_and_connection,
        SIGN_IN_WAIT,
    ),
    ViewLimit(
        "sso.authorize",
        "PORTAL_RATE_LIMIT_SSO_AUTHORIZE",
        client_address,
        "Too many sign-ins were started from your network. Wait a minute and try again.",
    ),
    ViewLimit(
        "sso.token",
        "PORTAL_RATE_LIMIT_SSO_TOKEN",
        client_address,
        "Too many token requests from this address. Wait, then send the code again.",
    ),
    ViewLimit(
        "dashboard.login",
        "PORTAL_RATE_LIMIT_DASHBOARD_SIGN_IN_IP",
        client_address,
        SIGN_IN_WAIT,
        ("POST",),
    ),
    ViewLimit(
        "dashboard.login",
        "PORTAL_RATE_LIMIT_DASHBOARD_SIGN_IN_EMAIL",
        _email,
        "Too many sign-in attempts for this email. Wait a minute and try again.",
        ("POST",),
    ),
    ViewLimit(
        "admin.launch",
        "PORTAL_RATE_LIMIT_ADMIN_LAUNCH",
        client_address,
        "Too many links were opened from your network. Wait a minute, then open your link again.",
    ),
)
SCIM_AUTH_FAILURES = "PORTAL_RATE_LIMIT_SCIM_AUTH_FAILURES"


def init_rate_limits(app: Flask) -> None:
    """Bind a limiter of this app's own and put each limit on its view."""
    settings = app.config
    if not settings["PORTAL_RATE_LIMITS_ENABLED"]:
        return
    redis_url = settings["REDIS_URL"]
    limiter = Limiter(
        key_func=client_address,
        storage_uri=redis_url or "memory://",
        storage_options=REDIS_TIMEOUTS if redis_url else {},
        key_prefix=f"{settings['PORTAL_QUEUE_NAME']}:rate-limits",
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    limiter.init_app(app)
    for limit in VIEW_LIMITS:
        view = app.view_functions[limit.endpoint]
        app.view_functions[limit.endpoint] = limiter.limit(
            settings[limit.setting],
            key_func=limit.key,
            methods=list(limit.methods) if limit.methods else None,
            scope=limit.setting,
            error_message=limit.message,
        )(view)
    scim_failures = limiter.limit(
        settings[SCIM_AUTH_FAILURES],
        scope=SCIM_AUTH_FAILURES,
        error_message="Too many requests with a wrong bearer token came from this address. "
        "Check the token in your identity provider's settings, then try again later.",
    )
    app.extensions[EXTENSION] = _AppLimits(limiter, scim_failures)


@dataclass(frozen=True)
class _AppLimits:
    limiter: Limiter
    scim_auth_failures: RouteLimit  # entered once per refused SCIM request


def count_scim_auth_failure() -> None:
    """Count a SCIM request refused for its token; RateLimitExceeded once there were too many.
    Requests with a good token never get here, so an IdP's pushes are never slowed by this."""
    limits = current_app.extensions.get(EXTENSION)
    if limits is not None:
        with limits.scim_auth_failures:
            pass


def retry_after_seconds(error: RateLimitExceeded) -> int:
    """Seconds until the limit that refused this request lets the next one through."""
    limits = current_app.extensions.get(EXTENSION)
    window = error.limit.limit.get_expiry()
    if limits is None or limits.limiter.current_limit is None:
        return window
    try:
        reset_at = limits.limiter.current_limit.reset_at
    except Exception:  # the storage went away since the check: the whole window is safe
        return window
    return max(1, min(window, int(reset_at - time.time())))
