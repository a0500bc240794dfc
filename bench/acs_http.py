"""SAML ACS end to end over HTTP: 8 clients POST responses signed by a real pysaml2 IdP to
`portal serve`, beside python3-saml's `is_valid` as shipped, in one thread, in the same run.

The sign-ins are started through the services (an attempt each, as /sso/authorize writes)
against the deployment's database; each POST must answer 302 to the redirect URI with a code.
"""

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from bench import saml_acs
from bench.load import Client, expect, run_parallel
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

    def post(client, pair):
        body = urlencode({"SAMLResponse": pair[1]}).encode()
        status, data, elapsed, response = client.request("POST", acs_path, body)
        location = response.getheader("Location") or ""
        if (
            status != 302
            or not location.startswith(saml_acs.REDIRECT_URI)
            or "code=" not in location
        ):
            expect(status, (), "ACS", data[:300])
        return elapsed

    phase = run_parallel("ACS", pairs, post, clients)
    return {"acs": phase, "raw": raw_rate, "organization_id": organization_id}
