"""Configuration read from the environment when the app is created."""

import os
from pathlib import Path

DEFAULT_SECRET_KEY = "dev-only-secret-change-me"  # noqa: S105  (refused in production)


def _env_list(name: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


def _env_flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    return raw in ("1", "true", "yes", "on") if raw else default


def _env_whole(name: str, default: int, unit: str) -> int:
    raw = os.environ.get(name, "").strip() or str(default)
    if not raw.isdigit() or int(raw) < 1:
        raise RuntimeError(f"{name} must be a whole number of {unit}, at least 1 (not {raw!r})")
    return int(raw)


def _env_count(name: str, default: int) -> int:
    """A whole number that may be 0."""
    raw = os.environ.get(name, "").strip() or str(default)
    if not raw.isdigit():
        raise RuntimeError(f"{name} must be a whole number, 0 or more (not {raw!r})")
    return int(raw)


def _env_percent(name: str, default: int) -> int:
    value = _env_count(name, default)
    if value > 100:
        raise RuntimeError(f"{name} must be a percent from 0 to 100 (not {value})")
    return value


def _env_days(name: str, default: int) -> int:
    return _env_whole(name, default, "days")


def _env_seconds(name: str) -> float:
    """A number of seconds, 0 when unset."""
    return float(os.environ.get(name) or 0)


def _env_seconds_by_name(name: str) -> dict[str, float]:
    """`tasks.webhooks.relay=5,tasks.log_streams.relay=5` as {job name: seconds}."""
    pairs = (part.partition("=") for part in _env_list(name))
    return {key.strip(): float(value) for key, _, value in pairs}


# Each limit's setting and default, in Flask-Limiter's notation ("N per minute", "N/hour").
RATE_LIMITS = {
    # SAML ACS and OIDC callback, per client address and connection (a whole office behind
    # one address signs in through one connection at nine o'clock).
    "PORTAL_RATE_LIMIT_SSO_RESPONSES": "120 per minute",
    # /sso/authorize, per client address: each start writes a sign-in attempt (an office
    # behind one address starts many at nine o'clock).
    "PORTAL_RATE_LIMIT_SSO_AUTHORIZE": "300 per minute",
    # /sso/token, per client address (the host app's servers).
    "PORTAL_RATE_LIMIT_SSO_TOKEN": "600 per minute",
    # Dashboard sign-in form posts, per client address and per email.
    "PORTAL_RATE_LIMIT_DASHBOARD_SIGN_IN_IP": "30 per minute",
    "PORTAL_RATE_LIMIT_DASHBOARD_SIGN_IN_EMAIL": "10 per minute",
    # Opening an IT-admin magic link, per client address.
    "PORTAL_RATE_LIMIT_ADMIN_LAUNCH": "30 per minute",
    # SCIM requests refused for their bearer token, per client address.
    "PORTAL_RATE_LIMIT_SCIM_AUTH_FAILURES": "30 per minute",
}


def _sqlite_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'portal.db'}"


