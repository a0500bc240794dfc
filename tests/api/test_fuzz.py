"""Generated requests, valid and invalid, against every operation of the OpenAPI document:
no server error, and every answer has a documented status, media type and shape."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from portal import create_app
from portal.extensions import db
from portal.models import ApiKey
from portal.services.delivery import webhooks
from portal.services.infra import secret_tokens
from tests.environment import config_for
from tests.factories import make_directory, make_organization
from tests.scim.scim_client import provision_user_in_group

# A fixed key: schemathesis makes some of the cases when it collects the tests.
API_KEY = "sk_fuzz_" + "0" * 43
# Rules beyond the schema (what a domain name is, metadata limits, ids that must exist) make
# the server refuse some schema-valid input, and it reads an empty query value as absent.
CONFIG = schemathesis.Config.from_dict(
    {
        "auth": {"openapi": {"bearerAuth": {"bearer": API_KEY}}},
        "checks": {
            "positive_data_acceptance": {"enabled": False},
            "negative_data_rejection": {"enabled": False},
        },
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
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "50")),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_generated_requests_get_documented_answers(case, app, existing):
    case.call_and_validate(app=app)
