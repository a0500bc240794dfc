"""gunicorn's hooks for `portal serve` (`--config python:portal.gunicorn_hooks`): a fresh
folder for the worker processes' metric files, so `/metrics` sums every worker and counts
start at zero with each start, as Prometheus expects of counters.

PROMETHEUS_MULTIPROC_DIR, when the operator sets it, names that folder (emptied at start);
else one is made in the temporary folder and removed at exit.
"""

import os
import shutil
import tempfile
from pathlib import Path

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
_made_here: list[str] = []


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
