"""The sharing API under /api/v1/sharing/: a sharing without consent from logging to a
manager's decision; each rule of DOMAIN.md §4 broken once (400 naming the field, nothing
logged); the stranger (404, the same body as a missing id), the user who may see but not
change (403), the audit event of every write and the read event naming exactly the people
shown.

Personas (conftest.py): amy works Ruby's case in Team North, with Ruby's mother Carys taking
part; cara manages Team North; ben works in Team South and sees nothing of Team North; fay
keeps the council's register of partner agencies (sharing/tests/conftest.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Team, User
from accounts.roles import Role
from accounts.tests.factories import TeamFactory, staff_member
from audit.models import Action, AuditEvent, AuditEventSubject
from records import services as record_services
from records.tests.factories import open_case
from sharing import services
from sharing.models import Consent, PartnerAgency, SharingAgreement, SharingRecord
from sharing.tests.conftest import Register, ShareFile, safeguarding_draft

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found."}
LONDON = ZoneInfo("Europe/London")


_clients: dict[int, APIClient] = {}


@pytest.fixture(autouse=True)
def _an_afternoon_in_june():
    with time_machine.travel(datetime(2025, 6, 11, 14, 30, tzinfo=LONDON), tick=True):
        yield


@pytest.fixture(autouse=True)
def _quick_sign_in(settings):
    """Nothing here is about passwords: hash the personas' quickly, sign each in once."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _clients.clear()
    yield
    _clients.clear()


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"sharing-api:{name}", kwargs=kwargs)


def client_for(user: User) -> APIClient:
    if user.pk not in _clients:
        _clients[user.pk] = APIClient()
        _clients[user.pk].force_login(user)
    return _clients[user.pk]


def post(user: User, path: str, body: Any = None) -> Any:
    return client_for(user).post(path, body or {}, format="json")


def patch(user: User, path: str, body: Any) -> Any:
    return client_for(user).patch(path, body, format="json")


def get(user: User, path: str, **params: Any) -> Any:
    return client_for(user).get(path, params)


def writes(action: str, obj: Model) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(obj.public_id)))


def read_events(response: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(request_id=response["X-Request-ID"], action=Action.READ))


def subjects_of(event: AuditEvent) -> set[int]:
    return set(
        AuditEventSubject.objects.filter(event_id=event.pk).values_list("person_id", flat=True)
    )


def the_one_read(response: Any) -> set[int]:
    (event,) = read_events(response)
    return subjects_of(event)


def ids(rows: list[dict[str, Any]], key: str = "id") -> list[str]:
    return [row[key] for row in rows]


def uid(thing: Any) -> str:
    return str(thing.public_id)


def draft_body(register: Register, share_file: ShareFile, **overrides: Any) -> dict[str, Any]:
    """``safeguarding_draft`` as a request body: every field valid, ids as public UUIDs."""
    draft = safeguarding_draft(register, share_file, **overrides)
    body = {f.name: getattr(draft, f.name) for f in fields(draft)}
    body["people"] = [uid(p) for p in draft.people]
    body["items"] = [uid(i) for i in draft.items]
    body["agency"] = uid(draft.agency) if draft.agency else None
    body["agreement"] = uid(draft.agreement) if draft.agreement else None
    body["shared_on"] = draft.shared_on.isoformat() if draft.shared_on else None
    return body


def consent_body(register: Register, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "agency": uid(register.police),
        "given_by": "Ruby's mother, Carys Fennimore (parental responsibility)",
        "purposes": ["safeguarding"],
        "data_categories": ["identity", "social_care"],
        "evidence": "Signed consent form, scanned to the case file",
        "given_on": (timezone.localdate() - timedelta(days=30)).isoformat(),
    }
    values.update(overrides)
    return values


# --- A sharing without consent, from logging to a manager's decision --------------------------


