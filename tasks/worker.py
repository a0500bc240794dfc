"""The RQ worker behind `flask portal worker`: every job runs inside a Flask app context."""

from flask import Flask
from rq import Worker
from sqlalchemy.engine import Engine

from tasks.periodic import start_all


class AppContextWorker(Worker):
    """An RQ worker that gives each job its own app context and database connections."""

    flask_app: Flask
    engine: Engine

    def main_work_horse(self, *args, **kwargs):
        # The forked work horse must not share the parent's pooled connections.
        self.engine.dispose(close=False)
        return super().main_work_horse(*args, **kwargs)

    def perform_job(self, *args, **kwargs):
        with self.flask_app.app_context():
            return super().perform_job(*args, **kwargs)


def run_worker(app: Flask, engine: Engine, burst: bool = False) -> bool:
    """Work the portal queue (with RQ's scheduler) until stopped, or until empty with burst."""
    queue = app.extensions["portal_queue"]
    worker = AppContextWorker([queue.rq_queue()], connection=queue.connection)
    worker.flask_app = app
    worker.engine = engine
    if not burst:
        with app.app_context():
            start_all()
    return worker.work(burst=burst, with_scheduler=True)
