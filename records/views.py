"""Case-record pages. Each view fetches through a selector (404 for anything the user may not
see), checks the one policy that applies, and hands writes to a service."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypedDict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.selectors import organisation_list_served_by_user
from audit.context import shown
from core.errors import ApplicationError
from core.forms import attempt
from records import forms, policies, selectors, services
from records.downloads import document_response
from records.models import (
    Assessment,
    AssessmentStatus,
    Case,
    Item,
    Person,
    Plan,
)
from records.policies import record_access

FORM_METHODS = ["GET", "POST"]


def _user(request: HttpRequest) -> Any:
    return request.user


def _person_url(person: Person) -> str:
    return reverse("records:person-detail", args=[person.public_id])


def _chronology_url(person: Person) -> str:
    return reverse("records:chronology", args=[person.public_id])


def _item_url(item: Item) -> str:
    return reverse("records:item-detail", args=[item.public_id])


def shown_about(
    user: Any,
    about: Person | int,
    people: Iterable[Any] = (),
    *,
    summary: str,
    obj: Model | None = None,
    personal: dict[str, Any] | None = None,
) -> None:
    """Name, for the read audit, the people a response about one person shows: that person and
    ``people`` (relatives, participants, people linked to items).

    A page opened by break-glass (or for an access request) is read for that purpose
    throughout, with the reason given: whoever else it shows, it shows only because that
    person's record was opened. Otherwise each person's purpose is decided on its own."""
    person_id = about if isinstance(about, int) else about.pk
    purpose, reason = selectors.read_purposes(user=user, person_ids={person_id}).get(
        person_id, ("", "")
    )
    details = dict(personal or {})
    if reason:
        details["reason"] = reason
    shown([person_id, *people], summary=summary, obj=obj, purpose=purpose, personal=details or None)


def _search_terms(data: dict[str, Any]) -> dict[str, Any]:
    terms: dict[str, Any] = {"query": data.get("q") or ""}
    if data.get("date_of_birth"):
        terms["date_of_birth"] = data["date_of_birth"]
    return terms


def _form_summary(obj: Model | None) -> str:
    if isinstance(obj, Person):
        return "Opened a form on a person's record"
    if isinstance(obj, Case):
        return "Opened a form on a case"
    return "Opened a form on a record item"


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    about: Person | int | None,
    shows: Iterable[Any] = (),
    obj: Model | None = None,
    title: str,
    caption: str = "",
    back: str,
    submit: str = "Save",
    intro: str = "",
    template: str = "records/form.html",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A form, new or shown again with its errors. ``about``: the person whose record the page
    shows (in its caption, choices or initial values), with ``shows`` anyone else it names;
    None for a form that shows nobody's record (the user's own input aside)."""
    if about is not None:
        shown_about(_user(request), about, shows, summary=_form_summary(obj), obj=obj)
    context = {
        "form": form,
        "title": title,
        "caption": caption,
        "back_url": back,
        "submit_label": submit,
        "intro": intro,
        "multipart": any(getattr(f.field.widget, "needs_multipart_form", False) for f in form),
        **(extra or {}),
    }
    return render(request, template, context)


# --- Caseload, search, break-glass -----------------------------------------------------------


@require_GET
@never_cache
def caseload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access = record_access(user)
    if not access.does_casework:
        raise Http404(selectors.NOT_FOUND)
    cases = selectors.caseload_for_user(user=user)
    if cases:
        shown(cases, summary="Viewed their caseload")
    return render(
        request,
        "records/caseload.html",
        {"cases": cases, "teams": selectors.caseload_teams_for_user(user=user)},
    )


