"""Generated from the URL map: every admin page is public, in the shell every session opens,
or in a section the guard checks (no page is silently open); and each section's pages are a
404 to a session whose link granted none of the section's intents."""

from portal.admin.guard import PUBLIC_ENDPOINTS, view_module
from portal.admin.intents import SECTIONS, SHELL_MODULES, sections_holding

ALL_INTENTS = [section.intent for section in SECTIONS]


def _guarded_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.") and rule.endpoint not in PUBLIC_ENDPOINTS
    ]


def _section_intents(endpoint: str) -> set[str]:
    return {section.intent for section in sections_holding(view_module(endpoint))}


def test_every_admin_page_is_public_in_the_shell_or_in_a_section(app):
    rules = _guarded_rules(app)
    assert len(rules) >= 40
    nowhere = [
        rule.rule
        for rule in rules
        if view_module(rule.endpoint) not in SHELL_MODULES and not _section_intents(rule.endpoint)
    ]
    assert nowhere == []


def test_a_sections_pages_do_not_exist_for_a_link_that_did_not_grant_it(app, admin_client):
    clients = {}

    def signed_in_with(intent: str):
        if intent not in clients:
            clients[intent] = admin_client(intent)
        return clients[intent]

    checked = 0
    for rule in _guarded_rules(app):
        granted = _section_intents(rule.endpoint)
        if not granted:
            continue  # the shell
        other = next(intent for intent in ALL_INTENTS if intent not in granted)
        url = rule.build(dict.fromkeys(rule.arguments, "x_1"), append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = signed_in_with(other).open(url, method=method)
            assert response.status_code == 404, f"{method} {url} opens to {other}"
            checked += 1
    assert checked >= 40


def test_a_page_two_sections_share_opens_to_either(admin_client):
    for intent in ("sso", "certificate_renewal"):
        client = admin_client(intent)
        assert client.get("/admin/sso/sign-in-tests/status").status_code == 200
    assert _section_intents("admin.sso_session") == {"sso", "certificate_renewal"}
