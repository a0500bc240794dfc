"""Fixtures for the fault tests: services of the test's own, to stop, kill and flush."""

import itertools

import pytest

from tests.faults.deployment import Deployment
from tests.peers.postgres_cluster import OwnPostgres
from tests.peers.redis_server import OwnRedis

_databases = itertools.count()


@pytest.fixture(scope="session")
def postgres_cluster():
    """A PostgreSQL cluster of this test process's own, shared by its fault tests in turn."""
    try:
        server = OwnPostgres()
    except (FileNotFoundError, OSError) as error:
        pytest.fail(f"cannot run a PostgreSQL of the test's own: {error}", pytrace=False)
    yield server
    server.remove()


@pytest.fixture
def own_postgres(postgres_cluster):
    """The tests' own PostgreSQL, started, with an empty database for this test; the test may
    stop and start it."""
    if not postgres_cluster.running:
        postgres_cluster.start()
    postgres_cluster.create_database(f"portal_{next(_databases)}")
    yield postgres_cluster
    if not postgres_cluster.running:  # a test that stopped it and failed
        postgres_cluster.start()
    postgres_cluster.drop_database()


@pytest.fixture
def own_redis():
    """A Redis of this test's own, not yet started."""
    server = OwnRedis()
    yield server
    server.stop()


@pytest.fixture
def make_deployment(own_postgres, tmp_path):
    """`make_deployment(redis=None, workers=0, **settings)`: portal served on the test's own
    PostgreSQL (and Redis), stopped with its workers after the test."""
    made = []

    def make(redis=None, workers=0, **settings):
        made.append(Deployment(own_postgres, tmp_path, redis, workers, **settings))
        return made[-1]

    yield make
    for deployment in made:
        deployment.stop()