@require_GET
@never_cache
def person_search(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access = record_access(user)
    if not policies.can_search_people(access):
        raise Http404(selectors.NOT_FOUND)
    form = forms.PersonSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        results = selectors.person_search_for_user(
            user=user,
            query=form.cleaned_data["q"],
            date_of_birth=form.cleaned_data["date_of_birth"],
        )
        shown(
            [r.person for r in results],
            summary="Searched for people",
            personal=_search_terms(form.cleaned_data),
        )
    return render(
        request,
        "records/person_search.html",
        {"form": form, "results": results, "can_break_glass": policies.can_break_glass(access)},
    )


@require_http_methods(FORM_METHODS)
@never_cache
def break_glass(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policies.can_break_glass(record_access(user)):
        raise Http404(selectors.NOT_FOUND)
    form = forms.BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = selectors.person_find_for_break_glass(
            user=user,
            nhs_number=data["nhs_number"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
        )
        if person is None:
            form.add_error(
                None,
                "No record matches these details exactly. Check the spelling and the date of "
                "birth. If the record may be restricted, contact the Caldicott guardian.",
            )
        else:
            reason = data["reason"]
            grant = attempt(
                form,
                lambda: services.break_glass_open(actor=user, person=person, reason=reason),
            )
            if grant is None:
                # The refusal itself tells the user that such a record exists.
                shown(
                    [person],
                    summary="Asked to open a record with break-glass",
                    obj=person,
                    purpose="break_glass",
                    personal={"reason": reason},
                )
            else:
                messages.warning(
                    request,
                    f"Break-glass access is open until {grant.expires_at:%H:%M on %d %B %Y}. "
                    "The Caldicott guardian will review it.",
                )
                return redirect(_person_url(person))
    return _form_page(
        request,
        form,
        about=None,
        title="Emergency access to a record (break-glass)",
        back=reverse("records:person-search"),
        submit="Open the record",
        intro=(
            "Use this only when you need a record you are not allocated to, for example out of "
            "hours or in an emergency. You must give a reason."
        ),
    )


# --- People ----------------------------------------------------------------------------------


@require_http_methods(FORM_METHODS)
@never_cache
def person_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    teams = selectors.teams_for_opening_cases(user=user)
    if not teams.exists():
        raise Http404(selectors.NOT_FOUND)
    form = forms.PersonCreateForm(
        request.POST or None,
        teams=teams,
        organisations=organisation_list_served_by_user(user=user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = attempt(
            form,
            lambda: services.person_create(
                actor=user,
                details=form.details(),
                team=data["team"],
                category=data["category"],
                opened_on=data["opened_on"],
                referral_reason=data["referral_reason"],
                organisation=data["organisation"],
            ),
        )
        if created is not None:
            messages.success(request, f"{created[0].full_name} is recorded and their case opened.")
            return redirect(_person_url(created[0]))
    return _form_page(
        request,
        form,
        about=None,
        title="Record a new person and open a case",
        back=reverse("records:caseload"),
        submit="Save and open the case",
    )


@require_GET
@never_cache
def person_detail(request: HttpRequest, person_id: str) -> HttpResponse:
    user = _user(request)
    view = selectors.person_in_view_for_user(user=user, person_id=person_id)
    person, cases = view.person, view.cases
    access = record_access(user)
    relationships = selectors.relationships_for_person(
        user=user, person=person, known_visible=view.known_visible(access)
    )
    shown_about(
        user,
        person,
        [*(r.other for r in relationships), *(p.case.person for p in view.participations)],
        summary="Viewed a person's record",
        obj=person,
    )
    context = {
        "person": person,
        "cases": cases,
        "participations": view.participations,
        "relationships": relationships,
        "reach": view.reach,
        "can_edit": policies.can_edit_person(
            access, person, cases + [p.case for p in view.participations]
        ),
        "can_restrict": policies.can_restrict_person(access, cases),
        "workable_cases": [c for c in cases if policies.can_record_on_case(access, c)],
        **selectors.person_details(person=person),
        **_sharing_sections(user, person),
    }
    return render(request, "records/person_detail.html", context)


def _sharing_sections(user: Any, person: Person) -> dict[str, Any]:
    """Who the person's information was shared with, their consents, and whether the user may
    record either (sharing imports records, so it is imported here, not at the top)."""
    from sharing import selectors as sharing_selectors

    today = timezone.localdate()
    return {
        "sharings": list(sharing_selectors.sharing_list_for_person(person=person)),
        "consents": [
            (consent, consent.status_on(today))
            for consent in sharing_selectors.consent_list_for_person(person=person)
        ],
        "can_share": sharing_selectors.may_share_about(user, person),
    }


@require_GET
@never_cache
def chronology(request: HttpRequest, person_id: str) -> HttpResponse:
    user = _user(request)
    view = selectors.person_in_view_for_user(user=user, person_id=person_id)
    person, cases = view.person, view.cases
    form = forms.ChronologyFilterForm(request.GET or None, cases=cases)
    kinds: list[str] = []
    case_id = None
    if form.is_bound and form.is_valid():
        kinds = form.cleaned_data["kind"]
        case_id = form.cleaned_data["case"] or None
    page = selectors.chronology_for_user(
        user=user,
        person=person,
        kinds=kinds,
        case_id=case_id,
        page=request.GET.get("page", 1),
        visible_cases=cases,
    )
    shown_about(user, person, page.object_list, summary="Viewed a person's chronology", obj=person)
    query = request.GET.copy()
    query.pop("page", None)
    access = record_access(user)
    return render(
        request,
        "records/chronology.html",
        {
            "person": person,
            "page": page,
            "form": form,
            "filter_query": query.urlencode(),
            "reach": view.reach,
            "workable_cases": [c for c in cases if policies.can_record_on_case(access, c)],
        },
    )


def _editable_view(request: HttpRequest, person_id: str) -> selectors.PersonInView:
    user = _user(request)
    view = selectors.person_in_view_for_user(user=user, person_id=person_id)
    cases = view.cases + [p.case for p in view.participations]
    if not policies.can_edit_person(record_access(user), view.person, cases):
        raise PermissionDenied("You can change a person's details only on a case you work on.")
    return view


def _editable_person(request: HttpRequest, person_id: str) -> Person:
    return _editable_view(request, person_id).person


@require_http_methods(FORM_METHODS)
@never_cache
def person_edit(request: HttpRequest, person_id: str) -> HttpResponse:
    person = _editable_person(request, person_id)
    form = forms.PersonDetailsForm(
        request.POST or None, initial=forms.PersonDetailsForm.initial_for(person)
    )
    if request.method == "POST" and form.is_valid():
        updated = attempt(
            form,
            lambda: services.person_update(
                actor=_user(request), person=person, details=form.details()
            ),
        )
        if updated is not None:
            messages.success(request, "The person's details are updated.")
            return redirect(_person_url(updated))
    return _form_page(
        request,
        form,
        about=person,
        obj=person,
        title="Change personal details",
        caption=person.full_name,
        back=_person_url(person),
        intro="Correct factual details here. The audit trail keeps what was there before.",
    )


def _person_sub_form(
    request: HttpRequest,
    person_id: str,
    form_class: type,
    service: Callable[..., Any],
    *,
    title: str,
    done: str,
) -> HttpResponse:
    person = _editable_person(request, person_id)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = attempt(
            form, lambda: service(actor=_user(request), person=person, **form.cleaned_data)
        )
        if result is not None:
            messages.success(request, done)
            return redirect(_person_url(person))
    return _form_page(
        request,
        form,
        about=person,
        obj=person,
        title=title,
        caption=person.full_name,
        back=_person_url(person),
    )


@require_http_methods(FORM_METHODS)
@never_cache
def person_name_add(request: HttpRequest, person_id: str) -> HttpResponse:
    return _person_sub_form(
        request,
        person_id,
        forms.PersonNameForm,
        services.person_name_add,
        title="Add another name",
        done="The name is added.",
    )


@require_http_methods(FORM_METHODS)
@never_cache
def address_add(request: HttpRequest, person_id: str) -> HttpResponse:
    return _person_sub_form(
        request,
        person_id,
        forms.AddressForm,
        services.address_add,
        title="Add an address",
        done="The address is added.",
    )


@require_http_methods(FORM_METHODS)
@never_cache
def phone_add(request: HttpRequest, person_id: str) -> HttpResponse:
    return _person_sub_form(
        request,
        person_id,
        forms.PhoneForm,
        services.phone_add,
        title="Add a phone number",
        done="The phone number is added.",
    )


@require_http_methods(FORM_METHODS)
@never_cache
def email_add(request: HttpRequest, person_id: str) -> HttpResponse:
    return _person_sub_form(
        request,
        person_id,
        forms.EmailForm,
        services.email_add,
        title="Add an email address",
        done="The email address is added.",
    )


@require_http_methods(FORM_METHODS)
@never_cache
def alert_add(request: HttpRequest, person_id: str) -> HttpResponse:
    return _person_sub_form(
        request,
        person_id,
        forms.AlertForm,
        services.alert_add,
        title="Add an alert",
        done="The alert is added.",
    )


@require_http_methods(FORM_METHODS)
@never_cache
def related_person_add(request: HttpRequest, person_id: str) -> HttpResponse:
    user = _user(request)
    person = selectors.person_get_for_user(user=user, person_id=person_id)
    access = record_access(user)
    cases = [
        c
        for c in selectors.case_list_for_person(user=user, person=person)
        if policies.can_record_on_case(access, c)
    ]
    if not cases:
        raise PermissionDenied("You can add family members only on an open case you work on.")
    form = forms.RelatedPersonForm(request.POST or None, cases=cases)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = next(c for c in cases if str(c.public_id) == data["case"])
        created = attempt(
            form,
            lambda: services.related_person_create(
                actor=user,
                case=case,
                details=form.details(),
                kind=data["kind"],
                participant_role=data["participant_role"],
                is_parental_responsibility=data["is_parental_responsibility"],
            ),
        )
        if created is not None:
            messages.success(request, f"{created[0].full_name} is added to the case.")
            return redirect(_person_url(person))
    return _form_page(
        request,
        form,
        about=person,
        obj=person,
        title="Add a family member or other significant person",
        caption=person.full_name,
        back=_person_url(person),
    )


@require_http_methods(FORM_METHODS)
@never_cache
def relationship_link(request: HttpRequest, person_id: str) -> HttpResponse:
    user = _user(request)
    view = _editable_view(request, person_id)
    person = view.person
    people: dict[int, Person] = {}
    for case in view.cases + [p.case for p in view.participations]:
        for someone in selectors.case_people(case=case, user=user):
            if someone.pk != person.pk:
                people[someone.pk] = someone
    form = forms.RelationshipLinkForm(request.POST or None, people=list(people.values()))
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.relationship_add(
                actor=user,
                from_person=form.other_person(),
                to_person=person,
                kind=form.cleaned_data["kind"],
                started_on=form.cleaned_data["started_on"],
                is_parental_responsibility=form.cleaned_data["is_parental_responsibility"],
            ),
        )
        if done is not None:
            messages.success(request, "The relationship is recorded.")
            return redirect(_person_url(person))
    return _form_page(
        request,
        form,
        about=person,
        shows=people.values(),
        obj=person,
        title="Record a relationship with someone on the case",
        caption=person.full_name,
        back=_person_url(person),
    )


@require_http_methods(FORM_METHODS)
@never_cache
def person_restrict(request: HttpRequest, person_id: str) -> HttpResponse:
    user = _user(request)
    person = selectors.person_get_for_user(user=user, person_id=person_id)
    cases = selectors.case_list_for_person(user=user, person=person)
    if not policies.can_restrict_person(record_access(user), cases):
        raise PermissionDenied("Only a manager of a team holding this person's case can do this.")
    form = forms.RestrictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.person_restrict(
                actor=user, person=person, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, "The record is restricted.")
            return redirect(_person_url(person))
    return _form_page(
        request,
        form,
        about=person,
        obj=person,
        title="Restrict this record",
        caption=person.full_name,
        back=_person_url(person),
        submit="Restrict the record",
        intro=(
            "Only staff with named access will see this person, even in teams holding their "
            "case. You and the workers allocated now keep access."
        ),
    )


@require_http_methods(FORM_METHODS)
@never_cache
def named_access_grant(request: HttpRequest, person_id: str) -> HttpResponse:
    user = _user(request)
    person = selectors.person_get_for_user(user=user, person_id=person_id)
    cases = selectors.case_list_for_person(user=user, person=person)
    if not policies.can_restrict_person(record_access(user), cases):
        raise PermissionDenied("Only a manager of a team holding this person's case can do this.")
    users = selectors.named_access_candidates(person=person, cases=cases)
    form = forms.NamedAccessForm(request.POST or None, users=users)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.restricted_access_grant(
                actor=user,
                person=person,
                user=form.cleaned_data["user"],
                reason=form.cleaned_data["reason"],
            ),
        )
        if done is not None:
            messages.success(request, "Named access is granted.")
            return redirect(_person_url(person))
    return _form_page(
        request,
        form,
        about=person,
        obj=person,
        title="Give named access to this restricted record",
        caption=person.full_name,
        back=_person_url(person),
        submit="Give access",
    )


# --- Cases -----------------------------------------------------------------------------------


@require_GET
@never_cache
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    access = record_access(user)
    people = selectors.case_people(case=case, user=user)
    shown_about(user, case.person, people, summary="Viewed a case", obj=case)
    return render(
        request,
        "records/case_detail.html",
        {
            "case": case,
            "person": case.person,
            "allocations": list(selectors.case_allocations(case=case)),
            "people": people,
            "can_manage": policies.can_manage_case(access, case),
            "can_record": policies.can_record_on_case(access, case),
            "in_error": selectors.entered_in_error_for_case(user=user, case=case),
        },
    )


def _managed_case(request: HttpRequest, case_id: str) -> Case:
    user = _user(request)
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    if not policies.can_manage_case(record_access(user), case):
        raise PermissionDenied("Only a manager of the team holding the case can do this.")
    return case


def _case_url(case: Case) -> str:
    return reverse("records:case-detail", args=[case.public_id])


@require_http_methods(FORM_METHODS)
@never_cache
def case_open(request: HttpRequest, person_id: str) -> HttpResponse:
    user = _user(request)
    person = selectors.person_get_for_user(user=user, person_id=person_id)
    if not record_access(user).does_casework:
        raise PermissionDenied("Only case-working staff can open cases.")
    teams = selectors.teams_for_case_open(user=user, person=person)
    form = forms.CaseOpenForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        case = attempt(
            form, lambda: services.case_open(actor=user, person=person, **form.cleaned_data)
        )
        if case is not None:
            messages.success(request, f"Case {case.reference} is open.")
            return redirect(_case_url(case))
    return _form_page(
        request,
        form,
        about=person,
        obj=person,
        title="Open a case or refer to another team",
        caption=person.full_name,
        back=_person_url(person),
        intro=(
            "Open a case for your own team, or refer the person to another team's service: "
            "that team holds the case and allocates it."
        ),
    )


@require_http_methods(FORM_METHODS)
@never_cache
def case_allocate(request: HttpRequest, case_id: str) -> HttpResponse:
    case = _managed_case(request, case_id)
    form = forms.AllocateForm(
        request.POST or None, workers=selectors.allocatable_workers(case=case)
    )
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.case_allocate(actor=_user(request), case=case, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, f"{done.worker} is allocated to {case.reference}.")
            return redirect(_case_url(case))
    return _form_page(
        request,
        form,
        about=case.person,
        obj=case,
        title="Allocate a worker",
        caption=str(case),
        back=_case_url(case),
    )


@require_http_methods(FORM_METHODS)
@never_cache
def allocation_end(request: HttpRequest, case_id: str, allocation_id: str) -> HttpResponse:
    case = _managed_case(request, case_id)
    allocation = selectors.allocation_get_for_user(user=_user(request), allocation_id=allocation_id)
    if allocation.case_id != case.pk:
        raise Http404(selectors.NOT_FOUND)
    form = forms.EndAllocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: (
                services.allocation_end(
                    actor=_user(request),
                    allocation=allocation,
                    ends_on=form.cleaned_data["ends_on"],
                )
                or True
            ),
        )
        if done is not None:
            messages.success(request, "The allocation is ended.")
            return redirect(_case_url(case))
    return _form_page(
        request,
        form,
        about=case.person,
        obj=case,
        title=f"End {allocation.worker}'s allocation",
        caption=str(case),
        back=_case_url(case),
    )


@require_http_methods(FORM_METHODS)
@never_cache
def case_close(request: HttpRequest, case_id: str) -> HttpResponse:
    case = _managed_case(request, case_id)
    form = forms.CloseCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.case_close(
                actor=_user(request),
                case=case,
                closed_on=form.cleaned_data["closed_on"],
                reason=form.cleaned_data["closure_reason"],
            ),
        )
        if done is not None:
            messages.success(request, f"Case {case.reference} is closed.")
            return redirect(_case_url(case))
    return _form_page(
        request,
        form,
        about=case.person,
        obj=case,
        title="Close the case",
        caption=str(case),
        back=_case_url(case),
    )


@require_http_methods(FORM_METHODS)
@never_cache
def case_transfer(request: HttpRequest, case_id: str) -> HttpResponse:
    case = _managed_case(request, case_id)
    form = forms.TransferForm(request.POST or None, teams=selectors.transfer_teams(case=case))
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.case_transfer(
                actor=_user(request), case=case, team=form.cleaned_data["team"]
            ),
        )
        if done is not None:
            messages.success(request, f"Case {case.reference} is now held by {done.team}.")
            return redirect(_person_url(case.person))
    return _form_page(
        request,
        form,
        about=case.person,
        obj=case,
        title="Transfer the case to another team",
        caption=str(case),
        back=_case_url(case),
    )


