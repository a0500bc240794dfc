"""The `portal` command: every `flask --app app portal` command, plus `serve`, from anywhere.

Installed as a console script (pyproject.toml), so `.venv/bin/portal init` works without
activating the venv or naming the app.
"""

import os
import shutil
import sys

import click
from flask.cli import ScriptInfo

# gunicorn for 2 cores as docs/performance.md measured it: 4 processes of 2 threads each.
SERVE_WORKERS = 4
SERVE_THREADS = 2


def _create_app():
    from portal import create_app

    return create_app()


@click.command("serve")
@click.option(
    "--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="HOST or 127.0.0.1"
)
@click.option(
    "--port",
    type=int,
    default=lambda: int(os.environ.get("PORT", "8000")),
    show_default="PORT or 8000",
)
@click.option("--workers", type=int, default=SERVE_WORKERS, show_default=True)
@click.option("--threads", type=int, default=SERVE_THREADS, show_default=True)
def serve_command(host, port, workers, threads):
    """Serve portal with gunicorn (put your TLS proxy in front)."""
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    arguments = [
        *(gunicorn, "--worker-class", "gthread", "--workers", str(workers)),
        *("--threads", str(threads), "--reuse-port", "--bind", f"{host}:{port}"),
        *("--config", "python:portal.gunicorn_hooks"),
        "portal:create_app()",
    ]
    os.execv(gunicorn, arguments)  # noqa: S606  (gunicorn takes our place, so it gets the signals)


def build_cli() -> click.Group:
    from portal.cli import portal_cli

    cli = click.Group("portal", help="Manage and serve this portal deployment.")
    for name, command in portal_cli.commands.items():
        cli.add_command(command, name)
    cli.add_command(serve_command)
    return cli


def main() -> None:
    # The commands run in an app context made by Flask's ScriptInfo, as under `flask --app`.
    script_info = ScriptInfo(create_app=_create_app, set_debug_flag=False)
    build_cli()(prog_name="portal", obj=script_info)
