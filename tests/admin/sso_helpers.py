"""Shared pieces of the SSO section's tests: a signed-in IT admin, IdP metadata, a web server."""

import html
import re
import threading

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from portal.services import portal_links
from tests.admin.conftest import launch_path
from tests.peers.saml_idp import IDP_ENTITY_ID, IDP_SSO_URL

REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"


def open_sso_section(client, org):
    _, url = portal_links.create_api_link(org.id, "sso")
    assert client.get(launch_path(url)).status_code == 302
    return client


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
