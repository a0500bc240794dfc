"""Invitation mail goes out by a job: the page answers at once, a refused mail is retried with
back-off, and one that never goes through shows as failed, with the server's answer, on the
Sent emails page. Against a real SMTP server (aiosmtpd) that the tests stop and start."""

import time

import pytest
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from portal.extensions import db
from portal.models import MailMessage
from portal.services.infra.queue import job_queue
from portal.services.onboarding import mail, portal_links
from tests.peers.worker import run_worker_burst

FIRST_RETRY = 0.02


@pytest.fixture
def app_config():
    return {"PORTAL_MAIL_FIRST_RETRY_SECONDS": FIRST_RETRY}


def invite(client, org):
    return client.post(
        f"/dashboard/organizations/{org.id}/invite",
        data={"features": ["sso"], "delivery": "email", "email": "it@acme.test"},
    )


def the_mail() -> MailMessage:
    db.session.expire_all()
    return db.session.scalars(select(MailMessage)).one()


def outbox(client) -> str:
    return " ".join(client.get("/dashboard/settings/emails").get_data(as_text=True).split())


def run_jobs_until(condition, timeout=10.0) -> None:
    """Run due in-process jobs (retries fall due after their back-off) until `condition()`."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the jobs did not get there in time"
        job_queue().run_due_jobs()
        time.sleep(0.05)


def test_the_invite_answers_at_once_and_a_job_sends_the_mail(
    app, dashboard_client, org, smtp_server
):
    app.config["SMTP_URL"] = smtp_server.url
    response = invite(dashboard_client, org)
    assert response.status_code == 200
    assert "on its way to" in response.get_data(as_text=True)
    assert smtp_server.received == []  # nothing sent inside the request
    assert the_mail().state == "queued" and "sending" in outbox(dashboard_client)

    job_queue().run_due_jobs()
    [(recipients, message)] = smtp_server.received
    assert recipients == ["it@acme.test"] and "Acme Corp" in message["Subject"]
    assert "/admin/launch?token=" in message.get_content()
    sent = the_mail()
    assert (sent.state, sent.attempt_count, sent.last_error) == ("sent", 1, None)
    assert "sent by SMTP" in outbox(dashboard_client)


def test_smtp_down_then_up_the_retry_delivers_it(app, dashboard_client, org, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    smtp_server.stop()
    assert invite(dashboard_client, org).status_code == 200
    assert portal_links.active_setup_link(org.id) is not None  # the link waits for its mail

    job_queue().run_due_jobs()
    refused = the_mail()
    assert (refused.state, refused.attempt_count) == ("queued", 1)
    page = outbox(dashboard_client)
    assert "Attempt 1 failed; trying again soon" in page and "did not accept" in page

    smtp_server.start()
    run_jobs_until(lambda: the_mail().state == "sent")
    assert the_mail().attempt_count == 2 and the_mail().last_error is None
    assert [rcpt for rcpt, _ in smtp_server.received] == [["it@acme.test"]]


def test_retries_back_off_then_the_mail_shows_as_failed(app, dashboard_client, org, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    smtp_server.stop()
    invite(dashboard_client, org)
    started = time.monotonic()
    run_jobs_until(lambda: the_mail().state == "failed")
    # Waits of 0.02, 0.08, 0.32 and 1.28 s between the five attempts: back-off, no tight loop.
    assert mail.retry_delay(1).total_seconds() == FIRST_RETRY
    assert mail.retry_delay(2).total_seconds() == FIRST_RETRY * 4
    assert time.monotonic() - started >= FIRST_RETRY * (1 + 4 + 16 + 64)

    failed = the_mail()
    assert failed.attempt_count == mail.MAX_ATTEMPTS
    page = outbox(dashboard_client)
    assert f"Gave up after {mail.MAX_ATTEMPTS} attempts" in page
    assert f"The mail server at 127.0.0.1:{smtp_server.port} did not accept" in page
    assert "Send again" in page

    smtp_server.start()
    again = dashboard_client.post(f"/dashboard/settings/emails/{failed.id}/send-again")
    assert again.status_code == 302
    job_queue().run_due_jobs()
    assert the_mail().state == "sent" and len(smtp_server.received) == 1
    dashboard_client.post(f"/dashboard/settings/emails/{failed.id}/send-again")
    assert "Only a mail that failed can be sent again" in outbox(dashboard_client)


def test_send_again_of_an_unknown_mail_is_a_404(dashboard_client):
    assert (
        dashboard_client.post("/dashboard/settings/emails/mail_nope/send-again").status_code == 404
    )


def test_a_job_that_runs_twice_sends_once(app, org, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    message = mail.send("it@acme.test", "Hello", "Body", organization_id=org.id)
    assert mail.deliver(message.id) == "sent"
    assert mail.deliver(message.id) == "sent"
    assert len(smtp_server.received) == 1


class TestOnRealRedis:
    @pytest.fixture
    def app_config(self, redis_url, queue_name):
        return {"REDIS_URL": redis_url, "PORTAL_QUEUE_NAME": queue_name}

    @pytest.mark.databases("postgresql")
    def test_a_real_worker_retries_until_the_smtp_server_is_back(
        self, app, dashboard_client, org, smtp_server, project_root
    ):
        app.config["SMTP_URL"] = smtp_server.url
        smtp_server.stop()
        assert invite(dashboard_client, org).status_code == 200
        connection = Redis.from_url(app.config["REDIS_URL"])
        queued = Queue(app.config["PORTAL_QUEUE_NAME"], connection=connection).job_ids
        assert f"mail-{the_mail().id}" in queued

        env = {"SMTP_URL": smtp_server.url, "PORTAL_MAIL_FIRST_RETRY_SECONDS": "1"}
        result = run_worker_burst(app, project_root, **env)
        assert result.returncode == 0, result.stderr
        assert (the_mail().state, the_mail().attempt_count) == ("queued", 1)
        registry = ScheduledJobRegistry(app.config["PORTAL_QUEUE_NAME"], connection=connection)
        # The retry waits in RQ's scheduler.
        assert f"mail-{the_mail().id}-1" in registry.get_job_ids()

        smtp_server.start()
        time.sleep(1.1)
        result = run_worker_burst(app, project_root, **env)
        assert result.returncode == 0, result.stderr
        assert the_mail().state == "sent"
        assert [rcpt for rcpt, _ in smtp_server.received] == [["it@acme.test"]]


def test_with_the_queue_down_the_mail_is_sent_at_once(app, dashboard_client, org, smtp_server):
    from portal.services.infra.queue import RedisJobQueue

    app.config["SMTP_URL"] = smtp_server.url
    app.extensions["portal_queue"] = RedisJobQueue("redis://127.0.0.1:1/0", "dead")
    assert invite(dashboard_client, org).status_code == 200
    assert the_mail().state == "sent" and len(smtp_server.received) == 1


def test_a_mail_whose_job_was_lost_is_queued_again(app, org, smtp_server):
    from datetime import timedelta

    from portal.models.columns import utcnow
    from portal.services.infra.queue import InProcessJobQueue

    app.config["SMTP_URL"] = smtp_server.url
    app.config["PORTAL_MAIL_FIRST_RETRY_SECONDS"] = 30
    lost = mail.send("it@acme.test", "Lost", "Body", organization_id=org.id)
    recent = mail.send("it@acme.test", "Recent", "Body", organization_id=org.id)
    job_queue().stop()  # the queue forgets both jobs, as a killed worker would
    app.extensions["portal_queue"] = InProcessJobQueue(app, start_thread=False)
    lost.created_at = utcnow() - timedelta(hours=1)  # later than every retry (42.5 min) + 15
    db.session.commit()

    assert mail.requeue_lost() == 1
    job_queue().run_due_jobs()
    db.session.expire_all()
    assert db.session.get(MailMessage, lost.id).state == "sent"
    assert db.session.get(MailMessage, recent.id).state == "queued"  # still within its schedule
    assert mail.requeue_lost() == 0
