"""`/organization_domains`: claiming and verifying an organization's domains."""

from portal.api import bp
from portal.api.idempotency import idempotent
from portal.api.parsing import json_body
from portal.api.schemas import CreateOrganizationDomain
from portal.services.organizations import organization_domains, organization_shapes


@bp.post("/organization_domains")
@idempotent
def create_organization_domain():
    body = json_body(CreateOrganizationDomain)
    domain = organization_domains.create_domain(body.organization_id, body.domain)
    return organization_shapes.organization_domain(domain), 201


@bp.get("/organization_domains/<domain_id>")
def get_organization_domain(domain_id):
    return organization_shapes.organization_domain(organization_domains.get_domain(domain_id))


@bp.post("/organization_domains/<domain_id>/verify")
@idempotent
def verify_organization_domain(domain_id):
    domain = organization_domains.start_verification(domain_id)
    return organization_shapes.organization_domain(domain)


@bp.delete("/organization_domains/<domain_id>")
def delete_organization_domain(domain_id):
    organization_domains.delete_domain(domain_id)
    return "", 204
