"""Domains: add a domain, the DNS record that proves it, "Check now", and trying again."""

from flask import g, redirect, render_template, request, url_for

from portal.admin import bp
from portal.errors import DomainUnavailable, PortalError
from portal.services.organizations import domain_verification, organization_domains
from portal.services.organizations.dns_hosts import DNS_HOSTS, steps_for


@bp.context_processor
def domain_template_helpers():
    return {"dns_host_steps": dns_host_steps}


def dns_host_steps(domain):
    return [
        (host, steps_for(host, domain.verification_prefix, domain.domain)) for host in DNS_HOSTS
    ]


@bp.get("/domains")
def domains():
    error, proposed = None, _domain_named_by_link()
    if proposed:
        try:
            organization_domains.claim_for_portal(g.organization.id, proposed)
        except PortalError as refusal:
            error = refusal.message
    return _page(error=error, proposed=proposed if error else "")


@bp.post("/domains")
def add_domain():
    name = request.form.get("domain", "")
    try:
        organization_domains.claim_for_portal(g.organization.id, name)
    except PortalError as refusal:
        return _page(error=refusal.message, proposed=name), 422
    return redirect(url_for("admin.domains"))


@bp.post("/domains/<domain_id>/check")
def check_domain(domain_id):
    domain = organization_domains.domain_of(g.organization.id, domain_id)
    result = domain_verification.check_domain(domain.id)
    domain = organization_domains.domain_of(g.organization.id, domain_id)
    return render_template("admin/_domain.html", domain=domain, check=result)


@bp.post("/domains/<domain_id>/retry")
def retry_domain(domain_id):
    try:
        domain = organization_domains.retry_for_portal(g.organization.id, domain_id)
    except DomainUnavailable as refusal:
        domain = organization_domains.domain_of(g.organization.id, domain_id)
        return render_template("admin/_domain.html", domain=domain, refusal=refusal.message)
    return render_template("admin/_domain.html", domain=domain, check=None)


def _domain_named_by_link() -> str | None:
    options = g.portal_session.link.intent_options or {}
    return (options.get("domain_verification") or {}).get("domain_name")


def _page(error: str | None, proposed: str):
    return render_template(
        "admin/domains.html",
        domains=organization_domains.domains_of(g.organization.id),
        error=error,
        proposed=proposed,
    )
