"""Each way a sign-in can fail, in words for the person fixing it, and what to change."""

EXPLANATIONS = {
    "unsigned_response": "The identity provider sent a response without a signature. Turn on "
    "signing of the SAML response or assertion in the IdP's app settings.",
    "bad_signature": "The signature does not match any certificate on file. The IdP may have "
    "a new signing certificate: upload the current one.",
    "wrong_audience": "The response is meant for another service provider (its Audience is "
    "not our Entity ID). Copy the Entity ID from the setup page into the IdP.",
    "wrong_destination": "The response was addressed to another URL. Copy the ACS URL from "
    "the setup page into the IdP's Single sign-on URL field.",
    "wrong_recipient": "The assertion's Recipient is not our ACS URL. Copy the ACS URL from "
    "the setup page into the IdP.",
    "assertion_expired": "The assertion had already expired when it arrived. Check the IdP "
    "server's clock and try again.",
    "assertion_not_yet_valid": "The assertion is not valid yet: the IdP's clock is ahead. "
    "Check the IdP server's clock and try again.",
    "wrong_in_response_to": "The response answers a different sign-in request. Start the "
    "sign-in again from the app.",
    "unknown_in_response_to": "The response answers a sign-in request we never sent or no "
    "longer remember. Start the sign-in again from the app.",
    "reused_in_response_to": "A response to this sign-in request was already used. Start the "
    "sign-in again from the app.",
    "replayed_assertion": "This assertion was already used once and cannot be used again.",
    "unsolicited_response": "The IdP started this sign-in on its own (IdP-initiated, e.g. "
    "from its app dashboard), which this connection does not accept. It is off by default: "
    "a sign-in that nobody started in the app can be used to sign a person in to an account "
    "of someone else's choosing (login CSRF). To allow it, the IT admin turns on “Sign-in "
    "from the identity provider's dashboard” on the portal's Single sign-on page, or the "
    "app's developer turns it on in the dashboard (the organization's page) or sets "
    "saml_options.idp_initiated_enabled through the API. Until then, start the sign-in "
    "from the app.",
    "no_default_redirect_uri": "The IdP started this sign-in on its own, but the app has no "
    "redirect URI to receive it. The app's developer adds one in the dashboard under "
    "Settings → Redirects (the first one listed receives these sign-ins).",
    "sha1_rejected": "The IdP signs with SHA-1, which is no longer safe. Set the signature "
    "and digest algorithms to SHA-256 in the IdP.",
    "forbidden_transform": "The signature uses a transform we do not accept. Use the IdP's "
    "default signing settings.",
    "dtd_forbidden": "The response contains a DTD, which is never sent by a genuine IdP.",
    "multiple_assertions": "The response must carry exactly one assertion.",
    "assertion_not_encrypted": "This connection requires encrypted assertions, but the IdP "
    "sent a plain one. Upload the SP encryption certificate from the setup page to the IdP "
    "and turn on assertion encryption there, or stop requiring encryption here.",
    "undecryptable_assertion": "The IdP encrypted the assertion to a certificate this "
    "connection does not hold. Upload the current SP encryption certificate from the setup "
    "page to the IdP (or re-import the SP metadata) and try again.",
    "weak_encryption": "The IdP encrypted the assertion's key with RSA 1.5, which is not "
    "safe. Choose RSA-OAEP key transport in the IdP's encryption settings.",
    "no_signing_key": "This connection signs its requests but has no signing certificate. "
    "Turn request signing off and on again to make one.",
    "signature_wrapping": "The signature does not cover the assertion it comes with. The "
    "response was altered or is malformed.",
    "wrong_issuer": "The response comes from another IdP than the one configured. Check the "
    "IdP Entity ID (Issuer) on the setup page.",
    "idp_reported_failure": "The identity provider reported that the sign-in failed; its own "
    "logs say why.",
    "missing_name_id": "The assertion has no NameID (the user's id). Configure the IdP to "
    "send one, usually the email address.",
    "missing_email": "The IdP sent no email address. Map an attribute to email in the IdP "
    "or in the attribute map.",
    "missing_response": "No SAML response arrived.",
    "malformed_response": "The response could not be read.",
    "response_too_large": "The response is larger than we accept.",
    "invalid_response": "The response is not a valid SAML response.",
    "connection_not_ready": "This connection is not configured yet.",
    "unknown_state": "The provider answered a sign-in we never started or no longer remember. "
    "Start the sign-in again from the app.",
    "reused_state": "This sign-in was already completed. Start the sign-in again from the app.",
    "bad_nonce": "The ID token was issued for another sign-in (its nonce does not match).",
    "token_expired": "The ID token had expired when it arrived. Check the provider's clock.",
    "invalid_id_token": "The ID token could not be verified.",
    "missing_id_token": "The provider sent no ID token; make sure the openid scope is allowed.",
    "discovery_failed": "The provider's discovery document could not be read. Check the "
    "discovery URL (it usually ends in /.well-known/openid-configuration).",
    "jwks_failed": "The provider's signing keys (JWKS) could not be read.",
    "token_request_failed": "The provider refused to trade the code for tokens. Check the "
    "client ID, the client secret and the redirect URI registered with the provider.",
    "userinfo_failed": "The provider's userinfo endpoint could not be read.",
    "userinfo_mismatch": "The provider's userinfo describes another user than the ID token.",
    "connection_inactive": "This connection is switched off.",
}


def explain(code: str) -> str:
    return EXPLANATIONS.get(code, "The sign-in failed.")
