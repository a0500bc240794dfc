"""Flask's signed-cookie sessions, opened cheaply when there is no cookie to read."""

from flask.sessions import SecureCookieSessionInterface


class CookieSessionInterface(SecureCookieSessionInterface):
    """API and SCIM calls carry no session cookie: they get an empty session without the
    signer being built for them (a few percent of a SCIM request)."""

    def open_session(self, app, request):
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)
