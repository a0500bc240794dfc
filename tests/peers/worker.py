"""A real `flask portal worker` process against the test's database and Redis."""

import os
import subprocess
import sys


def _worker_command(*options) -> list[str]:
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    return [flask, "--app", "app", "portal", "worker", *options]


def _worker_env(app, extra_env: dict) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "PORTAL_QUEUE_NAME": app.config["PORTAL_QUEUE_NAME"],
        # Workers decrypt webhook secrets, so they share the web tier's SECRET_KEY.
        "SECRET_KEY": app.config["SECRET_KEY"],
        **extra_env,
    }


def run_worker_burst(app, project_root, **extra_env) -> subprocess.CompletedProcess:
    return subprocess.run(
        _worker_command("--burst"),
        cwd=project_root,
        env=_worker_env(app, extra_env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def start_worker(app, project_root, *options, log, **extra_env) -> subprocess.Popen:
    """A worker process left running, its output going to the file `log`. It leads a process group
    of its own, with its work horse and scheduler, for the caller to stop as one."""
    return subprocess.Popen(
        _worker_command(*options),
        cwd=project_root,
        env=_worker_env(app, extra_env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