def test_a_safeguarding_sharing_without_consent_waits_for_the_manager(
    register, share_file, practitioner, manager, other_practitioner, team_north
):
    child, mother = share_file.child, share_file.mother
    response = post(
        practitioner,
        url("sharing-list"),
        draft_body(register, share_file, people=[child, mother]),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["authorisation"], body["is_flagged"]) == (
        "awaiting",
        "pending",
        False,
    )
    assert body["reference"].startswith("SHR-2025-")
    assert body["agency"]["id"] == uid(register.police)
    assert body["agreement"]["id"] == uid(register.agreement)
    assert sorted(ids([row["person"] for row in body["people"]])) == sorted(
        [uid(child), uid(mother)]
    )
    assert ids(body["items"]) == [uid(share_file.visit)]
    assert body["items"][0]["revision_number"] == share_file.visit.revision_number
    assert (body["hidden_people"], body["hidden_items"], body["can_authorise"]) == (0, 0, False)
    sharing = SharingRecord.objects.get(public_id=body["id"])
    (created,) = writes(Action.CREATE, sharing)
    assert subjects_of(created) == {child.pk, mother.pk}

    # Reading it names exactly the people shown: all of them for amy…
    detail = url("sharing-detail", sharing_id=sharing.public_id)
    response = get(practitioner, detail)
    assert response.status_code == 200
    assert the_one_read(response) == {child.pk, mother.pk}
    response = get(practitioner, url("person-sharings", person_id=child.public_id))
    assert ids(response.json()["results"]) == [uid(sharing)]
    assert "people" not in response.json()["results"][0]
    assert the_one_read(response) == {child.pk}

    # …nothing for ben, until he opens the mother's record under break-glass: then her alone.
    assert get(other_practitioner, detail).json() == NOT_FOUND
    record_services.break_glass_open(
        actor=other_practitioner, person=mother, reason="Police called about Carys out of hours"
    )
    ben = other_practitioner
    response = get(ben, detail)
    assert response.status_code == 200
    assert ids([row["person"] for row in response.json()["people"]]) == [uid(mother)]
    assert response.json()["hidden_people"] == 1
    # The sharing's own words may name the child: empty for him.
    assert (response.json()["purpose_detail"], response.json()["no_consent_detail"]) == ("", "")
    assert the_one_read(response) == {mother.pk}

    # amy may not authorise her own; a colleague who is not a manager may not either.
    authorise = url("sharing-authorise", sharing_id=sharing.public_id)
    response = post(practitioner, authorise, {"note": "Strategy meeting agreed."})
    assert response.status_code == 400
    assert "recorded yourself" in response.json()["detail"]
    colleague = staff_member(role=Role.PRACTITIONER, team=team_north, username="gus")
    assert post(colleague, authorise, {"note": "Agreed."}).status_code == 403
    assert post(ben, authorise, {"note": "Agreed."}).status_code == 403
    sharing.refresh_from_db()
    assert (sharing.status, sharing.authorisation) == ("awaiting", "pending")
    assert writes(Action.UPDATE, sharing) == []

    # cara finds it in her queue and authorises it, with a reason.
    response = get(manager, url("authorisation-queue"))
    (queued,) = response.json()["results"]
    assert queued["id"] == uid(sharing)
    assert sorted(ids(queued["people"])) == sorted([uid(child), uid(mother)])
    assert the_one_read(response) == {child.pk, mother.pk}
    assert get(manager, detail).json()["can_authorise"] is True
    response = post(manager, authorise, {"note": "   "})
    assert response.status_code == 400
    assert "note" in response.json()
    response = post(manager, authorise, {"note": "Strategy discussion: police need it today."})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["authorisation"]) == (
        "shared",
        "authorised",
    )
    (updated,) = writes(Action.UPDATE, sharing)
    assert subjects_of(updated) == {child.pk, mother.pk}
    assert get(manager, url("authorisation-queue")).json()["results"] == []
    response = post(manager, url("sharing-decline", sharing_id=sharing.public_id), {"note": "No"})
    assert response.status_code == 400
    assert "not waiting" in response.json()["detail"]


