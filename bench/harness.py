"""The benchmark registry and the timing loop that every benchmark shares.

A benchmark is a function in a ``bench/bench_*.py`` module, registered with ``@benchmark``. It
receives a :class:`Run` (how many iterations to do) and returns one :class:`Figures` or a list
of them, usually by handing a zero-argument request function to :func:`measure`.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection
from django.http import HttpResponseBase, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext


class UnexpectedStatusError(Exception):
    """A request answered with a status the benchmark did not expect: the figures are void."""


@dataclass(frozen=True)
class Run:
    """What the command line asked for, passed to every benchmark."""

    iterations: int
    warmup: int
    share: float = 1.0

    @property
    def scaled_iterations(self) -> int:
        return max(3, math.ceil(self.iterations * self.share))

    @property
    def scaled_warmup(self) -> int:
        return max(1, math.ceil(self.warmup * self.share))


@dataclass
class Figures:
    """Timings for one kind of request, in milliseconds."""

    name: str
    description: str
    status: int
    iterations: int
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    mean_ms: float
    queries: int
    response_bytes: int
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Benchmark:
    name: str
    function: Callable[[Run], Figures | list[Figures]]
    share: float
    module: str


@dataclass(frozen=True)
class Ratio:
    """p50 latency of one figure over another, printed when both were measured."""

    numerator: str
    denominator: str
    meaning: str


REGISTRY: dict[str, Benchmark] = {}
RATIOS: list[Ratio] = []


def benchmark(name: str, *, share: float = 1.0) -> Callable[[Callable[..., Any]], Any]:
    """Register a benchmark. ``share`` scales ``--iterations`` for slow ones (sign-in: 0.04)."""

    def register(function: Callable[[Run], Figures | list[Figures]]) -> Any:
        if name in REGISTRY:
            raise ValueError(f"Benchmark {name!r} is registered twice.")
        REGISTRY[name] = Benchmark(name, function, share, function.__module__)
        return function

    return register


def ratio(numerator: str, denominator: str, meaning: str) -> None:
    """Ask for ``numerator`` p50 / ``denominator`` p50 to be reported (figure names)."""
    RATIOS.append(Ratio(numerator, denominator, meaning))


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def body(response: HttpResponseBase) -> bytes:
    """The whole body, reading a streaming response (a file download) to its end."""
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)  # type: ignore[arg-type]
    return bytes(getattr(response, "content", b""))


def _check(response: HttpResponseBase, expected: Iterable[int], name: str) -> None:
    if response.status_code not in expected:
        text = body(response)[:300].decode("utf-8", "replace")
        raise UnexpectedStatusError(
            f"{name}: expected status {'/'.join(map(str, expected))}, "
            f"got {response.status_code}. Response began: {text!r}"
        )


def measure(
    run: Run,
    *,
    name: str,
    description: str,
    send: Callable[[], HttpResponseBase],
    expected_status: int | Iterable[int] = 200,
) -> Figures:
    """Warm up, time ``run.scaled_iterations`` calls of ``send``, then count one call's queries.

    Every response's status is checked; one surprise raises :class:`UnexpectedStatusError`.
    """
    expected = (expected_status,) if isinstance(expected_status, int) else tuple(expected_status)
    for _ in range(run.scaled_warmup):
        _check(send(), expected, name)

    latencies_ms: list[float] = []
    started = time.perf_counter()
    for _ in range(run.scaled_iterations):
        before = time.perf_counter_ns()
        response = send()
        latencies_ms.append((time.perf_counter_ns() - before) / 1_000_000)
        _check(response, expected, name)
    elapsed = time.perf_counter() - started

    with CaptureQueriesContext(connection) as captured:
        response = send()
    _check(response, expected, name)

    latencies_ms.sort()
    return Figures(
        name=name,
        description=description,
        status=response.status_code,
        iterations=len(latencies_ms),
        requests_per_second=len(latencies_ms) / elapsed,
        p50_ms=percentile(latencies_ms, 0.50),
        p95_ms=percentile(latencies_ms, 0.95),
        max_ms=latencies_ms[-1],
        mean_ms=statistics.fmean(latencies_ms),
        queries=len(captured.captured_queries),
        response_bytes=len(body(response)),
    )
