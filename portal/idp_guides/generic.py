"""Any SCIM 2.0 provider."""

from portal.idp_guides import Guide

GUIDE = Guide(
    "generic scim v2.0",
    "Another SCIM 2.0 provider",
    (
        "In your identity provider, add an application or connector that provisions users "
        "over SCIM 2.0.",
        "SCIM base URL (also called tenant URL or endpoint): paste the base URL.",
        "Authentication: bearer token (OAuth bearer, HTTP header). Token: paste the token.",
        "Send users with userName, emails, name and active; send groups with members.",
        "Assign the people and groups that should have access, then start provisioning.",
    ),
)
