"""Validated SAML responses per second through portal's whole ACS path, beside the raw
python3-saml `is_valid` rate, in the same run. Responses are signed by a real pysaml2 IdP.

Each response of the ACS figure runs in its own app context (a fresh database session, as in
a request), after a few untimed ones (a server is warm), against a connection with a long
history of earlier sign-ins. The HTTP layer (Flask routing, form parsing, headers) is not in
it: docs/performance.md gives its cost.
"""

import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML
from sqlalchemy import insert, text

from portal import create_app
from portal.extensions import db
from portal.models import ConnectionSession
from portal.models.columns import utcnow
from portal.services.infra.ids import new_id
from portal.services.sso import connections, saml_compiled, saml_sp, sign_in
from portal.services.sso.connections import ConnectionSettings
from tests.factories import make_organization
from tests.peers.saml_idp import IDP_ENTITY_ID, IDP_SSO_URL, SigningIdp

RESPONSES = 400
WARM_UP = 20
# Earlier sign-ins of the connection: a busy customer's months of them. The ACS must find its
# attempt among these as fast as on the first day.
HISTORY = 20_000
REDIRECT_URI = "https://app.example.com/callback"


def prepare(folder: Path, responses: int = RESPONSES, history: bool = True):
    """A SAML connection of a new organization and `responses` (request id, signed response)
    pairs answering sign-ins started through the services."""
    idp = SigningIdp(folder)
    org = make_organization("Bench", domains=[("bench.test", "verified")])
    connection = connections.create_connection(
        org.id,
        ConnectionSettings(
            connection_type="GenericSAML",
            saml={
                "idp_entity_id": IDP_ENTITY_ID,
                "idp_sso_url": IDP_SSO_URL,
                "idp_signing_certs": [idp.certificate],
            },
        ),
    )
    sp_file = folder / "sp.xml"
    sp_file.write_text(saml_sp.metadata_xml(connection))
    idp.sp_metadata_files.append(sp_file)
    if history:
        _seed_history(connection)
    urls = saml_sp.sp_urls(connection.id)
    pairs = []
    for _ in range(responses):
        sign_in.start(connection, REDIRECT_URI, None)
        request_id = db.session.scalars(
            db.select(ConnectionSession.request_id).order_by(ConnectionSession.id.desc())
        ).first()
        pairs.append(
            (
                request_id,
                idp.respond(
                    sp_entity_id=urls["entity_id"],
                    destination=urls["acs_url"],
                    in_response_to=request_id,
                ),
            )
        )
    return connection, pairs


def _seed_history(connection) -> None:
    now = utcnow()
    rows = [
        {
            "id": new_id("conn_session"),
            "connection_id": connection.id,
            "organization_id": connection.organization_id,
            "state": "succeeded",
            "request_id": f"ONELOGIN_{new_id('x')}",
            "assertion_id": f"id-{new_id('x')}",
            "redirect_uri": REDIRECT_URI,
            "created_at": now,
            "completed_at": now,
        }
        for _ in range(HISTORY)
    ]
    db.session.execute(insert(ConnectionSession), rows)
    db.session.commit()
    # Into the database file now, not in a checkpoint during the timed sign-ins.
    db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    db.session.commit()


def raw_validation(connection):
    """python3-saml's `is_valid` of one (request id, response) pair, nothing around it."""
    settings = saml_sp.python3_saml_settings(connection)
    request_data = saml_sp._request_data(connection.id, {})

    def raw(pair):
        request_id, response = pair
        assert OneLogin_Saml2_Response(settings, response).is_valid(
            request_data, request_id, raise_exceptions=True
        )

    return raw


def _signature_check_us(saml_response: str, certificate: str, repeat: int = 300) -> float:
    """One xmlsec check of the response's own signature (key cached), in µs: the issue's
    yardstick of this machine's speed ("the signature check itself is ~0.4 ms")."""
    document = OneLogin_Saml2_XML.to_etree(OneLogin_Saml2_Utils.b64decode(saml_response))
    started = time.perf_counter()
    for _ in range(repeat):
        assert OneLogin_Saml2_Utils.validate_sign(document, certificate)
    return (time.perf_counter() - started) / repeat * 1e6


def rate(action, items) -> float:
    started = time.perf_counter()
    for item in items:
        action(item)
    return len(items) / (time.perf_counter() - started)


def run() -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                "REDIS_URL": None,
                "PORTAL_INPROCESS_WORKER": False,  # no periodic jobs outliving this database
                "TESTING": True,
                "PORTAL_REDIRECT_URIS": [REDIRECT_URI],
                "PORTAL_PUBLIC_URL": "https://portal.bench.test",
            }
        )
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            connection, pairs = prepare(Path(folder))

            raw = raw_validation(connection)
            connection_id = connection.id

            def ours(pair):
                with app.app_context():
                    outcome = sign_in.finish_saml(connection_id, pair[1])
                assert outcome.error_code is None, outcome.error_code

            warm_up, timed = pairs[:WARM_UP], pairs[WARM_UP:]
            saml_compiled.uninstall()
            raw_rate = rate(raw, timed)
            saml_compiled.install()
            rate(raw, warm_up)
            cached_raw_rate = rate(raw, timed)
            rate(ours, warm_up)
            our_rate = rate(ours, timed)
            certificate = connection.certificates[0].value
            signature_us = _signature_check_us(pairs[0][1], certificate)
            db.engine.dispose()
    return [
        ("SAML is_valid, python3-saml as shipped", f"{raw_rate:8.0f} /s"),
        ("SAML is_valid, schemas, XPath and keys built once", f"{cached_raw_rate:8.0f} /s"),
        ("SAML ACS, whole path (checks, session, code)", f"{our_rate:8.0f} /s"),
        ("  (one signature check, xmlsec: this machine's speed)", f"{signature_us:8.0f} µs"),
    ]
