"""`/metrics` in Prometheus' text format, for the scraper holding `PORTAL_METRICS_TOKEN`
(`Authorization: Bearer ...`; 401 without it; no such page while the setting is unset), and
the hooks that count each request as it is answered.

Under gunicorn each worker process writes its counts to files in PROMETHEUS_MULTIPROC_DIR
(`portal serve` sets it up) and a scrape sums them, so any worker answers for all of them.
"""

import hmac
import os
import time

from flask import Flask, Response, abort, current_app, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from portal.services.infra import metrics
from portal.services.operations.deployment_state import DeploymentState
from portal.web.bearer import bearer_token

# SCIM answers in words a dashboard can group by; any other 4xx is the IdP's bad request.
SCIM_OUTCOMES = {401: "unauthorized", 404: "not_found", 409: "conflict", 429: "rate_limited"}


def register_metrics(app: Flask) -> None:
    app.before_request(_start_clock)
    app.after_request(_count)
    app.add_url_rule("/metrics", endpoint="metrics", view_func=serve_metrics)


def serve_metrics():
    expected = current_app.config["PORTAL_METRICS_TOKEN"]
    if not expected:
        abort(404)
    offered = bearer_token() or ""
    if not hmac.compare_digest(offered.encode(), expected.encode()):
        answer = jsonify(
            code="unauthorized",
            message="Send the metrics token as Authorization: Bearer <PORTAL_METRICS_TOKEN>.",
        )
        return answer, 401, {"WWW-Authenticate": 'Bearer realm="metrics"'}
    return Response(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        for metric in metrics.COUNTED:
            registry.register(metric)
    registry.register(DeploymentState())
    return registry


def _start_clock() -> None:
    g.metrics_started = time.perf_counter()


def _count(response):
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    status = response.status_code
    metrics.HTTP_REQUESTS.labels(route=route, method=request.method, status=str(status)).inc()
    started = g.get("metrics_started")
    if started is not None:
        metrics.HTTP_REQUEST_SECONDS.labels(route=route).observe(time.perf_counter() - started)
    if request.blueprint == "scim" and request.endpoint:
        operation = request.endpoint.partition(".")[2]
        metrics.SCIM_OPERATIONS.labels(operation=operation, outcome=_scim_outcome(status)).inc()
    return response


def _scim_outcome(status: int) -> str:
    if status < 400:
        return "ok"
    if status >= 500:
        return "error"
    return SCIM_OUTCOMES.get(status, "invalid")