@require_GET
@never_cache
def team_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    teams = list(selectors.caseload_teams_for_user(user=user))
    if not teams:
        raise Http404(selectors.NOT_FOUND)
    return render(request, "records/team_list.html", {"teams": teams})


@require_GET
@never_cache
def team_detail(request: HttpRequest, team_id: str) -> HttpResponse:
    user = _user(request)
    team = next(
        (t for t in selectors.caseload_teams_for_user(user=user) if str(t.public_id) == team_id),
        None,
    )
    if team is None:
        raise Http404(selectors.NOT_FOUND)
    cases = selectors.team_cases_for_user(user=user, team=team)
    if cases:
        shown(cases, summary="Viewed a team's cases", obj=team)
    return render(
        request,
        "records/team_detail.html",
        {
            "team": team,
            "cases": cases,
            "unallocated": [c for c in cases if not c.current_allocations],  # type: ignore[attr-defined]
            "is_manager": team.pk in record_access(user).managed_team_ids,
        },
    )


# --- Recording items -------------------------------------------------------------------------


def _workable_case(request: HttpRequest, case_id: str) -> Case:
    user = _user(request)
    case = selectors.case_get_for_user(user=user, case_id=case_id)
    if not policies.can_record_on_case(record_access(user), case):
        raise PermissionDenied("You can record only on an open case you work on.")
    return case


