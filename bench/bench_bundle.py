"""The disclosure bundle PDF at the size a long involvement produces: 2,000 items, about 800
pages (``BENCH_BUNDLE_ITEMS`` overrides the count).

``bundle_render`` lays the items out in sections of 200, each its own WeasyPrint document, and
merges the parts with pypdf; this measures it against WeasyPrint laying out the same bundle
(``bundle_html``) as one document. Each runs in a fresh Python process, so neither's memory
counts against the other or against the harness. The peak resident set of each process comes
from ``os.wait4``, which returns that one child's resource usage:
``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is the largest of every child waited for so far, so
the second measurement would inherit the first's peak. No database.

    python bench/run.py --only bundle
    python -m bench.bench_bundle sections 200      # one measurement, printed as JSON
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.harness import Figures, Run, UnexpectedStatusError, benchmark, ratio

if TYPE_CHECKING:
    from access_requests.bundle import BundleSpec

# run.py skips PostgreSQL when every selected benchmark says this.
NEEDS_DATABASE = False

ITEMS = int(os.environ.get("BENCH_BUNDLE_ITEMS") or 2000)
SECTION_ITEMS = 200
TIME_TARGET_SECONDS = 90.0
MEMORY_TARGET_MIB = 1536.0  # 1.5 GiB
ROOT = Path(__file__).resolve().parent.parent
MODES = ("sections", "one-piece")

KINDS = (
    ("Case note", 30),
    ("Home visit", 20),
    ("Phone call", 15),
    ("Letter", 10),
    ("Strategy meeting", 8),
    ("Review", 7),
    ("Assessment", 5),
    ("Information from another agency", 5),
)
SERVICES = (
    ("Children's social care case", "CSC"),
    ("Early help case", "EH"),
    ("Youth justice case", "YJ"),
)
GROUNDS = {
    "S2P3-16": "Information identifying another person (third party)",
    "S3P3-11": "Serious harm to the physical or mental health of the subject or another person",
    "S2P1-2": "Crime prevention or detection",
    "S2P4-19": "Legal professional privilege",
}


def synthetic_spec(items: int, *, seed: int = 2026) -> BundleSpec:
    """A request's bundle: Faker case recording over six years, in date order, with about a
    third of the paragraphs naming a third party (redacted) and some sentences withheld for
    serious harm.

    Item text averages about 1,000 characters (an assessment about 3,600) in two or three
    paragraphs; with its heading an item is over a third of a page, so 2,000 items come to
    about 720 pages, and the index to about 80 more."""
    from faker import Faker

    from access_requests.bundle import BundleItem, BundleSpec, Segment, WithheldEntry

    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    kinds, weights = zip(*KINDS, strict=True)
    start = datetime(2019, 4, 1, 9, 0, tzinfo=UTC)
    step = timedelta(days=6 * 365) / max(items, 1)
    used: dict[str, int] = dict.fromkeys(GROUNDS, 0)

    def text(paragraphs: int) -> list[Segment]:
        segments: list[Segment] = []
        for n in range(paragraphs):
            lead = "\n\n" if n else ""
            if rng.random() < 0.35:
                code = "S2P3-16" if rng.random() < 0.9 else "S2P1-2"
                used[code] += 1
                said = fake.paragraph(nb_sentences=rng.randint(4, 7))
                segments += [
                    Segment(f"{lead}{fake.sentence(nb_words=10)} Spoke with "),
                    Segment(fake.name(), code),
                    Segment(f", who said {said[0].lower()}{said[1:]}"),
                ]
            elif rng.random() < 0.1:
                used["S3P3-11"] += 1
                segments += [
                    Segment(f"{lead}{fake.paragraph(nb_sentences=4)} "),
                    Segment(fake.sentence(nb_words=14), "S3P3-11"),
                    Segment(f" {fake.sentence(nb_words=12)}"),
                ]
            else:
                segments.append(Segment(lead + fake.paragraph(nb_sentences=rng.randint(8, 11))))
        return segments

    bundle_items = []
    for number in range(1, items + 1):
        kind = rng.choices(kinds, weights)[0]
        service, prefix = SERVICES[rng.randrange(len(SERVICES))]
        paragraphs = rng.randint(8, 12) if kind == "Assessment" else rng.randint(2, 3)
        bundle_items.append(
            BundleItem(
                number=number,
                occurred_at=start + step * number + timedelta(minutes=rng.randrange(600)),
                title=f"{kind}: {fake.sentence(nb_words=6).rstrip('.')}",
                source=f"{service} {prefix}-{rng.randrange(1, 999_999):06d} · {kind}",
                segments=text(paragraphs),
            )
        )
    withheld = []
    for n in range(60):
        code = ("S3P3-11", "S2P4-19", "S2P3-16")[n % 3]
        used[code] += 1
        withheld.append(WithheldEntry(start + timedelta(days=36 * n), "Case note", code))
    return BundleSpec(
        reference="RR-2026-00012",
        organisation="Ashdown Borough Council",
        cover_letter=[
            f"{fake.name()}\n{fake.street_address()}\n{fake.city()}\n{fake.postcode()}",
            "Dear requester,",
            *(fake.paragraph(nb_sentences=5) for _ in range(4)),
            "Yours sincerely,\n\nRecords Access Team",
        ],
        items=bundle_items,
        withheld=withheld,
        exemptions=[(code, GROUNDS[code], n) for code, n in used.items() if n],
        generated_on=date(2026, 5, 1),
    )


def measure_here(mode: str, items: int) -> dict[str, Any]:
    """Build the spec, then time one rendering of it into a temporary file (in this process)."""
    from weasyprint import HTML

    from access_requests.bundle import RefusingURLFetcher, bundle_html, bundle_render

    spec = synthetic_spec(items)
    before_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryFile(prefix="carefile-bench-") as out:
        started = time.perf_counter()
        if mode == "sections":
            pages = bundle_render(spec, out, section_items=SECTION_ITEMS)
        else:
            document = HTML(string=bundle_html(spec), url_fetcher=RefusingURLFetcher()).render()
            pages = len(document.pages)
            document.write_pdf(out)
        seconds = time.perf_counter() - started
        size = out.seek(0, os.SEEK_END)
    return {"seconds": seconds, "pages": pages, "bytes": size, "before_mib": before_mib}


def measure_in_child(mode: str, items: int) -> dict[str, Any]:
    """``measure_here`` in a fresh interpreter; adds that process's peak RSS in MiB."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.bench_bundle", mode, str(items)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise UnexpectedStatusError(f"bundle {mode}: the child exited with {process.returncode}")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    result["peak_mib"] = usage.ru_maxrss / 1024  # Linux reports KiB
    # CPU time of the whole child (building the spec too): on a shared machine the wall-clock
    # figure also counts the time other work had the cores.
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return result


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _figures(name: str, description: str, result: dict[str, Any], notes: list[str]) -> Figures:
    milliseconds = result["seconds"] * 1000
    return Figures(
        name=name,
        description=description,
        status=0,
        iterations=1,
        requests_per_second=result["pages"] / result["seconds"],  # pages per second
        p50_ms=milliseconds,
        p95_ms=milliseconds,
        max_ms=milliseconds,
        mean_ms=milliseconds,
        queries=0,
        response_bytes=result["bytes"],
        notes=notes,
    )


