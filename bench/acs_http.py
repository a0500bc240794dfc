"""SAML ACS end to end over HTTP: 8 clients POST responses signed by a real pysaml2 IdP to
`portal serve`, beside python3-saml's `is_valid` as shipped, in one thread, in the same run.

The sign-ins are started through the services (an attempt each, as /sso/authorize writes)
against the deployment's database; each POST must answer 302, to the redirect URI with a
code; a refusal is counted with the reason portal recorded, and printed.
"""

import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select

from bench import saml_acs
from bench.load import Client, expect, run_parallel
from portal.extensions import db
from portal.models import ConnectionSession
from portal.services.sso import saml_compiled

CLIENTS = 8


def run(app, port: int, responses: int) -> dict:
    """{"acs": Phase over HTTP, "raw": python3-saml's rate as shipped, 1 thread,
    "organization_id": the connection's}."""
    with tempfile.TemporaryDirectory(prefix="acs-bench-") as folder, app.app_context():
        connection, pairs = saml_acs.prepare(Path(folder), responses, history=False)
        raw = saml_acs.raw_validation(connection)
        saml_compiled.uninstall()
        try:
            raw_rate = saml_acs.rate(raw, pairs)
        finally:
            saml_compiled.install()
        acs_path = f"/sso/saml/{connection.id}/acs"
        organization_id = connection.organization_id
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    clients = [Client(port, headers) for _ in range(CLIENTS)]

    refused: list[str] = []

    def post(client, pair):
        body = urlencode({"SAMLResponse": pair[1]}).encode()
        status, data, elapsed, response = client.request("POST", acs_path, body)
        expect(status, (302,), "ACS", data[:300])
        if "code=" not in (response.getheader("Location") or ""):
            refused.append(pair[0])
        return elapsed

    phase = run_parallel("ACS", pairs, post, clients)
    return {
        "acs": phase,
        "raw": raw_rate,
        "organization_id": organization_id,
        "refused": _reasons(app, refused),
    }


def _reasons(app, request_ids: list[str]) -> dict[str, int]:
    """How many refused sign-ins gave each reason, as portal recorded them."""
    if not request_ids:
        return {}
    with app.app_context():
        rows = db.session.execute(
            select(ConnectionSession.error_code, ConnectionSession.explanation).where(
                ConnectionSession.request_id.in_(request_ids)
            )
        ).all()
        db.session.rollback()
    return dict(Counter(f"{code}: {(text or '')[:120]}" for code, text in rows))