def _record_page(
    request: HttpRequest,
    case_id: str,
    form_class: type,
    *,
    title: str,
    save: Callable[[Any, Any, Case], Item],
    done: str,
    with_people: bool = True,
    files: bool = False,
) -> HttpResponse:
    case = _workable_case(request, case_id)
    kwargs: dict[str, list[Person]] = {}
    if with_people:
        kwargs["people"] = selectors.case_people(case=case, user=_user(request))
    data = request.POST or None
    form = (
        form_class(data, request.FILES or None, **kwargs) if files else form_class(data, **kwargs)
    )
    if request.method == "POST" and form.is_valid():
        item = attempt(form, lambda: save(_user(request), form, case))
        if item is not None and not form.errors:
            messages.success(request, done)
            return redirect(_chronology_url(case.person))
    return _form_page(
        request,
        form,
        about=case.person,
        shows=kwargs.get("people", ()),
        obj=case,
        title=title,
        caption=f"{case.person.full_name} · {case}",
        back=_chronology_url(case.person),
    )


class Flags(TypedDict):
    is_sensitive: bool
    is_restricted: bool


def _flags(form: Any) -> Flags:
    return {
        "is_sensitive": form.cleaned_data.get("is_sensitive", False),
        "is_restricted": form.cleaned_data.get("is_restricted", False),
    }


