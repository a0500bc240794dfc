"""Fixtures for the fault tests: services of the test's own, to stop, kill and flush."""

import pytest

from tests.peers.postgres_cluster import OwnPostgres
from tests.peers.redis_server import OwnRedis


@pytest.fixture
def own_postgres():
    """A started PostgreSQL cluster of this test's own, with an empty `portal` database."""
    try:
        server = OwnPostgres()
    except (FileNotFoundError, OSError) as error:
        pytest.fail(f"cannot run a PostgreSQL of the test's own: {error}", pytrace=False)
    server.start()
    server.create_database()
    yield server
    server.remove()


@pytest.fixture
def own_redis():
    """A Redis of this test's own, not yet started."""
    server = OwnRedis()
    yield server
    server.stop()
