"""A throw-away PostgreSQL cluster for the tests: on loopback, in a temporary folder.

The cluster is made with Debian's ``initdb`` and ``pg_ctl`` (package ``postgresql``;
``make test`` installs it). PostgreSQL refuses to run as root, so under root the
cluster belongs to the ``postgres`` system user the package creates. Without the
binaries the PostgreSQL tests fail when ``CI=true`` and are skipped otherwise.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql

# Where Debian's postgresql package puts each major version's server binaries.
DEBIAN_BIN_GLOB = "/usr/lib/postgresql/*/bin"
SERVER_USER = "postgres"  # created by Debian's postgresql-common package
ADMIN_USER = "storyline"
START_TIMEOUT_SECONDS = 60  # pg_ctl's wait; a loaded 2-core machine starts in ~2 s
# The cluster holds nothing worth keeping: no fsync makes CREATE DATABASE and
# commits fast; a crash of the test run just loses the temporary folder.
SERVER_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


@dataclass(frozen=True, slots=True)
class Cluster:
    """A running throw-away cluster; ``dsn(name)`` addresses one of its databases."""

    port: int
    password: str

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://{ADMIN_USER}:{self.password}@127.0.0.1:{self.port}/{database}"


def find_binaries() -> Path | None:
    """The newest server bin folder holding ``initdb`` and ``pg_ctl``, if any."""
    found = [Path(p) for p in sorted(Path("/").glob(DEBIAN_BIN_GLOB.lstrip("/")))]
    found = [p for p in found if (p / "initdb").exists() and (p / "pg_ctl").exists()]
    found.sort(key=lambda p: _version(p.parent.name))
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def unavailable(reason: str) -> NoReturn:
    """Fail in CI (the Makefile installs PostgreSQL there), skip elsewhere."""
    message = f"PostgreSQL tests need {reason}; `make test` installs Debian's postgresql"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """Start a cluster listening only on 127.0.0.1; stop and delete it afterwards."""
    binaries = find_binaries()
    if binaries is None:
        unavailable("initdb and pg_ctl (in /usr/lib/postgresql/*/bin or on PATH)")
    run_as: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        try:
            run_as = pwd.getpwnam(SERVER_USER)
        except KeyError:
            unavailable(f"the system user {SERVER_USER!r} to run the server as (not root)")
    root = Path(tempfile.mkdtemp(prefix="storyline-pg-"))
    password = secrets.token_hex(16)
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    (root / "password").write_text(password + "\n", encoding="utf-8")
    if run_as is not None:
        for path in (root, sockets, root / "password"):
            os.chown(path, run_as.pw_uid, run_as.pw_gid)

    def run(*args: str) -> None:
        env = {**os.environ, "LC_ALL": "C.UTF-8"}
        if run_as is not None:
            env["HOME"] = str(root)
        subprocess.run(
            args,
            check=True,
            capture_output=True,
            cwd=root,
            env=env,
            user=run_as.pw_uid if run_as else None,
            group=run_as.pw_gid if run_as else None,
            extra_groups=[] if run_as else None,
        )

    started = False
    try:
        run(
            str(binaries / "initdb"),
            "--pgdata",
            str(data),
            "--username",
            ADMIN_USER,
            "--pwfile",
            str(root / "password"),
            "--auth-host=scram-sha-256",
            "--auth-local=peer",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        port = _free_port()
        options = [
            "-c listen_addresses=127.0.0.1",
            f"-p {port}",
            f"-c unix_socket_directories={sockets}",
            *(f"-c {s}" for s in SERVER_SETTINGS),
        ]
        run(
            str(binaries / "pg_ctl"),
            "--pgdata",
            str(data),
            "--log",
            str(root / "server.log"),
            "--options",
            " ".join(options),
            "--timeout",
            str(START_TIMEOUT_SECONDS),
            "--wait",
            "start",
        )
        started = True
        yield Cluster(port, password)
    except subprocess.CalledProcessError as exc:
        log = root / "server.log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(
            f"{Path(exc.cmd[0]).name} failed: {exc.stderr.decode(errors='replace')}\n{detail}"
        ) from exc
    finally:
        if started:
            run(str(binaries / "pg_ctl"), "--pgdata", str(data), "--mode", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def fresh_database(cluster: Cluster) -> Iterator[str]:
    """A new, empty database in ``cluster`` for one test; dropped afterwards."""
    name = f"test_{secrets.token_hex(6)}"
    with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield cluster.dsn(name)
    finally:
        with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
