"""Okta: an app integration with SCIM provisioning."""

from portal.idp_guides import Guide, SsoGuide

GUIDE = Guide(
    "okta scim v2.0",
    "Okta",
    (
        "In the Okta Admin Console open Applications, then Applications, and select the app "
        "(or choose Browse App Catalog and add 'SCIM 2.0 Test App (OAuth Bearer Token)').",
        "On the General tab choose Edit, set Provisioning to SCIM, and save.",
        "Open the Provisioning tab, then Integration, and choose Edit.",
        "SCIM connector base URL: paste the base URL. Unique identifier field for users: userName.",
        "Supported provisioning actions: Push New Users, Push Profile Updates, Push Groups.",
        "Authentication Mode: HTTP Header. Authorization: paste the token, then choose Test "
        "Connector Configuration and Save.",
        "Under Provisioning, To App, enable Create Users, Update User Attributes and "
        "Deactivate Users.",
        "Assign people and groups on the Assignments tab, and groups to push on Push Groups.",
    ),
)

SSO_GUIDES = (
    SsoGuide(
        "OktaSAML",
        "Okta (SAML)",
        (
            "In the Okta Admin Console open Applications, then Applications, and choose Create "
            "App Integration. Sign-in method: SAML 2.0. Choose Next.",
            "General Settings: App name: the app's name. Choose Next.",
            "Configure SAML: Single sign-on URL: paste the ACS URL, and keep 'Use this for "
            "Recipient URL and Destination URL' ticked.",
            "Audience URI (SP Entity ID): paste the SP entity ID. Name ID format: EmailAddress. "
            "Application username: Email.",
            "Attribute Statements: add the attributes below (Name format: Unspecified). Group "
            "Attribute Statements: Name groups, Filter: Matches regex .*",
            "Choose Next, then Finish. Assign people or groups on the Assignments tab.",
            "On the Sign On tab, copy the Metadata URL (or open it and save the XML) for the "
            "next step.",
        ),
        (
            ("email", "user.email"),
            ("firstName", "user.firstName"),
            ("lastName", "user.lastName"),
            ("groups", "Group Attribute Statement, filter Matches regex .*"),
        ),
        "Okta shows the Metadata URL on the app's Sign On tab, under SAML 2.0.",
        attribute_map={
            "email": "email",
            "first_name": "firstName",
            "last_name": "lastName",
            "groups": "groups",
        },
        request_security=(
            "Optional. Under Show Advanced Settings, Okta can encrypt the assertion "
            "(Assertion Encryption: Encrypted, with the SP encryption certificate below) "
            "and check signed requests (Signed Requests, with the SP signing certificate); "
            "turn the matching options on below."
        ),
    ),
    SsoGuide(
        "OktaOIDC",
        "Okta (OpenID Connect)",
        (
            "In the Okta Admin Console open Applications, then Applications, and choose Create "
            "App Integration. Sign-in method: OIDC - OpenID Connect. Application type: Web "
            "Application. Choose Next.",
            "Grant type: Authorization Code. Sign-in redirect URIs: paste the redirect URI. "
            "Remove the sample sign-out redirect URI.",
            "Assignments: choose who may sign in, then Save.",
            "On the General tab, copy the Client ID and, under Client Credentials, the Client "
            "secret.",
            "Your discovery URL is https://<your Okta domain>/.well-known/openid-configuration "
            "(the Okta domain is shown at the top right of the Admin Console).",
        ),
        (("email", "email"), ("given_name", "firstName"), ("family_name", "lastName")),
        "Okta: the Client ID and Client secret are on the app's General tab.",
        attribute_map={
            "email": "email",
            "first_name": "given_name",
            "last_name": "family_name",
        },
    ),
)
