"""`flask portal onboard`: the end-to-end onboarding of one customer (DESIGN: CLI contract)."""

import json
import time

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Connection, MailMessage, Organization
from portal.services.directory import directories
from portal.services.onboarding import portal_links
from portal.services.sso import connections
from tests.factories import make_organization
from tests.scim.scim_client import USER_SCHEMA, ScimClient

ARGS = ["portal", "onboard", "--name", "Acme Corp", "--domain", "acme.test"]
ARGS += ["--domain", "acme-eu.test", "--admin-email", "it@acme.test"]


# `portal.cli.time.sleep` is patched below, which is `time.sleep` everywhere.
pause = time.sleep


def organizations_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Organization))


def test_onboard_creates_the_organization_and_mails_the_link(app, runner, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    result = runner.invoke(args=[*ARGS, "--feature", "sso", "--feature", "dsync"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout.strip().splitlines()[-1])
    org = db.session.get(Organization, printed["organization_id"])
    assert org.name == "Acme Corp"
    assert sorted(d.domain for d in org.domains) == ["acme-eu.test", "acme.test"]
    assert printed["admin_portal_link"].startswith("http://portal.test/admin/launch?token=")
    [(recipients, message)] = smtp_server.received
    assert recipients == ["it@acme.test"]
    assert printed["admin_portal_link"] in message.get_content()
    assert portal_links.active_setup_link(org.id).intents == ["sso", "dsync"]


def test_without_smtp_the_mail_waits_in_the_outbox(runner):
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    link = json.loads(result.stdout)["admin_portal_link"]
    body = db.session.scalars(select(MailMessage)).one().body
    assert link not in body and "[setup link]" in body  # the link is printed, never kept


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--domain", "https://bad"], "is not a domain name"),
        (["--feature", "billing"], "Invalid value for '--feature'"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(runner, extra, message):
    result = runner.invoke(args=[*ARGS, *extra])
    assert result.exit_code != 0
    assert message in result.output
    assert organizations_count() == 0


def test_a_duplicate_organization_is_refused(app, runner):
    make_organization("acme corp")
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 1
    assert "An organization named Acme Corp already exists." in result.output
    assert organizations_count() == 1


def test_smtp_down_is_a_clear_error_and_creates_nothing(app, runner, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    smtp_server.stop()
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 1
    assert f"The mail server at 127.0.0.1:{smtp_server.port}" in result.output
    assert organizations_count() == 0


def verify_domain_and_activate_sso_of(org: Organization) -> Connection:
    """The IT admin's SSO part: a verified domain, then an active connection."""
    from portal.services.organizations import organization_domains

    organization_domains.verify_manually(org.id, org.domains[0].id)
    connection = Connection(
        organization_id=org.id, name="Okta", connection_type="OktaSAML", state="validating"
    )
    db.session.add(connection)
    db.session.flush()
    connections.activate(connection)
    db.session.commit()
    return connection


def test_wait_reports_progress_until_sso_and_directory_sync_are_live(app, runner, monkeypatch):
    """Between two polls the IT admin does one more step (the patched sleep plays them)."""
    state = {}

    def verify_domain_and_activate_sso():
        org = db.session.scalars(select(Organization)).one()
        state["org"] = org.id
        state["connection"] = verify_domain_and_activate_sso_of(org).id

    def link_directory_and_sync_a_user():
        directory, token = directories.create_directory(state["org"])
        state["directory"] = directory.id
        scim = ScimClient(app, directory.id, token)
        assert (
            scim.post("/Users", {"schemas": [USER_SCHEMA], "userName": "a@acme.test"}).status_code
            == 201
        )

    steps = [verify_domain_and_activate_sso, link_directory_and_sync_a_user]
    monkeypatch.setattr("portal.cli.time.sleep", lambda seconds: steps.pop(0)())
    result = runner.invoke(args=[*ARGS, "--wait", "--timeout", "60"])
    assert result.exit_code == 0, result.output
    first, last = (json.loads(line) for line in result.stdout.strip().splitlines())
    assert first["organization_id"] == state["org"]
    assert last == {"connection_id": state["connection"], "directory_id": state["directory"]}
    for label in ("Setup link sent", "Domain verified", "SSO connection active", "Users syncing"):
        assert f"done: {label}" in result.stderr


def test_wait_for_sso_alone_finishes_once_sso_is_active(runner, monkeypatch):
    """No directory is asked for, so none is waited for; the link ends with SSO live."""

    def verify_domain_and_activate_sso():
        verify_domain_and_activate_sso_of(db.session.scalars(select(Organization)).one())

    steps = [verify_domain_and_activate_sso]
    monkeypatch.setattr("portal.cli.time.sleep", lambda seconds: steps.pop(0)())
    result = runner.invoke(args=[*ARGS, "--feature", "sso", "--wait", "--timeout", "60"])
    assert result.exit_code == 0, result.output
    connection = db.session.scalars(select(Connection)).one()
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"connection_id": connection.id}
    assert portal_links.active_setup_link(connection.organization_id) is None


def test_wait_times_out_saying_the_link_stays_valid_while_it_does(runner):
    result = runner.invoke(args=[*ARGS, "--wait", "--timeout", "0.2", "--interval", "0.05"])
    assert result.exit_code == 1
    assert "Timed out after 0.2 seconds" in result.stderr
    assert "a linked directory with at least one user" in result.stderr
    assert "The setup link stays valid until" in result.stderr
    assert json.loads(result.stdout)["organization_id"].startswith("org_")


def test_wait_times_out_saying_how_to_send_a_new_link_once_it_ended(runner, monkeypatch):
    def revoke_the_link(seconds):
        org_id = db.session.scalars(select(Organization)).one().id
        if portal_links.active_setup_link(org_id):
            portal_links.revoke_setup_link(org_id)
            db.session.commit()
        pause(seconds)

    monkeypatch.setattr("portal.cli.time.sleep", revoke_the_link)
    result = runner.invoke(args=[*ARGS, "--wait", "--timeout", "0.2", "--interval", "0.05"])
    assert result.exit_code == 1
    assert "The setup link is no longer active" in result.stderr
    assert "portal onboard --organization org_" in result.stderr


class TestResume:
    def test_a_duplicate_names_the_organization_to_resume(self, app, runner):
        org = make_organization("Acme Corp")
        result = runner.invoke(args=ARGS)
        assert result.exit_code == 1
        assert f"To resume it: --organization {org.id}" in result.output

    def test_resume_keeps_the_active_link_and_sends_nothing(self, app, runner, smtp_server):
        app.config["SMTP_URL"] = smtp_server.url
        first = json.loads(runner.invoke(args=ARGS).stdout)
        assert len(smtp_server.received) == 1
        link = portal_links.active_setup_link(first["organization_id"])

        result = runner.invoke(
            args=["portal", "onboard", "--organization", first["organization_id"]]
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {
            "organization_id": first["organization_id"],
            "admin_portal_link": None,
        }
        assert "Keeping the active setup link of Acme Corp" in result.stderr
        assert len(smtp_server.received) == 1  # no second mail
        assert portal_links.active_setup_link(first["organization_id"]).id == link.id

    def test_resume_without_an_active_link_mails_a_new_one(self, app, runner, smtp_server):
        app.config["SMTP_URL"] = smtp_server.url
        org = make_organization("Acme Corp", domains=["acme.test"])
        args = ["portal", "onboard", "--organization", org.id, "--feature", "sso"]
        refused = runner.invoke(args=args)
        assert refused.exit_code == 1
        assert "Acme Corp has no active setup link; give the IT admin's email" in refused.output

        result = runner.invoke(args=[*args, "--admin-email", "it@acme.test"])
        assert result.exit_code == 0, result.output
        printed = json.loads(result.stdout)
        [(_, message)] = smtp_server.received
        assert printed["admin_portal_link"] in message.get_content()
        assert portal_links.active_setup_link(org.id).intents == ["sso"]

    def test_resume_then_wait_completes_at_once_when_set_up(self, app, runner):
        org = make_organization("Acme Corp", domains=["acme.test"])
        connection = verify_domain_and_activate_sso_of(org)
        directory, token = directories.create_directory(org.id)
        scim = ScimClient(app, directory.id, token)
        scim.post("/Users", {"schemas": [USER_SCHEMA], "userName": "a@acme.test"})
        assert connection.state == "active"

        args = ["portal", "onboard", "--organization", org.id, "--feature", "sso"]
        result = runner.invoke(args=[*args, "--feature", "dsync", "--wait", "--timeout", "5"])
        assert result.exit_code == 0, result.output
        first, last = (json.loads(line) for line in result.stdout.strip().splitlines())
        assert first == {"organization_id": org.id, "admin_portal_link": None}
        assert last == {"connection_id": connection.id, "directory_id": directory.id}
        assert "has set up everything asked for already" in result.stderr

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--organization", "org_nope"], "not found"),
            (["--organization", "org_x", "--name", "Acme"], "leave them out with --organization"),
            (["--name", "Acme"], "Give --name, --domain and --admin-email"),
        ],
    )
    def test_unusable_arguments_are_explained(self, runner, args, message):
        result = runner.invoke(args=["portal", "onboard", *args])
        assert result.exit_code == 1
        assert message in result.output