def test_an_urgent_sharing_declined_stays_flagged_and_shows_in_the_report(
    register, share_file, practitioner, manager
):
    response = post(
        practitioner, url("sharing-list"), draft_body(register, share_file, is_urgent=True)
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["authorisation"]) == ("shared", "pending")
    sharing_id = response.json()["id"]
    response = post(
        manager, url("sharing-decline", sharing_id=sharing_id), {"note": "No risk to Ruby."}
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["authorisation"], response.json()["is_flagged"]) == ("declined", True)
    (declined,) = writes(Action.UPDATE, SharingRecord.objects.get(public_id=sharing_id))
    assert subjects_of(declined) == {share_file.child.pk}

    report = get(manager, url("report"), **{"from": "2025-04-01", "to": "2025-06-30"})
    assert report.status_code == 200, report.json()
    body = report.json()
    assert body["months"] == ["2025-04-01", "2025-05-01", "2025-06-01"]
    assert (body["total"], body["month_totals"], body["flagged"], body["pending"]) == (
        1,
        [0, 0, 1],
        1,
        0,
    )
    assert body["by_agency"] == [{"name": "Northshire Police", "counts": [0, 0, 1], "total": 1}]
    (row,) = body["without_consent"]
    assert (row["id"], row["is_urgent"], row["hours_to_decision"]) == (sharing_id, True, 0.0)
    assert "Ruby" not in report.content.decode()
    assert read_events(report) == []
    # The default period: the twelve months to today.
    assert get(manager, url("report")).json()["months"][0] == "2024-07-01"
    bad = get(manager, url("report"), **{"from": "2025-06-30", "to": "2025-04-01"})
    assert bad.status_code == 400
    assert "from" in bad.json()
    assert get(manager, url("report"), to="soon").status_code == 400
    for far in ({"from": "9999-01-01", "to": "9999-12-31"}, {"to": "0001-01-15"}):
        assert get(manager, url("report"), **far).status_code == 400
    assert get(practitioner, url("report")).json() == NOT_FOUND
    assert get(practitioner, url("report"), to="soon").json() == NOT_FOUND


# --- Every rule broken once: 400 naming the field, nothing logged ------------------------------


@dataclass
class Scene:
    register: Register
    share_file: ShareFile
    amy: User
    fay: User
    ben: User
    team_south: Team


ON_FILE = {
    "consent_status": "on_file",
    "lawful_basis": "consent",
    "no_consent_reason": "",
    "no_consent_detail": "",
}


def _consent(amy: User, register: Register, share_file: ShareFile, **overrides: Any) -> Consent:
    values: dict[str, Any] = {
        "person": share_file.child,
        "agency": register.police,
        "given_by": "Carys Fennimore, Ruby's mother",
        "purposes": ["safeguarding"],
        "data_categories": ["identity", "social_care"],
        "evidence": "Signed form on the case file",
        "given_on": timezone.localdate() - timedelta(days=100),
    }
    values.update(overrides)
    return services.consent_record(actor=amy, **values)


def _expired_consent(scene: Scene) -> dict[str, Any]:
    _consent(
        scene.amy,
        scene.register,
        scene.share_file,
        expires_on=timezone.localdate() - timedelta(days=10),
    )
    return ON_FILE


def _withdrawn_consent(scene: Scene) -> dict[str, Any]:
    consent = _consent(scene.amy, scene.register, scene.share_file)
    services.consent_withdraw(actor=scene.amy, consent=consent, note="Carys phoned to withdraw it.")
    return ON_FILE


def _expired_agreement(scene: Scene) -> dict[str, Any]:
    today = timezone.localdate()
    old = services.agreement_create(
        actor=scene.fay,
        agency=scene.register.police,
        title="Northshire joint protocol 2022",
        purposes=["safeguarding"],
        lawful_bases=["public_task"],
        data_categories=["identity", "social_care"],
        starts_on=today - timedelta(days=1000),
        ends_on=today - timedelta(days=30),
        review_on=today - timedelta(days=400),
    )
    return {"agreement": old}


