"""No link that opens a portal session is readable from the database: after every way of
making one, every column of every table is read back as text and holds neither the link nor
its token (only the token's hash, and sealed copies), and the link still opens the portal."""

import json

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import MailMessage
from portal.services.infra import secret_tokens
from portal.services.infra.queue import job_queue
from tests.dashboard_login import sign_in
from tests.magic_links import token_of
from tests.pages import shown_to_copy
from tests.stored_text import everything_stored

GENERATE = {"intent": "sso", "external_user_id": "user_42"}


def assert_not_at_rest(link: str) -> None:
    token = token_of(link)
    stored = everything_stored()
    assert secret_tokens.digest(token) in stored  # the dump did see the link's row
    assert stored.count(token) == 0
    assert stored.count(link) == 0


def assert_opens_the_portal(app, link: str) -> None:
    path = link.removeprefix(app.config["PORTAL_PUBLIC_URL"])
    assert app.test_client().get(path).status_code == 302


def link_in(message) -> str:
    [link] = [line for line in message.get_content().splitlines() if "/admin/launch?" in line]
    return link.strip()


def invite(client, org):
    return client.post(
        f"/dashboard/organizations/{org.id}/invite",
        data={"features": ["sso"], "delivery": "email", "email": "it@acme.test"},
    )


def test_an_api_link_is_not_kept(app, api, org):
    link = api.post("/portal/generate_link", json={**GENERATE, "organization": org.id})
    assert_not_at_rest(link.get_json()["link"])
    assert_opens_the_portal(app, link.get_json()["link"])


def test_an_api_link_replayed_by_idempotency_key_is_the_same_and_not_kept(app, api, org):
    request = {"json": {**GENERATE, "organization": org.id}, "headers": {"Idempotency-Key": "k1"}}
    first = api.post("/portal/generate_link", **request)
    assert_not_at_rest(first.get_json()["link"])
    replay = api.post("/portal/generate_link", **request)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert (replay.status_code, replay.get_json()) == (201, first.get_json())
    assert_not_at_rest(first.get_json()["link"])
    assert_opens_the_portal(app, replay.get_json()["link"])


def test_a_replay_whose_sealed_link_no_key_opens_answers_with_no_link(app, api, org):
    request = {"json": {**GENERATE, "organization": org.id}, "headers": {"Idempotency-Key": "k2"}}
    api.post("/portal/generate_link", **request)
    app.config["SECRET_KEY"] = "somebody-changed-it"
    replay = api.post("/portal/generate_link", **request)
    assert (replay.status_code, replay.get_json()["link"]) == (201, "")


def test_a_dashboard_invite_to_copy_shows_the_link_once_and_keeps_none(app, dashboard_client, org):
    page = dashboard_client.post(
        f"/dashboard/organizations/{org.id}/invite", data={"features": ["sso"], "delivery": "copy"}
    )
    link = shown_to_copy(page.get_data(as_text=True), "setup-link")
    assert_not_at_rest(link)
    assert_opens_the_portal(app, link)


def test_a_dashboard_invite_without_smtp_shows_the_link_once_and_keeps_none(
    app, dashboard_client, org, caplog
):
    caplog.set_level("INFO", logger="portal.services.onboarding.mail")
    link = shown_to_copy(invite(dashboard_client, org).get_data(as_text=True), "setup-link")
    assert_not_at_rest(link)
    assert token_of(link) not in caplog.text
    outbox = dashboard_client.get("/dashboard/settings/emails").get_data(as_text=True)
    assert "[setup link]" in outbox and token_of(link) not in outbox
    assert_opens_the_portal(app, link)


def test_a_dashboard_invite_over_smtp_keeps_the_link_sealed_through_retries(
    app, dashboard_client, org, smtp_server
):
    app.config["SMTP_URL"] = smtp_server.url
    app.config["PORTAL_MAIL_FIRST_RETRY_SECONDS"] = 0.02
    smtp_server.stop()
    link = shown_to_copy(invite(dashboard_client, org).get_data(as_text=True), "setup-link")
    assert_not_at_rest(link)
    job_queue().run_due_jobs()  # refused: the mail waits for its retry
    assert db.session.scalars(select(MailMessage)).one().attempt_count == 1
    assert_not_at_rest(link)
    outbox = dashboard_client.get("/dashboard/settings/emails").get_data(as_text=True)
    assert "[setup link]" in outbox and "fernet1" not in outbox

    smtp_server.start()
    while not smtp_server.received:
        job_queue().run_due_jobs()
    [(_, message)] = smtp_server.received
    assert link_in(message) == link
    assert_not_at_rest(link)
    assert "fernet1" not in the_mail().body  # once sent, not even the sealed copy stays
    assert_opens_the_portal(app, link)


