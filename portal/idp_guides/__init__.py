"""Step-by-step set-up at each identity and directory provider, one module per provider.

A module holds `GUIDE` (SCIM directory sync) and/or `SSO_GUIDES` (one per connection type the
provider offers). Directory steps name the SCIM base URL and the token; SSO steps name the
values the setup page shows with copy buttons (ACS URL, SP entity ID, SP metadata URL,
redirect URI), by those names. Correct a provider's steps in its module when its console
changes.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Guide:
    directory_type: str  # the WorkOS directory type this provider's directories get
    name: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class SsoGuide:
    connection_type: str  # the WorkOS connection type (SAML_TYPES / OIDC_TYPES)
    name: str
    steps: tuple[str, ...]
    # (attribute name the IdP sends, what to map to it in the IdP's console)
    attributes: tuple[tuple[str, str], ...] = ()
    # where the IdP's metadata (SAML) or discovery URL and client credentials (OIDC) are found
    idp_values_hint: str = ""
    # the attribute map a new connection starts with: profile field -> attribute the IdP sends
    attribute_map: dict = field(default_factory=dict, compare=False)
    # SAML: when this IdP wants signed or POST-bound requests, or encrypts assertions
    request_security: str = ""
    # whether its administrator usually uploads our SP certificates (the setup opens them)
    uploads_sp_certificates: bool = False

    @property
    def protocol(self) -> str:
        return "oidc" if self.connection_type.endswith("OIDC") else "saml"


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


def _load_sso() -> tuple[SsoGuide, ...]:
    from portal.idp_guides import (
        adfs,
        auth0,
        cyberark,
        entra_id,
        generic,
        google_workspace,
        jumpcloud,
        keycloak,
        okta,
        onelogin,
        pingfederate,
        pingone,
        rippling,
    )

    modules = (
        okta,
        entra_id,
        google_workspace,
        onelogin,
        jumpcloud,
        pingfederate,
        pingone,
        adfs,
        auth0,
        keycloak,
        cyberark,
        rippling,
        generic,
    )
    return tuple(guide for module in modules for guide in module.SSO_GUIDES)


GUIDES = _load()
BY_TYPE = {guide.directory_type: guide for guide in GUIDES}
SSO_GUIDES = _load_sso()
SSO_BY_TYPE = {guide.connection_type: guide for guide in SSO_GUIDES}


def guide_for(directory_type: str) -> Guide:
    """The guide of a directory type; the generic SCIM guide for any other."""
    return BY_TYPE.get(directory_type, BY_TYPE["generic scim v2.0"])


def sso_guide_for(connection_type: str) -> SsoGuide:
    """The SSO guide of a connection type; the generic one of its protocol for any other."""
    fallback = "GenericOIDC" if connection_type.endswith("OIDC") else "GenericSAML"
    return SSO_BY_TYPE.get(connection_type, SSO_BY_TYPE[fallback])
