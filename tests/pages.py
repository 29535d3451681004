"""Helpers for comparing rendered pages in tests."""

from __future__ import annotations

import re

_VOLATILE = re.compile(rb'(nonce|value)="[^"]*"')


def same_page(first: bytes, second: bytes) -> bool:
    """Two responses are the same page once per-request values (CSP nonces, CSRF tokens) go."""
    return _VOLATILE.sub(b"", first) == _VOLATILE.sub(b"", second)
