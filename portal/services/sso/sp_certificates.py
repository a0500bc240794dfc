"""A SAML connection's SP certificates and request options, as the API and the portal set them.

WorkOS's rules hold: a connection signs its AuthnRequests while it has a signing key pair
(creating one turns signing on, deleting the last turns it off) and signs with one at a time;
encryption certificates are appended, every one of them opening assertions. The portal adds a
published `next` pair per use and its promotion (`sp_keys`), and two options WorkOS has not:
the binding the AuthnRequest goes by and refusing plain assertions.
"""

from portal.errors import BadRequest, Conflict, InvalidInput, NotFound
from portal.extensions import db
from portal.models import Connection, SpKeyPair
from portal.models.columns import utcnow
from portal.services.sso import sp_keys

BINDINGS = {"HTTP-Redirect": "redirect", "HTTP-POST": "post"}


def signing_certificate(connection: Connection) -> SpKeyPair:
    """The pair requests are signed with; NotFound while the connection signs none."""
    _require_saml(connection)
    pair = sp_keys.active(connection.id, "signing")
    if pair is None or not connection.saml_sign_requests:
        raise NotFound(
            "This connection has no request signing certificate: create one to sign its "
            "SAML requests.",
            entity_id=connection.id,
        )
    return pair


def create_signing(connection: Connection) -> SpKeyPair:
    """The signing pair (a new one, unless one was kept while signing was off); from now
    on the connection's requests are signed."""
    _require_saml(connection)
    if sp_keys.active(connection.id, "signing") is not None and connection.saml_sign_requests:
        raise Conflict(
            "This connection already has a request signing certificate: delete it before "
            "creating its replacement.",
            code="sp_signing_cert_already_exists",
        )
    return _sign_requests(connection, True)


def encryption_certificates(connection: Connection) -> list[SpKeyPair]:
    _require_saml(connection)
    return sp_keys.key_pairs(connection.id, "encryption")


def create_encryption(connection: Connection) -> SpKeyPair:
    """Append an encryption pair (the active one, or the next one beside it)."""
    _require_saml(connection)
    return sp_keys.add(connection.id, "encryption")


def delete(connection: Connection, certificate_id: str, use: str) -> None:
    """Drop a pair; with the last signing pair gone, requests go out unsigned."""
    _require_saml(connection)
    sp_keys.remove(connection.id, certificate_id, use)
    if use == "signing" and sp_keys.active(connection.id, "signing") is None:
        connection.saml_sign_requests = False
        connection.updated_at = utcnow()
        db.session.commit()


def set_options(connection: Connection, options: dict) -> None:
    """Apply the options given and make the key pairs they need; commits."""
    apply_options(connection, options)
    db.session.commit()
    ensure_key_pairs(connection)


def apply_options(connection: Connection, options: dict) -> None:
    """Apply `sign_requests`, `request_binding` and `require_encrypted_assertions` (those
    given) in the caller's transaction; `ensure_key_pairs` once it is committed."""
    _require_saml(connection)
    if options.get("request_binding") is not None:
        binding = BINDINGS.get(options["request_binding"])
        if binding is None:
            raise InvalidInput(
                "request_binding must be HTTP-Redirect or HTTP-POST.",
                field="saml_options.request_binding",
            )
        connection.saml_request_binding = binding
    for option in ("sign_requests", "require_encrypted_assertions"):
        if options.get(option) is not None:
            setattr(connection, f"saml_{option}", bool(options[option]))
    connection.updated_at = utcnow()


def import_key_pairs(connection: Connection, saml: dict) -> None:
    """The developer's own key pairs from `saml_options` (a new connection's), in the
    caller's transaction: a signing pair turns signing on, as WorkOS does."""
    signing = saml.get("sp_signing_key_pair")
    encryption = saml.get("sp_encryption_key_pairs") or []
    if not signing and not encryption:
        return
    db.session.flush()  # the connection's id
    field = "saml_options.sp_signing_key_pair"
    if signing:
        pair = sp_keys.imported(
            connection.id, "signing", "active", signing["key"], signing["cert"], field
        )
        db.session.add(pair)
        connection.saml_sign_requests = True
    for index, given in enumerate(encryption):
        field = f"saml_options.sp_encryption_key_pairs.{index}"
        status = "active" if index == 0 else "next"
        db.session.add(
            sp_keys.imported(
                connection.id, "encryption", status, given["key"], given["cert"], field
            )
        )


def ensure_key_pairs(connection: Connection) -> None:
    """The key pairs the connection's options need, made on first use (commits if so)."""
    if connection.protocol != "saml":
        return
    if connection.saml_sign_requests:
        sp_keys.ensure_active(connection.id, "signing")
    if connection.saml_require_encrypted_assertions:
        sp_keys.ensure_active(connection.id, "encryption")


def options_of(connection: Connection) -> dict:
    """The options WorkOS has no field for, as the API writes them (portal's addition)."""
    wire_binding = {v: k for k, v in BINDINGS.items()}[connection.saml_request_binding]
    return {
        "request_binding": wire_binding,
        "require_encrypted_assertions": connection.saml_require_encrypted_assertions,
    }


def _sign_requests(connection: Connection, on: bool) -> SpKeyPair | None:
    apply_options(connection, {"sign_requests": on})
    db.session.commit()
    return sp_keys.ensure_active(connection.id, "signing") if on else None


def _require_saml(connection: Connection) -> None:
    if connection.protocol != "saml":
        raise BadRequest(
            f"{connection.id} is an OIDC connection: SP certificates and SAML request options "
            "belong to SAML connections."
        )
