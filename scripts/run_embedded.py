"""Serve the embedded default: web server, Celery worker and Celery beat. Ctrl-C stops all three."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = os.environ.get("CAREFILE_HOST", "127.0.0.1")
PORT = os.environ.get("CAREFILE_PORT", "8000")


def main() -> int:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    password = os.environ.get("CAREFILE_DEMO_PASSWORD", "carefile-demo-2026")
    commands = {
        "web": [str(BIN / "python"), "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
        "worker": [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--pool=solo",
        ],
        "beat": [str(BIN / "celery"), "-A", "config", "beat", "--loglevel=INFO"],
    }
    processes = {
        name: subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        for name, cmd in commands.items()
    }
    print(
        f"\nCarefile demo: http://{HOST}:{PORT}/\n"
        f"Sign in as amy, ben, cara, gus, dan, eve or fay with the password {password}\n"
        "Press Ctrl-C to stop the web server, worker and beat.\n",
        flush=True,
    )

    def stop(*_: object) -> None:
        for proc in processes.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            for name, proc in processes.items():
                if proc.poll() is not None:
                    print(
                        f"{name} stopped (exit {proc.returncode}); stopping the rest.", flush=True
                    )
                    return proc.returncode or 1
            time.sleep(0.5)
    except (KeyboardInterrupt, SystemExit):
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