def cookie_settings(settings: dict) -> dict:
    """Cookie flags that follow from the public URL and whether embedding is allowed."""
    # Inside another site's iframe a cookie travels only as SameSite=None; Secure, and
    # browsers that block third-party cookies keep it only when Partitioned (CHIPS).
    embedded = bool(settings["PORTAL_FRAME_ANCESTORS"])
    return {
        "SESSION_COOKIE_SECURE": embedded or settings["PORTAL_PUBLIC_URL"].startswith("https://"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "None" if embedded else "Lax",
        "SESSION_COOKIE_PARTITIONED": embedded,
    }


def from_environment(instance_path: str) -> dict:
    """Build the settings dict from environment variables, with development defaults."""
    env = os.environ.get("PORTAL_ENV", "development")
    public_url = os.environ.get("PORTAL_PUBLIC_URL", "http://localhost:5000").rstrip("/")
    return {
        "PORTAL_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY),
        # Earlier SECRET_KEYs, still accepted (sessions, links, encrypted secrets) after a
        # rotation; `flask portal rotate-secrets` re-encrypts stored secrets under the new key.
        "SECRET_KEY_FALLBACKS": _env_list("SECRET_KEY_FALLBACKS"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or _sqlite_url(instance_path),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "PORTAL_QUEUE_NAME": os.environ.get("PORTAL_QUEUE_NAME", "portal"),
        # Seconds before the first retry of a mail the SMTP server refused (then x4 each time).
        "PORTAL_MAIL_FIRST_RETRY_SECONDS": float(
            os.environ.get("PORTAL_MAIL_FIRST_RETRY_SECONDS", "30")
        ),
        # How often a worker checks that each periodic job has a run coming (tasks/periodic.py)
        # (0: its default), and shorter periodic intervals by job name: both for tests.
        "PORTAL_PERIODIC_REARM_SECONDS": float(
            os.environ.get("PORTAL_PERIODIC_REARM_SECONDS") or 0
        ),
        "PORTAL_PERIODIC_EVERY_SECONDS": _env_seconds_by_name("PORTAL_PERIODIC_EVERY_SECONDS"),
        # Shorter webhook and log stream delivery timings, for tests with real workers (0: the
        # defaults in services/delivery: first retry 30 s, claim 60 s, lost after 5 minutes).
        "PORTAL_DELIVERY_FIRST_RETRY_SECONDS": _env_seconds("PORTAL_DELIVERY_FIRST_RETRY_SECONDS"),
        "PORTAL_DELIVERY_CLAIM_SECONDS": _env_seconds("PORTAL_DELIVERY_CLAIM_SECONDS"),
        "PORTAL_DELIVERY_LOST_AFTER_SECONDS": _env_seconds("PORTAL_DELIVERY_LOST_AFTER_SECONDS"),
        # How long a process trusts an API key or SCIM token it has checked: a revocation
        # reaches the other processes within this many seconds (0: checked on every request).
        "PORTAL_CREDENTIAL_CACHE_SECONDS": float(
            os.environ.get("PORTAL_CREDENTIAL_CACHE_SECONDS", "5")
        ),
        # Without Redis, a thread in this process runs jobs; tests turn it off and run them.
        "PORTAL_INPROCESS_WORKER": True,
        "PORTAL_PUBLIC_URL": public_url,
        "SMTP_URL": os.environ.get("SMTP_URL") or None,
        "PORTAL_DNS_RESOLVERS": _env_list("PORTAL_DNS_RESOLVERS"),
        "PORTAL_DNS_TIMEOUT": float(os.environ.get("PORTAL_DNS_TIMEOUT", "5")),
        # How far an IdP's clock may be off when SAML assertions and ID tokens are checked.
        "PORTAL_CLOCK_SKEW_SECONDS": int(os.environ.get("PORTAL_CLOCK_SKEW_SECONDS", "120")),
        # Days a sign-in attempt (with the IdP's response) is kept for the recent sign-ins.
        "PORTAL_SIGN_IN_RETENTION_DAYS": _env_days("PORTAL_SIGN_IN_RETENTION_DAYS", 90),
        # A dashboard session ends after this long without a request (the IT admin's portal
        # session uses the same hour), and at the latest this long after sign-in.
        "PORTAL_DASHBOARD_IDLE_MINUTES": _env_whole("PORTAL_DASHBOARD_IDLE_MINUTES", 60, "minutes"),
        "PORTAL_DASHBOARD_SESSION_HOURS": _env_whole("PORTAL_DASHBOARD_SESSION_HOURS", 12, "hours"),
        "PORTAL_FRAME_ANCESTORS": _env_list("PORTAL_FRAME_ANCESTORS"),
        "PORTAL_REDIRECT_URIS": _env_list("PORTAL_REDIRECT_URIS"),
        # Outbound calls (webhooks, metadata URLs) may reach private and loopback addresses:
        # for tests and single-machine setups only, never where others can add URLs.
        "PORTAL_OUTBOUND_ALLOW_PRIVATE": _env_flag("PORTAL_OUTBOUND_ALLOW_PRIVATE"),
        "PORTAL_LOG_FORMAT": os.environ.get("PORTAL_LOG_FORMAT", "text"),
        # Proxies in front of portal whose X-Forwarded-* headers are believed (0: none, portal
        # faces clients itself and ignores those headers, which any client can forge).
        "PORTAL_PROXY_HOPS": _env_count("PORTAL_PROXY_HOPS", 1),
        "PORTAL_RATE_LIMITS_ENABLED": _env_flag("PORTAL_RATE_LIMITS_ENABLED", default=True),
        **{name: os.environ.get(name) or default for name, default in RATE_LIMITS.items()},
        # IdP-initiated and other unsolicited SSO responses recorded per connection and hour;
        # the rest are only counted (anyone can post them to an ACS URL).
        "PORTAL_UNSOLICITED_RESPONSES_PER_HOUR": _env_count(
            "PORTAL_UNSOLICITED_RESPONSES_PER_HOUR", 100
        ),
        # Deprovisionings per directory and rolling hour applied at once, as a percent of its
        # active users (at least 5); the rest are held for a person to apply. 0: no brake.
        "PORTAL_DEPROVISION_BRAKE_PERCENT": _env_percent("PORTAL_DEPROVISION_BRAKE_PERCENT", 20),
        # The bearer token Prometheus sends to /metrics; unset, there is no /metrics.
        "PORTAL_METRICS_TOKEN": os.environ.get("PORTAL_METRICS_TOKEN") or None,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # A form's token lives as long as the longest portal session.
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        # Dead pooled connections are found by a check cheaper than pool_pre_ping: database.py.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
    }


def check_dashboard_session_settings(settings: dict) -> None:
    """Refuse an idle timeout longer than the session's whole lifetime: one of them is a typo."""
    idle = settings["PORTAL_DASHBOARD_IDLE_MINUTES"]
    lifetime = settings["PORTAL_DASHBOARD_SESSION_HOURS"]
    if idle > lifetime * 60:
        raise RuntimeError(
            f"PORTAL_DASHBOARD_IDLE_MINUTES ({idle}) is longer than "
            f"PORTAL_DASHBOARD_SESSION_HOURS ({lifetime} hours): a session could never go idle. "
            "Lower the idle minutes or raise the session hours."
        )


def check_log_format(settings: dict) -> None:
    if settings["PORTAL_LOG_FORMAT"] not in ("text", "json"):
        raise RuntimeError(
            f"PORTAL_LOG_FORMAT is {settings['PORTAL_LOG_FORMAT']!r}; set it to text or json."
        )


def check_rate_limit_settings(settings: dict) -> None:
    """Refuse a rate limit Flask-Limiter cannot read, and proxy hops or a budget below 0."""
    from limits import parse_many

    for name in RATE_LIMITS:
        try:
            parse_many(str(settings[name]))
        except ValueError:
            raise RuntimeError(
                f"{name} is {settings[name]!r}; write it as a number per period, "
                'e.g. "30 per minute" or "1000/hour".'
            ) from None
    for name in ("PORTAL_PROXY_HOPS", "PORTAL_UNSOLICITED_RESPONSES_PER_HOUR"):
        value = settings[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise RuntimeError(f"{name} must be a whole number, 0 or more (not {value!r})")


def check_production_settings(settings: dict) -> None:
    """Refuse to start in production with settings that are only safe on a laptop."""
    if settings["PORTAL_ENV"] != "production":
        return
    problems = []
    if settings["SECRET_KEY"] in ("", DEFAULT_SECRET_KEY) or len(settings["SECRET_KEY"]) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if not settings["PORTAL_PUBLIC_URL"].startswith("https://"):
        problems.append("PORTAL_PUBLIC_URL must be an https:// URL")
    if problems:
        raise RuntimeError("Refusing to start in production: " + "; ".join(problems))
