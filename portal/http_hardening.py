"""Security headers on every response (a strict CSP, no inline script) and early refusal of
oversize request bodies.

Only the IT-admin portal (`/admin/...`) may be framed, by the origins allowed in
PORTAL_FRAME_ANCESTORS and the dashboard's Embedding settings; every other page refuses
framing (the dashboard most of all: a framed dashboard invites clickjacking).
"""

from flask import Flask, abort, request

from portal.services.account import embedding

FRAMEABLE_PREFIX = "/admin/"


def content_security_policy(frame_ancestors: list[str]) -> str:
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
            f"frame-ancestors {ancestors}",
        ]
    )


def _frame_ancestors() -> list[str]:
    if not request.path.startswith(FRAMEABLE_PREFIX):
        return []
    return embedding.allowed_origins()


def register_http_hardening(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response):
        ancestors = _frame_ancestors()
        response.headers.setdefault("Content-Security-Policy", content_security_policy(ancestors))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if not ancestors:
            response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["PORTAL_PUBLIC_URL"].startswith("https://"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.before_request
    def refuse_oversize_bodies():
        # Refused before any view reads the body, whatever the route.
        limit = app.config["MAX_CONTENT_LENGTH"]
        if limit and (request.content_length or 0) > limit:
            abort(413, f"The request body is larger than {limit} bytes.")
