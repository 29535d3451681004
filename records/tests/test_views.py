"""The case-record pages: a practitioner's day, a manager's decisions, and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from records import services
from records.models import (
    Assessment,
    BreakGlassAccess,
    CaseNote,
    Contact,
    Document,
    HistoricRecord,
    Item,
    ItemRevision,
    Person,
)
from tests.pages import same_page

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def when(days_ago: int = 1) -> str:
    return (timezone.localtime() - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def amy_client(client, practitioner):
    client.force_login(practitioner)
    return client


def note(case, author, body="Visited at home.", title="Home visit note"):
    return services.note_record(actor=author, case=case, title=title, body=body)


def test_caseload_lists_the_allocated_cases(amy_client, case_north, case_south):
    response = amy_client.get(reverse("records:caseload"))
    assert response.status_code == 200
    body = response.content.decode()
    assert escape(case_north.person.full_name) in body
    assert escape(case_south.person.full_name) not in body


def test_search_finds_a_misspelt_name_only_among_visible_people(amy_client, case_north, case_south):
    person = case_north.person
    typo = person.last_name[:-1] + ("x" if person.last_name[-1] != "x" else "y")
    response = amy_client.get(
        reverse("records:person-search"), {"q": f"{person.first_name} {typo}"}
    )
    assert response.status_code == 200
    assert escape(person.full_name) in response.content.decode()
    hidden = case_south.person
    response = amy_client.get(reverse("records:person-search"), {"q": hidden.full_name})
    body = response.content.decode()
    assert str(hidden.public_id) not in body
    assert "0 results" in body
    assert "break-glass" in body


def test_search_by_nhs_number(amy_client, case_north):
    person = case_north.person
    person.nhs_number = "9434765919"
    person.save()
    response = amy_client.get(reverse("records:person-search"), {"q": "943 476 5919"})
    assert escape(person.full_name) in response.content.decode()


def test_person_page_and_chronology(amy_client, case_north, practitioner):
    note(case_north, practitioner)
    person = case_north.person
    response = amy_client.get(reverse("records:person-detail", args=[person.public_id]))
    assert response.status_code == 200
    assert escape(person.full_name) in response.content.decode()
    response = amy_client.get(reverse("records:chronology", args=[person.public_id]))
    assert response.status_code == 200
    assert "Home visit note" in response.content.decode()


def test_stranger_gets_the_same_404_as_for_nothing(client, other_practitioner, case_north):
    client.force_login(other_practitioner)
    hidden = client.get(reverse("records:person-detail", args=[case_north.person.public_id]))
    missing = client.get(
        reverse("records:person-detail", args=["00000000-0000-0000-0000-000000000000"])
    )
    assert hidden.status_code == missing.status_code == 404
    assert same_page(hidden.content, missing.content)


def test_record_a_contact(amy_client, case_north):
    url = reverse("records:contact-create", args=[case_north.public_id])
    assert amy_client.get(url).status_code == 200
    response = amy_client.post(
        url,
        {
            "contact_type": "home_visit",
            "occurred_at": when(),
            "location": "Family home",
            "participants": [str(case_north.person.public_id)],
            "seen_alone": "yes",
            "body": "Saw the child alone in their room.",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get(case=case_north)
    assert contact.seen_alone is True
    assert contact.links.get().person == case_north.person
    case_north.refresh_from_db()
    assert case_north.last_contact_at == contact.occurred_at


def test_future_contact_is_refused_and_nothing_saved(amy_client, case_north):
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = amy_client.post(
        reverse("records:contact-create", args=[case_north.public_id]),
        {"contact_type": "phone", "occurred_at": future, "body": "Rang mum."},
    )
    assert response.status_code == 200
    assert "must not be in the future" in response.content.decode()
    assert not Item.objects.exists()


def test_empty_note_is_a_field_error(amy_client, case_north):
    response = amy_client.post(
        reverse("records:note-create", args=[case_north.public_id]),
        {"note_type": "case_note", "title": "Nothing", "body": "   "},
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not Item.objects.exists()


def test_script_in_a_note_is_stored_as_text_and_shown_escaped(amy_client, case_north, practitioner):
    body = '<script>alert("x")</script><b>bold</b>'
    response = amy_client.post(
        reverse("records:note-create", args=[case_north.public_id]),
        {"note_type": "case_note", "title": "Odd text", "body": body},
    )
    assert response.status_code == 302
    item = CaseNote.objects.get()
    assert item.body == body
    page = amy_client.get(reverse("records:item-detail", args=[item.public_id])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    chronology = amy_client.get(
        reverse("records:chronology", args=[case_north.person.public_id])
    ).content.decode()
    assert "<script>alert" not in chronology


def test_another_teams_case_cannot_be_recorded_on(amy_client, case_south):
    response = amy_client.post(
        reverse("records:note-create", args=[case_south.public_id]),
        {"note_type": "case_note", "title": "Sneaky", "body": "Not my case"},
    )
    assert response.status_code == 404
    assert not Item.objects.exists()


def test_amend_keeps_the_original_and_the_reason(amy_client, case_north, practitioner):
    item = note(case_north, practitioner, body="Mother was angry.")
    url = reverse("records:item-amend", args=[item.public_id])
    response = amy_client.post(
        url,
        {
            "occurred_at": timezone.localtime(item.occurred_at).strftime("%Y-%m-%dT%H:%M"),
            "title": item.title,
            "body": "Mother was upset.",
            "reason": "Wrong word used",
        },
    )
    assert response.status_code == 302
    revisions = list(ItemRevision.objects.filter(item=item).order_by("number"))
    assert [r.data["body"] for r in revisions] == ["Mother was angry.", "Mother was upset."]
    assert revisions[1].reason == "Wrong word used"
    page = amy_client.get(reverse("records:item-detail", args=[item.public_id])).content.decode()
    assert "Mother was angry." in page
    assert "Wrong word used" in page


def test_amend_without_a_reason_changes_nothing(amy_client, case_north, practitioner):
    item = note(case_north, practitioner, body="First version.")
    response = amy_client.post(
        reverse("records:item-amend", args=[item.public_id]),
        {
            "occurred_at": timezone.localtime(item.occurred_at).strftime("%Y-%m-%dT%H:%M"),
            "title": item.title,
            "body": "Second version.",
            "reason": "",
        },
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.body == "First version."
    assert item.revisions.count() == 1


def test_only_a_manager_marks_entered_in_error(client, case_north, practitioner, manager):
    item = note(case_north, practitioner)
    url = reverse("records:item-entered-in-error", args=[item.public_id])
    client.force_login(practitioner)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    response = client.post(url, {"reason": "Recorded on the wrong child's file"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.is_entered_in_error
    client.force_login(practitioner)
    chronology = client.get(reverse("records:chronology", args=[case_north.person.public_id]))
    assert item.title not in chronology.content.decode()
    assert client.get(reverse("records:item-detail", args=[item.public_id])).status_code == 404
    client.force_login(manager)
    assert client.get(reverse("records:item-detail", args=[item.public_id])).status_code == 200


def test_statement_of_disagreement_is_shown_beside_the_item(amy_client, case_north, practitioner):
    item = note(case_north, practitioner, body="Father refused to engage.")
    response = amy_client.post(
        reverse("records:disagreement-add", args=[item.public_id]),
        {
            "statement": "I did engage; I was at work that day.",
            "made_by": "The father",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.body == "Father refused to engage."
    page = amy_client.get(reverse("records:item-detail", args=[item.public_id])).content.decode()
    assert "I did engage; I was at work that day." in page


def test_document_upload_and_permission_checked_download(
    amy_client, client, case_north, other_practitioner
):
    upload = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")
    response = amy_client.post(
        reverse("records:document-create", args=[case_north.public_id]),
        {"file": upload, "document_type": "letter", "title": "Letter from school"},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.content_type == "application/pdf"
    assert "letter" not in document.file.name
    download = amy_client.get(reverse("records:document-download", args=[document.public_id]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    client.force_login(other_practitioner)
    assert (
        client.get(reverse("records:document-download", args=[document.public_id])).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200, "must be a PDF"),
        ("letter.exe", PDF, "does not match"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_disguised_or_empty_uploads_are_refused(amy_client, case_north, name, content, message):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = amy_client.post(
        reverse("records:document-create", args=[case_north.public_id]),
        {"file": upload, "document_type": "letter", "title": "A letter"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists()


def test_oversized_upload_is_refused(amy_client, case_north, settings):
    settings.CAREFILE_DOCUMENT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = amy_client.post(
        reverse("records:document-create", args=[case_north.public_id]),
        {"file": upload, "document_type": "report", "title": "Big report"},
    )
    assert "smaller than" in response.content.decode()
    assert not Document.objects.exists()


def test_assessment_draft_submit_authorise(client, case_north, practitioner, manager):
    client.force_login(practitioner)
    response = client.post(
        reverse("records:assessment-create", args=[case_north.public_id]),
        {
            "assessment_type": "child_and_family",
            "heading_0": "Child's needs",
            "text_0": "Needs support at school.",
        },
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.status == "draft"
    client.post(reverse("records:assessment-submit", args=[assessment.public_id]))
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    # The author cannot authorise their own work.
    client.post(reverse("records:assessment-authorise", args=[assessment.public_id]))
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    client.force_login(manager)
    client.post(reverse("records:assessment-authorise", args=[assessment.public_id]))
    assessment.refresh_from_db()
    assert assessment.status == "authorised"
    assert assessment.authorised_by == manager


def test_plan_and_review_set_the_next_review_date(amy_client, case_north, practitioner):
    today = timezone.localdate()
    response = amy_client.post(
        reverse("records:plan-create", args=[case_north.public_id]),
        {
            "plan_type": "child_in_need",
            "starts_on": (today - timedelta(days=10)).isoformat(),
            "next_review_on": (today + timedelta(days=20)).isoformat(),
            "body": "Weekly visits.",
        },
    )
    assert response.status_code == 302
    case_north.refresh_from_db()
    assert case_north.next_review_on == today + timedelta(days=20)
    plan = Item.objects.get(kind="plan")
    response = amy_client.post(
        reverse("records:review-create", args=[plan.public_id]),
        {
            "occurred_at": when(0),
            "body": "Progress made.",
            "next_review_on": (today + timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 302
    case_north.refresh_from_db()
    assert case_north.next_review_on == today + timedelta(days=90)


def test_person_details_bad_identifiers_are_field_errors(amy_client, case_north):
    person = case_north.person
    response = amy_client.post(
        reverse("records:person-edit", args=[person.public_id]),
        {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "gender": "female",
            "ethnicity": "not_known",
            "nhs_number": "943 476 5918",
            "ni_number": "DA123456A",
            "upn": "B123456789012",
            "date_of_birth": "2010-05-01",
            "date_of_death": "2009-01-01",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "check digit" in body
    assert "never issued" in body
    assert "check letter" in body
    assert "on or after the date of birth" in body
    person.refresh_from_db()
    assert person.nhs_number == ""


def test_new_person_opens_a_case_allocated_to_the_recorder(amy_client, team_north, practitioner):
    response = amy_client.post(
        reverse("records:person-create"),
        {
            "first_name": "Robin",
            "last_name": "Testperson",
            "gender": "not_known",
            "ethnicity": "not_known",
            "date_of_birth": "2015-03-03",
            "team": team_north.pk,
            "category": "child_in_need",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(last_name="Testperson")
    case = person.cases.get()
    assert case.allocations.get().worker == practitioner


def test_break_glass_opens_a_record_with_a_reason(client, other_practitioner, case_north):
    client.force_login(other_practitioner)
    person = case_north.person
    response = client.post(
        reverse("records:break-glass"),
        {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "date_of_birth": person.date_of_birth.isoformat(),
            "reason": "Police called out of hours about this child",
        },
    )
    assert response.status_code == 302
    assert BreakGlassAccess.objects.get().user == other_practitioner
    page = client.get(reverse("records:person-detail", args=[person.public_id]))
    assert page.status_code == 200
    assert "break-glass" in page.content.decode()


def test_break_glass_with_wrong_details_says_nothing_matches(
    client, other_practitioner, case_north
):
    client.force_login(other_practitioner)
    response = client.post(
        reverse("records:break-glass"),
        {
            "first_name": "Nobody",
            "last_name": "Atall",
            "date_of_birth": "2001-01-01",
            "reason": "Police called out of hours",
        },
    )
    assert response.status_code == 200
    assert "No record matches" in response.content.decode()
    assert not BreakGlassAccess.objects.exists()


def test_manager_allocates_and_sees_the_team(client, manager, case_north, team_north):
    from accounts.roles import Role
    from accounts.tests.factories import staff_member

    colleague = staff_member(role=Role.PRACTITIONER, team=team_north)
    client.force_login(manager)
    team_page = client.get(reverse("records:team-detail", args=[team_north.public_id]))
    assert escape(case_north.person.full_name) in team_page.content.decode()
    response = client.post(
        reverse("records:case-allocate", args=[case_north.public_id]),
        {"worker": colleague.pk, "role": "co_worker"},
    )
    assert response.status_code == 302
    assert case_north.allocations.filter(worker=colleague).exists()


def test_practitioner_cannot_allocate(amy_client, case_north):
    assert (
        amy_client.get(reverse("records:case-allocate", args=[case_north.public_id])).status_code
        == 403
    )


def test_historic_index_for_the_records_team_only(client, records_officer, practitioner):
    client.force_login(records_officer)
    response = client.post(
        reverse("records:historic-add"),
        {
            "first_name": "Maud",
            "last_name": "Wetherby",
            "other_names": "Maud Smith",
            "date_of_birth": "1961-04-02",
            "service": "childrens_social_care",
            "involvement_from": "1968-01-01",
            "involvement_to": "1975-06-30",
            "box_reference": "B-1973-044",
            "location": "Offsite store, bay 12",
        },
    )
    assert response.status_code == 302
    assert HistoricRecord.objects.count() == 1
    results = client.get(reverse("records:historic-search"), {"q": "Maud Smyth"})
    assert "B-1973-044" in results.content.decode()
    client.force_login(practitioner)
    assert client.get(reverse("records:historic-search")).status_code == 404


def test_restricted_person_hidden_from_colleague_until_granted(
    client, manager, case_north, team_north
):
    from accounts.roles import Role
    from accounts.tests.factories import staff_member

    colleague = staff_member(role=Role.PRACTITIONER, team=team_north)
    client.force_login(manager)
    response = client.post(
        reverse("records:person-restrict", args=[case_north.person.public_id]),
        {"reason": "staff_relative"},
    )
    assert response.status_code == 302
    client.force_login(colleague)
    url = reverse("records:person-detail", args=[case_north.person.public_id])
    assert client.get(url).status_code == 404
    client.force_login(manager)
    client.post(
        reverse("records:named-access", args=[case_north.person.public_id]),
        {"user": colleague.pk, "reason": "Covering while amy is on leave"},
    )
    client.force_login(colleague)
    assert client.get(url).status_code == 200


def test_assessment_sections_are_amended_on_the_page(amy_client, case_north, practitioner):
    assessment = services.assessment_start(
        actor=practitioner,
        case=case_north,
        assessment_type="child_and_family",
        sections=[{"heading": "Needs", "text": "Support at school."}],
    )
    url = reverse("records:item-amend", args=[assessment.public_id])
    page = amy_client.get(url).content.decode()
    assert "Support at school." in page
    response = amy_client.post(
        url,
        {
            "occurred_at": timezone.localtime(assessment.occurred_at).strftime("%Y-%m-%dT%H:%M"),
            "title": assessment.title,
            "body": "",
            "heading_0": "Needs",
            "text_0": "Support at school and at home.",
            "heading_1": "Family history",
            "text_1": "Moved to the area in 2024.",
            "reason": "Draft continued after the second visit",
        },
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert [s["heading"] for s in assessment.sections] == ["Needs", "Family history"]
    assert assessment.revisions.count() == 2
    first = assessment.revisions.get(number=1)
    assert first.data["sections"] == [{"heading": "Needs", "text": "Support at school."}]


def test_a_section_without_a_heading_is_a_field_error(amy_client, case_north, practitioner):
    assessment = services.assessment_start(
        actor=practitioner, case=case_north, assessment_type="carers"
    )
    response = amy_client.post(
        reverse("records:item-amend", args=[assessment.public_id]),
        {
            "occurred_at": timezone.localtime(assessment.occurred_at).strftime("%Y-%m-%dT%H:%M"),
            "title": assessment.title,
            "text_0": "Words without a heading",
            "reason": "Draft",
        },
    )
    assert response.status_code == 200
    assert "Enter a heading for this section" in response.content.decode()
    assert assessment.revisions.count() == 1


def test_link_two_people_already_on_the_case(amy_client, case_north, practitioner):
    sibling, _ = services.related_person_create(
        actor=practitioner,
        case=case_north,
        details={"first_name": "Sam", "last_name": "Sibling"},
        kind="sibling",
    )
    father, _ = services.related_person_create(
        actor=practitioner,
        case=case_north,
        details={"first_name": "Fred", "last_name": "Father"},
        kind="father",
    )
    response = amy_client.post(
        reverse("records:relationship-link", args=[sibling.public_id]),
        {"other": str(father.public_id), "kind": "father", "is_parental_responsibility": "on"},
    )
    assert response.status_code == 302
    page = amy_client.get(reverse("records:person-detail", args=[sibling.public_id]))
    assert "Fred Father" in page.content.decode()