def _item_of_bens_team(scene: Scene) -> dict[str, Any]:
    case = open_case(team=scene.team_south, worker=scene.ben, first_name="Tomos", last_name="Vale")
    note = record_services.note_record(
        actor=scene.ben, case=case, title="Phone call", body="Tomos's school rang."
    )
    return {"items": [scene.share_file.visit, note]}


def _person_of_bens_team(scene: Scene) -> dict[str, Any]:
    case = open_case(team=scene.team_south, worker=scene.ben, first_name="Tomos", last_name="Vale")
    return {"people": [scene.share_file.child, case.person]}


BAD_SHARINGS: dict[str, tuple[Callable[[Scene], dict[str, Any]], str]] = {
    "consent basis with no consent": (lambda scene: ON_FILE, "consent_status"),
    "an expired consent": (_expired_consent, "consent_status"),
    "a withdrawn consent": (_withdrawn_consent, "consent_status"),
    "health data without an Article 9 condition": (
        lambda scene: {"data_categories": ["identity", "health"]},
        "article9_condition",
    ),
    "an agency outside the UK": (
        lambda scene: {"agency": scene.register.abroad, "agreement": None},
        "agency",
    ),
    "an inactive agency": (
        lambda scene: {"agency": scene.register.closed, "agreement": None},
        "agency",
    ),
    "an expired agreement": (_expired_agreement, "agreement"),
    "an item the user cannot see": (_item_of_bens_team, "items"),
    "a person the user cannot see": (_person_of_bens_team, "people"),
    "legitimate interests": (
        lambda scene: {"lawful_basis": "legitimate_interests"},
        "lawful_basis",
    ),
    "secure email outside the agency's domain": (
        lambda scene: {"recipient_email": "sam@example.com"},
        "recipient_email",
    ),
    "a date not yet come": (
        lambda scene: {"shared_on": timezone.localdate() + timedelta(days=1)},
        "shared_on",
    ),
}


