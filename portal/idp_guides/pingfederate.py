"""PingFederate: an SP connection with outbound provisioning."""

from portal.idp_guides import Guide, SsoGuide

GUIDE = Guide(
    "pingfederate scim v2.0",
    "PingFederate",
    (
        "In PingFederate open Applications, then SP Connections, and create (or edit) the "
        "connection; tick Outbound Provisioning with type SCIM Connector.",
        "On Outbound Provisioning, Configure Provisioning, Target: SCIM URL: paste the base "
        "URL. SCIM Version: 2.0. Authentication Method: OAuth 2 Bearer Token. Access Token: "
        "paste the token.",
        "Create a channel with your user store as source, map userName, emails, name and "
        "active, and choose which users and groups to send.",
        "Activate the channel and the connection, then Save.",
    ),
)

SSO_GUIDES = (
    SsoGuide(
        "PingFederateSAML",
        "PingFederate",
        (
            "In the PingFederate administrative console open Applications, SP Connections, and "
            "choose Create Connection. Connection Template: Do not use a template.",
            "Connection Type: Browser SSO Profiles, protocol SAML 2.0. Connection Options: "
            "Browser SSO.",
            "Import Metadata: URL, paste the SP metadata URL (or enter the values by hand: "
            "Partner's Entity ID: the SP entity ID).",
            "Browser SSO, SAML Profiles: SP-Initiated SSO. Assertion Creation, Attribute "
            "Contract: extend it with the attributes below and map them from your data store.",
            "Protocol Settings, Assertion Consumer Service URL: binding POST, endpoint URL: "
            "paste the ACS URL. Signature Policy: always sign the SAML assertion.",
            "Credentials: choose your signing certificate with RSA SHA256. Activate and Save.",
            "Export the connection's metadata (Actions, Export Metadata) for the next step.",
        ),
        (
            ("email", "mail"),
            ("firstName", "givenName"),
            ("lastName", "sn"),
            ("groups", "memberOf"),
        ),
        "PingFederate: Actions, Export Metadata on the SP connection saves the XML.",
        attribute_map={
            "email": "email",
            "first_name": "firstName",
            "last_name": "lastName",
            "groups": "groups",
        },
        request_security=(
            "PingFederate may require signed AuthnRequests (SP connection, Protocol "
            "Settings, Signature Policy) and encrypt assertions (Encryption Policy). Then "
            "turn request signing on below and upload the SP signing certificate under "
            "Signature Verification Settings, and the SP encryption certificate under the "
            "encryption settings. Choose HTTP-POST if the connection's Allowable SAML "
            "Bindings leave out Redirect."
        ),
        uploads_sp_certificates=True,
    ),
)
