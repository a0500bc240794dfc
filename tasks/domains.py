"""Domain verification jobs."""

from portal.services import domain_verification


def check_verification(domain_id: str) -> bool:
    """Look up the domain's TXT record once; True when it verified the domain."""
    result = domain_verification.check_domain(domain_id)
    return bool(result and result.verified)
