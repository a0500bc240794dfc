"""The developer's branding, served as a stylesheet and an image (the CSP allows no inline
styles)."""

from flask import Response, abort

from portal.admin import bp
from portal.services.account import branding


@bp.get("/branding.css")
def branding_css():
    brand = branding.settings()
    css = f":root {{ --brand: {brand.brand_color}; --brand-ink: {brand.text_color}; }}\n"
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/branding/logo")
def brand_logo():
    stored = branding.logo()
    if stored is None:
        abort(404)
    data, mimetype = stored
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
