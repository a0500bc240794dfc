"""Auth0: an application with the SAML2 Web App add-on."""

from portal.idp_guides import SsoGuide

SSO_GUIDES = (
    SsoGuide(
        "Auth0SAML",
        "Auth0",
        (
            "In the Auth0 Dashboard open Applications, Applications, and choose Create "
            "Application (Regular Web Application).",
            "Addons tab: turn on SAML2 Web App. Settings: Application Callback URL: paste the "
            "ACS URL.",
            'In the Settings JSON set "audience" to the SP entity ID, "signatureAlgorithm": '
            '"rsa-sha256", "digestAlgorithm": "sha256", and "mappings" for the '
            "attributes below. Enable and Save.",
            "Connections tab: choose which of your connections users sign in with.",
            "Addons, SAML2 Web App, Usage tab: copy the Identity Provider Metadata URL for the "
            "next step.",
        ),
        (
            ("email", "email"),
            ("firstName", "given_name"),
            ("lastName", "family_name"),
            ("groups", "groups (from a rule or action)"),
        ),
        "Auth0: SAML2 Web App add-on, Usage tab, Identity Provider Metadata.",
        attribute_map={
            "email": "email",
            "first_name": "firstName",
            "last_name": "lastName",
            "groups": "groups",
        },
        request_security=(
            "Auth0 needs none of these by default; if its add-on settings ask for signed "
            "requests or encrypted assertions, turn the matching options on below and give "
            "it the certificates."
        ),
    ),
)