@require_http_methods(FORM_METHODS)
@never_cache
def contact_create(request: HttpRequest, case_id: str) -> HttpResponse:
    def save(user: Any, form: Any, case: Case) -> Item:
        data = form.cleaned_data
        return services.contact_record(
            actor=user,
            case=case,
            contact_type=data["contact_type"],
            occurred_at=data["occurred_at"],
            body=data["body"],
            title=data["title"],
            location=data["location"],
            seen_alone=data["seen_alone"],
            participants=form.people("participants"),
            mentioned=form.people("mentioned"),
            **_flags(form),
        )

    return _record_page(
        request,
        case_id,
        forms.ContactForm,
        title="Record a contact",
        save=save,
        done="The contact is recorded.",
    )


@require_http_methods(FORM_METHODS)
@never_cache
def note_create(request: HttpRequest, case_id: str) -> HttpResponse:
    def save(user: Any, form: Any, case: Case) -> Item:
        data = form.cleaned_data
        return services.note_record(
            actor=user,
            case=case,
            title=data["title"],
            body=data["body"],
            note_type=data["note_type"],
            mentioned=form.people("mentioned"),
            **_flags(form),
        )

    return _record_page(
        request,
        case_id,
        forms.NoteForm,
        title="Write a case note",
        save=save,
        done="The note is saved.",
    )


