from flask import Response, redirect, render_template, request

from portal.errors import PortalError, SignInError
from portal.services.sso import pkce, saml_sp, sign_in
from portal.services.sso.connections import get_connection
from portal.services.sso.sign_in_errors import explain
from portal.sso import bp
from portal.web.bearer import bearer_token
from portal.web.idp_post import post_to_idp


@bp.get("/authorize")
def authorize():
    args = request.args
    try:
        redirect_uri = sign_in.check_client(args.get("client_id"), args.get("redirect_uri"))
    except SignInError as refusal:
        return _error_page(400, refusal.message)
    try:
        challenge = pkce.challenge_of(args.get("code_challenge"), args.get("code_challenge_method"))
        connection = sign_in.choose_connection(
            args.get("connection"), args.get("organization"), args.get("domain")
        )
        idp_request = sign_in.start(connection, redirect_uri, args.get("state"), challenge)
    except PortalError as refusal:
        return redirect(sign_in.error_redirect(redirect_uri, refusal, args.get("state")))
    if idp_request.form:
        return post_to_idp(idp_request.url, idp_request.form)
    return redirect(idp_request.url)


@bp.get("/saml/<connection_id>/metadata")
def saml_metadata(connection_id):
    xml = saml_sp.metadata_xml(get_connection(connection_id))
    return Response(xml, mimetype="application/samlmetadata+xml")


@bp.post("/saml/<connection_id>/acs")
def saml_acs(connection_id):
    outcome = sign_in.finish_saml(
        connection_id, request.form.get("SAMLResponse", ""), request.form.get("RelayState")
    )
    if outcome.redirect_url:
        return redirect(outcome.redirect_url)
    return _error_page(400, explain(outcome.error_code or "invalid_response"))


@bp.get("/oidc/<connection_id>/callback")
def oidc_callback(connection_id):
    outcome = sign_in.finish_oidc(connection_id, request.args.to_dict())
    if outcome.redirect_url:
        return redirect(outcome.redirect_url)
    return _error_page(400, explain(outcome.error_code or "invalid_response"))


@bp.post("/token")
def token():
    try:
        body = request.get_json(silent=True) or request.form
    except RecursionError:
        raise SignInError("invalid_request", "The request body is nested too deeply.") from None
    if body.get("grant_type", "authorization_code") != "authorization_code":
        raise SignInError("unsupported_grant_type", "Only authorization_code is supported.")
    access_token, expires_in, profile = sign_in.exchange_code(
        _text(body, "code"),
        _text(body, "client_id"),
        _text(body, "client_secret") or bearer_token(),
        _text(body, "code_verifier"),
    )
    return {
        "token_type": "Bearer",
        "access_token": access_token,
        "expires_in": expires_in,
        "profile": profile,
    }


@bp.get("/profile")
def profile():
    token = bearer_token()
    if token is None:
        raise SignInError("invalid_token", "Send the access token as a Bearer token.", 401)
    return sign_in.profile_for_token(token)


def _text(body, key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise SignInError("invalid_request", f"{key} must be a string.")
    return value


def _error_page(status: int, message: str):
    page = render_template(
        "errors/error.html", status=status, title="Sign-in could not start", message=message
    )
    return page, status
