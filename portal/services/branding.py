"""How the developer's app presents itself to IT admins: name, colour, logo, default return."""

import re
from dataclasses import dataclass

from portal.services import credentials

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
    env = credentials.environment()
    color = env.brand_color if env.brand_color and HEX_COLOR.match(env.brand_color) else None
    return Branding(
        app_name=env.app_name,
        brand_color=color or DEFAULT_COLOR,
        has_logo=bool(env.logo),
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