@pytest.mark.parametrize(("make", "field"), BAD_SHARINGS.values(), ids=BAD_SHARINGS.keys())
def test_each_broken_rule_is_a_field_error_and_nothing_is_logged(
    register, share_file, practitioner, admin_user, other_practitioner, team_south, make, field
):
    scene = Scene(register, share_file, practitioner, admin_user, other_practitioner, team_south)
    body = draft_body(register, share_file, **make(scene))
    before = AuditEvent.objects.exclude(action=Action.SIGN_IN).count()

    check = post(practitioner, url("sharing-check"), body)
    assert check.status_code == 200
    assert field in check.json()["errors"], check.json()
    response = post(practitioner, url("sharing-list"), body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert response.json()["detail"]

    assert SharingRecord.objects.count() == 0
    assert AuditEvent.objects.exclude(action=Action.SIGN_IN).count() == before


def test_the_check_runs_only_the_steps_asked_for(register, share_file, practitioner):
    body = draft_body(register, share_file, agency=register.abroad, agreement=None)
    body.update(purpose="", lawful_basis="")
    items_only = post(practitioner, url("sharing-check"), {**body, "steps": ["items"]})
    assert items_only.json() == {"errors": {}}
    both = post(practitioner, url("sharing-check"), {**body, "steps": ["recipient", "basis"]})
    assert set(both.json()["errors"]) == {"agency", "purpose", "lawful_basis"}
    unknown = post(practitioner, url("sharing-check"), {**body, "steps": ["payment"]})
    assert unknown.status_code == 400
    assert "steps" in unknown.json()
    garbled = post(practitioner, url("sharing-list"), {**body, "people": ["Ruby"], "method": "fax"})
    assert garbled.status_code == 400
    assert {"people", "method"} <= set(garbled.json())
    assert SharingRecord.objects.count() == 0


# --- The stranger ------------------------------------------------------------------------------


def test_a_stranger_gets_the_same_404_as_for_a_missing_id(
    register, share_file, practitioner, other_practitioner
):
    sharing = services.sharing_record(
        actor=practitioner, draft=safeguarding_draft(register, share_file)
    )
    consent = _consent(practitioner, register, share_file)
    child = share_file.child.public_id
    routes = [
        ("get", url("person-consents", person_id=child)),
        ("post", url("person-consents", person_id=child)),
        ("get", url("person-sharings", person_id=child)),
        ("post", url("consent-withdraw", consent_id=consent.public_id)),
        ("get", url("sharing-detail", sharing_id=sharing.public_id)),
        ("post", url("sharing-authorise", sharing_id=sharing.public_id)),
        ("post", url("sharing-decline", sharing_id=sharing.public_id)),
    ]
    ben = client_for(other_practitioner)
    amy = client_for(practitioner)
    for method, path in routes:
        response = getattr(ben, method)(path, {"note": "x"}, format="json")
        assert (response.status_code, response.json()) == (404, NOT_FOUND), path
        missing = path.replace(str(child), str(uuid.uuid4()))
        for public_id in (sharing.public_id, consent.public_id):
            missing = missing.replace(str(public_id), str(uuid.uuid4()))
        response = getattr(amy, method)(missing, {"note": "x"}, format="json")
        assert (response.status_code, response.json()) == (404, NOT_FOUND), missing
    assert get(other_practitioner, url("authorisation-queue")).json()["results"] == []
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


# --- Consents ----------------------------------------------------------------------------------


def test_record_and_withdraw_a_consent(register, share_file, practitioner, other_practitioner):
    child = share_file.child
    consents = url("person-consents", person_id=child.public_id)
    response = post(practitioner, consents, consent_body(register))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["agency"]["id"], body["purposes"]) == (
        "valid",
        uid(register.police),
        ["safeguarding"],
    )
    consent = Consent.objects.get(public_id=body["id"])
    (created,) = writes(Action.CREATE, consent)
    assert subjects_of(created) == {child.pk}

    response = get(practitioner, consents)
    assert ids(response.json()["results"]) == [uid(consent)]
    assert the_one_read(response) == {child.pk}

    bad_inputs: list[tuple[dict[str, Any], str]] = [
        ({"agency": uid(register.closed)}, "agency"),
        ({"agency": str(uuid.uuid4())}, "agency"),
        ({"agency": None}, "agency"),
        ({"agency": None, "named_person": "Aunt Bea"} | {"purposes": []}, "purposes"),
        ({"data_categories": ["shoe_size"]}, "data_categories"),
        ({"given_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "given_on"),
        ({"expires_on": "2025-01-01"}, "expires_on"),
    ]
    for overrides, field in bad_inputs:
        response = post(practitioner, consents, consent_body(register, **overrides))
        assert response.status_code == 400, overrides
        assert field in response.json(), (overrides, response.json())
    assert Consent.objects.count() == 1

    # ben under break-glass may read the child's consents but not record or withdraw them.
    record_services.break_glass_open(
        actor=other_practitioner, person=child, reason="Hospital called about Ruby at night"
    )
    ben = other_practitioner
    assert get(ben, consents).status_code == 200
    assert post(ben, consents, consent_body(register)).status_code == 403
    withdraw = url("consent-withdraw", consent_id=consent.public_id)
    assert post(ben, withdraw, {"note": "Phoned"}).status_code == 403

    response = post(practitioner, withdraw, {"note": ""})
    assert response.status_code == 400
    assert "note" in response.json()
    response = post(practitioner, withdraw, {"note": "Carys phoned to withdraw it."})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["withdrawn_on"]) == (
        "withdrawn",
        "2025-06-11",
    )
    (withdrawn,) = writes(Action.UPDATE, consent)
    assert subjects_of(withdrawn) == {child.pk}
    again = post(practitioner, withdraw, {"note": "Again"})
    assert again.status_code == 400
    assert "already" in again.json()["detail"]
    assert Consent.objects.count() == 1


# --- The register ------------------------------------------------------------------------------


def test_the_register_is_kept_by_the_records_manager(
    register, practitioner, admin_user, other_council
):
    police = url("agency-detail", agency_id=register.police.public_id)
    seen = get(practitioner, url("agency-list")).json()["results"]
    assert [a["name"] for a in seen] == [
        "Northshire Hospitals NHS Trust",
        "Northshire Police",
        "Transatlantic Case Analytics",
    ]
    (in_force,) = next(a for a in seen if a["id"] == uid(register.police))["agreements_in_force"]
    assert in_force["id"] == uid(register.agreement)
    kept = get(admin_user, url("agency-list")).json()["results"]
    assert len(kept) == 4
    assert get(practitioner, police).json()["name"] == "Northshire Police"

    # amy sees the register but may not change it; a stranger to the council sees nothing.
    count = PartnerAgency.objects.count()
    assert (
        post(practitioner, url("agency-list"), {"name": "X", "kind": "school"}).status_code == 403
    )
    assert patch(practitioner, police, {"contact_name": "X"}).status_code == 403
    outsider = staff_member(
        role=Role.PRACTITIONER, team=TeamFactory(organisation=other_council), username="hal"
    )
    assert get(outsider, url("agency-list")).json()["results"] == []
    assert get(outsider, police).json() == NOT_FOUND
    assert patch(outsider, police, {"contact_name": "X"}).json() == NOT_FOUND

    response = post(
        admin_user, url("agency-list"), {"name": "Ashdown Academy Trust", "kind": "school"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["country"] == "GB"
    (created,) = writes(Action.CREATE, PartnerAgency.objects.get(public_id=response.json()["id"]))
    assert created.summary == "Added partner agency Ashdown Academy Trust"
    for body, field in [
        ({"name": "Northshire Police", "kind": "police"}, "__all__"),
        ({"name": "Overseas", "kind": "other", "country": "XX"}, "country"),
        ({"name": "Mail", "kind": "other", "secure_email_domain": "@nodot"}, "secure_email_domain"),
        ({"name": "Elsewhere", "kind": "other", "organisation": str(uuid.uuid4())}, "organisation"),
    ]:
        response = post(admin_user, url("agency-list"), body)
        assert response.status_code == 400, body
        assert field in response.json(), response.json()
    assert PartnerAgency.objects.count() == count + 1

    response = patch(admin_user, police, {"contact_phone": "0300 123 4567"})
    assert response.status_code == 200, response.json()
    assert response.json()["contact_phone"] == "0300 123 4567"
    (updated,) = writes(Action.UPDATE, register.police)
    assert updated.changed_fields == "contact_phone"

    # Agreements: for the register's keepers alone.
    agreements = url("agreement-list")
    detail = url("agreement-detail", agreement_id=register.agreement.public_id)
    assert get(practitioner, agreements).json()["results"] == []
    assert get(practitioner, detail).json() == NOT_FOUND
    assert patch(practitioner, detail, {"title": "X"}).json() == NOT_FOUND
    assert ids(get(admin_user, agreements).json()["results"]) == [uid(register.agreement)]
    new = {
        "agency": uid(register.hospital),
        "title": "Northshire health and care protocol",
        "purposes": ["direct_care", "safeguarding"],
        "lawful_bases": ["public_task"],
        "data_categories": ["identity", "health"],
        "starts_on": "2025-06-01",
        "review_on": "2026-06-01",
    }
    assert post(practitioner, agreements, new).status_code == 403
    for overrides, field in [
        ({"review_on": "2025-05-01"}, "review_on"),
        ({"agency": str(uuid.uuid4())}, "agency"),
        ({"purposes": []}, "purposes"),
    ]:
        response = post(admin_user, agreements, new | overrides)
        assert response.status_code == 400, overrides
        assert field in response.json(), response.json()
    response = post(admin_user, agreements, new)
    assert response.status_code == 201, response.json()
    agreement = SharingAgreement.objects.get(public_id=response.json()["id"])
    assert writes(Action.CREATE, agreement)
    response = patch(admin_user, detail, {"ends_on": "2025-12-31"})
    assert response.status_code == 200, response.json()
    assert response.json()["ends_on"] == "2025-12-31"
    assert writes(Action.UPDATE, register.agreement)
    response = patch(admin_user, detail, {"ends_on": "2020-01-01"})
    assert response.status_code == 400
    assert "ends_on" in response.json()
