"""Google Workspace: a custom SAML app."""

from portal.idp_guides import SsoGuide

SSO_GUIDES = (
    SsoGuide(
        "GoogleSAML",
        "Google Workspace",
        (
            "In the Google Admin console open Apps, Web and mobile apps, choose Add app, then "
            "Add custom SAML app. Name it and choose Continue.",
            "Google Identity Provider details: choose Download Metadata (keep the file for the "
            "next step), then Continue.",
            "Service provider details: ACS URL: paste the ACS URL. Entity ID: paste the SP "
            "entity ID. Leave Signed response off. Name ID format: EMAIL, Name ID: Basic "
            "Information, Primary email. Continue.",
            "Attribute mapping: add the attributes below; under Group membership choose the "
            "groups to send as groups. Finish.",
            "Open User access and turn the app ON for everyone or for chosen organizational "
            "units or groups (it can take a few minutes to apply).",
        ),
        (
            ("email", "Basic Information, Primary email"),
            ("firstName", "Basic Information, First name"),
            ("lastName", "Basic Information, Last name"),
            ("groups", "Group membership (optional)"),
        ),
        "Google: Download Metadata on the app's Google Identity Provider details (or the "
        "app's page, Download metadata).",
        attribute_map={
            "email": "email",
            "first_name": "firstName",
            "last_name": "lastName",
            "groups": "groups",
        },
        request_security=(
            "Google Workspace neither checks signed requests nor encrypts assertions: leave "
            "these options off."
        ),
    ),
)
