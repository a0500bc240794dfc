import html
import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Connection, MailMessage, Organization, OrganizationDomain, PortalLink
from portal.services.onboarding import onboarding, portal_links
from portal.services.sso import connections
from tests.factories import make_directory, make_organization
from tests.magic_links import launch_path
from tests.pages import shown_to_copy
from tests.scim.scim_client import USER_SCHEMA, ScimClient


def body(response) -> str:
    return response.get_data(as_text=True)


def steps_done(page: str) -> list[str]:
    return re.findall(r'class="step-done" data-step="([a-z_]+)"', page)


def test_list_searches_by_name(dashboard_client):
    make_organization("Acme Corp")
    make_organization("Globex")
    page = body(dashboard_client.get("/dashboard/organizations?q=glob"))
    assert "Globex" in page and "Acme Corp" not in page
    assert "No organization" in body(dashboard_client.get("/dashboard/organizations?q=zzz"))


def test_list_pages_through_many_organizations(dashboard_client):
    for number in range(21):
        make_organization(f"Customer {number:02d}")
    first = body(dashboard_client.get("/dashboard/organizations"))
    assert "Customer 20" in first and "Customer 00" not in first
    older = re.search(r'href="(/dashboard/organizations\?after=[^"]+)"', first).group(1)
    second = body(dashboard_client.get(older.replace("&amp;", "&")))
    assert "Customer 00" in second and "Customer 20" not in second
    assert "Newer" in second


def test_create_an_organization_with_domains(dashboard_client):
    response = dashboard_client.post(
        "/dashboard/organizations/new", data={"name": "Initech", "domains": "initech.test\nb.test"}
    )
    assert response.status_code == 302
    org = db.session.scalars(select(Organization)).one()
    assert response.headers["Location"] == f"/dashboard/organizations/{org.id}"
    page = body(dashboard_client.get(response.headers["Location"]))
    assert "initech.test" in page and "b.test" in page
    assert "Created Initech." in page


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": "", "domains": ""}, "name", "Give the organization a name."),
        ({"name": "X", "domains": "https://x.test"}, "domains", "is not a domain name"),
        ({"name": "Acme corp", "domains": ""}, "name", "An organization named Acme corp"),
        ({"name": "New", "domains": "taken.test"}, "domains", "taken.test is already verified"),
        ({"name": "New", "domains": "gmail.com"}, "domains", "gmail.com is a public email"),
    ],
)
def test_create_explains_what_is_wrong_next_to_the_field(
    dashboard_client, org, form, field, message
):
    make_organization("Holder", domains=[("taken.test", "verified")])
    response = dashboard_client.post("/dashboard/organizations/new", data=form)
    assert response.status_code in (409, 422)
    page = body(response)
    assert message in page
    assert f'id="f-{field}-error"' in page
    assert re.search(rf'aria-describedby="[^"]*f-{field}-error"', page)


def test_detail_shows_domains_connections_and_directories(dashboard_client, org):
    make_directory(org)
    db.session.add(
        Connection(organization_id=org.id, name="Okta", connection_type="OktaSAML", state="draft")
    )
    db.session.commit()
    page = body(dashboard_client.get(f"/dashboard/organizations/{org.id}"))
    assert "acme.test" in page and "badge-pending" in page
    assert "OktaSAML" in page and "draft" in page
    assert "okta scim v2.0" in page and "unlinked" in page and "0 active" in page
    assert dashboard_client.get("/dashboard/organizations/org_missing").status_code == 404


