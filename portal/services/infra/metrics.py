"""The counters portal keeps for Prometheus, by what happened: HTTP requests, sign-ins, SCIM
operations. They are made here without a registry (no import side effect); `/metrics` gathers
them at scrape time, from this process or, under gunicorn, from every worker's files
(PROMETHEUS_MULTIPROC_DIR, set by `portal serve`).

What is true of the whole deployment (queue depth, delivery lag, periodic runs) is read from the
database and Redis when scraped: see services/operations/deployment_state.py.
"""

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "portal_http_requests",
    "HTTP requests answered, by route (the URL rule, or 'unmatched'), method and status.",
    ["route", "method", "status"],
    registry=None,
)
HTTP_REQUEST_SECONDS = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer an HTTP request, by route.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=None,
)
SIGN_INS = Counter(
    "portal_sso_sign_ins",
    "SAML and OIDC sign-ins that came back from the IdP, by protocol and outcome "
    "('succeeded' or the error code the sign-ins table shows).",
    ["protocol", "outcome"],
    registry=None,
)
SCIM_OPERATIONS = Counter(
    "portal_scim_operations",
    "SCIM requests from identity providers, by operation and outcome.",
    ["operation", "outcome"],
    registry=None,
)

COUNTED = (HTTP_REQUESTS, HTTP_REQUEST_SECONDS, SIGN_INS, SCIM_OPERATIONS)


def count_sign_in(protocol: str, outcome: str) -> None:
    SIGN_INS.labels(protocol=protocol, outcome=outcome).inc()
