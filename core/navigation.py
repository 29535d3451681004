"""Navigation and start-page panels by role. Each app adds its own entries here."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from accounts.policies import user_roles
from accounts.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] | None  # None: everyone signed in

    def href(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


@dataclass(frozen=True)
class Panel:
    """A section of a role's start page."""

    role: Role
    title: str
    description: str


NAV_ITEMS: list[NavItem] = [
    NavItem("Home", "core:start", None),
    NavItem("Your account", "accounts:account", None),
    NavItem("Administration", "admin:index", frozenset({Role.SYSTEM_ADMIN})),
]

PANELS: list[Panel] = [
    Panel(
        Role.PRACTITIONER,
        "Your caseload",
        "The people and cases allocated to you and the cases your team holds.",
    ),
    Panel(
        Role.TEAM_MANAGER,
        "Your team",
        "Cases to allocate, assessments and sharing waiting for your authorisation.",
    ),
    Panel(
        Role.RECORDS_ACCESS_OFFICER,
        "Rights requests",
        "Subject access and other rights requests, with their statutory due dates.",
    ),
    Panel(
        Role.CALDICOTT_GUARDIAN,
        "Audit and privacy",
        "Privacy alerts to review, break-glass access and disputed sharing.",
    ),
    Panel(
        Role.RECORDS_MANAGER,
        "Retention",
        "Retention rules, holds, disposal batches waiting for approval and the register.",
    ),
    Panel(
        Role.SYSTEM_ADMIN,
        "Administration",
        "Organisations, teams, staff accounts, locked accounts and scheduled jobs.",
    ),
]


def nav_for(user: object, current_path: str) -> list[dict[str, object]]:
    roles = user_roles(user)  # type: ignore[arg-type]
    items = []
    for item in NAV_ITEMS:
        if item.roles is not None and not (item.roles & roles):
            continue
        href = item.href()
        if href is None:
            continue
        current = current_path == href or (href != "/" and current_path.startswith(href))
        items.append({"text": item.label, "href": href, "current": current})
    return items


def panels_for(user: object) -> list[Panel]:
    roles = user_roles(user)  # type: ignore[arg-type]
    return [panel for panel in PANELS if panel.role in roles]