@require_http_methods(FORM_METHODS)
@never_cache
def assessment_create(request: HttpRequest, case_id: str) -> HttpResponse:
    def save(user: Any, form: Any, case: Case) -> Item:
        data = form.cleaned_data
        sections = form.sections()
        if form.errors:
            raise ApplicationError("Check the sections.")
        return services.assessment_start(
            actor=user,
            case=case,
            assessment_type=data["assessment_type"],
            title=data["title"],
            body=data["body"],
            sections=sections,
            **_flags(form),
        )

    return _record_page(
        request,
        case_id,
        forms.AssessmentForm,
        title="Start an assessment",
        save=save,
        done="The assessment is saved as a draft.",
        with_people=False,
    )


@require_http_methods(FORM_METHODS)
@never_cache
def plan_create(request: HttpRequest, case_id: str) -> HttpResponse:
    def save(user: Any, form: Any, case: Case) -> Item:
        data = form.cleaned_data
        return services.plan_record(
            actor=user,
            case=case,
            plan_type=data["plan_type"],
            starts_on=data["starts_on"],
            next_review_on=data["next_review_on"],
            title=data["title"],
            body=data["body"],
            **_flags(form),
        )

    return _record_page(
        request,
        case_id,
        forms.PlanForm,
        title="Record a plan",
        save=save,
        done="The plan is recorded.",
        with_people=False,
    )


