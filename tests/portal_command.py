"""The `portal` console command of this venv, as an operator runs it."""

import subprocess
import sys
from pathlib import Path

PORTAL = str(Path(sys.executable).parent / "portal")


def portal(env: dict, *arguments: str, timeout: float = 120) -> str:
    """Run `portal <arguments>` to success; its standard output."""
    done = subprocess.run(
        [PORTAL, *arguments], env=env, check=True, capture_output=True, text=True, timeout=timeout
    )
    return done.stdout


def last_line(output: str) -> str:
    return output.strip().splitlines()[-1]
