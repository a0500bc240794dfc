"""Test sign-in from the portal with a real SAML IdP (pysaml2), live status, and management."""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Connection, ConnectionSession, Event, SignInGrant
from tests.admin.sso_flows import (
    idp_url_of,
    run_test_sign_in,
    set_up_saml,
    sign_in_status,
)
from tests.factories import WITH_VERIFIED_DOMAIN, make_organization
from tests.peers.saml_idp import IDP_SSO_URL, SigningIdp


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    return SigningIdp(tmp_path_factory.mktemp("portal-idp"))


@WITH_VERIFIED_DOMAIN
def test_setup_then_test_sign_in_activates_and_is_shown(app, admin_client, org, idp, tmp_path):
    admin = admin_client("sso")
    connection, base = set_up_saml(admin, idp, tmp_path, app)
    page = admin.get("/admin/sso").get_data(as_text=True)
    watch_url = re.search(r'data-watch-url="([^"]+)"', page).group(1).replace("&amp;", "&")

    waiting = admin.get(watch_url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Waiting for the sign-in to start" in waiting and 'hx-trigger="load delay:2s"' in waiting

    started = admin.post("/admin/sso/sign-in-tests")
    session = db.session.scalars(select(ConnectionSession)).one()
    idp_url = idp_url_of(started)
    assert idp_url.startswith(IDP_SSO_URL)
    assert started.headers["Cache-Control"] == "no-store"
    progress = admin.get(watch_url, headers={"HX-Request": "true"})
    assert progress.headers["Vary"] == "HX-Request" or "HX-Request" in progress.headers["Vary"]
    body = progress.get_data(as_text=True)
    assert "Waiting for you to sign in there" in body and 'aria-live="polite"' in body
    assert "hx-trigger" in body

    saml_response = idp.respond(
        sp_entity_id=base,
        destination=f"{base}/acs",
        in_response_to=idp.request_id(idp_url),
    )
    finished = admin.post(urlsplit(f"{base}/acs").path, data={"SAMLResponse": saml_response})
    assert finished.status_code == 302
    assert finished.headers["Location"].endswith(f"/admin/sso/sign-in-tests/{session.id}")
    assert db.session.scalars(select(SignInGrant)).all() == []  # a test yields no code

    result = admin.get(urlsplit(finished.headers["Location"]).path).get_data(as_text=True)
    assert "Test sign-in succeeded for jane@acme.test" in result
    assert "The connection is active." in result

    done = admin.get(watch_url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Profile received" in done and "Engineering, Admins" in done
    assert done.count("Passed:") == 16 and "Failed:" not in done
    assert "hx-trigger" not in done  # stops polling
    assert 'id="connection-state" hx-swap-oob="true"' in done and ">Active</span>" in done

    db.session.expire_all()
    assert db.session.get(Connection, connection.id).state == "active"
    assert "connection.activated" in db.session.scalars(select(Event.event)).all()

    manage = admin.get("/admin/sso").get_data(as_text=True)
    assert "Single sign-on is active" in manage and "Recent sign-ins" in manage
    assert f"/admin/sso/sessions/{session.id}" in manage

    detail = admin.get(f"/admin/sso/sessions/{session.id}").get_data(as_text=True)
    assert "&lt;samlp:AuthnRequest" in detail and ":Assertion&gt;" in detail
    assert re.search(r"\n  +&lt;ns\d:Issuer", detail)  # indented, escaped XML
    assert "<ns1:Assertion" not in detail and "<samlp:" not in detail


@WITH_VERIFIED_DOMAIN
def test_a_failed_test_shows_the_failing_check_and_its_explanation(
    app, admin_client, org, idp, tmp_path
):
    admin = admin_client("sso")
    connection, base = set_up_saml(admin, idp, tmp_path, app)
    finished = run_test_sign_in(admin, idp, base, sha1=True)
    assert (
        finished.status_code == 302 and "/admin/sso/sign-in-tests/" in finished.headers["Location"]
    )
    body = sign_in_status(admin).get_data(as_text=True)
    assert "Test sign-in failed" in body and "<code>sha1_rejected</code>" in body
    assert re.search(r"Failed:</span>\s*<span>Signed with SHA-256 and standard transforms", body)
    assert "Set the signature and digest algorithms to SHA-256" in body
    assert "Passed:" in body and "Not checked:" in body
    # What ran is what is shown: the structure checks listed before it were not claimed.
    assert re.search(r"Passed:</span>\s*<span>It answers a sign-in we started", body)
    assert re.search(r"Not checked:</span>\s*<span>One assertion<", body)
    recorded = db.session.scalars(select(ConnectionSession)).one().check_results
    assert recorded == {"readable": "passed", "in_response_to": "passed", "algorithms": "failed"}
    db.session.expire_all()
    assert db.session.get(Connection, connection.id).state == "validating"
    manage = admin.get("/admin/sso").get_data(as_text=True)
    assert "<code>sha1_rejected</code>" in manage


def test_without_a_verified_domain_the_blocker_is_shown(app, admin_client, org, idp, tmp_path):
    admin = admin_client("sso")
    connection, base = set_up_saml(admin, idp, tmp_path, app)
    run_test_sign_in(admin, idp, base)
    body = sign_in_status(admin).get_data(as_text=True)
    assert "Test sign-in succeeded" in body
    assert "The connection stays in test mode" in body and "verified domain" in body
    db.session.expire_all()
    assert db.session.get(Connection, connection.id).state == "validating"


def test_a_draft_connection_cannot_be_tested(admin_client):
    admin = admin_client("sso")
    admin.post("/admin/sso/provider", data={"type": "OktaSAML"})
    response = admin.post("/admin/sso/sign-in-tests")
    assert response.status_code == 422
    assert "This connection is not configured yet." in response.get_data(as_text=True)


@WITH_VERIFIED_DOMAIN
def test_reset_after_sign_ins_deletes_connection_and_sessions(
    app, admin_client, org, idp, tmp_path
):
    admin = admin_client("sso")
    _, base = set_up_saml(admin, idp, tmp_path, app)
    run_test_sign_in(admin, idp, base)
    assert admin.post("/admin/sso/reset", data={"confirm": "yes"}).status_code == 302
    assert db.session.scalars(select(ConnectionSession)).all() == []
    assert "connection.deleted" in db.session.scalars(select(Event.event)).all()


@WITH_VERIFIED_DOMAIN
def test_another_organization_sees_nothing_of_this_ones_sign_ins(
    app, admin_client, org, idp, tmp_path
):
    admin = admin_client("sso")
    connection, base = set_up_saml(admin, idp, tmp_path, app)
    run_test_sign_in(admin, idp, base)
    session = db.session.scalars(select(ConnectionSession)).one()
    other = make_organization("Other Org", domains=[("other.test", "verified")])
    intruder = admin_client("sso", organization=other)
    for path in (f"/admin/sso/sessions/{session.id}", f"/admin/sso/sign-in-tests/{session.id}"):
        assert intruder.get(path).status_code == 404
    status = sign_in_status(intruder).get_data(as_text=True)
    assert "jane@acme.test" not in status and session.id not in status
    page = intruder.get("/admin/sso").get_data(as_text=True)
    assert connection.id not in page and "Which identity provider do you use?" in page
    assert intruder.post("/admin/sso/reset", data={"confirm": "yes"}).status_code == 404
    assert intruder.post("/admin/sso/sign-in-tests").status_code == 404
    assert db.session.get(Connection, connection.id) is not None