@require_http_methods(FORM_METHODS)
@never_cache
def document_create(request: HttpRequest, case_id: str) -> HttpResponse:
    def save(user: Any, form: Any, case: Case) -> Item:
        data = form.cleaned_data
        return services.document_upload(
            actor=user,
            case=case,
            file=data["file"],
            document_type=data["document_type"],
            title=data["title"],
            occurred_at=data["occurred_at"],
            body=data["body"],
            **_flags(form),
        )

    return _record_page(
        request,
        case_id,
        forms.DocumentForm,
        title="Upload a document",
        save=save,
        done="The document is uploaded.",
        with_people=False,
        files=True,
    )


@require_http_methods(FORM_METHODS)
@never_cache
def information_create(request: HttpRequest, case_id: str) -> HttpResponse:
    def save(user: Any, form: Any, case: Case) -> Item:
        data = form.cleaned_data
        return services.information_received_record(
            actor=user,
            case=case,
            source_organisation=data["source_organisation"],
            source_name=data["source_name"],
            method=data["method"],
            occurred_at=data["occurred_at"],
            title=data["title"],
            body=data["body"],
            mentioned=form.people("mentioned"),
            **_flags(form),
        )

    return _record_page(
        request,
        case_id,
        forms.InformationReceivedForm,
        title="Record information received from another organisation",
        save=save,
        done="The information is recorded.",
    )


# --- One item --------------------------------------------------------------------------------


@require_GET
@never_cache
def item_detail(request: HttpRequest, item_id: str) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get_for_user(user=user, item_id=item_id)
    access = record_access(user)
    case = item.case
    links = selectors.item_linked_people(item=item, user=user)
    shown_about(user, case.person, links, summary="Viewed a record item", obj=item)
    context = {
        "item": item,
        "case": case,
        "person": case.person,
        "revisions": list(selectors.item_revisions(item=item)),
        "disagreements": list(selectors.item_disagreements(item=item)),
        "links": links,
        "can_amend": policies.can_amend_item(access, item, case),
        "can_mark_error": policies.can_mark_entered_in_error(access, item, case),
        "can_disagree": policies.can_record_disagreement(access, item, case),
        "can_submit": isinstance(item, Assessment)
        and item.status == AssessmentStatus.DRAFT
        and (item.author_id == user.pk or policies.can_manage_case(access, case)),
        "can_authorise": isinstance(item, Assessment)
        and policies.can_authorise_assessment(access, item, case),
        "can_review": isinstance(item, Plan) and policies.can_record_on_case(access, case),
    }
    return render(request, "records/item_detail.html", context)


@require_http_methods(FORM_METHODS)
@never_cache
def item_amend(request: HttpRequest, item_id: str) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get_for_user(user=user, item_id=item_id)
    if not policies.can_amend_item(record_access(user), item, item.case):
        raise PermissionDenied("Only the author or a manager of the team can amend this.")
    initial = {"occurred_at": item.occurred_at, "title": item.title, "body": item.body}
    form: forms.AmendForm
    if isinstance(item, Assessment):
        form = forms.AssessmentAmendForm(
            request.POST or None, initial=initial, sections=item.sections
        )
    else:
        form = forms.AmendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in ("occurred_at", "title", "body")}
        if isinstance(form, forms.AssessmentAmendForm):
            changes["sections"] = form.sections()
        done = (
            None
            if form.errors
            else attempt(
                form,
                lambda: services.item_amend(
                    actor=user, item=item, changes=changes, reason=form.cleaned_data["reason"]
                ),
            )
        )
        if done is not None:
            messages.success(request, "The amendment is saved. The original is kept.")
            return redirect(_item_url(item))
    return _form_page(
        request,
        form,
        about=item.person_id,
        obj=item,
        title=f"Amend: {item.title}",
        caption=f"{item.case.person.full_name} · {item.get_kind_display()}",
        back=_item_url(item),
        submit="Save the amendment",
        intro="The original and every amendment stay readable, in order, with their reasons.",
    )


@require_http_methods(FORM_METHODS)
@never_cache
def item_entered_in_error(request: HttpRequest, item_id: str) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get_for_user(user=user, item_id=item_id)
    if not policies.can_mark_entered_in_error(record_access(user), item, item.case):
        raise PermissionDenied("Only a manager of the team holding the case can do this.")
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.item_mark_entered_in_error(
                actor=user, item=item, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, "The item is marked as entered in error.")
            return redirect(_chronology_url(item.case.person))
    return _form_page(
        request,
        form,
        about=item.person_id,
        obj=item,
        title="Mark as entered in error",
        caption=item.title,
        back=_item_url(item),
        submit="Mark as entered in error",
        intro=(
            "The item leaves the chronology. It is kept for the audit trail and for subject "
            "access, and managers of the team can still see it."
        ),
    )


