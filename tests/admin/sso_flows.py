"""The SSO section's flows as its tests go through them: an IT admin setting up SAML and testing
it, a person signing in to the app, IdP metadata, and a web server serving it."""

import html
import re
import threading
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from portal.extensions import db
from portal.models import Connection
from portal.services.account import credentials
from tests.peers.saml_idp import IDP_ENTITY_ID, IDP_SSO_URL, SigningIdp

APP_CALLBACK = "https://app.example.com/callback"

REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"


def cert_body(pem: str) -> str:
    return "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))


def idp_metadata(pem: str, entity_id: str = IDP_ENTITY_ID, sso_url: str = IDP_SSO_URL) -> str:
    return (
        '<?xml version="1.0"?>'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        f"{cert_body(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        f'<md:SingleSignOnService Binding="{REDIRECT}" Location="{sso_url}"/>'
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )


def error_of(response) -> str:
    found = re.search(
        r'<p class="field-error" role="alert" id="form-error">([^<]+)</p>',
        response.get_data(as_text=True),
    )
    return html.unescape(found.group(1)) if found else ""


class StaticServer:
    """A web server on loopback answering each path with (status, content type, body)."""

    def __init__(self, routes: dict):
        self.routes = routes

        @Request.application
        def serve(request):
            status, content_type, body = self.routes.get(request.path, (404, "text/plain", "no"))
            return Response(body, status=status, content_type=content_type)

        self._server = make_server("127.0.0.1", 0, serve, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self):
        self._server.shutdown()


def set_up_saml(admin, idp, tmp_path, app, connection_type="OktaSAML"):
    """As `admin` (in the SSO section): choose the provider, paste the IdP's values by hand,
    and let the IdP trust our SP; returns the connection and its SAML base URL."""
    assert admin.post("/admin/sso/provider", data={"type": connection_type}).status_code == 302
    saved = admin.post(
        "/admin/sso/idp/manual",
        data={"entity_id": IDP_ENTITY_ID, "sso_url": IDP_SSO_URL, "certificate": idp.certificate},
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    connection = db.session.scalars(select(Connection)).one()
    sp_file = tmp_path / "sp.xml"
    sp_file.write_bytes(admin.get(f"/sso/saml/{connection.id}/metadata").data)
    idp.trust_service_provider(sp_file)
    base = f"{app.config['PORTAL_PUBLIC_URL']}/sso/saml/{connection.id}"
    return connection, base


def idp_url_of(started) -> str:
    """Where the test sign-in's new tab goes on to: a same-origin page (our CSP's form-action
    'self' refuses a redirect answering the form) that navigates to the IdP."""
    assert started.status_code == 200, started.get_data(as_text=True)
    assert "Location" not in started.headers
    body = started.get_data(as_text=True)
    refresh = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', body).group(1)
    link = re.search(r'<a class="button" id="continue-to-idp" href="([^"]+)"', body).group(1)
    assert refresh == link
    return html.unescape(link)


def run_test_sign_in(admin, idp, base, start_path="/admin/sso/sign-in-tests", **respond):
    """Test sign-in as the new tab does it: start → IdP → ACS → the portal's result page."""
    idp_url = idp_url_of(admin.post(start_path))
    assert idp_url.startswith(IDP_SSO_URL)
    saml_response = idp.respond(
        sp_entity_id=base,
        destination=f"{base}/acs",
        in_response_to=idp.request_id(idp_url),
        **respond,
    )
    return admin.post(urlsplit(f"{base}/acs").path, data={"SAMLResponse": saml_response})


def real_sign_in(client, connection, idp, base, **respond) -> dict:
    """A person signing in to the app: /sso/authorize → IdP → ACS; the app's callback params."""
    started = client.get(
        "/sso/authorize",
        query_string={
            "client_id": credentials.environment().client_id,
            "redirect_uri": APP_CALLBACK,
            "response_type": "code",
            "connection": connection.id,
            "state": "app-state",
        },
    )
    assert started.status_code == 302, started.get_data(as_text=True)
    saml_response = idp.respond(
        sp_entity_id=base,
        destination=f"{base}/acs",
        in_response_to=idp.request_id(started.headers["Location"]),
        **respond,
    )
    finished = client.post(urlsplit(f"{base}/acs").path, data={"SAMLResponse": saml_response})
    return {k: v[0] for k, v in parse_qs(urlsplit(finished.headers["Location"]).query).items()}


def sign_in_status(admin, **args):
    return admin.get(
        "/admin/sso/sign-in-tests/status",
        query_string={"watch": "1", **args},
        headers={"HX-Request": "true"},
    )


def app_profile(client, code: str, api_key: str) -> tuple[dict, dict]:
    """What the host app gets for a code: the token response and /sso/profile's answer."""
    token = client.post(
        "/sso/token",
        json={
            "client_id": credentials.environment().client_id,
            "client_secret": api_key,
            "grant_type": "authorization_code",
            "code": code,
        },
    ).get_json()
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    return token, client.get("/sso/profile", headers=bearer).get_json()


def rolling_idps(folder) -> tuple[SigningIdp, SigningIdp]:
    """One IdP entity signing first with an old key, later with a new one."""
    return SigningIdp(folder, "old-key"), SigningIdp(folder, "new-key")


def live_connection(admin, idps, tmp_path, app):
    """Set up by `admin`, an active connection whose IdP signs with the old key; both keys'
    IdPs trust our SP. Returns the connection and its SAML base URL."""
    old, new = idps
    connection, base = set_up_saml(admin, old, tmp_path, app)
    new.trust_service_provider(*old.sp_metadata_files)
    run_test_sign_in(admin, old, base)
    db.session.refresh(connection)
    assert connection.state == "active"
    return connection, base
