"""One NUL policy for every audience (portal/web/__init__.py): a path value holding NUL names
nothing, on every route of every blueprint; a page's input holding NUL is refused with the
form's error. The API's and SCIM's own refusals are tested in tests/api/test_parsing.py and
tests/scim/test_access.py."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Organization
from portal.services.account import credentials


def _requests_with_nul_in_the_path(app):
    for rule in app.url_map.iter_rules():
        if not rule.arguments:
            continue
        path = rule.build(dict.fromkeys(rule.arguments, "x\x00y"), append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


def test_a_path_value_holding_nul_names_nothing_on_every_blueprint(app, client):
    answers = {
        (endpoint, method): client.open(path, method=method).status_code
        for endpoint, method, path in _requests_with_nul_in_the_path(app)
    }
    blueprints = {endpoint.partition(".")[0] for endpoint, _ in answers}
    assert {"admin", "api", "dashboard", "scim", "sso"} <= blueprints
    assert {request: status for request, status in answers.items() if status != 404} == {}


def test_the_answer_to_a_nul_path_is_in_its_audiences_shape(app, client):
    api = client.get("/organizations/org_%00")
    assert api.get_json()["code"] == "entity_not_found"
    scim = client.get("/scim/v2/directory_1/Users/u%00")
    assert scim.mimetype == "application/scim+json" and scim.get_json()["status"] == "404"
    page = client.get("/sso/saml/conn_%00/metadata")
    assert page.mimetype == "text/html" and "This page does not exist" in page.text


def _signed_in(client):
    credentials.create_dashboard_user("dev@example.com", "correct horse battery")
    data = {"email": "dev@example.com", "password": "correct horse battery"}
    assert client.post("/dashboard/login", data=data).status_code == 302
    return client


def test_a_dashboard_form_holding_nul_is_refused_naming_the_field(app, client):
    dashboard = _signed_in(client)
    response = dashboard.post("/dashboard/organizations/new", data={"name": "Ac\x00me"})
    assert response.status_code == 422
    assert "name must not contain NUL characters." in response.text
    assert db.session.scalars(select(Organization)).all() == []


def test_a_dashboard_query_holding_nul_is_refused_naming_the_field(app, client):
    response = _signed_in(client).get("/dashboard/organizations?q=acme%00")
    assert response.status_code == 422
    assert "q must not contain NUL characters." in response.text
