"""Domains: the DNS record that proves the organization owns each domain, and "Check now"."""

from flask import g, render_template

from portal.admin import bp
from portal.admin.guard import requires_intent
from portal.services import domain_verification, organization_domains


@bp.get("/domains")
@requires_intent("domain_verification")
def domains():
    return render_template(
        "admin/domains.html", domains=organization_domains.domains_of(g.organization.id)
    )


@bp.post("/domains/<domain_id>/check")
@requires_intent("domain_verification")
def check_domain(domain_id):
    domain = organization_domains.domain_of(g.organization.id, domain_id)
    result = domain_verification.check_domain(domain.id)
    domain = organization_domains.domain_of(g.organization.id, domain_id)
    return render_template("admin/_domain.html", domain=domain, check=result)
