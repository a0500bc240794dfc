"""Generated requests, valid and invalid, against every operation of the OpenAPI document:
no server error, every answer has a documented status, media type and shape, a request the
document calls valid is accepted and one it calls invalid is refused (docs/security.md,
"Generated requests")."""

import itertools
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from portal import create_app
from portal.api.idempotency import MAX_KEY_LENGTH
from portal.extensions import db
from portal.models import ApiKey
from portal.services.delivery import webhooks
from portal.services.infra import secret_tokens
from tests.environment import SOAK, config_for, sized
from tests.factories import make_directory, make_organization
from tests.scim.scim_client import provision_user_in_group

# A fixed key: schemathesis makes some of the cases when it collects the tests.
API_KEY = "sk_fuzz_" + "0" * 43
# Both directions are checked: a request the document calls valid is not refused, one it
# calls invalid is. NUL characters are refused in every text (the document says so once, in its
# description; tests/web/test_nul_refusals.py proves it), so they are not generated.
CONFIG = schemathesis.Config.from_dict(
    {
        "auth": {"openapi": {"bearerAuth": {"bearer": API_KEY}}},
        "checks": {
            "positive_data_acceptance": {"enabled": True},
            "negative_data_rejection": {"enabled": True},
        },
        "generation": {"allow-x00": False},
    }
)
# Loaded at import from a database-less app, as the tests are made per operation; each test
# then calls the app of its `app` fixture.
schema = schemathesis.openapi.from_wsgi(
    "/openapi.json", create_app(config_for("sqlite://")), config=CONFIG
)
# Ids of objects the running test made (see `existing`), so that generated requests reach
# objects that exist as well as unknown ids.
EXISTING: dict[str, str] = {}


def _or_existing(values):
    if not isinstance(values, dict) or not values.keys() & EXISTING.keys():
        return st.just(values)
    named = {key: EXISTING.get(key, value) for key, value in values.items()}
    return st.sampled_from([values, named])


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _or_existing(path_parameters)


@schema.hook
def flatmap_body(context, body):
    return _or_existing(body)


KEYS = itertools.count()
SECOND = timedelta(seconds=1)
# Webhook endpoints must resolve to a public address, and there is no DNS here.
PUBLIC_HOST = "1.1.1.1"


def within_rules_beyond_the_schema(case) -> None:
    """Rules JSON Schema cannot state, kept by each generated request so that what is left
    to judge is what the document says: an Idempotency-Key names one request (reused for
    other input it is refused), `before` and `after` exclude each other, a range starts before
    it ends, a list names each domain (or audit target type) once, a metadata schema requires
    only properties it declares, an audit event names no schema version (a version must have
    been created, and generated ones never were), and a webhook endpoint's host must resolve
    to a public address."""
    key = (case.headers or {}).get("Idempotency-Key")
    if key is not None and len(key) <= MAX_KEY_LENGTH:
        case.headers = {**case.headers, "Idempotency-Key": f"{next(KEYS)}-{key}"[:MAX_KEY_LENGTH]}
    if isinstance(case.query, dict):
        query = {
            k: v for k, v in case.query.items() if not (k == "before" and "after" in case.query)
        }
        case.query = _ordered_range(query)
    if isinstance(case.body, dict):
        body = _named_once(_ordered_range(_public_endpoint(case.body)))
        case.body = _required_declared(_unversioned(body))


def _ordered_range(values: dict) -> dict:
    """The range with its ends swapped if it ends first, and a second long if empty."""
    try:
        start = datetime.fromisoformat(values["range_start"])
        end = datetime.fromisoformat(values["range_end"])
        ordered = start < end
    except (KeyError, TypeError, ValueError):
        return values
    if ordered:
        return values
    if start > end:
        return {**values, "range_start": values["range_end"], "range_end": values["range_start"]}
    try:
        return {**values, "range_end": (end + SECOND).isoformat()}
    except OverflowError:
        return {**values, "range_start": (start - SECOND).isoformat()}


# The lists whose items must name something once, and the key holding that name.
NAMED_ONCE = {"domain_data": "domain", "domains": None, "targets": "type"}


def _named_once(body: dict) -> dict:
    """Drop the items of each NAMED_ONCE list that repeat an earlier one's name (a domain
    compared as the server compares them)."""
    named = {}
    for field, key in NAMED_ONCE.items():
        items = body.get(field)
        if isinstance(items, list):
            seen = {}
            for item in items:
                name = item.get(key) if key and isinstance(item, dict) else item
                compared = name.strip().rstrip(".").lower() if isinstance(name, str) else repr(name)
                seen.setdefault(compared, item)
            named[field] = list(seen.values())
    return {**body, **named}


def _required_declared(value):
    """`value` with each `required` list of a JSON Schema in it cut to the declared names."""
    if isinstance(value, list):
        return [_required_declared(item) for item in value]
    if not isinstance(value, dict):
        return value
    pruned = {key: _required_declared(item) for key, item in value.items()}
    declared, required = value.get("properties", {}), value.get("required")
    if isinstance(declared, dict) and isinstance(required, list):
        pruned["required"] = [n for n in required if not isinstance(n, str) or n in declared]
    return pruned


def _unversioned(body: dict) -> dict:
    event = body.get("event")
    version = event.get("version") if isinstance(event, dict) else None
    if isinstance(version, bool) or not isinstance(version, int | float):
        return body
    return {**body, "event": {k: v for k, v in event.items() if k != "version"}}


def _public_endpoint(body: dict) -> dict:
    url = body.get("endpoint_url")
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
    except ValueError:
        return body
    if not parts or parts.scheme not in ("http", "https") or not parts.hostname:
        return body
    return {**body, "endpoint_url": parts._replace(netloc=PUBLIC_HOST).geturl()}


@pytest.fixture
def existing(app):
    """The fixed API key, an organization with a pending and a verified domain, and a
    webhook endpoint."""
    digest = secret_tokens.digest(API_KEY)
    db.session.add(ApiKey(name="fuzz", display_prefix=API_KEY[:10], secret_hash=digest))
    org = make_organization(
        "Acme", domains=["acme.com", ("verified.acme.com", "verified")], external_id="acme-1"
    )
    pending = next(d for d in org.domains if d.state == "pending")
    endpoint = webhooks.create_endpoint("https://1.1.1.1/hooks", ["organization.created"])
    EXISTING.update(
        organization_id=org.id,
        organization=org.id,
        external_id="acme-1",
        domain_id=pending.id,
        endpoint_id=endpoint.id,
    )
    directory, token = make_directory(org)
    user_id, group_id = provision_user_in_group(directory, token)
    EXISTING.update(directory_id=directory.id, user_id=user_id, group_id=group_id)
    yield
    EXISTING.clear()


@schema.parametrize()
@settings(
    max_examples=sized(quick=10, soak=300),
    # The same cases on every `make test`; `make soak` explores afresh each time.
    derandomize=not SOAK,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_generated_requests_get_documented_answers(case, app, existing):
    within_rules_beyond_the_schema(case)
    case.call_and_validate(app=app)
