"""Active Directory Federation Services (AD FS): a relying party trust."""

from portal.idp_guides import SsoGuide

SSO_GUIDES = (
    SsoGuide(
        "ADFSSAML",
        "Microsoft AD FS",
        (
            "In AD FS Management open Relying Party Trusts and choose Add Relying Party Trust. "
            "Claims aware, Start.",
            "Select Data Source: Import data about the relying party published online, "
            "Federation metadata address: paste the SP metadata URL. (Or enter data manually: "
            "Relying party trust identifier: the SP entity ID; SAML 2.0 WebSSO service URL: "
            "the ACS URL.)",
            "Display name: the app's name. Access Control Policy: Permit everyone (or a group). "
            "Finish, with Configure claims issuance policy ticked.",
            "Edit Claim Issuance Policy, Add Rule: Send LDAP Attributes as Claims, attribute "
            "store Active Directory; map the attributes below (type the outgoing claim type "
            "where it is not in the list).",
            "Add a second rule, Transform an Incoming Claim: E-Mail Address to Name ID, "
            "format Email.",
            "Properties of the trust, Advanced: Secure hash algorithm SHA-256.",
            "The IdP metadata is https://<your AD FS host>/FederationMetadata/2007-06/"
            "FederationMetadata.xml: use it in the next step.",
        ),
        (
            ("email", "E-Mail-Addresses"),
            ("firstName", "Given-Name"),
            ("lastName", "Surname"),
            ("groups", "Token-Groups - Unqualified Names"),
        ),
        "AD FS publishes its metadata at /FederationMetadata/2007-06/FederationMetadata.xml.",
        attribute_map={
            "email": "email",
            "first_name": "firstName",
            "last_name": "lastName",
            "groups": "groups",
        },
        request_security=(
            "Once the SP encryption certificate below exists, AD FS reads it from the SP "
            "metadata and encrypts every assertion to it (we decrypt them; update the trust "
            "from the metadata if it was imported before). To have AD FS check signed "
            "requests, turn request signing on below and update the trust the same way. "
            "Choose HTTP-POST if a proxy in front of AD FS cuts long URLs."
        ),
        uploads_sp_certificates=True,
    ),
)
