"""JumpCloud: an SSO application with Identity Management (SCIM)."""

from portal.idp_guides import Guide, SsoGuide

GUIDE = Guide(
    "jump cloud scim v2.0",
    "JumpCloud",
    (
        "In the JumpCloud Admin Portal open SSO Applications and choose Add New Application "
        "(Custom Application).",
        "Open the Identity Management tab and choose SCIM 2.0 as the API type.",
        "Base URL: paste the base URL. Token Key: paste the token.",
        "Choose Test Connection, then Activate and Save.",
        "Bind user groups to the application on its User Groups tab.",
    ),
)

SSO_GUIDES = (
    SsoGuide(
        "JumpCloudSAML",
        "JumpCloud",
        (
            "In the JumpCloud Admin Portal open SSO Applications, choose Add New Application, "
            "then Custom Application, and tick Manage Single Sign-On (SSO) with SAML.",
            "SSO tab: IdP Entity ID: a name of your choice, such as your domain. SP Entity ID: "
            "paste the SP entity ID. ACS URLs, Default URL: paste the ACS URL.",
            "SAMLSubject NameID: email. Signature Algorithm: RSA-SHA256. Sign: Assertion.",
            "Attributes, User attribute mapping: add the attributes below. Tick Include group "
            "attribute and name it groups.",
            "Activate, then bind user groups on the User Groups tab.",
            "Back on the SSO tab choose Export Metadata for the next step.",
        ),
        (
            ("email", "email"),
            ("firstName", "firstname"),
            ("lastName", "lastname"),
            ("groups", "Include group attribute: groups"),
        ),
        "JumpCloud: Export Metadata on the application's SSO tab downloads the XML.",
        attribute_map={
            "email": "email",
            "first_name": "firstName",
            "last_name": "lastName",
            "groups": "groups",
        },
        request_security=(
            "JumpCloud signs its responses and needs nothing from us: leave these options "
            "off unless its administrator asks."
        ),
    ),
)
