"""What `/metrics` reports about the whole deployment, read when Prometheus scrapes: the job
queue (depth, oldest job), deliveries (webhooks and log streams: waiting, given up, lag) and
when each periodic job last ran. Any web server answers the same, however many there are.

A part that cannot be read (database or Redis down) is reported as down, not raised.
"""

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import LogStreamDelivery, WebhookDelivery
from portal.models.columns import seconds_since
from portal.services.infra.queue import job_queue

log = logging.getLogger(__name__)

DELIVERIES = {"webhook": WebhookDelivery, "log_stream": LogStreamDelivery}


class DeploymentState:
    """A Prometheus collector; `collect` runs inside the scraping request's app context."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "portal_dependency_up",
            "1 when the dependency answered this scrape.",
            labels=["dependency"],
        )
        for name, part in (("queue", _queue_metrics), ("database", _delivery_metrics)):
            try:
                families = list(part())
            except Exception as error:  # a scrape must say "down", whatever the driver raised
                log.warning("metrics: could not read the %s: %s", name, error)
                db.session.rollback()
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


def _queue_metrics() -> Iterator[GaugeMetricFamily]:
    queue = job_queue()
    count, oldest_age = queue.depth()
    yield GaugeMetricFamily("portal_queue_jobs", "Jobs waiting for a worker.", value=count)
    yield GaugeMetricFamily(
        "portal_queue_oldest_job_age_seconds",
        "How long the oldest waiting job has waited (0 when none waits).",
        value=oldest_age,
    )
    last_runs = GaugeMetricFamily(
        "portal_periodic_job_last_run_timestamp_seconds",
        "When each periodic job last finished a run (Unix time).",
        labels=["job"],
    )
    for name, at in sorted(queue.periodic_runs().items()):
        last_runs.add_metric([name], at)
    yield last_runs


def _delivery_metrics() -> Iterator[GaugeMetricFamily]:
    waiting = GaugeMetricFamily(
        "portal_deliveries_pending",
        "Deliveries not yet accepted by their receiver, by kind.",
        labels=["kind"],
    )
    retrying = GaugeMetricFamily(
        "portal_deliveries_retrying",
        "Pending deliveries that failed at least once, by kind.",
        labels=["kind"],
    )
    failed = GaugeMetricFamily(
        "portal_deliveries_failed",
        "Deliveries given up after their retry window, by kind.",
        labels=["kind"],
    )
    lag = GaugeMetricFamily(
        "portal_delivery_lag_seconds",
        "Age of the oldest pending delivery, by kind (0 when none is pending).",
        labels=["kind"],
    )
    for kind, model in DELIVERIES.items():
        pending, retried, oldest = db.session.execute(
            select(
                func.count(),
                func.count().filter(model.attempt_count > 0),
                func.min(model.created_at),
            ).where(model.state == "pending")
        ).one()
        gave_up = db.session.scalar(
            select(func.count()).select_from(model).where(model.state == "failed")
        )
        waiting.add_metric([kind], pending)
        retrying.add_metric([kind], retried)
        failed.add_metric([kind], gave_up)
        lag.add_metric([kind], seconds_since(oldest))
    yield from (waiting, retrying, failed, lag)
