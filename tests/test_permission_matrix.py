"""Every case-record page and API endpoint against every persona: allocated worker, same team,
other team, manager, records-access officer, Caldicott guardian, system administrator,
anonymous.

One test per persona walks every page (and one every endpoint), so a failure lists every wrong
answer at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import staff_member
from audit.services import alert_rules_ensure
from records import services
from records.tests.factories import document_plan_and_assessment, open_case
from retention import services as retention_services
from sharing import services as sharing_services

pytestmark = pytest.mark.django_db

PERSONAS = (
    "allocated",
    "same_team",
    "other_team",
    "manager",
    "records_officer",
    "guardian",
    "admin",
    "anonymous",
)
LOGIN = "login"  # anonymous: redirected to sign in


@dataclass(frozen=True)
class Row:
    name: str
    args: str  # which object's id the URL takes
    expected: tuple[object, ...]  # one per persona, in PERSONAS order


CASE_READ = (200, 200, 404, 200, 404, 404, 404, LOGIN)
CASE_WORK = (200, 200, 404, 200, 404, 404, 404, LOGIN)
MANAGE = (403, 403, 404, 200, 404, 404, 404, LOGIN)
CASEWORK_ONLY = (200, 200, 200, 200, 404, 404, 404, LOGIN)
# The audit trail: the Caldicott guardian only; its privacy rules also the system administrator.
AUDIT = (404, 404, 404, 404, 404, 200, 404, LOGIN)
AUDIT_RULES = (404, 404, 404, 404, 404, 200, 200, LOGIN)
# Sharing: managers authorise; the register is the records manager's and administrator's; the
# reports theirs, the managers' and the guardian's.
MANAGERS = (404, 404, 404, 200, 404, 404, 404, LOGIN)
REGISTER = (404, 404, 404, 404, 404, 404, 200, LOGIN)
SHARING_REPORTS = (404, 404, 404, 200, 404, 200, 200, LOGIN)
# Retention: the schedule is read by the guardian too; holds, batches, the register and the
# forecast are the records manager's and administrator's (fay is both).
SCHEDULE = (404, 404, 404, 404, 404, 200, 200, LOGIN)
DISPOSAL = (404, 404, 404, 404, 404, 404, 200, LOGIN)

MATRIX = (
    Row("records:person-detail", "person", CASE_READ),
    Row("records:chronology", "person", CASE_READ),
    Row("records:case-detail", "case", CASE_READ),
    Row("records:item-detail", "note", CASE_READ),
    Row("records:document-download", "document", CASE_READ),
    Row("records:person-edit", "person", CASE_WORK),
    Row("records:person-name-add", "person", CASE_WORK),
    Row("records:address-add", "person", CASE_WORK),
    Row("records:phone-add", "person", CASE_WORK),
    Row("records:email-add", "person", CASE_WORK),
    Row("records:alert-add", "person", CASE_WORK),
    Row("records:related-person-add", "person", CASE_WORK),
    Row("records:relationship-link", "person", CASE_WORK),
    Row("records:case-open", "person", CASE_WORK),
    Row("records:person-restrict", "person", MANAGE),
    Row("records:named-access", "person", MANAGE),
    Row("records:contact-create", "case", CASE_WORK),
    Row("records:note-create", "case", CASE_WORK),
    Row("records:assessment-create", "case", CASE_WORK),
    Row("records:plan-create", "case", CASE_WORK),
    Row("records:document-create", "case", CASE_WORK),
    Row("records:information-create", "case", CASE_WORK),
    Row("records:case-allocate", "case", MANAGE),
    Row("records:case-close", "case", MANAGE),
    Row("records:case-transfer", "case", MANAGE),
    # amy wrote the note: her colleague may not amend it, her manager may.
    Row("records:item-amend", "note", (200, 403, 404, 200, 404, 404, 404, LOGIN)),
    Row("records:item-entered-in-error", "note", MANAGE),
    Row("records:disagreement-add", "note", CASE_WORK),
    Row("records:review-create", "plan", CASE_WORK),
    Row("records:assessment-return", "assessment", MANAGE),
    Row("records:caseload", "", CASEWORK_ONLY),
    Row("records:person-search", "", (200, 200, 200, 200, 200, 404, 404, LOGIN)),
    Row("records:person-create", "", CASEWORK_ONLY),
    Row("records:break-glass", "", CASEWORK_ONLY),
    Row("records:team-list", "", CASEWORK_ONLY),
    Row("records:team-detail", "team", (200, 200, 404, 200, 404, 404, 404, LOGIN)),
    Row("records:historic-search", "", (404, 404, 404, 404, 200, 404, 200, LOGIN)),
    Row("records:historic-add", "", (404, 404, 404, 404, 200, 404, 200, LOGIN)),
    Row("audit:dashboard", "", AUDIT),
    Row("audit:event-search", "", AUDIT),
    Row("audit:event-export", "", AUDIT),
    Row("audit:person-find", "", AUDIT),
    Row("audit:person-report", "person", AUDIT),
    Row("audit:user-report", "worker", AUDIT),
    Row("audit:alert-list", "", AUDIT),
    Row("audit:rule-list", "", AUDIT_RULES),
    Row("audit:rule-edit", "rule", AUDIT_RULES),
    Row("sharing:sharing-detail", "sharing", CASE_READ),
    Row("sharing:consent-record", "person", CASE_WORK),
    Row("sharing:consent-withdraw", "consent", CASE_WORK),
    Row("sharing:authorisation-queue", "", MANAGERS),
    Row("sharing:report", "", SHARING_REPORTS),
    Row("sharing:agency-list", "", REGISTER),
    Row("sharing:agency-create", "", REGISTER),
    Row("sharing:agency-edit", "agency", REGISTER),
    Row("sharing:agreement-list", "", REGISTER),
    Row("sharing:agreement-create", "", REGISTER),
    Row("retention:schedule", "", SCHEDULE),
    Row("retention:class-detail", "record_class", SCHEDULE),
    Row("retention:hold-list", "", DISPOSAL),
    Row("retention:hold-create", "", DISPOSAL),
    Row("retention:hold-detail", "hold", DISPOSAL),
    Row("retention:batch-list", "", DISPOSAL),
    Row("retention:batch-detail", "batch", DISPOSAL),
    Row("retention:batch-cancel", "batch", DISPOSAL),
    Row("retention:register", "", DISPOSAL),
    Row("retention:register-csv", "", DISPOSAL),
    Row("retention:forecast", "", DISPOSAL),
)


@pytest.fixture
def world(
    team_north,
    team_south,
    practitioner,
    other_practitioner,
    manager,
    records_officer,
    guardian,
    admin_user,
):
    alert_rules_ensure()
    case = open_case(team=team_north, worker=practitioner, manager=manager)
    open_case(team=team_south, worker=other_practitioner)
    colleague = staff_member(role=Role.PRACTITIONER, team=team_north, username="sam")
    note = services.note_record(actor=practitioner, case=case, title="Visit", body="Seen.")
    document, plan, assessment = document_plan_and_assessment(
        actor=practitioner, case=case, body="Visits."
    )
    second_note = services.note_record(
        actor=practitioner, case=case, title="Second", body="Recorded on the wrong file."
    )
    police = sharing_services.agency_create(
        actor=admin_user, organisation=case.organisation, name="Northshire Police", kind="police"
    )
    consent = sharing_services.consent_record(
        actor=practitioner,
        person=case.person,
        agency=police,
        given_by="The person",
        purposes=["safeguarding"],
        data_categories=["identity"],
        evidence="Signed form",
        given_on=case.opened_on,
    )
    sharing = sharing_services.sharing_record(
        actor=practitioner,
        draft=sharing_services.SharingDraft(
            people=[case.person],
            items=[note],
            data_categories=["identity"],
            agency=police,
            recipient_name="DC Sam Okafor",
            method="phone",
            shared_on=timezone.localdate(),
            purpose="safeguarding",
            purpose_detail="Strategy discussion.",
            lawful_basis="public_task",
            statute="ca1989_s47",
            consent_status="on_file",
        ),
    )
    # A closed case long due for disposal, proposed in a batch; a hold on the open case.
    due = open_case(
        team=team_north,
        worker=practitioner,
        manager=manager,
        opened_on=date(2005, 1, 1),
        date_of_birth=date(1990, 4, 1),
    )
    services.case_close(actor=manager, case=due, closed_on=date(2008, 1, 1), reason="needs_met")
    (batch,) = retention_services.disposal_propose()
    hold = retention_services.hold_place(
        actor=admin_user, organisation=case.organisation, scope="case", case=case, reason="Claim"
    )
    ids = {
        "hold": hold.public_id,
        "batch": batch.public_id,
        "agency": police.public_id,
        "consent": consent.public_id,
        "sharing": sharing.public_id,
        "second_note": second_note.public_id,
        "allocation": case.allocations.get().public_id,
        "colleague": colleague.public_id,
        "person": case.person.public_id,
        "case": case.public_id,
        "note": note.public_id,
        "document": document.public_id,
        "plan": plan.public_id,
        "assessment": assessment.public_id,
        "team": team_north.public_id,
        "worker": practitioner.public_id,
        "rule": "out_of_hours",
        "record_class": "children_in_need",
    }
    users = {
        "allocated": practitioner,
        "same_team": colleague,
        "other_team": other_practitioner,
        "manager": manager,
        "records_officer": records_officer,
        "guardian": guardian,
        "admin": admin_user,
        "anonymous": None,
    }
    return ids, users


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_each_persona_as_expected(client, world, persona):
    ids, users = world
    user = users[persona]
    if user is not None:
        client.force_login(user)
    column = PERSONAS.index(persona)
    wrong = []
    for row in MATRIX:
        url = reverse(row.name, args=[ids[row.args]] if row.args else [])
        response = client.get(url)
        expected = row.expected[column]
        if expected == LOGIN:
            ok = response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
        else:
            ok = response.status_code == expected
        if not ok:
            wrong.append(f"{row.name}: expected {expected}, got {response.status_code}")
    assert wrong == []


# --- The API -----------------------------------------------------------------------------------
API_READ = (200, 200, 404, 200, 404, 404, 404, 401)
API_WORK = (201, 201, 404, 201, 404, 404, 404, 401)
API_MANAGE = (403, 403, 404, 200, 404, 404, 404, 401)


@dataclass(frozen=True)
class Call:
    method: str
    name: str
    args: str
    expected: tuple[object, ...]
    body: dict[str, object] | None = None


def _when() -> str:
    from django.utils import timezone

    return (timezone.now() - timedelta(hours=1)).isoformat()


RETENTION_SCHEDULE = (404, 404, 404, 404, 404, 200, 200, 401)
RETENTION_APPROVERS = (404, 404, 404, 404, 404, 404, 200, 401)


# In order: writes that change what later calls see (ending an allocation, marking an item
# entered in error) come last.
API_MATRIX = (
    Call("get", "person-detail", "person", API_READ),
    Call("get", "person-relationships", "person", API_READ),
    Call("get", "person-cases", "person", API_READ),
    Call("get", "person-chronology", "person", API_READ),
    Call("get", "case-detail", "case", API_READ),
    Call("get", "case-allocations", "case", API_READ),
    Call("get", "item-detail", "note", API_READ),
    Call("get", "document-download", "document", API_READ),
    Call(
        "patch",
        "person-detail",
        "person",
        (200, 200, 404, 200, 404, 404, 404, 401),
        {"preferred_name": "Sunny"},
    ),
    Call("post", "case-notes", "case", API_WORK, {"title": "Call", "body": "Rang school."}),
    Call(
        "post",
        "case-contacts",
        "case",
        API_WORK,
        {"contact_type": "phone", "occurred_at": "WHEN", "body": "Rang mum."},
    ),
    Call(
        "post",
        "item-disagreements",
        "note",
        API_WORK,
        {"statement": "Not true.", "made_by": "The mother", "received_on": "TODAY"},
    ),
    Call(
        "post",
        "item-amend",
        "note",
        (200, 403, 404, 200, 404, 404, 404, 401),
        {"reason": "Typo", "changes": {"body": "Seen alone."}},
    ),
    Call("post", "item-authorise", "assessment", API_MANAGE),
    # Allocating sam: only a manager may allocate someone else; sam, in the team, may take it.
    Call(
        "post",
        "case-allocations",
        "case",
        (403, 201, 404, 201, 404, 404, 404, 401),
        {"worker": "COLLEAGUE", "role": "co_worker"},
    ),
    Call("post", "item-entered-in-error", "second_note", API_MANAGE, {"reason": "Wrong file"}),
    Call("post", "allocation-end", "allocation", (403, 403, 404, 200, 404, 404, 404, 401), {}),
    Call("get", "sharing-api:sharing-detail", "sharing", API_READ),
    Call("get", "sharing-api:person-sharings", "person", API_READ),
    Call("get", "sharing-api:person-consents", "person", API_READ),
    Call("get", "sharing-api:report", "", (404, 404, 404, 200, 404, 200, 200, 401)),
    # Agencies are not personal data: anyone recording for the council may read them.
    Call("get", "sharing-api:agency-detail", "agency", (200, 200, 200, 200, 200, 404, 200, 401)),
    # Retention: the schedule is read by the guardian too; the rest is the approvers'.
    Call("get", "retention-api:class-list", "", RETENTION_SCHEDULE),
    Call("get", "retention-api:class-detail", "record_class", RETENTION_SCHEDULE),
    Call("get", "retention-api:hold-list", "", RETENTION_APPROVERS),
    Call("get", "retention-api:hold-detail", "hold", RETENTION_APPROVERS),
    Call("get", "retention-api:batch-list", "", RETENTION_APPROVERS),
    Call("get", "retention-api:batch-detail", "batch", RETENTION_APPROVERS),
    Call("get", "retention-api:register", "", RETENTION_APPROVERS),
    Call("get", "retention-api:forecast", "", RETENTION_APPROVERS),
    Call("get", "retention-api:dry-run", "", RETENTION_APPROVERS),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_endpoint_answers_each_persona_as_expected(world, persona):
    from django.utils import timezone
    from rest_framework.test import APIClient

    ids, users = world
    client = APIClient()
    user = users[persona]
    if user is not None:
        client.force_authenticate(user)
    column = PERSONAS.index(persona)
    wrong = []
    for call in API_MATRIX:
        name = call.name if ":" in call.name else f"records-api:{call.name}"
        url = reverse(name, args=[ids[call.args]] if call.args else [])
        body = dict(call.body or {})
        for key, value in body.items():
            if value == "WHEN":
                body[key] = _when()
            elif value == "TODAY":
                body[key] = timezone.localdate().isoformat()
            elif value == "COLLEAGUE":
                body[key] = str(ids["colleague"])
        if call.method == "get":
            response = client.get(url)
        else:
            response = getattr(client, call.method)(url, body, format="json")
        expected = call.expected[column]
        if response.status_code != expected:
            detail = "" if call.method == "get" else f" {response.content[:200]!r}"
            wrong.append(
                f"{call.method.upper()} {call.name}: expected {expected}, "
                f"got {response.status_code}{detail}"
            )
    assert wrong == []


AUDIT_API = (404, 404, 404, 404, 404, 200, 404, 401)
AUDIT_API_RULES = (404, 404, 404, 404, 404, 200, 200, 401)
AUDIT_API_MATRIX = (
    ("audit-api:event-list", "", AUDIT_API),
    ("audit-api:alert-list", "", AUDIT_API),
    ("audit-api:rule-list", "", AUDIT_API_RULES),
    ("audit-api:rule-detail", "rule", AUDIT_API_RULES),
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_audit_endpoint_answers_each_persona_as_expected(world, persona):
    from rest_framework.test import APIClient

    ids, users = world
    client = APIClient()
    if users[persona] is not None:
        client.force_authenticate(users[persona])
    column = PERSONAS.index(persona)
    wrong = []
    for name, args, expected in AUDIT_API_MATRIX:
        response = client.get(reverse(name, args=[ids[args]] if args else []))
        if response.status_code != expected[column]:
            wrong.append(f"GET {name}: expected {expected[column]}, got {response.status_code}")
    assert wrong == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_search_shows_the_person_only_to_those_who_may_see_them(world, persona):
    from rest_framework.test import APIClient

    from records.models import Person

    ids, users = world
    person = Person.objects.get(public_id=ids["person"])
    client = APIClient()
    if users[persona] is not None:
        client.force_authenticate(users[persona])
    response = client.get(reverse("records-api:person-list"), {"q": person.full_name})
    if persona == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    shown = str(ids["person"]) in response.content.decode()
    assert shown == (persona in {"allocated", "same_team", "manager"})
