"""Benchmark Carefile against a fresh PostgreSQL database, print a table, write JSON.

    make bench
    make bench BENCH_SCALE=county
    python scripts/testenv.py -- python bench/run.py --iterations 500 --scale small

DATABASE_URL must name a PostgreSQL database that does not exist yet: it is created, migrated
and loaded with the demo staff, then (for the case-record benchmarks) filled with synthetic
records at the chosen scale by bench/datagen.py. Results go to var/bench/results.json.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import pkgutil
import platform
import resource
import subprocess
import sys
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script, bench/ alone would be on the path
    sys.path.insert(0, str(ROOT))


class BenchError(Exception):
    """Setup went wrong before anything could be measured."""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--iterations",
        type=int,
        default=300,
        help="timed requests per benchmark; slow ones (sign-in) run a share of this (default: 300)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=20,
        help="untimed requests before timing starts, scaled the same way (default: 20)",
    )
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="run only this benchmark (repeatable)"
    )
    parser.add_argument(
        "--scale",
        choices=("small", "county"),
        default=os.environ.get("BENCH_SCALE") or "small",
        help="synthetic records for the case-record benchmarks: small (seconds to generate) or "
        "county (200,000 people, 4,000,000 items; minutes) (default: $BENCH_SCALE or small)",
    )
    parser.add_argument("--output", type=Path, help="JSON file (default: var/bench/results.json)")
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.warmup < 0:
        parser.error("--iterations must be at least 1 and --warmup at least 0")
    return args


def create_database(url: str) -> str:
    """Create the database DATABASE_URL names, by way of the server's `postgres` database."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise BenchError(
            "DATABASE_URL must point at a throwaway PostgreSQL database; "
            "run `make bench`, which starts one."
        )
    name = parts.path.lstrip("/")
    if not name or name == "postgres":
        raise BenchError("DATABASE_URL must name the database to create, e.g. …/carefile.")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            raise BenchError(
                f"Database {name!r} already exists. The benchmarks write sessions, tokens and "
                "audit events, so they only run against a database they create."
            )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        version = conn.execute("SHOW server_version").fetchone()
    return str(version[0]) if version else "unknown"


def prepare() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    # The demo staff only: the case-record benchmarks bring their own records (bench/datagen).
    call_command("load_demo", people=0, verbosity=0, stdout=io.StringIO())


def discover() -> None:
    """Import every bench/bench_*.py module, which registers its benchmarks."""
    import bench

    for module in pkgutil.iter_modules(bench.__path__):
        if module.name.startswith("bench_"):
            importlib.import_module(f"bench.{module.name}")


def git_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip()


def peak_rss_mib() -> float:
    # Linux reports kibibytes, macOS bytes.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def print_table(figures: list[Any]) -> None:
    if not figures:
        print("no figures: every benchmark failed")
        return
    width = max(12, *(len(f.name) for f in figures))
    header = (
        f"{'benchmark':<{width}} {'status':>6} {'n':>5} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'max ms':>8} {'queries':>7} {'bytes':>7}"
    )
    print(header)
    print("-" * len(header))
    for f in figures:
        print(
            f"{f.name:<{width}} {f.status:>6} {f.iterations:>5} {f.requests_per_second:>8.1f} "
            f"{f.p50_ms:>8.2f} {f.p95_ms:>8.2f} {f.max_ms:>8.2f} {f.queries:>7} "
            f"{f.response_bytes:>7}"
        )
    print()
    for f in figures:
        print(f"  {f.name:<{width}} {f.description}" + "".join(f"; {n}" for n in f.notes))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    os.chdir(ROOT)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # Benchmarks that make their own data (bench_retention) size it by the scale asked for.
    os.environ["BENCH_SCALE"] = args.scale
    # Time what production runs: no DEBUG query log or debug pages.
    os.environ.setdefault("DJANGO_DEBUG", "False")
    # WhiteNoise finds static files without collectstatic here; its warning is noise.
    warnings.filterwarnings("ignore", message="No directory at")
    database_url = os.environ.get("DATABASE_URL", "")

    import django

    django.setup()  # the benchmark modules import models; nothing connects yet

    from django.conf import settings
    from django.db import connection

    from bench.harness import RATIOS, REGISTRY, Run, UnexpectedStatusError

    discover()
    selected = args.only or list(REGISTRY)
    unknown = sorted(set(selected) - set(REGISTRY))
    if unknown:
        print(
            f"bench: no benchmark named {', '.join(unknown)}; have {', '.join(REGISTRY)}",
            file=sys.stderr,
        )
        return 2

    # A module that says NEEDS_DATABASE = False (the PDF bundle) runs without PostgreSQL.
    needs_database = any(
        getattr(importlib.import_module(REGISTRY[name].module), "NEEDS_DATABASE", True)
        for name in selected
    )
    pg_version = None
    if needs_database:
        if not database_url:
            print("bench: DATABASE_URL is not set; run `make bench`.", file=sys.stderr)
            return 2
        try:
            pg_version = create_database(database_url)
            print("creating, migrating and loading the demo database…", flush=True)
            prepare()
        except BenchError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 2

    generated = None
    if any(
        getattr(importlib.import_module(REGISTRY[name].module), "USES_GENERATED_DATA", False)
        for name in selected
    ):
        from bench import datagen

        generated = datagen.generate(args.scale)

    figures = []
    failures: list[str] = []
    for name in selected:
        entry = REGISTRY[name]
        run = Run(iterations=args.iterations, warmup=args.warmup, share=entry.share)
        print(f"running {name} ({run.scaled_iterations} iterations)…", flush=True)
        try:
            result = entry.function(run)
        except UnexpectedStatusError as exc:
            failures.append(str(exc))
            continue
        figures.extend(result if isinstance(result, list) else [result])

    by_name = {f.name: f for f in figures}
    ratios = [
        {
            "numerator": r.numerator,
            "denominator": r.denominator,
            "meaning": r.meaning,
            "p50_ratio": by_name[r.numerator].p50_ms / by_name[r.denominator].p50_ms,
        }
        for r in RATIOS
        if r.numerator in by_name and r.denominator in by_name and by_name[r.denominator].p50_ms > 0
    ]
    peak = peak_rss_mib()

    print()
    print_table(figures)
    if ratios:
        print("\np50 latency ratios:")
        for r in ratios:
            label = f"{r['numerator']} / {r['denominator']}"
            print(f"  {label:<44} {r['p50_ratio']:>8.2f}x  {r['meaning']}")
    if generated:
        counts = generated.counts
        print(
            f"\ndata: {generated.scale} scale, {counts['people']:,} people, "
            f"{counts['cases']:,} cases, {counts['items']:,} items, "
            f"generated in {generated.seconds:.1f}s"
        )
    print(f"\npeak RSS: {peak:.1f} MiB")

    output = args.output or Path(settings.VAR_DIR) / "bench" / "results.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "recorded_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "environment": {
            "python": platform.python_version(),
            "django": __import__("django").get_version(),
            "postgresql": pg_version,
            "database_vendor": connection.vendor if needs_database else None,
            "debug": settings.DEBUG,
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "settings": {"iterations": args.iterations, "warmup": args.warmup, "scale": args.scale},
        "data": generated.as_dict() if generated else None,
        "benchmarks": [f.as_dict() for f in figures],
        "ratios": ratios,
        "peak_rss_mib": round(peak, 1),
        "failures": failures,
    }
    output.write_text(json.dumps(document, indent=2) + "\n")
    print(f"results written to {output}")

    if failures:
        print(
            "\nbench FAILED: unexpected responses, figures above are incomplete:", file=sys.stderr
        )
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
