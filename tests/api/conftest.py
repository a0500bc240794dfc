"""Fixtures for API tests: an API key, and a client that sends it."""

import pytest

from tests.factories import make_api_key


@pytest.fixture
def api_key(app):
    """The secret of a fresh API key."""
    return make_api_key()


@pytest.fixture
def api(app, api_key):
    """A test client that sends the API key with every request."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_key}"
    return client
