"""The developer's dashboard: signed-out visitors see nothing, and a signed-in developer gets
404 for any id that does not exist or that belongs under another parent.

Dashboard users see every organization of the environment (they run it), so there is no
tenant boundary between them; the boundary is signing in. Routes come from the URL map: a
route is either public (listed below with its reason, and equal to what the dashboard's
guard lets through) or asks for sign-in, and a route with a parameter this test has no id
for fails the coverage check.
"""

import pytest
from sqlalchemy import select

from portal.dashboard.auth import PUBLIC_ENDPOINTS
from portal.extensions import db
from portal.models import Connection, Event, OrganizationDomain, WebhookDelivery
from portal.services.account import credentials
from portal.services.delivery import webhook_deliveries, webhooks
from portal.services.onboarding import mail
from portal.services.sso import connections
from portal.services.sso.connections import ConnectionSettings
from tests.factories import make_organization
from tests.url_map import methods_of, rules_of

PUBLIC = {"dashboard.login": "the sign-in form (also the front page `/`): it shows no data"}
UNKNOWN = "x_01M00000000000000000000000"


@pytest.fixture
def app_config():
    return {"PORTAL_OUTBOUND_ALLOW_PRIVATE": True}


@pytest.fixture
def seeded(app):
    """Two organizations, two webhook endpoints with a delivery each, an API key, a mail."""
    first = webhooks.create_endpoint("http://127.0.0.1:9/first", ["organization.created"])
    second = webhooks.create_endpoint("http://127.0.0.1:9/second", ["organization.created"])
    a = make_organization("Alpha Org", domains=["alpha.test"])
    b = make_organization("Bravo Org", domains=["bravo-secret.test"])
    for org in (a, b):
        connections.create_connection(org.id, ConnectionSettings(connection_type="OktaSAML"))
    webhook_deliveries.dispatch(db.session.scalars(select(Event.id)).all())
    key, _ = credentials.create_api_key("Bravo secret key")
    message = mail.send("it@bravo-secret.test", "Bravo secret subject", "Hello", b.id)
    deliveries = {e.id: _delivery_of(e.id) for e in (first, second)}
    assert all(deliveries.values()), "each endpoint needs a delivery"
    return {
        "a": a,
        "b": b,
        "key": key,
        "message": message,
        "deliveries": deliveries,
    }


def _delivery_of(endpoint_id: str) -> WebhookDelivery:
    return db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    ).first()


def _ids(seeded) -> dict[str, str]:
    """URL parameter name -> a real id for it (organization A's where one is needed)."""
    endpoint_id, delivery = next(iter(seeded["deliveries"].items()))
    return {
        "organization_id": seeded["a"].id,
        "domain_id": seeded["a"].domains[0].id,
        "key_id": seeded["key"].id,
        "message_id": seeded["message"].id,
        "event_id": db.session.scalars(select(Event.id)).first(),
        "endpoint_id": endpoint_id,
        "delivery_id": delivery.id,
        "connection_id": _connection_of(seeded["a"]).id,
    }


def _connection_of(org) -> Connection:
    return db.session.scalars(select(Connection).where(Connection.organization_id == org.id)).one()


def _guarded_rules(app):
    return rules_of(app, "dashboard", PUBLIC)


def _requests(app, ids: dict[str, str]):
    for rule in _guarded_rules(app):
        url = rule.build(ids, append_unknown=False)[1]
        for method in methods_of(rule):
            yield rule, method, url


def test_the_public_routes_are_the_ones_listed_with_a_reason():
    assert PUBLIC.keys() == PUBLIC_ENDPOINTS


def test_every_dashboard_route_is_covered(app, seeded):
    known = set(_ids(seeded))
    for rule in _guarded_rules(app):
        assert not rule.arguments - known, f"{rule.rule}: add an id for it in _ids"


def test_signed_out_visitors_are_sent_to_sign_in_and_see_nothing(app, client, seeded):
    secrets = ["Bravo Org", "bravo-secret", "Bravo secret", "127.0.0.1:9", seeded["b"].id]
    checked = 0
    for _, method, url in _requests(app, _ids(seeded)):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.open(url, method=method, headers=headers)
            body = response.get_data(as_text=True)
            if headers:
                assert response.status_code == 401, f"{method} {url}"
                assert response.headers["HX-Redirect"].startswith("/dashboard/login")
            else:
                assert response.status_code == 302, f"{method} {url}"
                assert response.headers["Location"].startswith("/dashboard/login")
            assert not [s for s in secrets if s in body], f"{method} {url} shows data"
        checked += 1
    assert checked == sum(len(methods_of(r)) for r in _guarded_rules(app))


def test_an_unknown_id_in_any_place_is_a_404(app, dashboard_client, seeded):
    real = _ids(seeded)
    for rule in _guarded_rules(app):
        for argument in sorted(rule.arguments):
            url = rule.build({**real, argument: UNKNOWN}, append_unknown=False)[1]
            for method in methods_of(rule):
                response = dashboard_client.open(url, method=method)
                assert response.status_code == 404, f"{method} {url}: {response.status_code}"


def test_a_domain_of_b_under_organization_a_is_a_404_and_stays_pending(dashboard_client, seeded):
    a, b = seeded["a"], seeded["b"]
    url = f"/dashboard/organizations/{a.id}/domains/{b.domains[0].id}/verify"
    assert dashboard_client.post(url).status_code == 404
    db.session.expire_all()
    assert db.session.get(OrganizationDomain, b.domains[0].id).state == "pending"


def test_a_connection_of_b_under_organization_a_is_a_404_and_unchanged(dashboard_client, seeded):
    a, b = seeded["a"], seeded["b"]
    theirs = _connection_of(b)
    url = f"/dashboard/organizations/{a.id}/connections/{theirs.id}/idp-initiated"
    assert dashboard_client.post(url, data={"enabled": "yes"}).status_code == 404
    db.session.expire_all()
    assert not db.session.get(Connection, theirs.id).allow_idp_initiated


def test_a_delivery_of_one_endpoint_under_another_is_a_404_and_not_sent(dashboard_client, seeded):
    (first, _), (_, second_delivery) = seeded["deliveries"].items()
    url = f"/dashboard/settings/webhooks/{first}/deliveries/{second_delivery.id}/redeliver"
    before = _delivery_columns(second_delivery.id)
    assert dashboard_client.post(url).status_code == 404
    assert _delivery_columns(second_delivery.id) == before
    page = dashboard_client.get(f"/dashboard/settings/webhooks/{first}").get_data(as_text=True)
    assert second_delivery.id not in page


def _delivery_columns(delivery_id: str) -> dict:
    db.session.expire_all()
    row = db.session.get(WebhookDelivery, delivery_id)
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}
