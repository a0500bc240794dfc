"""`/organizations`: the developer's customers."""

from werkzeug.routing import PathConverter

from portal.api import bp
from portal.api.idempotency import idempotent
from portal.api.parsing import domain_list_param, json_body, page_request, text_param
from portal.api.schemas import CreateOrganization, UpdateOrganization
from portal.services.infra import wire
from portal.services.organizations import organization_shapes, organizations
from portal.services.organizations.organizations import DomainClaim, OrganizationChanges


class ExternalIdConverter(PathConverter):
    """The rest of the path, whatever it holds: an external id is the developer's own string,
    and the SDK sends its `/` as %2F, which arrives decoded. Werkzeug's `path` cannot start
    with a slash, so `/acme` fell through to a merge-slashes redirect to `.../acme`, which the
    SDK follows: another organization, or a 404."""

    regex = ".+"
    part_isolating = False


@bp.record_once
def _register_external_id_converter(state):
    state.app.url_map.converters["external_id"] = ExternalIdConverter


def _changes(body: CreateOrganization | UpdateOrganization) -> OrganizationChanges:
    provided = body.provided()
    claims = None
    if body.domain_data is not None:
        claims = [DomainClaim(d.domain, d.state) for d in body.domain_data]
    elif body.domains is not None:
        claims = [DomainClaim(d) for d in body.domains]
    if {"domain_data", "domains"} & provided:
        provided = (provided - {"domain_data"}) | {"domains"}
    return OrganizationChanges(
        name=body.name,
        domains=claims,
        external_id=body.external_id,
        metadata=body.metadata,
        allow_profiles_outside_organization=body.allow_profiles_outside_organization,
        stripe_customer_id=body.stripe_customer_id,
        provided=provided,
    )


@bp.get("/organizations")
def list_organizations():
    page = organizations.list_organizations(
        page_request(), domains=domain_list_param("domains"), search=text_param("search")
    )
    items = [organization_shapes.organization(org) for org in page.items]
    return wire.list_envelope(items, page.before, page.after)


@bp.post("/organizations")
@idempotent
def create_organization():
    org = organizations.create_organization(_changes(json_body(CreateOrganization)))
    return organization_shapes.organization(org), 201


@bp.get("/organizations/<organization_id>")
def get_organization(organization_id):
    return organization_shapes.organization(organizations.get_organization(organization_id))


@bp.get("/organizations/external_id/<external_id:external_id>")
def get_organization_by_external_id(external_id):
    return organization_shapes.organization(organizations.get_by_external_id(external_id))


@bp.put("/organizations/<organization_id>")
def update_organization(organization_id):
    changes = _changes(json_body(UpdateOrganization))
    return organization_shapes.organization(
        organizations.update_organization(organization_id, changes)
    )


@bp.delete("/organizations/<organization_id>")
def delete_organization(organization_id):
    organizations.delete_organization(organization_id)
    return "", 204
