"""Checking a domain's DNS TXT record against its verification token, now ("Check now") or
on a back-off schedule for up to 7 days, after which the domain fails."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import dns.exception
import dns.nameserver
import dns.resolver
from flask import current_app
from sqlalchemy import or_, select

from portal.extensions import db
from portal.models import OrganizationDomain
from portal.models.columns import utcnow
from portal.services.organizations import organization_domains

VERIFICATION_PERIOD = timedelta(days=7)
EXPIRED_REASON = "domain_verification_period_expired"
# Minutes at first (people add the record and wait), then hourly, then every few hours.
EARLY_DELAYS = [timedelta(minutes=m) for m in (1, 2, 5, 10, 15, 30)]
FIRST_DAY_DELAY = timedelta(hours=1)
LATER_DELAY = timedelta(hours=4)
# The sweep re-queues a pending domain whose next check is this overdue (a lost job).
OVERDUE_AFTER = LATER_DELAY + timedelta(minutes=30)


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
    resolver.lifetime = current_app.config["PORTAL_DNS_TIMEOUT"]
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


def resolvers_fail(name: str) -> str | None:
    """What fails when the configured resolvers cannot answer for `name`; None when they answer,
    even that the name does not exist."""
    _, problem = lookup_txt(name)
    resolved = problem is None or "No DNS record" in problem or "no TXT record" in problem
    return None if resolved else problem


def check_domain(domain_id: str) -> DnsCheck | None:
    """Look the record up now; a match verifies the domain. None if nothing is left to check."""
    domain = db.session.get(OrganizationDomain, domain_id)
    if domain is None or domain.state != "pending":
        return None
    return _check(domain)


def _check(domain: OrganizationDomain) -> DnsCheck:
    name = record_name(domain)
    seen, problem = lookup_txt(name)
    domain.last_checked_at = utcnow()
    domain.check_count += 1
    if domain.verification_token in seen:
        found = f"Found the verification record at {name}"
        if organization_domains.verify_by_dns(domain):
            result = DnsCheck(True, name, seen, f"{found}.")
        else:
            result = DnsCheck(
                False, name, seen, f"{found}, but this domain can't be verified here."
            )
        domain.last_check_summary = result.explanation
    else:
        explanation = problem or (
            f"Found {len(seen)} TXT record(s) at {name}, none matching the verification token."
        )
        result = DnsCheck(False, name, seen, explanation)
        domain.last_check_summary = explanation
    db.session.commit()
    return result


def next_delay(started_at: datetime, now: datetime, checks_done: int) -> timedelta:
    """How long to wait before the next check, by how long this round has been going."""
    if checks_done <= len(EARLY_DELAYS) and now - started_at < timedelta(hours=1):
        return EARLY_DELAYS[max(checks_done - 1, 0)]
    if now - started_at < timedelta(days=1):
        return FIRST_DAY_DELAY
    return LATER_DELAY


def poll(domain_id: str) -> str:
    """One scheduled check: verify, give up after 7 days, or schedule the next check."""
    domain = db.session.get(OrganizationDomain, domain_id)
    if domain is None or domain.state != "pending" or domain.verification_strategy != "dns":
        return "stopped"
    started = domain.verification_started_at or domain.created_at
    if _check(domain).verified:
        return "verified"
    if domain.state != "pending":
        return "stopped"  # another organization's proof came first
    now = utcnow()
    if now - started >= VERIFICATION_PERIOD:
        organization_domains.fail(domain, EXPIRED_REASON)
        db.session.commit()
        return "failed"
    delay = next_delay(started, now, domain.check_count)
    organization_domains.schedule_poll(domain.id, delay)
    return f"next check in {delay}"


def sweep() -> int:
    """Re-queue checks of pending domains whose schedule was lost (e.g. Redis was down)."""
    overdue = utcnow() - OVERDUE_AFTER
    stale = db.session.scalars(
        select(OrganizationDomain.id).where(
            OrganizationDomain.state == "pending",
            OrganizationDomain.verification_strategy == "dns",
            or_(
                OrganizationDomain.last_checked_at.is_(None),
                OrganizationDomain.last_checked_at < overdue,
            ),
            or_(
                OrganizationDomain.verification_started_at.is_(None),
                OrganizationDomain.verification_started_at < overdue,
            ),
        )
    ).all()
    for domain_id in stale:
        organization_domains.schedule_poll(domain_id)
    return len(stale)
