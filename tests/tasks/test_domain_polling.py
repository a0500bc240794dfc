"""DNS verification on a back-off schedule: real Redis, a real worker process, a real DNS
server; time moves by editing the schedule, never by sleeping."""

from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Event, OrganizationDomain, PortalLink
from portal.models.columns import utcnow
from portal.services.delivery import webhooks
from portal.services.onboarding import portal_links
from portal.services.organizations import domain_verification
from portal.services.organizations.domain_verification import next_delay
from tests.factories import make_organization
from tests.peers.misbehaving_dns import MisbehavingDns
from tests.peers.worker import run_worker_burst


def test_checks_come_often_at_first_then_less_often():
    start = utcnow()
    assert next_delay(start, start + timedelta(seconds=5), 1) == timedelta(minutes=1)
    assert next_delay(start, start + timedelta(minutes=1), 2) == timedelta(minutes=2)
    assert next_delay(start, start + timedelta(minutes=40), 6) == timedelta(minutes=30)
    assert next_delay(start, start + timedelta(hours=2), 9) == timedelta(hours=1)
    assert next_delay(start, start + timedelta(days=2), 40) == timedelta(hours=4)


class TestOnRealRedis:
    @pytest.fixture
    def app_config(self, redis_url, queue_name, dns_server):
        return {
            "REDIS_URL": redis_url,
            "PORTAL_QUEUE_NAME": queue_name,
            "PORTAL_DNS_RESOLVERS": [dns_server.address],
            "PORTAL_OUTBOUND_ALLOW_PRIVATE": True,  # webhook receivers listen on loopback
        }

    @pytest.fixture
    def rq(self, app):
        connection = Redis.from_url(app.config["REDIS_URL"])
        name = app.config["PORTAL_QUEUE_NAME"]
        return Queue(name, connection=connection), ScheduledJobRegistry(name, connection=connection)

    def _run_worker(self, app, project_root):
        resolvers = ",".join(app.config["PORTAL_DNS_RESOLVERS"])
        result = run_worker_burst(
            app, project_root, PORTAL_DNS_RESOLVERS=resolvers, PORTAL_OUTBOUND_ALLOW_PRIVATE="true"
        )
        assert result.returncode == 0, result.stderr
        db.session.expire_all()

    def _make_due(self, rq, job_id):
        """What the scheduler does when the time comes: move the job onto the queue."""
        queue, registry = rq
        registry.remove(job_id)
        queue.enqueue_job(queue.fetch_job(job_id))

    @pytest.mark.databases("postgresql")
    def test_a_record_added_while_polling_verifies_the_domain(
        self, app, rq, dns_server, project_root
    ):
        dns_server.serve([])
        org = make_organization("Acme", domains=["acme.test"])
        domain = org.domains[0]
        job_id = f"domain-poll-{domain.id}"
        assert rq[0].job_ids == [job_id]

        started = utcnow()
        self._run_worker(app, project_root)
        finished = utcnow()
        domain = db.session.get(OrganizationDomain, domain.id)
        assert (domain.state, domain.check_count) == ("pending", 1)
        assert "No DNS record exists" in domain.last_check_summary
        # The check ran while the worker did and asked for the next one a minute on; RQ keeps
        # whole seconds, rounded up. (Timed from the check itself, not from now: a worker's
        # exit can take seconds on a loaded machine.)
        due = rq[1].get_scheduled_time(job_id)
        minute, second = timedelta(minutes=1), timedelta(seconds=1)
        assert started + minute - timedelta(seconds=1) <= due <= finished + minute + second

        dns_server.serve(
            [f'{domain.verification_prefix}.acme.test. 60 IN TXT "{domain.verification_token}"']
        )
        self._make_due(rq, job_id)
        self._run_worker(app, project_root)
        domain = db.session.get(OrganizationDomain, domain.id)
        assert domain.state == "verified"
        assert rq[1].get_job_ids() == []
        verified = db.session.scalars(
            select(Event).where(Event.event == "organization_domain.verified")
        ).one()
        assert verified.data["id"] == domain.id

    @pytest.mark.databases("postgresql")
    def test_a_domain_the_worker_verifies_reaches_webhooks_and_completes_its_setup_link(
        self, app, dns_server, make_receiver, project_root
    ):
        # The worker builds its app with create_app, so the job's event has the same
        # subscribers as in the web process.
        receiver = make_receiver()
        receiver.secret = webhooks.create_endpoint(
            receiver.url, ["organization_domain.verified"]
        ).secret
        org = make_organization("Acme", domains=["acme.test"])
        domain = org.domains[0]
        link, _ = portal_links.create_setup_link(org.id, ["domain_verification"])
        dns_server.serve(
            [f'{domain.verification_prefix}.acme.test. 60 IN TXT "{domain.verification_token}"']
        )

        self._run_worker(app, project_root)

        assert db.session.get(OrganizationDomain, domain.id).state == "verified"
        assert db.session.get(PortalLink, link.id).revoked_at is not None
        verified = db.session.scalars(
            select(Event.id).where(Event.event == "organization_domain.verified")
        ).all()
        assert receiver.processed == verified
        assert all(arrival.signature_ok for arrival in receiver.arrivals)

    @pytest.mark.databases("postgresql")
    def test_after_seven_days_without_the_record_the_domain_fails(
        self, app, rq, dns_server, project_root
    ):
        dns_server.serve([])
        domain = make_organization("Acme", domains=["acme.test"]).domains[0]
        db.session.execute(
            update(OrganizationDomain).values(verification_started_at=utcnow() - timedelta(days=7))
        )
        db.session.commit()
        self._run_worker(app, project_root)
        domain = db.session.get(OrganizationDomain, domain.id)
        assert (domain.state, domain.failure_reason) == (
            "failed",
            "domain_verification_period_expired",
        )
        failed = db.session.scalars(
            select(Event).where(Event.event == "organization_domain.verification_failed")
        ).one()
        assert failed.data["reason"] == "domain_verification_period_expired"
        assert rq[1].get_job_ids() == []

    def test_verify_restarts_a_failed_domain(self, app, rq, dns_server, project_root):
        dns_server.serve([])
        domain = make_organization("Acme", domains=["acme.test"]).domains[0]
        db.session.execute(update(OrganizationDomain).values(state="failed"))
        db.session.commit()
        from portal.services.organizations import organization_domains

        organization_domains.start_verification(domain.id)
        domain = db.session.get(OrganizationDomain, domain.id)
        assert domain.state == "pending"
        assert utcnow() - domain.verification_started_at < timedelta(minutes=1)
        assert rq[0].job_ids == [f"domain-poll-{domain.id}"]

    def test_the_sweep_requeues_checks_lost_while_redis_was_down(self, app, rq, dns_server):
        dns_server.serve([])
        domain = make_organization("Acme", domains=["acme.test"]).domains[0]
        rq[0].empty()
        db.session.execute(
            update(OrganizationDomain).values(
                verification_started_at=utcnow() - timedelta(days=1),
                last_checked_at=utcnow() - timedelta(hours=5),
            )
        )
        db.session.commit()
        assert domain_verification.sweep() == 1
        assert rq[0].job_ids == [f"domain-poll-{domain.id}"]


@pytest.mark.parametrize(
    ("mode", "explanation"),
    [("silent", "timed out"), ("servfail", "refused or failed the lookup (SERVFAIL)")],
)
def test_misbehaving_dns_servers_are_explained(app, mode, explanation):
    server = MisbehavingDns(mode)
    try:
        app.config.update(PORTAL_DNS_RESOLVERS=[server.address], PORTAL_DNS_TIMEOUT=0.5)
        domain = make_organization("Acme", domains=["acme.test"]).domains[0]
        result = domain_verification.check_domain(domain.id)
    finally:
        server.stop()
    assert not result.verified
    assert explanation in result.explanation
    db.session.refresh(domain)
    assert domain.state == "pending"
    assert explanation in domain.last_check_summary
