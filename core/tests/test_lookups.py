"""``__any``: membership in a list sent as one parameter, on PostgreSQL and SQLite."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

from accounts.models import Team, User
from records.models import Case, Person
from records.tests.factories import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(team_north: Team, manager: User) -> list[Case]:
    return [open_case(team=team_north, manager=manager) for _ in range(3)]


def test_it_matches_exactly_the_listed_values_of_any_field(cases: list[Case]) -> None:
    first, second, third = cases
    assert set(Person.objects.filter(pk__any=[first.person_id, third.person_id])) == {
        first.person,
        third.person,
    }
    # A foreign key, a set, a UUID and a text column.
    assert set(Case.objects.filter(person_id__any={second.person_id})) == {second}
    assert set(Case.objects.filter(person__any=[second.person_id])) == {second}
    assert list(Case.objects.filter(public_id__any=[first.public_id, uuid.uuid4()])) == [first]
    assert set(Case.objects.filter(reference__any=[third.reference, "nothing"])) == {third}
    # Dates have no plain element form here: they go as a psycopg array.
    assert set(Case.objects.filter(opened_on__any=[first.opened_on])) == set(cases)


def test_an_empty_list_matches_nothing_and_excluding_it_keeps_everything(
    cases: list[Case], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):  # as ``__in``: nothing to ask the database
        assert list(Person.objects.filter(pk__any=[]).select_for_update()) == []
    assert Case.objects.exclude(pk__any=[]).count() == len(cases)
    assert Case.objects.exclude(pk__any=[cases[0].pk]).count() == len(cases) - 1


def test_the_list_is_one_parameter_whatever_its_length(cases: list[Case]) -> None:
    ids = list(range(1, 5001))
    sql, params = Person.objects.filter(pk__any=ids).values("pk").query.sql_with_params()
    assert "= ANY(%s::bigint[])" in sql
    assert params == ("{" + ",".join(map(str, ids)) + "}",)
    assert Person.objects.filter(pk__any=[*ids, cases[0].person_id]).count() >= 1


def test_values_that_need_quoting_are_matched_exactly(cases: list[Case]) -> None:
    """Text goes into one array literal: quotes, backslashes, commas and braces stay values."""
    awkward = ['a"b', "c\\d", "e,f", "{g}", "NULL", " "]
    assert list(Case.objects.filter(reference__any=awkward)) == []
    first = cases[0]
    Case.objects.filter(pk=first.pk).update(referral_reason='He said "no", {twice} \\ then')
    assert list(
        Case.objects.filter(referral_reason__any=[*awkward, 'He said "no", {twice} \\ then'])
    ) == [first]
    sql, params = Case.objects.filter(reference__any=awkward).values("pk").query.sql_with_params()
    assert "= ANY(%s::text[])" in sql
    assert len(params) == 1
    # Compared as text: a longer value is not cut to the column's length and matched.
    assert list(Case.objects.filter(reference__any=[first.reference + "X" * 30])) == []


def test_none_never_matches_an_instance_stands_for_its_key_and_a_subquery_is_refused(
    cases: list[Case],
) -> None:
    first = cases[0]
    assert list(Case.objects.filter(person__any=[first.person, None])) == [first]
    assert Case.objects.exclude(pk__any=[first.pk, None]).count() == len(cases) - 1
    assert Case.objects.exclude(pk__any=[None]).count() == len(cases)
    with pytest.raises(ValueError, match="use __in"):
        Case.objects.filter(pk__any=Case.objects.values("pk"))


def test_on_sqlite_it_reads_a_json_array() -> None:
    sqlite = SQLiteWrapper({"NAME": ":memory:", "TIME_ZONE": None}, alias="lookups-sqlite")
    query = Person.objects.filter(pk__any=[3, 4]).values("pk").query
    sql, params = query.get_compiler(connection=sqlite).as_sql()
    assert "IN (SELECT value FROM json_each(%s))" in sql
    assert params == ("[3, 4]",)
