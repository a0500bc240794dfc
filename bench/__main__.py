"""`make bench-inprocess`: medians of the hot paths on SQLite and PostgreSQL, then SCIM ingest
under load.

Each figure is the median of several timed rounds, printed as a table; docs/performance.md
keeps the latest numbers and how they were taken.
"""

import statistics
import tempfile
import time

from flask_migrate import upgrade

from bench import saml_acs, scim_ingest
from bench.deployment import fresh_database
from portal import create_app
from portal.extensions import db
from portal.services.account import credentials
from portal.services.infra.ids import new_id

ROUNDS = 7


def median_us(action, repeat: int) -> float:
    """Median over ROUNDS of the mean time of one call, in microseconds."""
    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(repeat):
            action()
        rounds.append((time.perf_counter() - started) / repeat * 1e6)
    return statistics.median(rounds)


def bench_database(label: str, url: str) -> list[tuple[str, float]]:
    # No in-process job thread: its periodic jobs would outlive this database.
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "REDIS_URL": None,
            "TESTING": True,
            "PORTAL_INPROCESS_WORKER": False,
        }
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        _, secret = credentials.create_api_key("bench")
        client = app.test_client()
        figures = [
            (f"GET /healthz ({label})", median_us(lambda: client.get("/healthz"), 200)),
            (
                f"API key check ({label})",
                median_us(lambda: credentials.authenticate_api_key(secret), 500),
            ),
        ]
        db.engine.dispose()
    return figures


def main() -> None:
    figures = [("new prefixed id", median_us(lambda: new_id("org"), 20_000))]
    with tempfile.TemporaryDirectory() as folder:
        figures += bench_database("SQLite", f"sqlite:///{folder}/bench.db")
    with fresh_database() as url:
        figures += bench_database("PostgreSQL", url)
    rows = [(label, f"{value:10.1f} µs") for label, value in figures]
    rows += saml_acs.run()
    rows += scim_ingest.run()
    width = max(len(label) for label, _ in rows)
    print(f"{'benchmark'.ljust(width)}  figure")
    for label, value in rows:
        print(f"{label.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
