"""The exceptions services raise for their callers, with no Flask here: any module can import
them. `portal/error_handlers.py` turns them into responses."""


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
    status = 400
    code = "invalid_request"


class NotFound(PortalError):
    status = 404
    code = "entity_not_found"


class Conflict(PortalError):
    status = 409
    code = "conflict"


class ScimError(PortalError):
    """An error in a SCIM request, answered with the SCIM error schema and its `scimType`."""

    def __init__(self, message: str, status: int = 400, scim_type: str | None = None):
        super().__init__(message, code=scim_type or "invalid_request")
        self.status = status
        self.scim_type = scim_type
