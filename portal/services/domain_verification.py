"""Checking a domain's DNS TXT record against its verification token."""

from dataclasses import dataclass

import dns.exception
import dns.nameserver
import dns.resolver
from flask import current_app

from portal.extensions import db
from portal.models import OrganizationDomain
from portal.services import organization_domains

LOOKUP_TIMEOUT_SECONDS = 5.0


@dataclass
class DnsCheck:
    verified: bool
    record_name: str
    seen: list[str]
    explanation: str


def record_name(domain) -> str:
    return f"{domain.verification_prefix}.{domain.domain}"


def _resolver() -> dns.resolver.Resolver:
    configured = current_app.config.get("PORTAL_DNS_RESOLVERS") or []
    if not configured:
        resolver = dns.resolver.Resolver()
    else:
        resolver = dns.resolver.Resolver(configure=False)
        servers = []
        for entry in configured:
            host, _, port = entry.rpartition(":") if ":" in entry else (entry, "", "53")
            servers.append(dns.nameserver.Do53Nameserver(host, int(port or 53)))
        resolver.nameservers = servers
    resolver.lifetime = LOOKUP_TIMEOUT_SECONDS
    return resolver


def lookup_txt(name: str) -> tuple[list[str], str | None]:
    """TXT strings at `name` (multi-string records joined), or an explanation of what failed."""
    try:
        answer = _resolver().resolve(name, "TXT")
    except dns.resolver.NXDOMAIN:
        return [], f"No DNS record exists at {name} yet."
    except dns.resolver.NoAnswer:
        return [], f"{name} exists but has no TXT record."
    except dns.resolver.NoNameservers:
        return [], f"The DNS servers for {name} refused or failed the lookup (SERVFAIL)."
    except dns.exception.Timeout:
        return [], f"The DNS lookup of {name} timed out."
    values = [b"".join(record.strings).decode("utf-8", "replace") for record in answer]
    return values, None


def check_domain(domain_id: str) -> DnsCheck | None:
    """Look the record up now; a match verifies the domain. None if nothing is left to check."""
    domain = db.session.get(OrganizationDomain, domain_id)
    if domain is None or domain.state != "pending":
        return None
    return _check(domain)


def _check(domain: OrganizationDomain) -> DnsCheck:
    name = record_name(domain)
    seen, problem = lookup_txt(name)
    if domain.verification_token in seen:
        organization_domains.mark_verified(domain, strategy="dns")
        db.session.commit()
        return DnsCheck(True, name, seen, f"Found the verification record at {name}.")
    explanation = problem or (
        f"Found {len(seen)} TXT record(s) at {name}, none matching the verification token."
    )
    return DnsCheck(False, name, seen, explanation)
