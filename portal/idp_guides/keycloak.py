"""Keycloak: a SAML client in your realm."""

from portal.idp_guides import SsoGuide

SSO_GUIDES = (
    SsoGuide(
        "KeycloakSAML",
        "Keycloak",
        (
            "In the Keycloak admin console choose your realm, open Clients and choose Create "
            "client (or Import client with the SP metadata URL's XML). Client type: SAML. "
            "Client ID: paste the SP entity ID.",
            "Valid redirect URIs: paste the ACS URL. Master SAML Processing URL: paste the ACS "
            "URL. Name ID format: email; tick Force name ID format.",
            "Signature and Encryption: Sign documents on, Sign assertions on, Signature "
            "algorithm RSA_SHA256.",
            "Keys tab: Client signature required: off. Encryption: off.",
            "Client scopes, the client's dedicated scope, Add mapper: User Property mappers "
            "for email, firstName and lastName, and a Group list mapper named groups (Full "
            "group path off).",
            "Realm settings, General: SAML 2.0 Identity Provider Metadata is the link for the "
            "next step (https://<host>/realms/<realm>/protocol/saml/descriptor).",
        ),
        (
            ("email", "User Property: email"),
            ("firstName", "User Property: firstName"),
            ("lastName", "User Property: lastName"),
            ("groups", "Group list"),
        ),
        "Keycloak: https://<host>/realms/<realm>/protocol/saml/descriptor is the realm's "
        "IdP metadata.",
        attribute_map={
            "email": "email",
            "first_name": "firstName",
            "last_name": "lastName",
            "groups": "groups",
        },
        request_security=(
            "Keycloak's SAML clients require signed requests by default (Keys tab, Client "
            "signature required): turn request signing on below and import the SP signing "
            "certificate on that tab, or switch the requirement off. Encrypt assertions on "
            "the same tab uses the SP encryption certificate."
        ),
        uploads_sp_certificates=True,
    ),
)
