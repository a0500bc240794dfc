"""A PostgreSQL cluster of the tests' own on loopback, to stop and start under load (never the
shared server). initdb refuses to run as root, so as root the cluster runs as `postgres`.
One cluster serves a test process's fault tests in turn, each on a database of its own."""

import glob
import os
import shutil
import subprocess
import tempfile
import time

import psycopg

from tests.peers.dns_server import free_port


def _binaries() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise FileNotFoundError("no PostgreSQL server binaries under /usr/lib/postgresql")
    return os.path.dirname(found[-1])


class OwnPostgres:
    def __init__(self):
        self.port = free_port()
        self._bin = _binaries()
        self._dir = tempfile.mkdtemp(prefix="portal-pg-")
        self._data = os.path.join(self._dir, "data")
        self.database = "portal"
        if os.geteuid() == 0:
            shutil.chown(self._dir, "postgres")
        self._run("initdb", "-D", self._data, "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self._dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = os.path.join(self._dir, "log")
        self._run("pg_ctl", "-D", self._data, "-o", options, "-l", log, "-w", "start")
        self._wait_until_ready()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.database}"

    @property
    def running(self) -> bool:
        return os.path.exists(os.path.join(self._data, "postmaster.pid"))

    def create_database(self, name: str) -> None:
        """An empty database `name`, which `url` and `query` use from now on."""
        with psycopg.connect(self._admin_dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.database = name

    def drop_database(self) -> None:
        with psycopg.connect(self._admin_dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def stop(self) -> None:
        """A fast shutdown, as an operator's restart does: every connection is ended."""
        self._run("pg_ctl", "-D", self._data, "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", self._data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self._dir, ignore_errors=True)

    def query(self, sql: str) -> list[tuple]:
        with psycopg.connect(self._admin_dsn(self.database)) as conn:
            return conn.execute(sql).fetchall()

    def _admin_dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _wait_until_ready(self, within: float = 30) -> None:
        deadline = time.monotonic() + within
        while True:
            try:
                psycopg.connect(self._admin_dsn("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                assert time.monotonic() < deadline, "the test's PostgreSQL did not start"
                time.sleep(0.1)

    def _run(self, program: str, *arguments: str) -> None:
        command = [os.path.join(self._bin, program), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120, cwd=self._dir)
