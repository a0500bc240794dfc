"""Error responses: one place that turns any error into an answer for its audience
(WorkOS-style JSON for the API, the SCIM error schema under /scim, an HTML page or an htmx
fragment for people)."""

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.errors import PortalError
from portal.extensions import db
from portal.web.bearer import bearer_token
from portal.web.rate_limits import retry_after_seconds

log = logging.getLogger(__name__)

# Paths served to code rather than people; errors there are JSON.
API_PATH_PREFIXES = (
    "/organizations",
    "/organization_domains",
    "/portal/",
    "/connections",
    "/directories",
    "/directory_users",
    "/directory_groups",
    "/events",
    "/webhook_endpoints",
    "/audit_logs",
    "/sso/token",
    "/sso/profile",
    "/healthz",
    "/openapi.json",
)

HTTP_ERROR_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "invalid_request_parameters",
    429: "rate_limit_exceeded",
}

PAGE_EXPLANATIONS = {
    400: ("The request could not be understood", "Go back and try again."),
    403: ("You cannot open this page", "Ask the person who sent you the link for a new one."),
    404: ("This page does not exist", "Check the address, or start again from your link."),
    405: ("This page cannot be used that way", "Go back and try again."),
    409: ("That clashes with something that already exists", "Go back and try another way."),
    422: ("Some of that cannot be used", "Go back, correct it and try again."),
    413: ("That upload is too large", "Choose a smaller file and try again."),
    429: ("Too many attempts", "Wait a minute, then try again."),
    503: (
        "This portal cannot reach its database",
        "Nothing you did caused this, and nothing you saved is lost. Try again in a minute.",
    ),
    500: (
        "Something went wrong on our side",
        "Nothing you did caused this. Try again in a minute; if it keeps happening, "
        "tell the team that runs this portal.",
    ),
}

# OAuth endpoints: their errors also carry RFC 6749's `error` and `error_description`.
OAUTH_PATHS = ("/sso/token",)

# The database refused, dropped or never took the connection (restart, failover, full pool).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
DATABASE_UNAVAILABLE_MESSAGE = "The service cannot reach its database. Try again in a few seconds."
RETRY_AFTER_SECONDS = 5

SCIM_PATH_PREFIX = "/scim/"
SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
# RFC 7644 3.12: what the IdP reads from an error of each status when we name no scimType.
SCIM_TYPES_BY_STATUS = {409: "uniqueness", 413: "tooLarge"}


def wants_json() -> bool:
    if request.path.startswith(API_PATH_PREFIXES):
        return True
    # An API client (it sends its key) calling a path we do not serve still gets JSON.
    return bearer_token() is not None


def wants_scim() -> bool:
    return request.path.startswith(SCIM_PATH_PREFIX)


def _scim_error(status: int, detail: str, scim_type: str | None = None):
    # SCIM has no 422: input it cannot use is a 400 invalidValue.
    if status == 422:
        status, scim_type = 400, scim_type or "invalidValue"
    body = {"schemas": [SCIM_ERROR_SCHEMA], "status": str(status), "detail": detail}
    scim_type = scim_type or SCIM_TYPES_BY_STATUS.get(status)
    if scim_type:
        body["scimType"] = scim_type
    response = jsonify(body)
    response.mimetype = "application/scim+json"
    return response, status


def _json_error(status: int, code: str, message: str, **details):
    return jsonify({"message": message, "code": code, **details}), status


def _page_error(status: int, title: str | None = None, message: str | None = None):
    default_title, default_message = PAGE_EXPLANATIONS.get(status, PAGE_EXPLANATIONS[400])
    if request.htmx:
        template = "errors/_error.html"
    elif _in_dashboard():
        template = "dashboard/error.html"  # with its navigation and a way back
    else:
        template = "errors/error.html"
    body = render_template(
        template,
        status=status,
        title=title or default_title,
        message=message or default_message,
        back_url=_back_url(),
    )
    return body, status


def _in_dashboard() -> bool:
    """A signed-in developer's dashboard page (the nav needs the user)."""
    from flask_login import current_user

    dashboard = request.blueprint == "dashboard" or request.path.startswith("/dashboard/")
    return dashboard and current_user.is_authenticated


def _back_url() -> str | None:
    """Where the user came from, when it is a page of this site."""
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url) and referrer != request.url:
        return referrer
    return None


def handle_portal_error(error: PortalError):
    db.session.rollback()
    if wants_scim():
        return _scim_error(error.status, error.message, getattr(error, "scim_type", None))
    if wants_json():
        return _json_error(error.status, error.code, error.message, **error.details)
    return _page_error(error.status, message=error.message)


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        return handle_unexpected(error)
    if wants_scim():
        response = _scim_error(status, error.description or error.name)
    elif wants_json():
        code = HTTP_ERROR_CODES.get(status, "invalid_request")
        response = _json_error(status, code, error.description or error.name)
    else:
        response = _page_error(status)
    if status == 405 and error.get_response().headers.get("Allow"):
        body, status = response
        return body, status, {"Allow": error.get_response().headers["Allow"]}
    return response


def handle_unexpected(error: Exception):
    db.session.rollback()
    if not isinstance(error, HTTPException) or isinstance(error, InternalServerError):
        log.exception("unhandled error on %s %s", request.method, request.path, exc_info=error)
    if wants_scim():
        return _scim_error(500, "An unexpected error occurred.")
    if wants_json():
        return _json_error(500, "server_error", "An unexpected error occurred.")
    return _page_error(500)


def handle_rate_limited(error: RateLimitExceeded):
    """A 429 in the caller's shape, with Retry-After: when the limit lets the next one in."""
    db.session.rollback()
    message = error.description
    if wants_scim():
        body, status = _scim_error(429, message)
    elif request.path in OAUTH_PATHS:
        code = HTTP_ERROR_CODES[429]
        body, status = _json_error(429, code, message, error=code, error_description=message)
    elif wants_json():
        body, status = _json_error(429, HTTP_ERROR_CODES[429], message)
    else:
        body, status = _page_error(429, "Too many attempts", message)
    return body, status, {"Retry-After": str(retry_after_seconds(error))}


def handle_database_unavailable(error: Exception):
    """A 503 its audience can act on, touching the database no more (the page is the plain
    one: the dashboard's navigation and the admin's branding would read it)."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, error)
    try:
        db.session.rollback()
    except DATABASE_UNAVAILABLE:
        db.session().invalidate()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_scim():
        body, status = _scim_error(503, DATABASE_UNAVAILABLE_MESSAGE)
    elif wants_json():
        body, status = _json_error(503, "service_unavailable", DATABASE_UNAVAILABLE_MESSAGE)
    else:
        body, status = _page_without_context_processors(503), 503
    return body, status, headers


def _page_without_context_processors(status: int) -> str:
    # A blueprint's context processors may read the database (the admin's branding does).
    title, message = PAGE_EXPLANATIONS[status]
    template = "errors/_error.html" if request.htmx else "errors/error.html"
    return current_app.jinja_env.get_template(template).render(
        status=status, title=title, message=message, back_url=None
    )


def handle_csrf_error(error: CSRFError):
    if wants_json():
        return _json_error(400, "csrf_token_invalid", error.description)
    body, status = _page_error(
        400, "This form has expired", "Reload the page and submit the form again."
    )
    # htmx does not swap error responses; have it reload the page for a fresh token instead.
    headers = {"HX-Refresh": "true"} if request.htmx else {}
    return body, status, headers


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(PortalError, handle_portal_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(RateLimitExceeded, handle_rate_limited)

    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
