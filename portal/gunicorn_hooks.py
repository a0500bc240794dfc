"""gunicorn's settings and hooks for `portal serve` (`--config python:portal.gunicorn_hooks`): a
fresh folder for the worker processes' metric files, so `/metrics` sums every worker and counts
start at zero with each start, as Prometheus expects of counters; and with
`PORTAL_LOG_FORMAT=json`, gunicorn's own lines as JSON like portal's.

PROMETHEUS_MULTIPROC_DIR, when the operator sets it, names that folder (emptied at start);
else one is made in the temporary folder and removed at exit.
"""

import os
import shutil
import tempfile
from pathlib import Path

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
_made_here: list[str] = []


def _log_config() -> dict:
    if os.environ.get("PORTAL_LOG_FORMAT") != "json":
        return {}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "portal.request_logs.JsonLines"}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": ["json"]},
        "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False}},
    }


# gunicorn settings, read by gunicorn when it loads this file.
logconfig_dict = _log_config()
# One control socket path per user would be shared by every `portal serve` on the machine.
control_socket_disable = True


def on_starting(server) -> None:
    folder = os.environ.get(MULTIPROC_DIR)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()
    else:
        folder = tempfile.mkdtemp(prefix="portal-metrics-")
        _made_here.append(folder)
        os.environ[MULTIPROC_DIR] = folder  # the workers, forked after this, inherit it


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    for folder in _made_here:
        shutil.rmtree(folder, ignore_errors=True)
