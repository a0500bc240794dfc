"""OneLogin: the SCIM Provisioner with SAML (SCIM v2 Enterprise) app."""

from portal.idp_guides import Guide, SsoGuide

GUIDE = Guide(
    "onelogin scim v2.0",
    "OneLogin",
    (
        "In OneLogin Administration open Applications, choose Add App, and add "
        "'SCIM Provisioner with SAML (SCIM v2 Enterprise)'.",
        "On the Configuration tab, SCIM Base URL: paste the base URL. SCIM Bearer Token: "
        "paste the token. Choose Enable under API Connection, then Save.",
        "On the Provisioning tab tick Enable provisioning and choose what happens when users "
        "are deleted or suspended.",
        "On the Parameters tab, tick Include in User Provisioning for Groups to send groups.",
        "Give users access under Users or through roles.",
    ),
)

SSO_GUIDES = (
    SsoGuide(
        "OneLoginSAML",
        "OneLogin",
        (
            "In OneLogin Administration open Applications, choose Add App, and add 'SAML Custom "
            "Connector (Advanced)'. Save.",
            "Configuration tab: Audience (EntityID): paste the SP entity ID. Recipient and ACS "
            "(Consumer) URL: paste the ACS URL. ACS (Consumer) URL Validator: paste the ACS URL "
            "with its dots escaped (for example ^https://portal\\.example\\.com/.*$).",
            "SAML initiator: Service Provider. SAML signature element: Both. Save.",
            "Parameters tab: add the parameters below, each with 'Include in SAML assertion' "
            "ticked.",
            "SSO tab: SAML Signature Algorithm: SHA-256. Give users access under Users or "
            "through roles.",
            "SSO tab: copy the Issuer URL (it serves the metadata) for the next step.",
        ),
        (
            ("email", "Email"),
            ("firstName", "First Name"),
            ("lastName", "Last Name"),
            ("groups", "User Roles (or MemberOf), multi-value"),
        ),
        "OneLogin: the Issuer URL on the SSO tab serves the metadata; More Actions, SAML "
        "Metadata downloads it.",
        attribute_map={
            "email": "email",
            "first_name": "firstName",
            "last_name": "lastName",
            "groups": "groups",
        },
        request_security=(
            "Usually off. If your OneLogin app encrypts assertions, give it the SP "
            "encryption certificate below (create it first)."
        ),
    ),
)