def the_mail() -> MailMessage:
    db.session.expire_all()
    return db.session.scalars(select(MailMessage)).one()


def test_a_queued_mail_follows_a_secret_key_rotation(
    app, dashboard_client, org, smtp_server, runner
):
    app.config["SMTP_URL"] = smtp_server.url
    smtp_server.stop()
    link = shown_to_copy(invite(dashboard_client, org).get_data(as_text=True), "setup-link")
    old_key = app.config["SECRET_KEY"]
    app.config.update(SECRET_KEY="a-new-secret-key", SECRET_KEY_FALLBACKS=[old_key])
    result = runner.invoke(args=["portal", "rotate-secrets"])
    assert "Re-encrypted the setup link of 1 mail(s) still to be sent." in result.output

    app.config["SECRET_KEY_FALLBACKS"] = []  # the old key is gone; the mail still goes out
    smtp_server.start()
    job_queue().run_due_jobs()
    [(_, message)] = smtp_server.received
    assert link_in(message) == link and the_mail().state == "sent"


def test_a_mail_sealed_by_a_lost_key_fails_and_says_why(
    app, dashboard_client, org, smtp_server, runner
):
    app.config["SMTP_URL"] = smtp_server.url
    invite(dashboard_client, org)
    app.config["SECRET_KEY"] = "somebody-changed-it"
    job_queue().run_due_jobs()
    assert smtp_server.received == []
    assert the_mail().state == "failed"
    sign_in(dashboard_client)  # the old key's session cookie is void too
    page = " ".join(
        dashboard_client.get("/dashboard/settings/emails").get_data(as_text=True).split()
    )
    assert "The setup link in this mail cannot be opened" in page
    assert "Invite the IT admin again" in page
    # The mail cannot go out again, and does not block rotating every other secret.
    assert (
        "Re-encrypted the setup link of 0 mail(s)"
        in runner.invoke(args=["portal", "rotate-secrets"]).output
    )


def test_a_mail_sent_again_carries_the_same_working_link(app, dashboard_client, org, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    app.config["PORTAL_MAIL_FIRST_RETRY_SECONDS"] = 0.001
    smtp_server.stop()
    link = shown_to_copy(invite(dashboard_client, org).get_data(as_text=True), "setup-link")
    failed = db.session.scalars(select(MailMessage)).one()
    while failed.state != "failed":
        job_queue().run_due_jobs()
        db.session.expire_all()

    smtp_server.start()
    dashboard_client.post(f"/dashboard/settings/emails/{failed.id}/send-again")
    job_queue().run_due_jobs()
    [(_, message)] = smtp_server.received
    assert link_in(message) == link
    assert_not_at_rest(link)
    assert_opens_the_portal(app, link)


def test_a_mail_whose_link_was_revoked_is_not_sent_again(app, dashboard_client, org, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    app.config["PORTAL_MAIL_FIRST_RETRY_SECONDS"] = 0.001
    smtp_server.stop()
    invite(dashboard_client, org)
    failed = db.session.scalars(select(MailMessage)).one()
    while failed.state != "failed":
        job_queue().run_due_jobs()
        db.session.expire_all()
    dashboard_client.post(f"/dashboard/organizations/{org.id}/setup-link/revoke")

    smtp_server.start()
    dashboard_client.post(f"/dashboard/settings/emails/{failed.id}/send-again")
    page = " ".join(
        dashboard_client.get("/dashboard/settings/emails").get_data(as_text=True).split()
    )
    assert "revoked, used or has expired" in page
    job_queue().run_due_jobs()
    assert smtp_server.received == []


@pytest.mark.parametrize("with_smtp", [False, True], ids=["outbox", "smtp"])
def test_cli_onboard_keeps_no_link(app, runner, smtp_server, with_smtp):
    if with_smtp:
        app.config["SMTP_URL"] = smtp_server.url
    args = ["portal", "onboard", "--name", "Acme Corp", "--domain", "acme.test"]
    result = runner.invoke(args=[*args, "--admin-email", "it@acme.test"])
    assert result.exit_code == 0, result.output
    link = json.loads(result.stdout.strip().splitlines()[-1])["admin_portal_link"]
    assert_not_at_rest(link)
    if with_smtp:
        [(_, message)] = smtp_server.received
        assert link_in(message) == link
    assert_opens_the_portal(app, link)
