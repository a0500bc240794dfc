"""Where a request whose session is gone is sent (the admin's portal session, the
dashboard's sign-in)."""

from flask import redirect, request
from htmx_flask import make_response


def redirect_signed_out(target: str):
    """A redirect to `target`; for an htmx request a 401 with HX-Redirect instead, since a
    redirect would be followed and its page swapped into the fragment."""
    if request.htmx:
        return make_response("", 401, redirect=target)
    return redirect(target)
