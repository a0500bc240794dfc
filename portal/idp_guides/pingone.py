"""PingOne: a SAML application."""

from portal.idp_guides import SsoGuide

SSO_GUIDES = (
    SsoGuide(
        "PingOneSAML",
        "PingOne",
        (
            "In the PingOne admin console open Applications, Applications, and choose + (Add "
            "Application). Application Type: SAML Application. Configure.",
            "SAML Configuration: Manually Enter. ACS URLs: paste the ACS URL. Entity ID: paste "
            "the SP entity ID. Or choose Import from URL and paste the SP metadata URL.",
            "Signing: Sign Assertion & Response, algorithm RSA_SHA256. Save.",
            "Attribute Mappings, Edit: saml_subject: Email Address; add the attributes below.",
            "Access tab: choose the groups that may sign in. Turn the application on (toggle).",
            "Configuration tab: copy the IDP Metadata URL (or Download Metadata) for the next "
            "step.",
        ),
        (
            ("email", "Email Address"),
            ("firstName", "Given Name"),
            ("lastName", "Family Name"),
            ("groups", "Group Names"),
        ),
        "PingOne: the application's Configuration tab shows the IDP Metadata URL.",
        attribute_map={
            "email": "email",
            "first_name": "firstName",
            "last_name": "lastName",
            "groups": "groups",
        },
        request_security=(
            "Optional. PingOne can encrypt assertions (with the SP encryption certificate "
            "below) and verify signed requests (with the SP signing certificate); turn the "
            "matching options on below."
        ),
    ),
)
