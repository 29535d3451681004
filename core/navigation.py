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
    """A section of a role's start page, with links to where that work is done."""

    role: Role
    title: str
    description: str
    links: tuple[tuple[str, str], ...] = ()  # (text, url name)

    def hrefs(self) -> list[tuple[str, str]]:
        found = []
        for text, url_name in self.links:
            try:
                found.append((text, reverse(url_name)))
            except NoReverseMatch:
                continue
        return found


CASEWORK = frozenset({Role.PRACTITIONER, Role.TEAM_MANAGER})
REGISTER_KEEPERS = frozenset({Role.RECORDS_MANAGER, Role.SYSTEM_ADMIN})
SHARING_REPORTERS = REGISTER_KEEPERS | {Role.TEAM_MANAGER, Role.CALDICOTT_GUARDIAN}
# The retention schedule is read by these; its holds and disposal only by the first two.
RETENTION_READERS = REGISTER_KEEPERS | {Role.CALDICOTT_GUARDIAN}

NAV_ITEMS: list[NavItem] = [
    NavItem("Home", "core:start", None),
    NavItem("Caseload", "records:caseload", CASEWORK),
    NavItem("Find a person", "records:person-search", CASEWORK | {Role.RECORDS_ACCESS_OFFICER}),
    NavItem("Teams", "records:team-list", frozenset({Role.TEAM_MANAGER})),
    NavItem(
        "Rights requests", "access_requests:dashboard", frozenset({Role.RECORDS_ACCESS_OFFICER})
    ),
    NavItem(
        "Historic records",
        "records:historic-search",
        frozenset({Role.RECORDS_ACCESS_OFFICER, Role.RECORDS_MANAGER}),
    ),
    NavItem("Sharing to authorise", "sharing:authorisation-queue", frozenset({Role.TEAM_MANAGER})),
    NavItem("Partner agencies", "sharing:agency-list", REGISTER_KEEPERS),
    NavItem("Sharing reports", "sharing:report", SHARING_REPORTERS),
    NavItem("Retention", "retention:schedule", RETENTION_READERS),
    NavItem("Audit", "audit:dashboard", frozenset({Role.CALDICOTT_GUARDIAN})),
    NavItem("Your account", "accounts:account", None),
    NavItem("Administration", "admin:index", frozenset({Role.SYSTEM_ADMIN})),
]

PANELS: list[Panel] = [
    Panel(
        Role.PRACTITIONER,
        "Your caseload",
        "The people and cases allocated to you and the cases your team holds.",
        (("Your caseload", "records:caseload"), ("Find a person", "records:person-search")),
    ),
    Panel(
        Role.TEAM_MANAGER,
        "Your team",
        "Cases to allocate, assessments and sharing waiting for your authorisation.",
        (
            ("Your team's cases", "records:team-list"),
            ("Sharing waiting for your authorisation", "sharing:authorisation-queue"),
            ("Sharing reports", "sharing:report"),
        ),
    ),
    Panel(
        Role.RECORDS_ACCESS_OFFICER,
        "Rights requests",
        "Subject access and other rights requests, with their statutory due dates.",
        (
            ("Rights requests", "access_requests:dashboard"),
            ("Log a request", "access_requests:request-log"),
            ("Data protection complaints", "access_requests:complaint-list"),
            ("Performance", "access_requests:performance"),
            ("Historic paper records", "records:historic-search"),
        ),
    ),
    Panel(
        Role.CALDICOTT_GUARDIAN,
        "Audit and privacy",
        "Privacy alerts to review, break-glass access and disputed sharing.",
        (
            ("Privacy alerts to review", "audit:alert-list"),
            ("Who has accessed a record", "audit:person-find"),
            ("Search the audit trail", "audit:event-search"),
            ("Privacy rules", "audit:rule-list"),
            ("Sharing reports", "sharing:report"),
        ),
    ),
    Panel(
        Role.RECORDS_MANAGER,
        "Retention",
        "Retention rules, holds, disposal batches waiting for approval and the register.",
        (
            ("Disposal batches to review", "retention:batch-list"),
            ("Retention schedule", "retention:schedule"),
            ("Holds", "retention:hold-list"),
            ("Disposal register", "retention:register"),
            ("Disposal forecast", "retention:forecast"),
            ("Historic paper records", "records:historic-search"),
            ("Partner agencies", "sharing:agency-list"),
            ("Sharing agreements", "sharing:agreement-list"),
            ("Sharing reports", "sharing:report"),
        ),
    ),
    Panel(
        Role.SYSTEM_ADMIN,
        "Administration",
        "Organisations, teams, staff accounts, locked accounts and scheduled jobs.",
        (
            ("Go to administration", "admin:index"),
            ("Privacy rules", "audit:rule-list"),
            ("Bank holidays for due dates", "access_requests:bank-holidays"),
            ("Partner agencies", "sharing:agency-list"),
        ),
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
