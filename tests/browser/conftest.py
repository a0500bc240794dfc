"""Real Chromium (Debian's, never a downloaded one) against the portal on a real port.

The portal runs at http://127.0.0.1:<port>; two "host apps" run at http://localhost:<port>,
one of them allowed to embed the portal. Screenshots land in tests/browser/artifacts/.
"""

import html
import os
import threading
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response
from workos import WorkOSClient

from portal import create_app
from portal.extensions import db
from portal.services.account import credentials
from tests.environment import config_for, delete_all_rows
from tests.peers.saml_idp import IDP_SSO_URL

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"


class Server:
    """A WSGI app on a free loopback port, in a daemon thread."""

    def __init__(self, wsgi_app, host: str = "127.0.0.1"):
        self._server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()


def host_app(title: str):
    """A page of the developer's app that embeds the link given as ?src= in an iframe."""

    @Request.application
    def serve(request):
        src = request.args.get("src", "")
        html = (
            f"<!doctype html><title>{title}</title><h1>{title}</h1>"
            f'<iframe id="portal" title="Setup portal" src="{src}" width="1100" height="700">'
            "</iframe>"
        )
        return Response(html, mimetype="text/html")

    return serve


@pytest.fixture(scope="session")
def host_apps():
    allowed, refused = (
        Server(host_app("Allowed host"), "localhost"),
        Server(host_app("Refused host"), "localhost"),
    )
    yield allowed, refused
    allowed.stop()
    refused.stop()


@pytest.fixture(scope="session")
def portal_server(tmp_path_factory, host_apps, dns_server):
    dns_server.serve([])  # no records: lookups answer at once, NXDOMAIN
    database = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'portal.db'}"
    app = create_app(
        config_for(
            database,
            PORTAL_DNS_RESOLVERS=[dns_server.address],
            PORTAL_FRAME_ANCESTORS=[host_apps[0].url],
            WTF_CSRF_ENABLED=True,
            SECRET_KEY=f"browser-{uuid.uuid4().hex}",
        )
    )
    server = Server(app)
    app.config["PORTAL_PUBLIC_URL"] = server.url
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    yield app, server
    server.stop()


@pytest.fixture
def portal(portal_server):
    app, server = portal_server
    with app.app_context():
        yield app, server
        delete_all_rows()
        db.session.remove()


@pytest.fixture
def workos(portal):
    _, server = portal
    _, secret = credentials.create_api_key("browser tests")
    return WorkOSClient(
        api_key=secret,
        client_id=credentials.environment().client_id,
        base_url=server.url,
        max_retries=0,
    )


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        # Fails, never skips: `make test` installs Debian's chromium (.ci/ensure-tools).
        pytest.fail(f"{CHROMIUM} is missing; run `make test`, which installs it", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # bypass_csp lets the tests inject axe-core; the portal's own pages never need it.
    context = browser.new_context(viewport={"width": 1280, "height": 860}, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def csp_page(browser):
    """A page that enforces the portal's CSP as a user's browser does (the `page` fixture
    bypasses it), with every CSP violation Chromium logs in any tab in `csp_violations`."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    violations = []
    context.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and violations.append(message.text)
        ),
    )
    page = context.new_page()
    page.csp_violations = violations
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def accessibility_violations(page) -> list[str]:
    """Serious and critical WCAG 2.1 AA problems axe-core finds on the page."""
    assert AXE.exists(), "run `npm install` (make test does) for axe-core"
    page.evaluate(AXE.read_text())  # evaluated by the DevTools protocol: no CSP applies
    result = page.evaluate(
        "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} element(s))"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def idp_answering(page, idp, acs_url, entity_id):
    """Serve the IdP's sign-on URL in the browser: it signs the user in and posts to the ACS."""

    def answer(route):
        saml_response = idp.respond(
            sp_entity_id=entity_id,
            destination=acs_url,
            in_response_to=idp.request_id(route.request.url),
        )
        body = (
            "<!doctype html><title>IdP</title>"
            f'<form method="post" action="{html.escape(acs_url)}">'
            f'<input type="hidden" name="SAMLResponse" value="{saml_response}"></form>'
            "<script>document.forms[0].submit()</script>"
        )
        route.fulfill(status=200, content_type="text/html", body=body)

    page.context.route(f"{IDP_SSO_URL}*", answer)
