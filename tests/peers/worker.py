"""A real `flask portal worker --burst` process against the test's database and Redis."""

import os
import subprocess
import sys


def run_worker_burst(app, project_root, **extra_env) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "PORTAL_QUEUE_NAME": app.config["PORTAL_QUEUE_NAME"],
        # Workers decrypt webhook secrets, so they share the web tier's SECRET_KEY.
        "SECRET_KEY": app.config["SECRET_KEY"],
        **extra_env,
    }
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    return subprocess.run(
        [flask, "--app", "app", "portal", "worker", "--burst"],
        cwd=project_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
