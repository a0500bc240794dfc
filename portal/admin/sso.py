"""Single sign-on: choose the provider, follow its walk-through, give us the IdP side, manage."""

from flask import current_app, g, redirect, render_template, request, url_for

from portal.admin import bp
from portal.errors import InvalidInput, PortalError
from portal.idp_guides import SSO_GUIDES, sso_guide_for
from portal.services.infra.validation import by_field
from portal.services.sso import (
    connection_sessions,
    oidc_rp,
    saml_sp,
    sign_in_checks,
    sso_attribute_maps,
    sso_policy,
    sso_setup,
)

CONNECTION_STATES = {
    "draft": "Setting up",
    "validating": "Waiting for a test sign-in",
    "active": "Active",
    "inactive": "Switched off",
}


@bp.context_processor
def sso_template_helpers():
    return {
        "connection_states": CONNECTION_STATES,
        "unmatched_attributes": sso_attribute_maps.unmatched,
    }


def sso_page(error: PortalError | None = None, status: int = 200):
    """The SSO section as it stands, with an error from the last form if there was one."""
    organization = g.organization
    connection = sso_setup.connection_for(organization.id)
    context = {
        "connection": connection,
        "guides": SSO_GUIDES,
        "domain_blocker": sso_policy.activation_blocker(organization),
        "error": error.message if error else None,
        "error_field": field_of(error),
        "field_errors": by_field(error, None) if isinstance(error, InvalidInput) else {},
        "form": request.form if error else {},
    }
    if connection is not None:
        test = connection_sessions.latest_test(organization.id)
        started = test is not None and test.state == "started"
        context.update(
            guide=sso_guide_for(connection.connection_type),
            sp=saml_sp.sp_urls(connection.id),
            redirect_uri=oidc_rp.callback_url(connection.id),
            certificates=sso_setup.certificate_views(connection),
            sp_certificates=sso_setup.sp_certificate_views(connection),
            sign_ins=connection_sessions.sign_ins(organization.id, connection.id),
            map_fields=sso_attribute_maps.FIELDS,
            custom_text=sso_attribute_maps.as_text(connection.attribute_map),
            test=test,
            checks=sign_in_checks.checklist(test, connection.protocol) if test else [],
            # the cursor past which the status looks for a newer test sign-in
            after=None
            if started
            else test.id
            if test
            else connection_sessions.newest_id(organization.id),
        )
    return current_app.make_response((render_template("admin/sso.html", **context), status))


def field_of(error: PortalError | None) -> str | None:
    if isinstance(error, InvalidInput) and error.errors:
        return error.errors[0].get("field")
    return None


def _saved(action, *args):
    try:
        action(g.organization.id, *args)
    except PortalError as refusal:
        return sso_page(refusal, 422 if isinstance(refusal, InvalidInput) else refusal.status)
    return redirect(url_for("admin.sso"))


@bp.get("/sso")
def sso():
    return sso_page()


@bp.post("/sso/provider")
def choose_sso_provider():
    return _saved(sso_setup.choose_provider, request.form.get("type", ""))


@bp.post("/sso/idp/manual")
def set_idp_manually():
    form = request.form
    return _saved(
        sso_setup.set_saml_manually,
        form.get("entity_id", ""),
        form.get("sso_url", ""),
        form.get("certificate", ""),
    )


@bp.post("/sso/idp/metadata")
def set_idp_metadata():
    upload = request.files.get("metadata_file")
    xml = upload.read() if upload and upload.filename else b""
    return _saved(
        sso_setup.set_saml_from_metadata, xml or request.form.get("metadata_xml", "").encode()
    )


@bp.post("/sso/idp/metadata-url")
def set_idp_metadata_url():
    return _saved(sso_setup.set_saml_from_metadata_url, request.form.get("metadata_url", ""))


@bp.post("/sso/idp/oidc")
def set_idp_oidc():
    form = request.form
    return _saved(
        sso_setup.set_oidc,
        form.get("discovery_url", ""),
        form.get("client_id", ""),
        form.get("client_secret", ""),
    )


@bp.post("/sso/reset")
def reset_sso():
    if request.form.get("confirm") != "yes":
        return sso_page(
            InvalidInput("Tick the box to confirm that the connection is deleted.", "confirm"), 422
        )
    return _saved(sso_setup.reset)


@bp.post("/sso/idp-initiated")
def set_idp_initiated():
    return _saved(sso_setup.set_idp_initiated, request.form.get("enabled") == "yes")


@bp.post("/sso/idp/pending/discard")
def discard_pending_idp():
    return _saved(sso_setup.discard_pending)


@bp.post("/sso/attribute-map")
def set_attribute_map():
    form = request.form
    standard = {key: form.get(f"map_{key}", "") for key in sso_attribute_maps.FIELDS}
    return _saved(sso_setup.set_attribute_map, standard, form.get("custom", ""))


@bp.post("/sso/request-options")
def set_request_options():
    form = request.form
    return _saved(
        sso_setup.set_request_options,
        form.get("sign_requests") == "on",
        form.get("binding", ""),
        form.get("require_encrypted") == "on",
    )


@bp.post("/sso/sp-certificates/add")
def add_sp_certificate():
    return _saved(sso_setup.add_sp_certificate, request.form.get("use", ""))


@bp.post("/sso/sp-certificates/promote")
def promote_sp_certificate():
    return _saved(sso_setup.promote_sp_certificate, request.form.get("use", ""))


@bp.get("/sso/sp-certificates/<key_pair_id>")
def download_sp_certificate(key_pair_id):
    """The certificate as a file to upload at the IdP (its private key never leaves)."""
    pair = sso_setup.sp_certificate(g.organization.id, key_pair_id)
    response = current_app.response_class(pair.certificate, mimetype="application/x-pem-file")
    filename = f"sp-{pair.use}-{pair.status}.pem"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
