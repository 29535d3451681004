"""Check the embedded default from scratch: SQLite and the filesystem broker in a fresh var/.

Migrates, loads the demo, serves the app, signs in as amy over HTTP and opens the start page.
Exits non-zero, saying what failed, if any step does.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fail(message: str) -> None:
    print(f"embedded default check FAILED: {message}", flush=True)
    raise SystemExit(1)


def main() -> int:
    var_dir = Path(tempfile.mkdtemp(prefix="carefile-embedded-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update({"CAREFILE_VAR_DIR": str(var_dir), "CAREFILE_ENV": "development"})
    password = env.get("CAREFILE_DEMO_PASSWORD", "carefile-demo-2026")
    server = None
    try:
        for step in (["migrate", "--no-input", "-v", "0"], ["load_demo", "-v", "0"]):
            subprocess.run([PY, "manage.py", *step], cwd=ROOT, env=env, check=True)
        if not (var_dir / "carefile.sqlite3").exists():
            fail("no SQLite database was created under CAREFILE_VAR_DIR")
        port = free_port()
        server = subprocess.Popen(
            [PY, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        deadline = time.monotonic() + 60
        while True:
            try:
                page = opener.open(f"{base}/accounts/sign-in/", timeout=5).read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    fail("the web server did not answer within 60 seconds")
                time.sleep(0.5)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not match:
            fail("the sign-in page has no CSRF token")
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": match.group(1), "username": "amy", "password": password}
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/sign-in/", data=form, headers={"Referer": f"{base}/accounts/sign-in/"}
        )
        response = opener.open(request, timeout=10)
        start = response.read().decode()
        if response.url.rstrip("/") != base or "Signed in as" not in start:
            fail(f"signing in as amy did not reach the start page (ended at {response.url})")
        if "Amy Okafor" not in start or "Your caseload" not in start:
            fail("the start page does not show amy's name and her practitioner panel")
        if "Demo" not in start:
            fail("the embedded default does not show the demo phase banner")
        caseload = opener.open(f"{base}/caseload/", timeout=10).read().decode()
        found = re.search(r'href="/people/([0-9a-f-]{36})/">([^<]+)</a>', caseload)
        if 'data-testid="caseload"' not in caseload or not found:
            fail("amy's caseload shows no demo cases")
        person_id, name = found.group(1), found.group(2).strip()
        for path in (f"/people/{person_id}/", f"/people/{person_id}/chronology/"):
            if opener.open(f"{base}{path}", timeout=10).status != 200:
                fail(f"{path} did not open for amy")
        # A misspelt name still finds the person without PostgreSQL's trigram index.
        misspelt = name[:-1] + ("x" if name[-1] != "x" else "y")
        query = urllib.parse.urlencode({"q": misspelt})
        results = opener.open(f"{base}/people/search/?{query}", timeout=10).read().decode()
        if person_id not in results:
            fail(f"searching for {misspelt!r} did not find {name!r}")
        # The reads were audited, and the trail (sealed by load_demo) verifies on SQLite too.
        with sqlite3.connect(var_dir / "carefile.sqlite3") as db:
            audited = db.execute(
                "SELECT count(*) FROM audit_auditevent WHERE action = 'read' AND path = ? "
                "AND actor_username = 'amy'",
                [f"/people/{person_id}/"],
            ).fetchone()[0]
        if audited != 1:
            fail(f"opening /people/{person_id}/ wrote {audited} read audit events, not 1")
        for table in ("audit_auditevent", "audit_auditeventsubject", "audit_auditseal"):
            with sqlite3.connect(var_dir / "carefile.sqlite3") as db:
                try:
                    db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
                except sqlite3.DatabaseError:
                    continue
            fail(f"SQLite let rows of {table} be deleted: the audit trail must be append-only")
        subprocess.run(
            [PY, "manage.py", "audit_verify", "--subjects"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        print(
            "embedded default: migrate, load_demo, sign in as amy, the start page, her caseload, "
            "a person, their chronology and a misspelt search all work; reads are audited and "
            "the audit trail verifies"
        )
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