@benchmark("bundle")
def bundle(run: Run) -> list[Figures]:
    """One rendering each (minutes of work, not a request): ``--iterations`` does not apply."""
    sections = measure_in_child("sections", ITEMS)
    one_piece = measure_in_child("one-piece", ITEMS)
    load = os.getloadavg()[0]
    time_ratio = sections["seconds"] / one_piece["seconds"]
    memory_ratio = sections["peak_mib"] / one_piece["peak_mib"]
    return [
        _figures(
            "bundle-sections",
            f"bundle_render, {ITEMS:,} items in sections of {SECTION_ITEMS} "
            "(the req/s column is pages per second)",
            sections,
            [
                f"{sections['pages']:,} pages in {sections['seconds']:.1f} s "
                f"(target <= {TIME_TARGET_SECONDS:.0f} s: "
                f"{_verdict(sections['seconds'] <= TIME_TARGET_SECONDS)})",
                f"peak RSS {sections['peak_mib']:,.0f} MiB, {sections['before_mib']:,.0f} MiB "
                f"before rendering (target <= {MEMORY_TARGET_MIB:,.0f} MiB: "
                f"{_verdict(sections['peak_mib'] <= MEMORY_TARGET_MIB)})",
                f"against one piece: time x{time_ratio:.2f}, memory x{memory_ratio:.2f}, "
                f"pages {sections['pages']:,} / {one_piece['pages']:,}",
                f"child CPU {sections['cpu_seconds']:.1f} s; 1-minute load average {load:.1f} "
                f"on {os.cpu_count()} CPUs at the end",
            ],
        ),
        _figures(
            "bundle-one-piece",
            f"WeasyPrint, the same {ITEMS:,} items as one document (bundle_html)",
            one_piece,
            [
                f"{one_piece['pages']:,} pages in {one_piece['seconds']:.1f} s "
                f"(child CPU {one_piece['cpu_seconds']:.1f} s)",
                f"peak RSS {one_piece['peak_mib']:,.0f} MiB, "
                f"{one_piece['before_mib']:,.0f} MiB before rendering",
            ],
        ),
    ]


ratio("bundle-sections", "bundle-one-piece", "bundle render time, sections / one piece")


if __name__ == "__main__":
    mode, count = sys.argv[1], int(sys.argv[2])
    if mode not in MODES:
        sys.exit(f"usage: python -m bench.bench_bundle {{{','.join(MODES)}}} ITEMS")
    print(json.dumps(measure_here(mode, count)))
