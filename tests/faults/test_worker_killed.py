"""A worker SIGKILLed in the middle of a webhook delivery, with its work horse and scheduler (as
the OOM killer or a power cut does it): another worker takes over the queue's scheduler and
retries the delivery. The receiver sees the event at least once, always with the same event id,
and the database holds one delivery, succeeded.

The killed worker is the one holding RQ's scheduler lock: RQ alone would leave delayed jobs
(retries, the relay) unscheduled until the lock expired (61 s) and another worker's maintenance
came round (10 minutes); tasks/worker.py takes the lock over once it goes unrenewed."""

import threading

from redis import Redis
from rq import Worker
from rq.scheduler import RQScheduler

from tests.faults.deployment import FAST_DELIVERY
from tests.faults.traffic import set_up_tenant, subscribe
from tests.peers.portal_server import kill_process_group

# An attempt's claim outlives the longest request (10 s); a delivery is lost 2 s after it.
SETTINGS = {
    **FAST_DELIVERY,
    "PORTAL_DELIVERY_CLAIM_SECONDS": "12",
    "PORTAL_DELIVERY_LOST_AFTER_SECONDS": "2",
}


def _delivering(redis) -> list[int]:
    """The process ids of the workers in the middle of a webhook delivery."""
    return [
        worker.pid
        for worker in Worker.all(connection=redis)
        if (job := worker.get_current_job()) and job.func_name == "tasks.webhooks.deliver"
    ]


def test_a_delivery_whose_worker_is_killed_mid_job_is_retried_by_another_worker_once(
    make_deployment, own_redis, make_receiver, tmp_path
):
    own_redis.start()
    redis = Redis.from_url(own_redis.url)
    deployment = make_deployment(own_redis, workers=1, **SETTINGS)
    first = deployment.workers[0]
    lock = RQScheduler.get_locking_key(deployment.env["PORTAL_QUEUE_NAME"])
    deployment.wait_until(lambda: redis.get(lock), "the first worker's scheduler lock", 30)

    tenant = set_up_tenant(deployment.server.url, deployment.env, tmp_path)
    receiver = make_receiver()
    arrived, release = threading.Event(), threading.Event()

    def hold_the_first_arrival(event_id, nth):
        if nth == 1:  # the worker is now mid-job, waiting for the receiver's answer
            arrived.set()
            release.wait(60)
        return 200

    receiver.status_for = hold_the_first_arrival
    subscribe(tenant, receiver, ["organization.created"])
    assert tenant.create_organization()[1].status_code == 201
    deployment.wait_until(arrived.is_set, "the delivery to reach the receiver", 30)
    deployment.start_worker()
    deployment.wait_until(lambda: len(Worker.all(connection=redis)) == 2, "a second worker", 30)
    assert _delivering(redis) == [first.pid]

    kill_process_group(first)
    release.set()  # the first attempt's answer goes to a worker that is gone

    deployment.wait_until(lambda: len(receiver.accepted()) == 2, "the retry", 45)
    held, retried = receiver.accepted()
    assert retried.event_id == held.event_id and retried.nth == 2
    assert receiver.processed == [held.event_id] and receiver.duplicates == 1
    # The retry's answer is being recorded: then the one delivery row says succeeded.
    deliveries = "SELECT event_id, state, attempt_count FROM webhook_deliveries"
    deployment.wait_until(
        lambda: deployment.postgres.query(deliveries) == [(held.event_id, "succeeded", 1)],
        "one delivery, succeeded",
        10,
    )
    assert "took over the scheduler" in deployment.worker_log(1)
