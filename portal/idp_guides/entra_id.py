"""Microsoft Entra ID: an enterprise application with automatic provisioning."""

from portal.idp_guides import Guide, SsoGuide

GUIDE = Guide(
    "azure scim v2.0",
    "Microsoft Entra ID",
    (
        "In the Microsoft Entra admin center open Enterprise applications and choose New "
        "application, then Create your own application (non-gallery).",
        "Open Provisioning, choose Get started, and set Provisioning Mode to Automatic.",
        "Tenant URL: paste the base URL. Secret Token: paste the token.",
        "Choose Test Connection, then Save.",
        "Under Mappings, keep the user and group mappings you want to send.",
        "Assign users and groups under Users and groups.",
        "Back in Provisioning, set Provisioning Status to On and Save. Entra ID syncs about "
        "every 40 minutes; Provision on demand sends one user at once.",
    ),
)

SSO_GUIDES = (
    SsoGuide(
        "AzureSAML",
        "Microsoft Entra ID (SAML)",
        (
            "In the Microsoft Entra admin center open Identity, Applications, Enterprise "
            "applications, and choose New application, then Create your own application. Pick "
            "'Integrate any other application you don't find in the gallery (Non-gallery)'.",
            "Open Single sign-on and choose SAML.",
            "Basic SAML Configuration, Edit: Identifier (Entity ID): paste the SP entity ID. "
            "Reply URL (Assertion Consumer Service URL): paste the ACS URL. Sign on URL: leave "
            "empty. Save.",
            "Attributes & Claims, Edit: keep the default claims below; choose Add a group claim "
            "to send groups (Groups assigned to the application).",
            "SAML Certificates: Signing Option: Sign SAML response and assertion; Signing "
            "Algorithm: SHA-256.",
            "Assign users and groups under Users and groups.",
            "SAML Certificates: copy the App Federation Metadata Url for the next step.",
        ),
        (
            ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "user.mail"),
            ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "user.givenname"),
            ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "user.surname"),
            ("http://schemas.microsoft.com/ws/2008/06/identity/claims/groups", "Group claim"),
        ),
        "Entra ID shows the App Federation Metadata Url under SAML Certificates.",
        attribute_map={
            "email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
            "first_name": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
            "last_name": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
            "groups": "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
        },
        request_security=(
            "Entra ID encrypts tokens only once you give it our certificate: in the "
            "enterprise app open Token encryption, import the SP encryption certificate "
            "below and activate it. Entra checks signed requests only if you upload the SP "
            "signing certificate under Verification certificates; then turn request signing "
            "on below."
        ),
        uploads_sp_certificates=True,
    ),
    SsoGuide(
        "EntraIdOIDC",
        "Microsoft Entra ID (OpenID Connect)",
        (
            "In the Microsoft Entra admin center open Identity, Applications, App "
            "registrations, and choose New registration.",
            "Supported account types: Accounts in this organizational directory only. Redirect "
            "URI: platform Web, paste the redirect URI. Register.",
            "Certificates & secrets: New client secret; copy its Value (shown once).",
            "Token configuration: Add optional claim, token type ID: email, given_name, "
            "family_name. Add groups claim if you use groups.",
            "Overview: copy the Application (client) ID and the Directory (tenant) ID.",
            "Your discovery URL is https://login.microsoftonline.com/<Directory (tenant) "
            "ID>/v2.0/.well-known/openid-configuration.",
        ),
        (("email", "email"), ("given_name", "firstName"), ("family_name", "lastName")),
        "Entra ID: the client ID is on the app registration's Overview; the secret under "
        "Certificates & secrets.",
        attribute_map={
            "email": "email",
            "first_name": "given_name",
            "last_name": "family_name",
        },
    ),
)
