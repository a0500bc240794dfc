"""The page that carries a SAML AuthnRequest to the IdP by the HTTP-POST binding.

A form posted to the IdP: `static/js/portal.js` submits it on load, and its visible button
does the same without JavaScript. The page's CSP lets forms go to the IdP (every other page
keeps `form-action 'self'`), and over https to wherever the IdP's sign-on page redirects:
browsers hold a form's redirects to `form-action` too.
"""

from urllib.parse import urlsplit

from flask import current_app, render_template

from portal.http_hardening import content_security_policy


def post_to_idp(url: str, form: dict):
    """The auto-submitting form page (not cached: going back must not replay the request)."""
    response = current_app.make_response(
        render_template("sso/post_to_idp.html", idp_url=url, fields=form)
    )
    parts = urlsplit(url)
    policy = content_security_policy([])
    response.headers["Content-Security-Policy"] = policy.replace(
        "form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc} https:"
    )
    response.headers["Cache-Control"] = "no-store"
    return response
