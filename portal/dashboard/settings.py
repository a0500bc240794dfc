"""The developer's settings: branding, redirects, API keys, and the mail that went out."""

from flask import current_app, flash, redirect, render_template, request, url_for

from portal.dashboard import bp
from portal.errors import Conflict, InvalidInput, MailUnavailable
from portal.services.account import branding, credentials, sign_in_redirects
from portal.services.infra.pagination import PageRequest
from portal.services.infra.validation import by_field
from portal.services.onboarding import mail


@bp.route("/settings/branding", methods=["GET", "POST"])
def branding_settings():
    if request.method == "GET":
        return render_template("dashboard/branding.html", brand=branding.settings(), errors={})
    upload = request.files.get("logo")
    try:
        branding.update(
            app_name=request.form.get("app_name", ""),
            brand_color=request.form.get("brand_color", ""),
            logo=upload.read() if upload and upload.filename else None,
            remove_logo=bool(request.form.get("remove_logo")),
        )
    except InvalidInput as error:
        page = render_template(
            "dashboard/branding.html",
            brand=branding.settings(),
            form=request.form,
            errors=by_field(error, "app_name"),
        )
        return page, error.status
    flash("Branding saved. IT admins see it on their next page.")
    return redirect(url_for("dashboard.branding_settings"))


def _redirects_page(status=200, **context):
    context.setdefault("errors", {})
    context.setdefault("uris", "\n".join(sign_in_redirects.stored()))
    page = render_template(
        "dashboard/redirects.html",
        brand=branding.settings(),
        from_environment=current_app.config["PORTAL_REDIRECT_URIS"],
        production=current_app.config["PORTAL_ENV"] == "production",
        **context,
    )
    return page, status


@bp.route("/settings/redirects", methods=["GET", "POST"])
def redirect_settings():
    if request.method == "GET":
        return _redirects_page()
    url = request.form.get("default_return_url", "")
    try:
        branding.update_default_return_url(url)
    except InvalidInput as error:
        return _redirects_page(
            error.status, value=url, errors=by_field(error, "default_return_url")
        )
    flash("Default return URL saved.")
    return redirect(url_for("dashboard.redirect_settings"))


@bp.post("/settings/redirects/sign-in")
def save_redirect_uris():
    raw = request.form.get("redirect_uris", "")
    try:
        uris = sign_in_redirects.update(raw)
    except InvalidInput as error:
        return _redirects_page(error.status, uris=raw, errors=by_field(error, "redirect_uris"))
    flash(f"Allowed redirect URIs saved ({len(uris)}).")
    return redirect(url_for("dashboard.redirect_settings"))


@bp.get("/settings/api-keys")
def api_keys():
    return _api_keys_page()


@bp.post("/settings/api-keys")
def create_api_key():
    name = request.form.get("name", "")
    try:
        key, secret = credentials.create_api_key(name)
    except InvalidInput as error:
        return _api_keys_page(errors=by_field(error, "name"), name=name, status=error.status)
    return _api_keys_page(new_key=key, secret=secret, status=201)


def _api_keys_page(status=200, **context):
    context.setdefault("errors", {})
    page = render_template(
        "dashboard/api_keys.html",
        keys=credentials.list_api_keys(),
        client_id=credentials.environment().client_id,
        **context,
    )
    return page, status


@bp.get("/settings/api-keys/<key_id>/revoke")
def confirm_api_key_revocation(key_id):
    """Revoking breaks every app still using the key at once, so it is asked for twice."""
    key = credentials.get_api_key(key_id)
    if not key.is_active:
        flash(f"The API key {key.name} ({key.display_prefix}…) is revoked already.")
        return redirect(url_for("dashboard.api_keys"))
    return render_template("dashboard/api_key_revoke.html", key=key)


@bp.post("/settings/api-keys/<key_id>/revoke")
def revoke_api_key(key_id):
    key = credentials.revoke_api_key(key_id)
    flash(f"Revoked the API key {key.name} ({key.display_prefix}…).")
    return redirect(url_for("dashboard.api_keys"))


@bp.get("/settings/emails")
def sent_emails():
    page = mail.list_messages(
        PageRequest(limit=20, before=request.args.get("before"), after=request.args.get("after"))
    )
    return render_template(
        "dashboard/emails.html",
        page=page,
        max_attempts=mail.MAX_ATTEMPTS,
        shown_body=mail.shown_body,
        link_placeholder=mail.LINK_PLACEHOLDER,
    )


@bp.post("/settings/emails/<message_id>/send-again")
def send_email_again(message_id):
    try:
        message = mail.send_again(message_id)
    except (Conflict, MailUnavailable) as error:
        flash(error.message)
    else:
        flash(f"Sending the mail to {message.recipient} again.")
    return redirect(url_for("dashboard.sent_emails"))
