"""How the developer's app presents itself to IT admins: name, colour, logo, default return."""

import re
from dataclasses import dataclass

from portal.errors import InvalidInput
from portal.extensions import db
from portal.services.account import credentials, settings_cache
from portal.services.infra.redirect_urls import check_redirect_url

DEFAULT_COLOR = "#1f5fbf"
HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Branding:
    app_name: str | None
    brand_color: str
    has_logo: bool
    default_return_url: str | None

    @property
    def display_name(self) -> str:
        return self.app_name or "the app"

    @property
    def text_color(self) -> str:
        """Black or white, whichever reads better on the brand colour (WCAG contrast)."""
        return "#000000" if _contrast(self.brand_color, "#000000") >= 4.5 else "#ffffff"


def settings() -> Branding:
    """What every portal page shows, kept a few seconds per process (settings_cache)."""
    return settings_cache.cached("branding", _read_settings)


def _read_settings() -> Branding:
    env = credentials.environment()
    color = env.brand_color if env.brand_color and HEX_COLOR.match(env.brand_color) else None
    return Branding(
        app_name=env.app_name,
        brand_color=color or DEFAULT_COLOR,
        has_logo=env.logo_mimetype is not None,  # set with the logo; the logo itself is deferred
        default_return_url=env.default_return_url,
    )


def logo() -> tuple[bytes, str] | None:
    env = credentials.environment()
    if not env.logo or not env.logo_mimetype:
        return None
    return env.logo, env.logo_mimetype


def _luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


LOGO_MAX_BYTES = 200 * 1024
APP_NAME_MAX = 100


def _logo_type(data: bytes) -> str | None:
    """The logo's media type from its first bytes (never from the browser's word)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
        return "image/svg+xml"
    return None


def update(
    app_name: str,
    brand_color: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> Branding:
    """Save the name, colour and (optionally) a new logo shown to IT admins."""
    errors = []
    app_name = app_name.strip()
    if len(app_name) > APP_NAME_MAX:
        errors.append(_error("app_name", f"Use at most {APP_NAME_MAX} characters."))
    brand_color = brand_color.strip()
    if brand_color and not HEX_COLOR.match(brand_color):
        errors.append(_error("brand_color", "Give the colour as #rrggbb, like #1f5fbf."))
    mimetype = None
    if logo:
        if len(logo) > LOGO_MAX_BYTES:
            errors.append(_error("logo", "The logo must be at most 200 KB."))
        mimetype = _logo_type(logo)
        if mimetype is None:
            errors.append(_error("logo", "The logo must be a PNG, SVG or JPEG image."))
    if errors:
        raise InvalidInput(errors[0]["message"], errors=errors)
    env = credentials.environment()
    env.app_name = app_name or None
    env.brand_color = brand_color.lower() or None
    if logo:
        env.logo, env.logo_mimetype = logo, mimetype
    elif remove_logo:
        env.logo, env.logo_mimetype = None, None
    db.session.commit()
    return settings()


def update_default_return_url(url: str) -> Branding:
    """Where IT admins return to when a link names no return URL (https in production)."""
    env = credentials.environment()
    env.default_return_url = check_redirect_url(url.strip() or None, "default_return_url")
    db.session.commit()
    return settings()


def _error(field: str, message: str) -> dict:
    return {"field": field, "code": "invalid", "message": message}
