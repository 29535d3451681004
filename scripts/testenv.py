"""Run a command against a throwaway PostgreSQL and Redis on loopback and a throwaway media
folder, then stop and remove them.

    python scripts/testenv.py -- pytest -n 2

PostgreSQL is initialised into a temporary directory owned by the `postgres` system user when
running as root (the server refuses to run as root), on a random free port, with fsync off.
Exits with the command's status.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PG_BIN_CANDIDATES = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_tool(name: str) -> str:
    for folder in PG_BIN_CANDIDATES:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install PostgreSQL 15 server binaries")
    return found


def wait_for_port(port: int, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not start on port {port}")


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="carefile-pg-"))
    data = base / "data"
    run_as: list[str] = []
    if as_root:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run(
        [
            *run_as,
            pg_tool("initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "-N",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -k {base} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        [
            *run_as,
            pg_tool("pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(base / "log"),
            "-w",
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, "PostgreSQL")
        yield f"postgres://postgres@127.0.0.1:{port}/carefile"
    finally:
        subprocess.run(
            [*run_as, pg_tool("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def redis() -> Iterator[str]:
    server = shutil.which("redis-server")
    if not server:
        raise SystemExit("redis-server not found: apt-get install redis-server")
    port = free_port()
    proc = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, "Redis")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print(__doc__)
        return 2
    with (
        postgres() as database_url,
        redis() as broker_url,
        tempfile.TemporaryDirectory(prefix="carefile-media-") as media_root,
    ):
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "CAREFILE_ENV": "development",
            # Uploaded documents, evidence and bundles written by tests go away with them.
            "CAREFILE_MEDIA_ROOT": media_root,
        }
        env.pop("CAREFILE_VAR_DIR", None)
        print(f"Test services: {database_url} and {broker_url}", flush=True)
        return subprocess.call(argv, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
