"""A webhook receiver down, then up: deliveries fail and are retried with back-off (short
delays set through settings), then every event arrives once the receiver is back, none twice.
A real `portal worker` on a Redis of the test's own, portal served by gunicorn."""

import itertools
from datetime import timedelta

from portal.services.delivery.retries import JITTER
from tests.environment import sized
from tests.faults.deployment import FAST_DELIVERY
from tests.faults.traffic import set_up_tenant, subscribe
from tests.peers.webhook_receiver import WebhookReceiver

FAILED_ATTEMPTS_BEFORE_RETURN = 3
FIRST_RETRY = timedelta(seconds=float(FAST_DELIVERY["PORTAL_DELIVERY_FIRST_RETRY_SECONDS"]))


def _attempts(postgres) -> dict[str, list[tuple]]:
    """Each delivery's attempts in order: (attempted_at, response_status, next_attempt_at)."""
    rows = postgres.query(
        "SELECT d.id, a.attempted_at, a.response_status, d.next_attempt_at"
        " FROM webhook_deliveries d JOIN webhook_delivery_attempts a ON a.delivery_id = d.id"
        " ORDER BY a.attempted_at"
    )
    attempts: dict[str, list[tuple]] = {}
    for delivery_id, attempted_at, status, next_at in rows:
        attempts.setdefault(delivery_id, []).append((attempted_at, status, next_at))
    return attempts


def test_deliveries_to_a_receiver_that_is_down_arrive_once_it_is_back(
    make_deployment, own_redis, make_receiver, tmp_path
):
    own_redis.start()
    deployment = make_deployment(own_redis, workers=1, **FAST_DELIVERY)
    tenant = set_up_tenant(deployment.server.url, deployment.env, tmp_path)
    receiver = make_receiver()
    subscribe(tenant, receiver, ["organization.created"])
    port, secret = receiver.port, receiver.secret
    receiver.stop()  # down: nothing listens at the endpoint's address

    count = sized(5, 40)
    for _ in range(count):
        assert tenant.create_organization()[1].status_code == 201
    postgres = deployment.postgres
    deployment.wait_until(
        lambda: (
            len(_attempts(postgres)) == count
            and all(len(a) >= FAILED_ATTEMPTS_BEFORE_RETURN for a in _attempts(postgres).values())
        ),
        f"{FAILED_ATTEMPTS_BEFORE_RETURN} failed attempts of each delivery",
        within=60,
    )
    for attempts in _attempts(postgres).values():
        assert all(status is None for _, status, _ in attempts)  # nobody answered
        # Back-off: the n-th retry waits at least 1 s x 2^(n-1), less the 20% jitter, never
        # less (a retry that started early used to find itself not due and do nothing).
        for n, (earlier, later) in enumerate(itertools.pairwise(attempts), start=1):
            assert later[0] - earlier[0] >= FIRST_RETRY * 2 ** (n - 1) * (1 - JITTER)
        last_attempt, _, next_attempt = attempts[-1]
        assert next_attempt - last_attempt >= FIRST_RETRY * 2 ** (len(attempts) - 1) * (1 - JITTER)

    back = WebhookReceiver(port=port)  # up again, where the endpoint points
    back.secret = secret
    try:
        wanted = {
            event_id
            for (event_id,) in postgres.query(
                "SELECT event_id FROM webhook_deliveries ORDER BY event_id"
            )
        }
        deployment.wait_until(lambda: set(back.processed) == wanted, "every event", within=60)
        # The last answers are being recorded: each delivery row then says succeeded.
        states = "SELECT state, count(*) FROM webhook_deliveries GROUP BY state"
        deployment.wait_until(
            lambda: postgres.query(states) == [("succeeded", count)], "the records", within=10
        )
        assert back.duplicates == 0
        assert all(arrival.signature_ok for arrival in back.arrivals)
    finally:
        back.stop()
