"""Case records at scale: caseload, person page, chronology, name search, need-to-know cost.

The data comes from ``bench.datagen`` (``--scale small`` or ``county``), generated once before
these run. Each page is fetched through the test client as a practitioner signed in with
``force_login``. The need-to-know cost is each page measured twice, back to back: as it is,
and with ``records.policies`` told to allow everything (``person_visible_q``,
``case_visible_q``, ``item_restricted_ok_q`` and every grant test patched to "yes" in this
process only).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.http import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from bench import datagen
from bench.harness import Figures, Run, UnexpectedStatusError, benchmark, body, measure, ratio
from records import policies

# run.py generates the data before any benchmark of a module that says this.
USES_GENERATED_DATA = True

# p95 targets in milliseconds, for the county scale.
TARGETS = {
    "caseload-30": 60.0,
    "person-2000": 100.0,
    "chronology-2000": 100.0,
    "search-typo": 150.0,
}
NEED_TO_KNOW_TARGET = 1.25  # person page with the policy ÷ without, at p50


def data() -> datagen.Generated:
    generated = datagen.current()
    if generated is None:
        generated = datagen.generate(os.environ.get("BENCH_SCALE", "small"))
    return generated


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@contextmanager
def policy_bypassed() -> Iterator[None]:
    """Need-to-know switched off: every person, case and restricted item allowed, and every
    grant test (allocation, team, person-wide, named) answers yes without asking the database."""

    def everything(*args: Any, **kwargs: Any) -> Q:
        return Q()

    def always(*args: Any, **kwargs: Any) -> Q:
        # A condition true for every row, usable where an expression is needed.
        return Q(pk__isnull=False)

    with mock.patch.multiple(
        policies,
        person_visible_q=everything,
        case_visible_q=everything,
        item_restricted_ok_q=everything,
        person_through_cases_q=everything,
        allocation_grant=always,
        team_grant=always,
        person_wide_grant=always,
        restricted_person_grant=always,
    ):
        yield


def expect(response: HttpResponseBase, needle: str, what: str) -> None:
    """One response checked for content, so a page that quietly shows nothing is caught."""
    if needle.encode() not in body(response):
        raise UnexpectedStatusError(f"{what}: the page does not contain {needle!r}")


def explain_slowest(name: str, send: Callable[[], HttpResponseBase]) -> str:
    """EXPLAIN ANALYZE the slowest SELECT of one request, saved beside the results."""
    with CaptureQueriesContext(connection) as captured:
        send()
    selects = [q for q in captured.captured_queries if q["sql"].lstrip().startswith("SELECT")]
    if not selects:
        return ""
    slowest = max(selects, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    folder = Path(settings.VAR_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-plan.txt"
    path.write_text(f"-- {float(slowest['time']) * 1000:.1f} ms\n{slowest['sql']}\n\n{plan}\n")
    return str(path)


def noted(
    figures: Figures, scale: str, send: Callable[[], HttpResponseBase] | None = None
) -> Figures:
    """Say the scale and the target; at county scale, whether it was met, and for a miss
    where the plan of the slowest query was saved."""
    figures.notes.append(f"scale {scale}")
    target = TARGETS.get(figures.name)
    if target is not None:
        verdict = ""
        if scale == "county":
            verdict = ": met" if figures.p95_ms <= target else ": MISSED"
        figures.notes.append(f"target p95 <= {target:.0f} ms at county{verdict}")
        if verdict == ": MISSED" and send is not None:
            figures.notes.append(f"slowest query's plan: {explain_slowest(figures.name, send)}")
    return figures


def pair(
    run: Run,
    *,
    name: str,
    description: str,
    send: Callable[[], HttpResponseBase],
    scale: str,
) -> list[Figures]:
    """The page with need-to-know, then the same page with the policy bypassed."""
    with_policy = measure(run, name=name, description=description, send=send)
    with policy_bypassed():
        without = measure(
            run,
            name=f"{name}-no-policy",
            description=f"{description}, need-to-know policy bypassed (baseline)",
            send=send,
        )
    cost = with_policy.p50_ms / without.p50_ms if without.p50_ms else 0.0
    note = f"need-to-know cost {cost:.2f}x at p50"
    if name == "person-2000" and scale == "county":
        verdict = "met" if cost <= NEED_TO_KNOW_TARGET else "MISSED"
        note += f" (target <= {NEED_TO_KNOW_TARGET}: {verdict})"
    with_policy.notes.append(note)
    return [noted(with_policy, scale, send), noted(without, scale)]


def caseload_figures(run: Run, size: int) -> Figures:
    generated = data()
    url = reverse("records:caseload")
    client = signed_in(generated.practitioners[size])
    expect(client.get(url), f"{size} open cases", f"caseload-{size}")
    return noted(
        measure(
            run,
            name=f"caseload-{size}",
            description=f"GET /caseload/ as a practitioner with {size} open cases",
            send=lambda: client.get(url),
        ),
        generated.scale,
        lambda: client.get(url),
    )


@benchmark("caseload")
def caseload(run: Run) -> Figures:
    return caseload_figures(run, 30)


@benchmark("caseload-sizes", share=0.34)
def caseload_sizes(run: Run) -> list[Figures]:
    """5 and 300 open cases: the page must cost the same number of queries for both."""
    figures = [caseload_figures(run, 5), caseload_figures(run, 300)]
    queries = {f.name: f.queries for f in figures}
    if len(set(queries.values())) != 1:
        raise UnexpectedStatusError(
            f"caseload: SQL queries grow with the caseload, {queries}; they must be equal"
        )
    figures[1].notes.append(f"{figures[1].queries} queries, as for 5 cases")
    return figures


@benchmark("person-page", share=0.5)
def person_page(run: Run) -> list[Figures]:
    generated = data()
    client = signed_in(generated.practitioners[30])
    url = reverse("records:person-detail", args=[generated.heavy_person])
    expect(client.get(url), "Relationships", "person-2000")
    return pair(
        run,
        name="person-2000",
        description=f"GET /people/<id>/ for a person with {generated.heavy_visible_items:,} "
        "items, as their allocated practitioner",
        send=lambda: client.get(url),
        scale=generated.scale,
    )


@benchmark("chronology", share=0.5)
def chronology(run: Run) -> list[Figures]:
    generated = data()
    client = signed_in(generated.practitioners[30])
    url = reverse("records:chronology", args=[generated.heavy_person])
    expect(client.get(url), f"{generated.heavy_visible_items} entries", "chronology-2000")
    return pair(
        run,
        name="chronology-2000",
        description="GET /people/<id>/chronology/ (first page) for the same person",
        send=lambda: client.get(url),
        scale=generated.scale,
    )


@benchmark("person-search", share=0.5)
def person_search(run: Run) -> list[Figures]:
    generated = data()
    client = signed_in(generated.practitioners[30])
    url = reverse("records:person-search")
    query = {"q": generated.search_query}
    expect(client.get(url, query), generated.search_expected, "search-typo")
    return pair(
        run,
        name="search-typo",
        description=f"GET /people/search/?q={generated.search_query} (a typo) as a practitioner "
        "in a team holding thousands of cases",
        send=lambda: client.get(url, query),
        scale=generated.scale,
    )


ratio("person-2000", "person-2000-no-policy", "need-to-know cost, person page (target <= 1.25)")
ratio("chronology-2000", "chronology-2000-no-policy", "need-to-know cost, chronology")
ratio("search-typo", "search-typo-no-policy", "need-to-know cost, name search")
ratio("caseload-300", "caseload-5", "300 cases against 5 on the caseload page")
for _name in ("caseload-30", "person-2000", "chronology-2000", "search-typo"):
    ratio(_name, "start-page", "against the signed-in start page")
