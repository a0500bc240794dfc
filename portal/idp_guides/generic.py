"""Any SCIM 2.0 provider."""

from portal.idp_guides import Guide, SsoGuide

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

SSO_GUIDES = (
    SsoGuide(
        "GenericSAML",
        "Another SAML 2.0 provider",
        (
            "In your identity provider, add a SAML 2.0 application (service provider).",
            "Assertion Consumer Service (ACS) URL, also called Single sign-on URL or Reply URL: "
            "paste the ACS URL (binding HTTP-POST).",
            "Entity ID, also called Audience or Identifier: paste the SP entity ID. Or import "
            "the SP metadata URL if your provider can.",
            "NameID: the user's email address. Sign the response or the assertion with "
            "SHA-256; do not encrypt the assertion.",
            "Send the attributes below, then assign the people who may sign in.",
        ),
        (
            ("email", "the user's email"),
            ("firstName", "first (given) name"),
            ("lastName", "last (family) name"),
            ("groups", "group names, multi-value"),
        ),
        "Look for 'IdP metadata', 'Federation metadata' or the SSO URL, issuer and signing "
        "certificate in your provider's app settings.",
        attribute_map={
            "email": "email",
            "first_name": "firstName",
            "last_name": "lastName",
            "groups": "groups",
        },
        request_security=(
            "Turn these on if your IdP requires signed requests, receives requests by "
            "HTTP-POST, or encrypts assertions. Its administrator uploads the certificates "
            "below, or imports the SP metadata URL, which lists them (and the next ones "
            "during a rotation)."
        ),
        uploads_sp_certificates=True,
    ),
    SsoGuide(
        "GenericOIDC",
        "Another OpenID Connect provider",
        (
            "In your identity provider, register a web application (confidential client) using "
            "the authorization code flow.",
            "Redirect URI (callback URL): paste the redirect URI.",
            "Allow the scopes openid, email and profile.",
            "Copy the client ID and client secret, and find the discovery URL (it ends in "
            "/.well-known/openid-configuration).",
        ),
        (("email", "email"), ("given_name", "firstName"), ("family_name", "lastName")),
        "The discovery URL usually is the issuer followed by /.well-known/openid-configuration.",
        attribute_map={
            "email": "email",
            "first_name": "given_name",
            "last_name": "family_name",
        },
    ),
)
