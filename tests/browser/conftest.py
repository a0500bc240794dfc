"""Real Chromium (Debian's, never a downloaded one) against the portal on a real port.

The portal runs at http://127.0.0.1:<port>; two "host apps" run at http://localhost:<port>,
one of them allowed to embed the portal. Screenshots land in tests/browser/artifacts/.
"""

import os
import threading
import uuid

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response
from workos import WorkOSClient

from portal import create_app
from portal.extensions import db
from portal.services.account import credentials
from tests.dashboard_login import EMAIL, PASSWORD
from tests.environment import config_for, delete_all_rows

CHROMIUM = "/usr/bin/chromium"


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
def app(portal):
    """The served app, in context: where `org`, the factories and the browser meet."""
    return portal[0]


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


@pytest.fixture
def admin_link(request, workos):
    """A factory: `admin_link(intent, organization=org, **options)` is a fresh magic link into
    the IT-admin portal, asked for through the SDK as the developer's app asks for one."""

    def generate(intent: str, organization=None, **options) -> str:
        # `org` is made only when used: a test linking elsewhere has no Acme Corp about.
        organization = organization or request.getfixturevalue("org")
        return workos.admin_portal.generate_link(
            organization=organization.id, intent=intent, **options
        ).link

    return generate


@pytest.fixture
def sign_in_to_dashboard(portal, dashboard_user):
    """A factory: sign a page in to the dashboard through its form, as the developer does."""
    _, server = portal

    def sign_in(page) -> None:
        page.goto(server.url + "/")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="portal is running")).to_be_visible()

    return sign_in


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
