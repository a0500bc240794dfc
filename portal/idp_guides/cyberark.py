"""CyberArk Identity: a custom SCIM app."""

from portal.idp_guides import Guide, SsoGuide

GUIDE = Guide(
    "cyberark scim v2.0",
    "CyberArk",
    (
        "In the CyberArk Identity Admin Portal open Web Apps and add the 'Generic SCIM' app.",
        "On Provisioning, tick Enable provisioning for this application.",
        "SCIM Service URL: paste the base URL. Authorization Type: Authorization Header. "
        "Header type: Bearer Token. Bearer token: paste the token.",
        "Choose Verify, then map roles to groups under Role Mappings.",
        "Save, and start a sync from Settings, Users, Outbound Provisioning.",
    ),
)

SSO_GUIDES = (
    SsoGuide(
        "CyberArkSAML",
        "CyberArk",
        (
            "In the CyberArk Identity Admin Portal open Apps & Widgets, Web Apps, choose Add "
            "Web Apps, then Custom, and add SAML.",
            "Trust tab, Service Provider Configuration: Manual Configuration. SP Entity ID / "
            "SP Issuer: paste the SP entity ID. Assertion Consumer Service (ACS) URL: paste "
            "the ACS URL. Sign Response or Assertion: Both.",
            "SAML Response tab: add the attributes below.",
            "Permissions tab: add the users, groups or roles that may sign in. Save.",
            "Trust tab, Identity Provider Configuration: copy the Metadata URL for the next step.",
        ),
        (
            ("email", "LoginUser.Email"),
            ("firstName", "LoginUser.FirstName"),
            ("lastName", "LoginUser.LastName"),
            ("groups", "LoginUser.GroupNames"),
        ),
        "CyberArk: Trust tab, Identity Provider Configuration, Metadata.",
        attribute_map={
            "email": "email",
            "first_name": "firstName",
            "last_name": "lastName",
            "groups": "groups",
        },
        request_security=(
            "Usually off. Turn these on only if your CyberArk app asks for signed requests "
            "or encrypts assertions, and give it the certificates below."
        ),
    ),
)
