"""The attribute-map step: provider defaults, checked edits, and profiles that follow the map."""

import re

import pytest

from portal.extensions import db
from portal.idp_guides import SSO_GUIDES
from portal.models import Connection
from tests.admin.sso_flows import (
    APP_CALLBACK,
    app_profile,
    error_of,
    real_sign_in,
    run_test_sign_in,
    set_up_saml,
    sign_in_status,
)
from tests.factories import WITH_VERIFIED_DOMAIN, make_api_key, make_organization
from tests.peers.saml_idp import SigningIdp

ATTRIBUTES = {
    "mail": ["jane@acme.test"],
    "nickname": ["JJ"],
    "sn": ["Doe"],
    "dept": ["Sales"],
    "teams": ["Red", "Blue"],
}
EDITED = {
    "map_email": "mail",
    "map_first_name": "nickname",
    "map_last_name": "sn",
    "map_groups": "teams",
    "custom": "department = dept\n\ncost_center = cc",
}


@pytest.fixture
def app_config():
    return {"PORTAL_REDIRECT_URIS": [APP_CALLBACK]}


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    return SigningIdp(tmp_path_factory.mktemp("attribute-map-idp"))


@pytest.fixture
def okta(admin_client):
    admin = admin_client("sso")
    admin.post("/admin/sso/provider", data={"type": "OktaSAML"})
    return admin


def _input_value(page: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)


def test_every_guide_names_a_default_for_email():
    assert all(guide.attribute_map.get("email") for guide in SSO_GUIDES)


@pytest.mark.parametrize(
    ("kind", "email", "first_name"),
    [
        ("OktaSAML", "email", "firstName"),
        ("AzureSAML", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", None),
        ("GenericOIDC", "email", "given_name"),
    ],
)
def test_a_new_connection_starts_with_its_providers_defaults(admin_client, kind, email, first_name):
    admin = admin_client("sso")
    admin.post("/admin/sso/provider", data={"type": kind})
    page = admin.get("/admin/sso").get_data(as_text=True)
    assert "Map the attributes" in page
    assert _input_value(page, "map_email") == email
    if first_name:
        assert _input_value(page, "map_first_name") == first_name
    standard = db.session.scalars(db.select(Connection)).one().attribute_map["standard_attributes"]
    assert standard["email"] == email


def test_an_edited_map_is_saved_and_shown(okta):
    assert okta.post("/admin/sso/attribute-map", data=EDITED).status_code == 302
    mapping = db.session.scalars(db.select(Connection)).one().attribute_map
    assert mapping["standard_attributes"]["first_name"] == "nickname"
    assert mapping["custom_attributes"] == {"department": "dept", "cost_center": "cc"}
    page = okta.get("/admin/sso").get_data(as_text=True)
    assert _input_value(page, "map_first_name") == "nickname"
    assert "department = dept\ncost_center = cc</textarea>" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"map_email": " "},
            "map_email",
            "Enter the attribute that holds the email address (for example email).",
        ),
        (
            {"map_last_name": "nickname"},
            "map_last_name",
            "First name and Last name both read 'nickname'. Each profile field needs its own "
            "IdP attribute.",
        ),
        (
            {"custom": "department = mail"},
            "custom",
            "Email and custom attribute 'department' both read 'mail'. Each profile field needs "
            "its own IdP attribute.",
        ),
        (
            {"custom": "email = work_mail"},
            "custom",
            "'email' is a standard profile field, so a custom attribute cannot use it. Map it "
            "above, or give the custom attribute another name.",
        ),
        (
            {"custom": "raw_attributes = x"},
            "custom",
            "'raw_attributes' is a standard profile field, so a custom attribute cannot use it. "
            "Map it above, or give the custom attribute another name.",
        ),
        (
            {"custom": "department = dept\ndepartment = division"},
            "custom",
            "The custom attribute 'department' is listed twice.",
        ),
        (
            {"custom": "department dept"},
            "custom",
            "Line 1 of the custom attributes must read name = IdP attribute (for example "
            "department = dept).",
        ),
        (
            {"custom": "cost center = cc"},
            "custom",
            "The custom attribute name 'cost center' may use letters, digits and _ only, "
            "starting with a letter.",
        ),
    ],
)
def test_bad_maps_are_refused_with_what_to_fix(okta, change, field, message):
    before = db.session.scalars(db.select(Connection)).one().attribute_map
    response = okta.post("/admin/sso/attribute-map", data={**EDITED, **change})
    assert response.status_code == 422
    assert error_of(response) == message
    body = response.get_data(as_text=True)
    assert f'id="{field}" name="{field}"' in body and f'aria-describedby="{field}-error"' in body
    assert 'id="attribute-map-step" open' in body  # the step stays open on the error
    db.session.expire_all()
    assert db.session.scalars(db.select(Connection)).one().attribute_map == before


@WITH_VERIFIED_DOMAIN
def test_profiles_follow_the_map_in_the_test_and_for_the_app(
    app, client, admin_client, org, idp, tmp_path
):
    admin = admin_client("sso")
    connection, base = set_up_saml(admin, idp, tmp_path, app)
    admin.post("/admin/sso/attribute-map", data=EDITED)

    run_test_sign_in(admin, idp, base, attributes=ATTRIBUTES)
    result = sign_in_status(admin).get_data(as_text=True)
    assert "Test sign-in succeeded for jane@acme.test" in result
    assert "<dd>JJ</dd>" in result and "<dd>Red, Blue</dd>" in result
    assert re.search(r"department <span[^>]*>\(custom\)</span></dt><dd>Sales</dd>", result)
    # cost_center is mapped to cc, which the IdP did not send: the admin is told
    assert "did not send" in result and "<li>cost_center: <code>cc</code></li>" in result

    params = real_sign_in(app.test_client(), connection, idp, base, attributes=ATTRIBUTES)
    token, profile = app_profile(client, params["code"], make_api_key())
    assert profile["first_name"] == "JJ" and profile["last_name"] == "Doe"
    assert profile["groups"] == ["Red", "Blue"]
    assert profile["custom_attributes"] == {"department": "Sales"}
    assert token["profile"] == profile


@WITH_VERIFIED_DOMAIN
def test_management_offers_the_editor_and_another_organization_cannot_use_it(
    app, admin_client, org, idp, tmp_path
):
    admin = admin_client("sso")
    connection, base = set_up_saml(admin, idp, tmp_path, app)
    run_test_sign_in(admin, idp, base)
    page = admin.get("/admin/sso").get_data(as_text=True)
    assert "Edit attribute map" in page
    other = make_organization("Other Org", domains=["other.test"])
    intruder = admin_client("sso", organization=other)
    assert intruder.post("/admin/sso/attribute-map", data=EDITED).status_code == 404
    db.session.expire_all()
    assert (
        db.session.get(Connection, connection.id).attribute_map["standard_attributes"]["email"]
        == "email"
    )
