"""The developer's customers: list, create, look at one, invite its IT admin."""

from flask import flash, redirect, render_template, request, url_for

from portal.dashboard import bp
from portal.errors import Conflict, InvalidInput, MailUnavailable
from portal.services.infra.pagination import PageRequest
from portal.services.infra.validation import by_field
from portal.services.onboarding import onboarding, portal_links
from portal.services.organizations import organization_domains, organizations
from portal.services.sso import connections

PAGE_SIZE = 20
FEATURES = (
    ("sso", "Single sign-on (SAML or OIDC)"),
    ("dsync", "Directory sync (SCIM)"),
    ("domain_verification", "Domain verification"),
)


@bp.get("/organizations")
def organization_list():
    search = request.args.get("q", "").strip()
    page = organizations.list_organizations(
        PageRequest(
            limit=PAGE_SIZE, before=request.args.get("before"), after=request.args.get("after")
        ),
        search=search or None,
    )
    return render_template("dashboard/organizations.html", page=page, search=search)


@bp.route("/organizations/new", methods=["GET", "POST"])
def new_organization():
    if request.method == "GET":
        return render_template("dashboard/new_organization.html", form={}, errors={})
    domains = request.form.get("domains", "").replace(",", "\n").split()
    try:
        org = onboarding.create_customer(request.form.get("name", ""), domains)
    except (InvalidInput, Conflict) as error:
        errors = by_field(error, "name") if isinstance(error, InvalidInput) else _conflict(error)
        page = render_template("dashboard/new_organization.html", form=request.form, errors=errors)
        return page, error.status
    flash(f"Created {org.name}.")
    return redirect(url_for("dashboard.organization", organization_id=org.id))


def _conflict(error: Conflict) -> dict:
    field = "domains" if "domain" in error.message else "name"
    return {field: error.message}


@bp.get("/organizations/<organization_id>")
def organization(organization_id):
    return render_template("dashboard/organization.html", view=onboarding.overview(organization_id))


@bp.get("/organizations/<organization_id>/checklist")
def checklist(organization_id):
    """The onboarding checklist fragment; it polls itself until every step is done."""
    org = organizations.get_organization(organization_id)
    return render_template(
        "dashboard/_checklist.html", organization=org, steps=onboarding.checklist(org.id)
    )


@bp.get("/organizations/<organization_id>/setup-tables")
def setup_tables(organization_id):
    """Domains, connections and directories; the fragment polls itself while any is pending."""
    view = onboarding.overview(organization_id)
    return render_template("dashboard/_setup_tables.html", view=view)


@bp.post("/organizations/<organization_id>/domains/<domain_id>/verify")
def verify_domain(organization_id, domain_id):
    try:
        domain = organization_domains.verify_manually(organization_id, domain_id)
    except Conflict as refusal:
        flash(refusal.message)
    else:
        flash(f"Marked {domain.domain} as verified.")
    return redirect(url_for("dashboard.organization", organization_id=organization_id))


@bp.post("/organizations/<organization_id>/connections/<connection_id>/idp-initiated")
def set_idp_initiated(organization_id, connection_id):
    enabled = request.form.get("enabled") == "yes"
    connection = connections.set_idp_initiated_of(organization_id, connection_id, enabled)
    state = "accepts" if enabled else "refuses"
    flash(f"{connection.name} now {state} sign-ins started from the identity provider.")
    return redirect(url_for("dashboard.organization", organization_id=organization_id))


@bp.route("/organizations/<organization_id>/invite", methods=["GET", "POST"])
def invite(organization_id):
    org = organizations.get_organization(organization_id)
    active = portal_links.active_setup_link(org.id)
    if request.method == "GET":
        return _invite_form(org, active, form={"features": [f for f, _ in FEATURES]})
    form = {
        "features": request.form.getlist("features"),
        "delivery": request.form.get("delivery", "email"),
        "email": request.form.get("email", ""),
    }
    email = form["email"] if form["delivery"] == "email" else None
    try:
        invitation = onboarding.invite_admin(org.id, form["features"], email)
    except InvalidInput as error:
        return _invite_form(org, active, form, by_field(error, "features"), error.status)
    except (Conflict, MailUnavailable) as error:
        return _invite_form(org, active, form, {"form": error.message}, error.status)
    return render_template("dashboard/invite_created.html", organization=org, invite=invitation)


def _invite_form(org, active, form, errors=None, status=200):
    page = render_template(
        "dashboard/invite.html",
        organization=org,
        active_link=active,
        features=FEATURES,
        form=form,
        errors=errors or {},
    )
    return page, status


@bp.get("/organizations/<organization_id>/setup-link/revoke")
def confirm_setup_link_revocation(organization_id):
    """Revoking signs the IT admin out mid-setup, so it is asked for twice."""
    org = organizations.get_organization(organization_id)
    if portal_links.active_setup_link(org.id) is None:
        flash("This organization has no active setup link.")
        return redirect(url_for("dashboard.organization", organization_id=org.id))
    return render_template("dashboard/setup_link_revoke.html", organization=org)


@bp.post("/organizations/<organization_id>/setup-link/revoke")
def revoke_setup_link(organization_id):
    portal_links.revoke_setup_link(organization_id)
    flash("The setup link is revoked; it no longer opens the portal.")
    return redirect(url_for("dashboard.organization", organization_id=organization_id))
