"""The outbound package: a PDF of the records shared, for the named recipient."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accounts.models import User
    from sharing.models import SharingRecord


def package_panel(*, user: User, sharing: SharingRecord) -> dict[str, Any]:
    """What the sharing page shows about its package (see templates/sharing/_package.html)."""
    return {}


def package_render(*, package_id: int) -> None:
    """Render a queued package."""
    raise NotImplementedError
