"""Redis killed (it comes back empty) and later flushed while the API and SCIM write: every
request succeeds, since the database is the record and events wait there, and every webhook
event reaches the receiver once Redis is back, none twice. A real worker, portal behind
gunicorn, a Redis of the test's own."""

from tests.environment import sized
from tests.faults.deployment import FAST_DELIVERY
from tests.faults.traffic import set_up_tenant, subscribe, under_load

# Jobs queued or scheduled when Redis lost its data are gone; the relay queues their
# deliveries again once they are PORTAL_DELIVERY_LOST_AFTER_SECONDS overdue (5 minutes unless
# set; 3 s here). Events whose fan-out was never queued it dispatches at its next run.
SETTINGS = {**FAST_DELIVERY, "PORTAL_DELIVERY_LOST_AFTER_SECONDS": "3"}
EVENTS = ["organization.created", "dsync.user.created"]
WRITERS = ("api", "scim")


def _wanted_events(postgres) -> set[str]:
    """The events of those types written since the endpoint subscribed to them."""
    rows = postgres.query(
        "SELECT id FROM events WHERE event IN ('organization.created', 'dsync.user.created')"
        " AND created_at > (SELECT created_at FROM webhook_endpoints)"
    )
    return {event_id for (event_id,) in rows}


def test_writes_succeed_while_redis_is_lost_and_every_event_is_delivered_once_after(
    make_deployment, own_redis, make_receiver, tmp_path
):
    own_redis.start()
    deployment = make_deployment(own_redis, workers=1, **SETTINGS)
    tenant = set_up_tenant(deployment.server.url, deployment.env, tmp_path)
    receiver = make_receiver()
    subscribe(tenant, receiver, EVENTS)

    def more_writes(count: int, what: str):
        """Wait until each writer has had `count` more answers."""
        start = {w: outcomes.count(w, 201) for w in WRITERS}
        deployment.wait_until(
            lambda: all(outcomes.count(w, 201) >= start[w] + count for w in WRITERS), what, 60
        )

    with under_load(tenant, WRITERS) as outcomes:
        more_writes(3, "writes with Redis up")
        for _ in range(sized(1, 3)):
            own_redis.kill()
            more_writes(5, "writes while Redis is down")
            own_redis.start()  # empty: it keeps nothing on disk
            more_writes(3, "writes with Redis back")
            own_redis.flushall()
            more_writes(3, "writes after Redis is flushed")

    assert outcomes.unclean == []
    assert all(200 <= status < 300 for _, status in outcomes.answers)
    wanted = _wanted_events(deployment.postgres)
    assert len(wanted) == sum(len(names) for names in outcomes.created.values())
    deployment.wait_until(
        lambda: set(receiver.processed) == wanted, "every event to be delivered", 60
    )
    assert receiver.duplicates == 0
