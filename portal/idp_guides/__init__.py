"""Step-by-step SCIM set-up at each directory provider, one module per provider.

Steps may name {base_url} (the SCIM base URL) and {token_hint} (where the token goes); both
values are shown with copy buttons beside the steps. Correct a provider's steps in its module
when its console changes.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Guide:
    directory_type: str  # the WorkOS directory type this provider's directories get
    name: str
    steps: tuple[str, ...]


def _load() -> tuple[Guide, ...]:
    from portal.idp_guides import (
        cyberark,
        entra_id,
        generic,
        jumpcloud,
        okta,
        onelogin,
        pingfederate,
        rippling,
    )

    modules = (okta, entra_id, onelogin, jumpcloud, pingfederate, rippling, cyberark, generic)
    return tuple(module.GUIDE for module in modules)


GUIDES = _load()
BY_TYPE = {guide.directory_type: guide for guide in GUIDES}


def guide_for(directory_type: str) -> Guide:
    """The guide of a directory type; the generic SCIM guide for any other."""
    return BY_TYPE.get(directory_type, BY_TYPE["generic scim v2.0"])