@require_http_methods(FORM_METHODS)
@never_cache
def disagreement_add(request: HttpRequest, item_id: str) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get_for_user(user=user, item_id=item_id)
    if not policies.can_record_disagreement(record_access(user), item, item.case):
        raise PermissionDenied("You cannot add a statement to this record.")
    form = forms.DisagreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form, lambda: services.disagreement_attach(actor=user, item=item, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, "The statement is attached beside the record.")
            return redirect(_item_url(item))
    return _form_page(
        request,
        form,
        about=item.person_id,
        obj=item,
        title="Attach a statement of disagreement",
        caption=item.title,
        back=_item_url(item),
        intro=(
            "Record the person's view in their own words. It is shown beside the record and "
            "never changes it."
        ),
    )


@require_http_methods(["POST"])
def assessment_submit(request: HttpRequest, item_id: str) -> HttpResponse:
    return _assessment_action(request, item_id, services.assessment_submit, "submitted")


@require_http_methods(["POST"])
def assessment_authorise(request: HttpRequest, item_id: str) -> HttpResponse:
    return _assessment_action(request, item_id, services.assessment_authorise, "authorised")


def _assessment_action(
    request: HttpRequest, item_id: str, action: Callable[..., Any], verb: str
) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get_for_user(user=user, item_id=item_id)
    if not isinstance(item, Assessment):
        raise Http404(selectors.NOT_FOUND)
    try:
        action(actor=user, assessment=item)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The assessment is {verb}.")
    return redirect(_item_url(item))


@require_http_methods(FORM_METHODS)
@never_cache
def assessment_return(request: HttpRequest, item_id: str) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get_for_user(user=user, item_id=item_id)
    if not isinstance(item, Assessment):
        raise Http404(selectors.NOT_FOUND)
    if not policies.can_manage_case(record_access(user), item.case):
        raise PermissionDenied("Only a manager of the team holding the case can do this.")
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.assessment_return(
                actor=user, assessment=item, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, "The assessment is returned to the author as a draft.")
            return redirect(_item_url(item))
    return _form_page(
        request,
        form,
        about=item.person_id,
        obj=item,
        title="Return for changes",
        caption=item.title,
        back=_item_url(item),
    )


@require_http_methods(FORM_METHODS)
@never_cache
def review_create(request: HttpRequest, item_id: str) -> HttpResponse:
    user = _user(request)
    item = selectors.item_get_for_user(user=user, item_id=item_id)
    if not isinstance(item, Plan):
        raise Http404(selectors.NOT_FOUND)
    if not policies.can_record_on_case(record_access(user), item.case):
        raise PermissionDenied("You can record only on an open case you work on.")
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form, lambda: services.review_record(actor=user, plan=item, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, "The review is recorded.")
            return redirect(_item_url(item))
    return _form_page(
        request,
        form,
        about=item.person_id,
        obj=item,
        title="Record a review of the plan",
        caption=item.title,
        back=_item_url(item),
    )


@require_GET
@never_cache
def document_download(request: HttpRequest, item_id: str) -> FileResponse:
    user = _user(request)
    document = selectors.document_get_for_user(user=user, item_id=item_id)
    response = document_response(document)
    shown_about(user, document.person_id, summary="Downloaded a document", obj=document)
    return response


# --- Historic records index ------------------------------------------------------------------


@require_GET
@never_cache
def historic_search(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policies.can_see_historic_index(user):
        raise Http404(selectors.NOT_FOUND)
    form = forms.HistoricSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        results = selectors.historic_record_search_for_user(
            user=user,
            query=form.cleaned_data["q"],
            date_of_birth=form.cleaned_data["date_of_birth"],
        )
        # Index entries are not people's records: the search and the entries it listed.
        shown(
            [],
            summary="Searched the historic records index",
            personal={
                **_search_terms(form.cleaned_data),
                "historic_records": [str(record.public_id) for record, _ in results],
            },
        )
    return render(request, "records/historic_search.html", {"form": form, "results": results})


@require_http_methods(FORM_METHODS)
@never_cache
def historic_add(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policies.can_see_historic_index(user):
        raise Http404(selectors.NOT_FOUND)
    form = forms.HistoricRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(form, lambda: services.historic_record_add(actor=user, **form.cleaned_data))
        if done is not None:
            messages.success(request, "The paper file is added to the index.")
            return redirect(reverse("records:historic-search"))
    return _form_page(
        request,
        form,
        about=None,
        title="Add a paper file to the historic index",
        back=reverse("records:historic-search"),
    )
