"""The RQ worker behind `flask portal worker`: every job runs inside a Flask app context."""

from flask import Flask
from rq import Worker
from sqlalchemy.engine import Engine

from tasks.periodic import start_all

# The longest RQ's command listener waits before it looks again whether it has been stopped.
COMMAND_LISTENER_WAIT_SECONDS = 1


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

    def subscribe(self):
        """Listen for RQ's commands (shutdown, kill-horse, stop-job) in a thread of its own."""
        # RQ's own listener waits up to 60 s at a time. At exit RQ unsubscribes, then stops the
        # thread and (redis 8.2 on) joins it: a listener that reads the unsubscribe reply before
        # it is stopped waits once more, now for a subscription, and holds the exit that long.
        # Waiting 1 s at a time bounds that; an idle listener wakes once a second.
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=COMMAND_LISTENER_WAIT_SECONDS,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )


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
