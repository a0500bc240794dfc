"""NUL characters in requests: in a path value they name nothing; in a page's input they are
refused with the form's error. (The API and SCIM refuse them in their own parsing, in their
own error shapes; the policy for all audiences is in this package's docstring.)"""

from flask import request

from portal.errors import InvalidInput, NotFound
from portal.services.infra.nul_characters import NUL, readable_text


def refuse_nul_in_path(endpoint: str | None, values: dict | None) -> None:
    """A URL value preprocessor: a path value holding NUL names nothing, so it is a 404 (in
    the error shape of the blueprint's audience) before any view or guard reads it."""
    if any(NUL in str(value) for value in (values or {}).values()):
        raise NotFound("No object has this id.")


def refuse_nul_in_page_input() -> None:
    """A page blueprint's before_request: a query or form value (or name) holding NUL is
    refused, a 422 naming the field, before any view reads it."""
    for name, value in request.values.items(multi=True):
        if NUL in name or NUL in value:
            field = readable_text(name)
            raise InvalidInput(f"{field} must not contain NUL characters.", field=field)
