"""The guardian's reads of the audit trail: scope, filters, keyset pages, the reports, the alert
queue, reads per day and the seal status.

Personas (conftest.py): eve is Ashdown's Caldicott guardian, amy and ben are Ashdown
practitioners, fay is records manager and system administrator. zoe is Brambley's guardian and
olly a Brambley practitioner: zoe must see nothing of Ashdown.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import Role
from accounts.tests.factories import OrganisationFactory, TeamFactory, staff_member
from audit import selectors
from audit.alerts import alerts_detect
from audit.models import Action, AlertRuleCode, AuditEvent, PrivacyAlert, Purpose
from audit.selectors import EventFilters
from audit.services import audit_seal, event_record
from audit.tests.helpers import read
from core.errors import ApplicationError

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def ids(page: selectors.EventPage) -> list[int]:
    return [row.event.pk for row in page.rows]


def search(user: User, cursor: str = "", per_page: int = 50, **filters):
    return selectors.event_search_for_user(
        user=user,
        filters=selectors.event_filters_for_user(user=user, **filters),
        cursor=cursor,
        per_page=per_page,
    )


# --- Scope --------------------------------------------------------------------------------------


def test_the_guardian_reviews_the_councils_their_teams_serve(guardian, council):
    scope = selectors.audit_scope_for_user(user=guardian)
    assert scope.organisation_ids == {council.pk}


def test_a_shared_service_guardian_reviews_each_council_it_acts_for(council, other_council):
    shared = OrganisationFactory(name="Tri-borough Adoption", kind=Organisation.Kind.SHARED_SERVICE)
    team = TeamFactory(name="Adoption IG", organisation=shared, service="information_governance")
    team.acts_for.set([council, other_council])
    guardian = staff_member(role=Role.CALDICOTT_GUARDIAN, team=team, username="gus")
    scope = selectors.audit_scope_for_user(user=guardian)
    assert scope.organisation_ids == {council.pk, other_council.pk}


@pytest.mark.parametrize(
    "persona", ["practitioner", "manager", "records_officer", "admin_user", "other_practitioner"]
)
def test_nobody_else_reads_the_trail(request, persona, person):
    user = request.getfixturevalue(persona)
    read(user, [person])
    calls = [
        lambda: selectors.audit_scope_for_user(user=user),
        lambda: selectors.event_search_for_user(user=user, filters=EventFilters()),
        lambda: selectors.audit_person_get_for_user(user=user, person_id=person.public_id),
        lambda: selectors.audit_staff_get_for_user(user=user, staff_id=user.public_id),
        lambda: selectors.person_access_summary_for_user(user=user, person=person),
        lambda: selectors.alert_list_for_user(user=user),
        lambda: selectors.alert_queue_counts_for_user(user=user),
        lambda: selectors.reads_per_day_for_user(user=user),
        lambda: selectors.seal_status_for_user(user=user),
    ]
    for call in calls:
        with pytest.raises(Http404):
            call()


def test_the_rules_are_open_to_the_guardian_and_the_administrator_only(
    rules, guardian, admin_user, practitioner, manager, records_officer
):
    for user in (guardian, admin_user):
        assert len(selectors.alert_rule_list_for_user(user=user)) == len(AlertRuleCode.values)
        rule = selectors.alert_rule_get_for_user(user=user, code=AlertRuleCode.OUT_OF_HOURS)
        assert rule.code == AlertRuleCode.OUT_OF_HOURS
    for user in (practitioner, manager, records_officer):
        with pytest.raises(Http404):
            selectors.alert_rule_list_for_user(user=user)
    with pytest.raises(Http404):
        selectors.alert_rule_get_for_user(user=guardian, code="no_such_rule")


# --- Event search -------------------------------------------------------------------------------


def test_search_finds_the_events_about_a_person_newest_first(
    guardian, practitioner, other_practitioner, person, second_person
):
    now = timezone.now()
    with at(now - timedelta(hours=3)):
        first = read(practitioner, [person])
    with at(now - timedelta(hours=2)):
        only_second = read(practitioner, [second_person])
    with at(now - timedelta(hours=1)):
        both = read(other_practitioner, [person, second_person])
    page = search(guardian, subject=person.public_id)
    assert [i for i in ids(page) if i in {first.pk, both.pk}] == [both.pk, first.pk]
    assert all(person.pk in row.event.subject_id_list for row in page.rows)
    assert only_second.pk not in ids(page)
    both_row = next(row for row in page.rows if row.event.pk == both.pk)
    assert {p.pk for p in both_row.subjects} == {person.pk, second_person.pk}
    assert both_row.actor == other_practitioner
    assert both_row.actor_in_scope


def test_search_by_member_of_staff_username_or_id(
    guardian, practitioner, other_practitioner, person
):
    mine = read(practitioner, [person], summary="amy's read")
    theirs = read(other_practitioner, [person], summary="ben's read")
    by_name = ids(search(guardian, actor="AMY"))
    by_id = ids(search(guardian, actor=str(practitioner.public_id)))
    assert mine.pk in by_name
    assert theirs.pk not in by_name
    assert by_name == by_id


def test_search_by_team_action_and_purpose(
    guardian, practitioner, other_practitioner, team_north, person
):
    north = read(practitioner, [person])
    south = read(other_practitioner, [person], purpose=Purpose.BREAK_GLASS, reason="Emergency")
    changed = event_record(
        actor=practitioner,
        action=Action.UPDATE,
        summary="Changed a name",
        subjects=[person],
        changes={"first_name": ("Old", "New")},
    )
    by_team = ids(search(guardian, team=team_north.public_id))
    assert north.pk in by_team
    assert changed.pk in by_team
    assert south.pk not in by_team
    assert ids(search(guardian, subject=person.public_id, action=Action.UPDATE)) == [changed.pk]
    assert ids(search(guardian, purpose=Purpose.BREAK_GLASS)) == [south.pk]
    row = search(guardian, purpose=Purpose.BREAK_GLASS).rows[0]
    assert row.personal["reason"] == "Emergency"
    update = search(guardian, action=Action.UPDATE, actor="amy").rows[0]
    assert update.changes == [("first_name", "Old", "New")]


def test_date_range_is_inclusive_in_london_time(guardian, practitioner, person):
    # Late evening and just after midnight in London: the London day decides, not UTC's.
    day = timezone.localdate() - timedelta(days=200)
    late = datetime(day.year, day.month, day.day, 23, 30, tzinfo=LONDON)
    early = late + timedelta(hours=1)  # 00:30 the next London day
    with at(late):
        evening = read(practitioner, [person])
    with at(early):
        night = read(practitioner, [person])
    that_day = ids(search(guardian, date_from=day, date_to=day))
    assert evening.pk in that_day
    assert night.pk not in that_day
    next_day = day + timedelta(days=1)
    assert night.pk in ids(search(guardian, date_from=next_day, date_to=next_day))
    via_subject = ids(search(guardian, subject=person.public_id, date_from=day, date_to=day))
    assert via_subject == [evening.pk]


def test_pages_follow_each_other_without_gaps_or_repeats(guardian, practitioner, person):
    moment = timezone.now() - timedelta(hours=1)
    made = []
    with at(moment):  # several events in the same microsecond: the id breaks the tie
        made += [read(practitioner, [person]).pk for _ in range(3)]
    for minutes in range(1, 5):
        with at(moment + timedelta(minutes=minutes)):
            made.append(read(practitioner, [person]).pk)
    for filters in ({"subject": person.public_id}, {"actor": "amy"}, {}):
        seen: list[int] = []
        cursor = ""
        while True:
            page = search(guardian, cursor=cursor, per_page=2, **filters)
            seen += ids(page)
            cursor = page.next_cursor
            if not cursor:
                break
        mine = [i for i in seen if i in made]
        assert mine == sorted(made, reverse=True), filters


def test_filters_that_do_not_resolve_are_field_errors(guardian, practitioner, brambley):
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as caught:
        selectors.event_filters_for_user(
            user=guardian,
            subject=brambley["person"].public_id,  # another council's child
            actor="nobody-by-this-name",
            team=brambley["team"].public_id,
            date_from=today,
            date_to=today - timedelta(days=1),
        )
    assert set(caught.value.field_errors) == {"subject", "actor", "team", "to"}
    with pytest.raises(ApplicationError) as caught:
        selectors.event_filters_for_user(user=guardian, subject="not-a-uuid", actor="olly")
    assert set(caught.value.field_errors) == {"subject", "actor"}
    with pytest.raises(ApplicationError) as caught:
        search(guardian, cursor="nonsense")
    assert "cursor" in caught.value.field_errors


def test_another_councils_guardian_sees_nothing_of_this_council(
    guardian, practitioner, person, brambley
):
    ours = read(practitioner, [person], query="Smith")
    zoe = brambley["guardian"]
    theirs = read(brambley["practitioner"], [brambley["person"]])
    assert ours.pk not in ids(search(zoe))
    assert theirs.pk in ids(search(zoe))
    assert theirs.pk not in ids(search(guardian))
    with pytest.raises(Http404):
        selectors.audit_person_get_for_user(user=zoe, person_id=person.public_id)
    with pytest.raises(Http404):
        selectors.audit_staff_get_for_user(user=zoe, staff_id=practitioner.public_id)
    with pytest.raises(ApplicationError):
        selectors.event_filters_for_user(user=zoe, actor="amy")


def test_staff_reading_another_councils_people_are_listed_without_naming_them(
    guardian, practitioner, person, brambley
):
    # amy (Ashdown) reads a Brambley child and an Ashdown child in one response.
    event = read(practitioner, [brambley["person"], person], query="Jones")
    row = next(r for r in search(guardian, actor="amy").rows if r.event.pk == event.pk)
    assert [p.pk for p in row.subjects] == [person.pk]
    assert row.other_subjects == 1
    assert row.withheld
    assert row.personal == {}
    # Brambley's guardian sees the read of their child, not the Ashdown child.
    zoe_row = search(brambley["guardian"], subject=brambley["person"].public_id).rows[0]
    assert zoe_row.event.pk == event.pk
    assert [p.pk for p in zoe_row.subjects] == [brambley["person"].pk]
    assert not zoe_row.actor_in_scope


def test_a_scrubbed_event_shows_no_personal_part(guardian, practitioner, person):
    from audit.services import events_scrub_personal

    read(practitioner, [person], query="Smith")
    events_scrub_personal(person_ids=[person.pk])
    row = search(guardian, subject=person.public_id, action=Action.READ).rows[0]
    assert row.scrubbed
    assert row.personal == {}


def test_export_takes_every_matching_event(guardian, practitioner, person):
    made = {read(practitioner, [person]).pk for _ in range(5)}
    filters = selectors.event_filters_for_user(user=guardian, subject=person.public_id)
    rows = selectors.event_export_for_user(user=guardian, filters=filters)
    assert made <= {row.event.pk for row in rows}
    assert filters.describe() == {"subject": str(person.public_id)}


def test_a_persons_events_cost_the_same_queries_however_many(
    guardian, practitioner, person, django_assert_max_num_queries
):
    for _ in range(3):
        read(practitioner, [person])
    with django_assert_max_num_queries(8) as few:
        search(guardian, subject=person.public_id, per_page=2)
    for _ in range(30):
        read(practitioner, [person])
    with django_assert_max_num_queries(len(few.captured_queries)):
        search(guardian, subject=person.public_id, per_page=2)


# --- Who has accessed a person / what has a user looked at --------------------------------------


def test_who_has_accessed_a_person(guardian, practitioner, other_practitioner, person):
    now = timezone.now()
    with at(now - timedelta(days=400)):
        first = read(practitioner, [person])
    with at(now - timedelta(days=3)):
        read(other_practitioner, [person], purpose=Purpose.BREAK_GLASS, reason="Call")
    with at(now - timedelta(days=1)):
        last = read(practitioner, [person])
    summary = selectors.person_access_summary_for_user(user=guardian, person=person)
    by_user = {s.actor.username: s for s in summary if s.actor}
    amy = by_user["amy"]
    assert amy.first == first.occurred_at
    assert amy.last == last.occurred_at
    assert amy.count >= 2
    assert by_user["ben"].purposes == [Purpose.BREAK_GLASS]
    assert by_user["ben"].purpose_labels == ["Break-glass"]
    assert summary[0].last >= summary[-1].last


def test_what_a_member_of_staff_has_looked_at(
    guardian, practitioner, person, second_person, brambley
):
    for _ in range(3):
        read(practitioner, [person])
    read(practitioner, [second_person])
    read(practitioner, [brambley["person"]])
    with at(timezone.now() - timedelta(days=90)):
        read(practitioner, [second_person])  # outside the range
    today = timezone.localdate()
    page = selectors.user_activity_for_user(
        user=guardian, staff=practitioner, date_from=today - timedelta(days=29), date_to=today
    )
    counts = {(e.person.pk if e.person else None): e.count for e in page.object_list}
    assert counts[person.pk] >= 3
    assert counts[person.pk] > counts[second_person.pk]
    assert counts[None] == 1  # Brambley's child: counted, not named
    assert brambley["person"].pk not in counts


# --- Alerts -------------------------------------------------------------------------------------


@pytest.fixture
def break_glass_alert(rules, guardian, other_practitioner, person) -> PrivacyAlert:
    read(other_practitioner, [person], purpose=Purpose.BREAK_GLASS, reason="Police call")
    alerts_detect(now=timezone.now() + timedelta(minutes=5))
    return PrivacyAlert.objects.get(rule=AlertRuleCode.BREAK_GLASS, person_id=person.pk)


def test_alert_queue_counts_open_alerts_per_rule(guardian, break_glass_alert):
    counts = {c.code: c.open for c in selectors.alert_queue_counts_for_user(user=guardian)}
    assert set(counts) == set(AlertRuleCode.values)
    assert counts[AlertRuleCode.BREAK_GLASS] == 1
    open_ids = {a.pk for a in selectors.alert_list_for_user(user=guardian, status="open")}
    assert break_glass_alert.pk in open_ids
    assert not selectors.alert_list_for_user(user=guardian, status="reviewed").exists()
    only_rule = selectors.alert_list_for_user(user=guardian, rule=AlertRuleCode.DECEASED)
    assert not only_rule.exists()


def test_alert_events_and_people(guardian, break_glass_alert, person):
    alert = selectors.alert_get_for_user(user=guardian, alert_id=break_glass_alert.public_id)
    events = selectors.alert_events_for_user(user=guardian, alert=alert)
    assert events.total == 1
    assert [p.pk for p in events.people] == [person.pk]
    row = selectors.alert_rows_for_user(user=guardian, alerts=[alert])[0]
    assert row.person == person
    assert not row.other_person


def test_another_councils_guardian_sees_none_of_the_alerts(break_glass_alert, brambley):
    zoe = brambley["guardian"]
    # Brambley's own staff may have alerts (out of hours, say); none is about Ashdown.
    theirs = list(selectors.alert_list_for_user(user=zoe))
    assert break_glass_alert not in theirs
    assert all(a.user_id == brambley["practitioner"].pk for a in theirs)
    with pytest.raises(Http404):
        selectors.alert_get_for_user(user=zoe, alert_id=break_glass_alert.public_id)
    counts = {c.code: c.open for c in selectors.alert_queue_counts_for_user(user=zoe)}
    assert counts[AlertRuleCode.BREAK_GLASS] == 0


# --- Reads per day and seals --------------------------------------------------------------------


def test_reads_per_day_for_the_last_thirty_days(guardian, practitioner, person, brambley):
    now = timezone.now()
    with at(now - timedelta(days=2)):
        read(practitioner, [person])
        read(practitioner, [person])
        event_record(actor=practitioner, action=Action.UPDATE, summary="Write", subjects=[person])
    with at(now - timedelta(days=40)):
        read(practitioner, [person])
    read(brambley["practitioner"], [brambley["person"]])  # another council's
    read(guardian, [person], purpose=Purpose.AUDIT_REVIEW)
    days = selectors.reads_per_day_for_user(user=guardian, now=now)
    assert len(days) == 30
    assert days[-1].day == timezone.localdate(now)
    by_day = {d.day: d.count for d in days}
    assert by_day[timezone.localdate(now - timedelta(days=2))] == 2
    assert by_day[timezone.localdate(now)] >= 1
    # A finished day is counted once and remembered.
    with at(now - timedelta(days=2)):
        read(practitioner, [person])
    again = {d.day: d.count for d in selectors.reads_per_day_for_user(user=guardian, now=now)}
    assert again[timezone.localdate(now - timedelta(days=2))] == 2


def test_seal_status(guardian, practitioner, person):
    with at(timezone.now() - timedelta(hours=1)):
        read(practitioner, [person])
    before = selectors.seal_status_for_user(user=guardian)
    assert before.unsealed >= 1
    audit_seal()
    after = selectors.seal_status_for_user(user=guardian)
    assert after.last_seal is not None
    assert after.unsealed == AuditEvent.objects.filter(id__gt=after.last_seal.last_event_id).count()
    assert after.unsealed < before.unsealed