def test_mark_verified_verifies_the_domain_manually(dashboard_client, org):
    domain = org.domains[0]
    response = dashboard_client.post(
        f"/dashboard/organizations/{org.id}/domains/{domain.id}/verify"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert domain.state == "verified" and domain.verification_strategy == "manual"
    again = dashboard_client.post(f"/dashboard/organizations/{org.id}/domains/{domain.id}/verify")
    assert again.status_code == 400


def test_a_domain_another_organization_claimed_follows_the_api_rules(dashboard_client, org):
    """Claimed elsewhere, not proven: a pending claim is allowed, "Mark verified" is refused."""
    response = dashboard_client.post(
        "/dashboard/organizations/new", data={"name": "Second", "domains": "acme.test"}
    )
    assert response.status_code == 302
    second = db.session.scalars(select(Organization).where(Organization.name == "Second")).one()
    mark = f"/dashboard/organizations/{second.id}/domains/{second.domains[0].id}/verify"
    page = html.unescape(body(dashboard_client.post(mark, follow_redirects=True)))
    assert f"acme.test is claimed by organization 'Acme Corp' ({org.id}" in page
    db.session.expire_all()
    assert [d.state for d in (org.domains[0], second.domains[0])] == ["pending", "pending"]


def test_checklist_advances_as_the_organization_is_set_up(app, dashboard_client, org):
    url = f"/dashboard/organizations/{org.id}/checklist"
    first = body(dashboard_client.get(url, headers={"HX-Request": "true"}))
    assert steps_done(first) == ["organization_created"]
    assert 'hx-trigger="load delay:3s"' in first  # polls itself while steps remain
    assert "<html" not in first

    _, link = portal_links.create_setup_link(org.id, ["sso", "dsync", "domain_verification"])
    assert steps_done(body(dashboard_client.get(url)))[-1] == "link_sent"

    it_admin = app.test_client()
    it_admin.get(launch_path(link))
    assert steps_done(body(dashboard_client.get(url)))[-1] == "link_opened"

    dashboard_client.post(f"/dashboard/organizations/{org.id}/domains/{org.domains[0].id}/verify")
    assert steps_done(body(dashboard_client.get(url)))[-1] == "domain_verified"

    connection = Connection(
        organization_id=org.id, name="Okta", connection_type="OktaSAML", state="validating"
    )
    db.session.add(connection)
    db.session.flush()
    assert connections.activate(connection) is None
    db.session.commit()
    assert steps_done(body(dashboard_client.get(url)))[-1] == "sso_active"

    directory, token = make_directory(org)
    scim = ScimClient(app, directory.id, token)
    assert scim.get("/Users").status_code == 200  # the IdP's first call links the directory
    assert steps_done(body(dashboard_client.get(url)))[-1] == "directory_linked"

    created = scim.post("/Users", {"schemas": [USER_SCHEMA], "userName": "ann@acme.test"})
    assert created.status_code == 201
    last = body(dashboard_client.get(url))
    assert len(steps_done(last)) == 7
    assert "hx-trigger" not in last and "Set-up is complete." in last
    assert onboarding.is_set_up(org.id, ["sso", "dsync", "domain_verification"])


def test_setup_tables_refresh_themselves_until_nothing_is_pending(app, dashboard_client, org):
    tables = f"/dashboard/organizations/{org.id}/setup-tables"
    polls = f'hx-get="{tables}"'
    assert polls in body(dashboard_client.get(f"/dashboard/organizations/{org.id}"))
    first = body(dashboard_client.get(tables, headers={"HX-Request": "true"}))
    assert "<html" not in first and polls in first  # the domain waits for DNS
    assert "No connection yet." in first

    portal_links.create_setup_link(org.id, ["sso"])
    dashboard_client.post(f"/dashboard/organizations/{org.id}/domains/{org.domains[0].id}/verify")
    connection = Connection(
        organization_id=org.id, name="Okta", connection_type="OktaSAML", state="validating"
    )
    db.session.add(connection)
    db.session.commit()
    waiting = body(dashboard_client.get(tables))
    assert "OktaSAML" in waiting and "validating" in waiting and polls in waiting

    connections.activate(connection)  # the last feature of the link: the link ends
    db.session.commit()
    assert portal_links.active_setup_link(org.id) is None
    done = body(dashboard_client.get(tables))
    assert "badge-active" in done and "hx-get" not in done  # nothing left to wait for

    make_directory(org)
    assert polls in body(dashboard_client.get(tables))  # an unlinked directory: poll again
    assert dashboard_client.get("/dashboard/organizations/org_nope/setup-tables").status_code == 404


def test_detail_page_includes_the_polling_checklist(dashboard_client, org):
    page = body(dashboard_client.get(f"/dashboard/organizations/{org.id}"))
    assert f'hx-get="/dashboard/organizations/{org.id}/checklist"' in page


class TestInviteAdmin:
    def test_copy_the_link_shows_it_once(self, dashboard_client, org):
        response = dashboard_client.post(
            f"/dashboard/organizations/{org.id}/invite",
            data={"features": ["sso", "dsync"], "delivery": "copy"},
        )
        assert response.status_code == 200
        page = body(response)
        assert shown_to_copy(page, "setup-link").startswith(
            "http://portal.test/admin/launch?token="
        )
        assert "not shown again" in page
        link = portal_links.active_setup_link(org.id)
        assert link.intents == ["sso", "dsync"]
        detail = body(dashboard_client.get(f"/dashboard/organizations/{org.id}"))
        assert "admin/launch?token=" not in detail  # only its hash is kept
        assert link.expires_at.strftime("%Y-%m-%d") in detail and "Revoke link" in detail

    def test_without_smtp_the_mail_goes_to_the_outbox_and_the_log(
        self, dashboard_client, org, caplog
    ):
        caplog.set_level("INFO", logger="portal.services.onboarding.mail")
        response = dashboard_client.post(
            f"/dashboard/organizations/{org.id}/invite",
            data={"features": ["sso"], "delivery": "email", "email": "it@acme.test"},
        )
        assert response.status_code == 200
        page = " ".join(body(response).split())
        assert "is set, so the mail to <strong>it@acme.test</strong> is kept in" in page
        message = db.session.scalars(select(MailMessage)).one()
        assert message.recipient == "it@acme.test" and message.transport == "outbox"
        assert message.state == "kept"
        assert "/admin/launch?token=" in page  # shown once, for the developer to pass on
        assert "token=" not in message.body and "[setup link]" in message.body
        assert "it@acme.test" in caplog.text and "token=" not in caplog.text
        outbox = body(dashboard_client.get("/dashboard/settings/emails"))
        assert "it@acme.test" in outbox and "outbox only" in outbox
        assert "[setup link]" in outbox and "token=" not in outbox

    @pytest.mark.parametrize(
        ("form", "field", "message"),
        [
            ({"delivery": "copy"}, "features", "Choose one or more of"),
            (
                {"features": "sso", "delivery": "email", "email": "nope"},
                "email",
                "Enter the IT admin",
            ),
        ],
    )
    def test_validation_messages(self, dashboard_client, org, form, field, message):
        response = dashboard_client.post(f"/dashboard/organizations/{org.id}/invite", data=form)
        assert response.status_code == 422
        page = body(response)
        assert message in page and f'id="f-{field}-error"' in page
        assert portal_links.active_setup_link(org.id) is None

    def test_a_second_link_is_refused_while_one_is_active_then_revoke(self, dashboard_client, org):
        portal_links.create_setup_link(org.id, ["sso"])
        form = body(dashboard_client.get(f"/dashboard/organizations/{org.id}/invite"))
        assert "already has an active setup link" in form
        refused = dashboard_client.post(
            f"/dashboard/organizations/{org.id}/invite",
            data={"features": "sso", "delivery": "copy"},
        )
        assert refused.status_code == 409
        assert "Revoke it before creating a new one" in body(refused)
        page = body(dashboard_client.get(f"/dashboard/organizations/{org.id}"))
        assert 'action="/dashboard/organizations/' not in page.split("active-link")[1][:600]
        confirm = body(dashboard_client.get(f"/dashboard/organizations/{org.id}/setup-link/revoke"))
        assert "is signed out" in confirm and "Keep it" in confirm
        assert portal_links.active_setup_link(org.id) is not None
        revoked = dashboard_client.post(f"/dashboard/organizations/{org.id}/setup-link/revoke")
        assert revoked.status_code == 302
        assert portal_links.active_setup_link(org.id) is None
        assert db.session.scalars(select(PortalLink)).one().revoked_at is not None
        assert (
            dashboard_client.post(
                f"/dashboard/organizations/{org.id}/setup-link/revoke"
            ).status_code
            == 404
        )


def test_a_refused_action_says_why_on_the_organization_page(dashboard_client, org):
    # Globex proved acme.test by DNS while Acme's claim was pending (the race DNS settles).
    rival = make_organization("Globex")
    db.session.add(
        OrganizationDomain(organization_id=rival.id, domain="acme.test", state="verified")
    )
    db.session.commit()
    refused = dashboard_client.post(
        f"/dashboard/organizations/{org.id}/domains/{org.domains[0].id}/verify",
        follow_redirects=True,
    )
    page = html.unescape(body(refused))
    assert "acme.test is already verified by organization 'Globex'" in page
    assert "Delete it there first" in page
    assert 'aria-label="Dashboard"' in page
    db.session.expire_all()
    assert db.session.get(OrganizationDomain, org.domains[0].id).state != "verified"


def test_a_missing_dashboard_page_keeps_the_navigation(dashboard_client):
    missing = dashboard_client.get("/dashboard/organizations/org_missing")
    assert missing.status_code == 404
    page = body(missing)
    assert "Organization not found" in page and 'aria-label="Dashboard"' in page
    assert "← Dashboard" in page
    unknown = body(dashboard_client.get("/dashboard/no-such-page"))
    assert "This page does not exist" in unknown and 'aria-label="Dashboard"' in unknown
