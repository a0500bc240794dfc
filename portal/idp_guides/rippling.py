"""Rippling: a custom app with SCIM provisioning."""

from portal.idp_guides import Guide, SsoGuide

GUIDE = Guide(
    "rippling scim v2.0",
    "Rippling",
    (
        "In Rippling open App Shop, choose Custom App, and create an app with SCIM provisioning.",
        "SCIM Base URL: paste the base URL. Bearer token: paste the token.",
        "Choose which employees get the app under access rules, and which groups to push.",
        "Finish the set-up; Rippling then provisions the chosen employees.",
    ),
)

SSO_GUIDES = (
    SsoGuide(
        "RipplingSAML",
        "Rippling",
        (
            "In Rippling open App Shop, choose Custom App, name it, and tick Single Sign-On "
            "(SAML).",
            "On the SSO setup screen: ACS URL: paste the ACS URL. Service Provider Entity ID: "
            "paste the SP entity ID.",
            "SAML attributes: add the attributes below.",
            "Choose who gets the app under access rules.",
            "Copy the IdP Metadata URL (or download the metadata XML) for the next step.",
        ),
        (
            ("email", "Work email"),
            ("firstName", "First name"),
            ("lastName", "Last name"),
            ("groups", "Groups"),
        ),
        "Rippling shows the IdP Metadata URL on the custom app's SSO setup screen.",
        attribute_map={
            "email": "email",
            "first_name": "firstName",
            "last_name": "lastName",
            "groups": "groups",
        },
        request_security=("Rippling needs none of these: leave them off."),
    ),
)
