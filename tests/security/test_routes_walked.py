"""Every route belongs to an audience whose isolation test walks it (admin, dashboard, api, scim,
sso), or is one of the few app-wide routes listed here with the test that covers it."""

from portal import create_app
from tests.environment import config_for

AUDIENCES = ("admin.", "dashboard.", "api.", "scim.", "sso.")
APP_WIDE = {
    "static": "files of static/, the same for everyone",
    "metrics": "the operator's figures, only with PORTAL_METRICS_TOKEN (tests/test_metrics.py)",
}


def test_every_route_is_walked_by_an_isolation_test():
    app = create_app(config_for("sqlite://"))
    outside = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if not rule.endpoint.startswith(AUDIENCES)
    }
    assert outside == set(APP_WIDE)
