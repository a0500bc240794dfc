"""Every exception portal raises, in one place and with no Flask here, so any module (services,
jobs, views) can import them. `portal/error_handlers.py` turns them into responses."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.models import PortalLink

# --- What every audience sees: a PortalError carries the HTTP status and a stable code ---


class PortalError(Exception):
    """An error a service raises for its caller to see, with a stable code."""

    status = 400
    code = "invalid_request"

    def __init__(self, message: str, code: str | None = None, **details):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.details = details


class InvalidInput(PortalError):
    """Input that fails validation; `errors` lists each field at fault (WorkOS 422 shape)."""

    status = 422
    code = "invalid_request_parameters"

    def __init__(
        self,
        message: str,
        field: str | None = None,
        code: str = "invalid",
        errors: list[dict] | None = None,
    ):
        if errors is None and field:
            errors = [{"field": field, "code": code, "message": message}]
        super().__init__(message, **({"errors": errors} if errors else {}))
        self.errors = errors or []


class BadRequest(PortalError):
    """A request that cannot be read at all (malformed body, bad idempotency key)."""

    status = 400
    code = "invalid_request"


class NotFound(PortalError):
    """The thing asked for does not exist, or belongs to another tenant."""

    status = 404
    code = "entity_not_found"


class Conflict(PortalError):
    """The change clashes with what already exists or with the thing's current state."""

    status = 409
    code = "conflict"


# --- Plumbing: the job queue, secrets at rest, requests to URLs others chose ---


class QueueUnavailable(RuntimeError):
    """The job could not be handed to the queue (Redis down or refusing)."""


class SecretUnreadable(RuntimeError):
    """A stored secret was sealed by a key this server no longer has, or was altered."""


class OutboundError(Exception):
    """The request was not made or did not complete; the message says why in plain words."""


class DestinationRefused(OutboundError):
    """The URL is not one portal may call: its form, its scheme, or where its host points."""


class ConnectFailed(Exception):
    """Connecting to one checked address failed; the next address is tried."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


# --- The developer: API keys and dashboard sign-in ---


class Unauthorized(PortalError):
    """An API call without a valid API key."""

    status = 401
    code = "unauthorized"


class TooManyAttempts(PortalError):
    """Dashboard sign-in throttled after too many failures for this email and address."""

    status = 429
    code = "rate_limit_exceeded"


class DashboardSessionEnded(Exception):
    """A dashboard cookie whose server-side session is over; `reason` is signed_out, idle,
    lifetime or password_changed."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- Events and webhook delivery ---


class EndpointDisabled(PortalError):
    """A delivery resent to a webhook endpoint that is switched off."""

    status = 400
    code = "webhook_endpoint_disabled"


# --- Organizations and their domains ---


class DomainAlreadyVerified(PortalError):
    """A verification asked for a domain that is verified already."""

    status = 400
    code = "domain_already_verified"


class DomainHeldElsewhere(Conflict):
    """Another organization holds the domain; the message names it, for the developer."""

    code = "domain_already_exists"


class DomainUnavailable(Conflict):
    """What the IT admin is told instead: nothing about any other customer."""

    code = "domain_unavailable"


# --- Single sign-on ---


class SignInRefused(Exception):
    """A sign-in refused with a stable code; `detail` says what exactly was wrong."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


class SignInError(PortalError):
    """OAuth-style failure of authorize or token (`error`/`error_description` kept too)."""

    status = 400

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message, code=code, error=code, error_description=message)
        self.status = status


# --- Directory sync (SCIM) ---


class ScimError(PortalError):
    """An error in a SCIM request, answered with the SCIM error schema and its `scimType`."""

    def __init__(self, message: str, status: int = 400, scim_type: str | None = None):
        super().__init__(message, code=scim_type or "invalid_request")
        self.status = status
        self.scim_type = scim_type


class PathError(ValueError):
    """A path that cannot be read; the SCIM answer is 400 invalidPath (or invalidFilter)."""


class FilterError(PathError):
    """A filter that cannot be parsed: SCIM 400 invalidFilter."""


class PatchError(ValueError):
    """A PATCH the server cannot apply; `scim_type` is the SCIM error type to answer with."""

    def __init__(self, message: str, scim_type: str = "invalidValue"):
        super().__init__(message)
        self.scim_type = scim_type


# --- Audit logs ---


class ExportLinkRefused(PortalError):
    """An export download link that expired, was altered, or was made for another export."""

    status = 403
    code = "export_link_refused"


# --- Onboarding: magic links, portal sessions and the mail that carries a link ---


class TokenExpired(Exception):
    """A genuine magic-link token past its signature's age limit."""


class TokenInvalid(Exception):
    """A magic-link token that is forged, altered or not a token at all."""


class LinkRefused(Exception):
    """A link that cannot be opened; `reason` is garbled, unknown, expired, revoked or used."""

    def __init__(self, reason: str, link: "PortalLink | None" = None):
        super().__init__(reason)
        self.reason = reason
        self.link = link


class MailUnavailable(PortalError):
    """Mail cannot go out: SMTP_URL is malformed or unset, or the server refuses it."""

    status = 503
    code = "mail_unavailable"
