"""The sharing pages under /sharing/: recording a sharing step by step, the sharing page with a
manager's decision, the authorisation queue, consents, the register of partner agencies and
agreements, and the reports.

Each view fetches through a selector (404 for anything the user may not see), checks the one
policy that applies, and hands writes to a service, whose refusals go back on the form. Pages
that show people's records name them for the read audit.

Recording a sharing keeps its answers in the session under a draft id in the URL, as public ids
and plain values only; each request rebuilds a ``services.SharingDraft`` from them through the
selectors, so need-to-know holds at every step. Each step's answers are checked by the
service's checks for that step; the last step records the sharing, which checks them all again.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.selectors import organisation_list_served_by_user
from audit.context import shown
from core import charts
from core.csvsafe import csv_cell
from core.errors import ApplicationError
from core.forms import attempt
from records import selectors as record_selectors
from records.models import Item, Person
from records.policies import record_access
from records.selectors import NOT_FOUND, PersonInView
from records.views import shown_about
from sharing import forms, packages, policies, selectors, services
from sharing.models import (
    Article9Condition,
    Authorisation,
    Consent,
    ConsentStatus,
    DataCategory,
    LawfulBasis,
    Method,
    NoConsentReason,
    PartnerAgency,
    Purpose,
    Schedule1Condition,
    SharingAgreement,
    SharingRecord,
    SharingStatus,
    Statute,
)

FORM_METHODS = ["GET", "POST"]


def _user(request: HttpRequest) -> Any:
    return request.user


def _person_url(person: Person) -> str:
    return reverse("records:person-detail", args=[person.public_id])


def _sharing_url(sharing: SharingRecord) -> str:
    return reverse("sharing:sharing-detail", args=[sharing.public_id])


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value)) if value else ""


def _workable_view(request: HttpRequest, person_id: Any) -> PersonInView:
    """The person, if the user may see them (404 otherwise) and works on a case of theirs
    (403 otherwise: they may read the record but not share from it)."""
    user = _user(request)
    view = record_selectors.person_in_view_for_user(user=user, person_id=person_id)
    if not selectors.may_share_about(user, view.person):
        raise PermissionDenied(
            "You can record sharing and consent only for people on a case you work on."
        )
    return view


def _form_page(
    request: HttpRequest,
    form: django_forms.Form,
    *,
    about: Person | int | None,
    shows: Iterable[Any] = (),
    obj: Any = None,
    summary: str = "Opened a sharing form on a person's record",
    title: str,
    caption: str = "",
    back: str,
    submit: str = "Save",
    intro: str = "",
    details: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """One form on its own page, new or shown again with its errors. ``about``: the person
    whose record it shows; None for a form that shows nobody's record."""
    if about is not None:
        shown_about(_user(request), about, shows, summary=summary, obj=obj)
    context = {
        "form": form,
        "title": title,
        "caption": caption,
        "back_url": back,
        "submit_label": submit,
        "intro": intro,
        "details": details or [],
        "multipart": any(getattr(f.field.widget, "needs_multipart_form", False) for f in form),
    }
    return render(request, "sharing/form.html", context, status=status)


# --- Error summaries that link to where each problem is -------------------------------------


def _field_target(form: django_forms.Form, name: str) -> str:
    bound = form[name]
    target = bound.auto_id or f"id_{name}"
    if isinstance(bound.field.widget, django_forms.RadioSelect):  # checkboxes too
        target = f"{target}_0"
    return f"#{target}"


def _summary(form: django_forms.Form, links: dict[str, str] | None = None) -> list[dict[str, str]]:
    """GOV.UK error summary items: each field's errors link to the field, and errors about
    another step link to that step (``links``: message to address)."""
    links = links or {}
    if not form.is_bound:
        return []
    items = [
        {"text": str(message), "href": links.get(str(message), "")}
        for message in form.non_field_errors()
    ]
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS:
            continue
        items.extend({"text": str(m), "href": _field_target(form, name)} for m in errors)
    return items


# --- Recording a sharing, step by step -------------------------------------------------------

PAGES = ("items", "agency", "recipient", "basis", "consent", "check")
PAGE_TITLES = {
    "items": "What are you sharing?",
    "agency": "Which agency is it shared with?",
    "recipient": "Who received it, how and when?",
    "basis": "Why is it shared, and on what legal basis?",
    "consent": "Is there consent?",
    "check": "Check the sharing before you record it",
}
# Each page's answers are checked by one step of the service's checks.
SERVICE_STEP = {
    "items": "items",
    "agency": "recipient",
    "recipient": "recipient",
    "basis": "basis",
    "consent": "consent",
}
FIELD_PAGE = {
    name: page
    for page, names in {
        "items": ("people", "items", "data_categories"),
        "agency": ("agency",),
        "recipient": (
            "agreement",
            "recipient_name",
            "recipient_role",
            "recipient_email",
            "method",
            "shared_on",
        ),
        "basis": (
            "purpose",
            "purpose_detail",
            "lawful_basis",
            "article9_condition",
            "schedule1_condition",
            "criminal_condition",
            "statute",
            "statute_detail",
        ),
        "consent": ("consent_status", "no_consent_reason", "no_consent_detail", "is_urgent"),
    }.items()
    for name in names
}
PLAIN_FIELDS = (
    "recipient_name",
    "recipient_role",
    "recipient_email",
    "method",
    "purpose",
    "purpose_detail",
    "lawful_basis",
    "article9_condition",
    "schedule1_condition",
    "criminal_condition",
    "statute",
    "statute_detail",
    "consent_status",
    "no_consent_reason",
    "no_consent_detail",
)
DRAFTS_KEY = "sharing_drafts"
MAX_DRAFTS = 5


def _step_url(person: Person, draft_id: str, page: str, *, change: bool = False) -> str:
    url = reverse("sharing:share-step", args=[person.public_id, draft_id, page])
    return f"{url}?change=1" if change else url


def _draft_new(person: Person) -> dict[str, Any]:
    return {
        "person": str(person.public_id),
        "people": [str(person.public_id)],
        "items": [],
        "data_categories": [],
        "agency": "",
        "agreement": "",
        "shared_on": "",
        "is_urgent": False,
        "done": [],
        "touched": timezone.now().isoformat(),
        **dict.fromkeys(PLAIN_FIELDS, ""),
    }


def _draft_save(request: HttpRequest, draft_id: str, stored: dict[str, Any]) -> None:
    """Keep the draft in the session, with at most a few others (the newest)."""
    drafts = dict(request.session.get(DRAFTS_KEY, {}))
    drafts[draft_id] = {**stored, "touched": timezone.now().isoformat()}
    for old in sorted(drafts, key=lambda key: drafts[key]["touched"])[:-MAX_DRAFTS]:
        del drafts[old]
    request.session[DRAFTS_KEY] = drafts


def _draft_drop(request: HttpRequest, draft_id: str) -> None:
    drafts = dict(request.session.get(DRAFTS_KEY, {}))
    drafts.pop(draft_id, None)
    request.session[DRAFTS_KEY] = drafts


def _agreements(agency: PartnerAgency, shared_on: date | None) -> list[SharingAgreement]:
    """The agency's agreements in force today or on the day shared, newest first."""
    found = {a.pk: a for a in selectors.agreements_for_agency(agency=agency)}
    if shared_on is not None and shared_on != timezone.localdate():
        for agreement in selectors.agreements_for_agency(agency=agency, on=shared_on):
            found.setdefault(agreement.pk, agreement)
    return sorted(found.values(), key=lambda a: a.starts_on, reverse=True)


@dataclass
class Wizard:
    view: PersonInView
    draft_id: str
    stored: dict[str, Any]
    draft: services.SharingDraft
    lost: set[str] = field(default_factory=set)  # pages with a choice no longer found
    change: bool = False  # came from the check page's "Change" link

    @property
    def person(self) -> Person:
        return self.view.person


def _rebuild(
    user: Any, view: PersonInView, stored: dict[str, Any]
) -> tuple[services.SharingDraft, set[str]]:
    """The draft from the session's ids and values, fetched as the user may see them now."""
    person = view.person
    lost: set[str] = set()
    other_ids = [pid for pid in stored["people"] if pid != str(person.public_id)]
    others: list[Person] = []
    if other_ids:
        others = list(
            record_selectors.person_list_for_user(user=user).filter(public_id__in=other_ids)
        )
        others.sort(key=lambda p: other_ids.index(str(p.public_id)))
        if len(others) != len(set(other_ids)):
            lost.add("items")
    people = [person, *others]
    items: list[Item] = []
    if stored["items"]:
        items = list(
            selectors.shareable_items_for_user(user=user, people=people).filter(
                public_id__in=stored["items"]
            )
        )
        if len(items) != len(set(stored["items"])):
            lost.add("items")
    shared_on = date.fromisoformat(stored["shared_on"]) if stored["shared_on"] else None
    agency = agreement = None
    if stored["agency"]:
        try:
            agency = selectors.agency_for_recording(
                user=user, organisation_id=person.organisation_id, agency_id=stored["agency"]
            )
        except Http404:
            lost.add("agency")
    if agency is not None and stored["agreement"]:
        try:
            agreement = selectors.agreement_for_recording(
                agency=agency, agreement_id=stored["agreement"]
            )
        except Http404:
            lost.add("recipient")
    draft = services.SharingDraft(
        people=people,
        items=items,
        data_categories=list(stored["data_categories"]),
        agency=agency,
        agreement=agreement,
        shared_on=shared_on,
        is_urgent=bool(stored["is_urgent"]),
        **{name: stored[name] for name in PLAIN_FIELDS},
    )
    return draft, lost


def _stored_from(stored: dict[str, Any], draft: services.SharingDraft) -> dict[str, Any]:
    return {
        **stored,
        "people": [str(p.public_id) for p in draft.people],
        "items": [str(i.public_id) for i in draft.items],
        "data_categories": list(draft.data_categories),
        "agency": str(draft.agency.public_id) if draft.agency else "",
        "agreement": str(draft.agreement.public_id) if draft.agreement else "",
        "shared_on": draft.shared_on.isoformat() if draft.shared_on else "",
        "is_urgent": bool(draft.is_urgent),
        **{name: getattr(draft, name) for name in PLAIN_FIELDS},
    }


def _place_errors(
    form: django_forms.Form, errors: services.Errors, page: str, wizard: Wizard
) -> dict[str, str]:
    """Put the service's problems on the form: beside the field when it is on this page, at
    the top with a link when it is an earlier step's. Problems with later steps' answers wait
    until those steps are asked."""
    links: dict[str, str] = {}
    here = PAGES.index(page)
    for name, found in errors.items():
        where = FIELD_PAGE.get(name)
        if where is not None and PAGES.index(where) > here:
            continue
        for message in found:
            if where == page and name in form.fields:
                form.add_error(name, message)
                continue
            form.add_error(None, message)
            if where is not None:
                links[message] = _step_url(wizard.person, wizard.draft_id, where, change=True)
    return links


def _finish_step(
    request: HttpRequest,
    wizard: Wizard,
    form: django_forms.Form,
    page: str,
    *,
    next_page: str,
    also_ask_next: bool = False,
) -> tuple[HttpResponse | None, dict[str, str]]:
    """Check this step's answers with the service; if they pass, keep them and go on: to the
    next step, or back to the check page when the answer was changed from there (by way of
    the next step if ``also_ask_next``: a new agency needs its recipient asked again)."""
    errors, _ = services.draft_errors(
        actor=_user(request), draft=wizard.draft, steps=[SERVICE_STEP[page]]
    )
    links = _place_errors(form, errors, page, wizard)
    if form.errors:
        return None, links
    stored = _stored_from(wizard.stored, wizard.draft)
    stored["done"] = sorted({*stored["done"], page}, key=PAGES.index)
    _draft_save(request, wizard.draft_id, stored)
    if wizard.change and not also_ask_next:
        next_page = "check"
    change = wizard.change and next_page != "check"
    return redirect(_step_url(wizard.person, wizard.draft_id, next_page, change=change)), links


def _people_names(people: Iterable[Person]) -> str:
    return ", ".join(p.full_name for p in people)


def _step_page(
    request: HttpRequest,
    wizard: Wizard,
    page: str,
    template: str,
    *,
    form: django_forms.Form | None,
    links: dict[str, str] | None = None,
    shows: Iterable[Any] = (),
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    user = _user(request)
    draft = wizard.draft
    shown_about(
        user,
        wizard.person,
        [*draft.people, *shows],
        summary="Opened the form to record a sharing",
        obj=wizard.person,
    )
    index = PAGES.index(page)
    back = (
        _step_url(wizard.person, wizard.draft_id, "check")
        if wizard.change
        else (
            _step_url(wizard.person, wizard.draft_id, PAGES[index - 1])
            if index
            else _person_url(wizard.person)
        )
    )
    context = {
        "form": form,
        "error_items": _summary(form, links) if form is not None else [],
        "title": PAGE_TITLES[page],
        "step_number": index + 1,
        "step_total": len(PAGES),
        "person": wizard.person,
        "people_names": _people_names(draft.people),
        "category_labels": [_label(DataCategory, c) for c in draft.data_categories],
        "draft": draft,
        "back_url": back,
        "cancel_url": _person_url(wizard.person),
        "change": wizard.change,
        **(extra or {}),
    }
    return render(request, template, context)


def _candidates(user: Any, view: PersonInView) -> list[Person]:
    """Other people on the person's cases (or whose case the person takes part in) that the
    user may share about."""
    ids: set[int] = set()
    for case in view.cases:
        ids.update(row.person_id for row in getattr(case, "participant_rows", []))
    ids.update(p.case.person_id for p in view.participations)
    ids.discard(view.person.pk)
    workable = selectors.workable_person_ids(user, ids)
    if not workable:
        return []
    return list(
        record_selectors.person_list_for_user(user=user)
        .filter(pk__in=workable)
        .order_by("last_name", "first_name", "pk")
    )


def _person_label(person: Person) -> str:
    born = f" (born {person.date_of_birth:%-d %B %Y})" if person.date_of_birth else ""
    return f"{person.full_name}{born}"


def _items_page(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    user = _user(request)
    person = wizard.person
    candidates = _candidates(user, wizard.view)
    offered = list(selectors.shareable_items_for_user(user=user, people=[person, *candidates]))
    form = forms.ItemsForm(
        request.POST or None,
        items=[(str(i.public_id), i.title) for i in offered],
        people=[(str(p.public_id), _person_label(p)) for p in candidates],
        initial={
            "items": wizard.stored["items"],
            "people": wizard.stored["people"],
            "data_categories": wizard.stored["data_categories"],
        },
    )
    links: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen_people = set(data.get("people") or [])
        chosen_items = set(data["items"])
        wizard.draft.people = [
            person,
            *(p for p in candidates if str(p.public_id) in chosen_people),
        ]
        wizard.draft.items = [i for i in offered if str(i.public_id) in chosen_items]
        wizard.draft.data_categories = list(data["data_categories"])
        done, links = _finish_step(request, wizard, form, "items", next_page="agency")
        if done is not None:
            return done
    chosen = form["items"].value() or []
    return _step_page(
        request,
        wizard,
        "items",
        "sharing/share_items.html",
        form=form,
        links=links,
        shows=[*candidates, *offered],
        extra={
            "item_rows": list(zip(form["items"], offered, strict=True)),
            "chosen_count": len(chosen),
            "offered_count": len(offered),
        },
    )


def _agency_page(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    user = _user(request)
    agencies = list(
        selectors.agency_list_for_recording(
            user=user, organisation_id=wizard.person.organisation_id
        )
    )
    choices = []
    for agency in agencies:
        where = "" if agency.in_uk else f", holds information in {agency.get_country_display()}"
        choices.append(
            (str(agency.public_id), f"{agency.name} ({agency.get_kind_display()}{where})")
        )
    form = forms.AgencyForm(
        request.POST or None, agencies=choices, initial={"agency": wizard.stored["agency"]}
    )
    links: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        chosen = next(a for a in agencies if str(a.public_id) == form.cleaned_data["agency"])
        changed = wizard.draft.agency is None or wizard.draft.agency.pk != chosen.pk
        if changed:
            wizard.draft.agreement = None  # an agreement belongs to one agency
        wizard.draft.agency = chosen
        done, links = _finish_step(
            request, wizard, form, "agency", next_page="recipient", also_ask_next=changed
        )
        if done is not None:
            return done
    return _step_page(
        request,
        wizard,
        "agency",
        "sharing/share_step.html",
        form=form,
        links=links,
        extra={"no_agencies": not agencies},
    )


def _recipient_page(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    draft = wizard.draft
    agreements = _agreements(draft.agency, draft.shared_on) if draft.agency else []
    choices = [
        (
            str(a.public_id),
            f"{a.title}{f' ({a.reference})' if a.reference else ''}: {a.purposes_display}",
        )
        for a in agreements
    ]
    stored = wizard.stored
    form = forms.RecipientForm(
        request.POST or None,
        agreements=choices,
        initial={
            "agreement": stored["agreement"],
            "recipient_name": stored["recipient_name"],
            "recipient_role": stored["recipient_role"],
            "recipient_email": stored["recipient_email"],
            "method": stored["method"],
            "shared_on": stored["shared_on"] or timezone.localdate(),
        },
    )
    links: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft.agreement = next(
            (a for a in agreements if str(a.public_id) == data["agreement"]), None
        )
        for name in ("recipient_name", "recipient_role", "recipient_email", "method"):
            setattr(draft, name, data[name] or "")
        draft.shared_on = data["shared_on"]
        done, links = _finish_step(request, wizard, form, "recipient", next_page="basis")
        if done is not None:
            return done
    return _step_page(
        request,
        wizard,
        "recipient",
        "sharing/share_step.html",
        form=form,
        links=links,
        extra={"agency": draft.agency},
    )


def _basis_page(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    draft = wizard.draft
    stored = wizard.stored
    form = forms.BasisForm(
        request.POST or None,
        special=draft.includes_special_category,
        criminal=draft.includes_criminal,
        initial={name: stored[name] for name in FIELD_PAGE if FIELD_PAGE[name] == "basis"},
    )
    links: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        for name in FIELD_PAGE:
            if FIELD_PAGE[name] == "basis":
                setattr(draft, name, form.cleaned_data.get(name) or "")
        done, links = _finish_step(request, wizard, form, "basis", next_page="consent")
        if done is not None:
            return done
    return _step_page(request, wizard, "basis", "sharing/share_basis.html", form=form, links=links)


def _covering(draft: services.SharingDraft) -> dict[int, Consent] | None:
    """The consent covering this sharing for each person, once there is enough to tell."""
    if draft.agency is None or draft.shared_on is None or not draft.purpose:
        return None
    return selectors.covering_consents(
        people=draft.people,
        agency=draft.agency,
        purpose=draft.purpose,
        data_categories=draft.data_categories,
        on=draft.shared_on,
    )


def _consent_page(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    draft = wizard.draft
    stored = wizard.stored
    urgent_allowed = draft.purpose == Purpose.SAFEGUARDING
    form = forms.ConsentStepForm(
        request.POST or None,
        urgent_allowed=urgent_allowed,
        initial={
            "consent_status": stored["consent_status"],
            "no_consent_reason": stored["no_consent_reason"],
            "no_consent_detail": stored["no_consent_detail"],
            "is_urgent": stored["is_urgent"],
        },
    )
    links: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft.consent_status = data["consent_status"] or ""
        draft.no_consent_reason = data["no_consent_reason"] or ""
        draft.no_consent_detail = data["no_consent_detail"] or ""
        draft.is_urgent = bool(data.get("is_urgent"))
        done, links = _finish_step(request, wizard, form, "consent", next_page="check")
        if done is not None:
            return done
    covering = _covering(draft)
    return _step_page(
        request,
        wizard,
        "consent",
        "sharing/share_consent.html",
        form=form,
        links=links,
        extra={
            "covering": None
            if covering is None
            else [(p, covering.get(p.pk)) for p in draft.people],
        },
    )


@dataclass
class Row:
    key: str
    lines: list[str]
    change: str


def _agreement_label(agreement: SharingAgreement | None) -> str:
    if agreement is None:
        return "No agreement"
    return f"{agreement.title} ({agreement.reference})" if agreement.reference else agreement.title


def _check_rows(wizard: Wizard, consents: dict[int, Any]) -> list[Row]:
    draft = wizard.draft

    def change(page: str) -> str:
        return _step_url(wizard.person, wizard.draft_id, page, change=True)

    items = [
        f"{timezone.localtime(i.occurred_at):%-d %b %Y}: {i.title} ({i.get_kind_display()})"
        for i in draft.items
    ]
    rows = [
        Row("Whose information", [p.full_name for p in draft.people], change("items")),
        Row("Records shared", items or ["None chosen"], change("items")),
        Row(
            "Kinds of information",
            [_label(DataCategory, c) for c in draft.data_categories] or ["None chosen"],
            change("items"),
        ),
        Row("Agency", [draft.agency.name if draft.agency else "Not chosen"], change("agency")),
        Row("Agreement", [_agreement_label(draft.agreement)], change("recipient")),
        Row(
            "Recipient",
            [x for x in (draft.recipient_name, draft.recipient_role, draft.recipient_email) if x]
            or ["Not given"],
            change("recipient"),
        ),
        Row("How", [_label(Method, draft.method) or "Not given"], change("recipient")),
        Row(
            "Date shared",
            [f"{draft.shared_on:%-d %B %Y}" if draft.shared_on else "Not given"],
            change("recipient"),
        ),
        Row(
            "Purpose",
            [x for x in (_label(Purpose, draft.purpose), draft.purpose_detail) if x]
            or ["Not given"],
            change("basis"),
        ),
        Row(
            "Article 6 basis",
            [_label(LawfulBasis, draft.lawful_basis) or "Not given"],
            change("basis"),
        ),
    ]
    if draft.includes_special_category:
        rows.append(
            Row(
                "Article 9 condition",
                [
                    x
                    for x in (
                        _label(Article9Condition, draft.article9_condition),
                        _label(Schedule1Condition, draft.schedule1_condition),
                    )
                    if x
                ]
                or ["Not given"],
                change("basis"),
            )
        )
    if draft.includes_criminal:
        rows.append(
            Row(
                "Article 10 condition",
                [_label(Schedule1Condition, draft.criminal_condition) or "Not given"],
                change("basis"),
            )
        )
    statute = _label(Statute, draft.statute)
    if draft.statute == Statute.OTHER:
        statute = draft.statute_detail
    elif draft.statute_detail:
        statute = f"{statute} ({draft.statute_detail})"
    rows.append(Row("Law relied on", [statute or "None given"], change("basis")))
    consent_lines = [_label(ConsentStatus, draft.consent_status) or "Not given"]
    if draft.consent_status == ConsentStatus.ON_FILE:
        for person in draft.people:
            consent = consents.get(person.pk)
            if consent is not None:
                consent_lines.append(
                    f"{person.full_name}: given by {consent.given_by} on "
                    f"{consent.given_on:%-d %B %Y}"
                )
    elif draft.consent_status:
        consent_lines += [
            x
            for x in (
                _label(NoConsentReason, draft.no_consent_reason),
                draft.no_consent_detail,
                "Urgent safeguarding: shared already, to be authorised afterwards"
                if draft.is_urgent
                else "",
            )
            if x
        ]
    rows.append(Row("Consent", consent_lines, change("consent")))
    return rows


def _error_links(wizard: Wizard, errors: dict[str, list[str]]) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    for name, found in errors.items():
        page = FIELD_PAGE.get(name)
        href = _step_url(wizard.person, wizard.draft_id, page, change=True) if page else ""
        items.extend({"text": str(message), "href": href} for message in found)
    return items


def _recorded_message(sharing: SharingRecord) -> str:
    if sharing.authorisation == Authorisation.NOT_NEEDED:
        return f"Sharing {sharing.reference} is recorded. Consent is on file, so it is done."
    if sharing.status == SharingStatus.SHARED:
        return (
            f"Sharing {sharing.reference} is recorded as urgent safeguarding. It is flagged as "
            "shared without authorisation until a manager authorises it."
        )
    return (
        f"Sharing {sharing.reference} is recorded and is waiting for a manager's "
        "authorisation. Do not share the information until it is authorised."
    )


def _check_page(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    user = _user(request)
    draft = wizard.draft
    lost = [
        {
            "text": "Something you chose is no longer available to you. Check this step again.",
            "href": _step_url(wizard.person, wizard.draft_id, page, change=True),
        }
        for page in PAGES
        if page in wizard.lost
    ]
    if request.method == "POST" and not lost:
        try:
            sharing = services.sharing_record(actor=user, draft=draft)
        except ApplicationError as exc:
            errors = exc.field_errors or {NON_FIELD_ERRORS: [exc.message]}
        except ValidationError as exc:
            errors = (
                exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
            )
        else:
            _draft_drop(request, wizard.draft_id)
            messages.success(request, _recorded_message(sharing))
            return redirect(_sharing_url(sharing))
        error_items = _error_links(wizard, errors)
        consents: dict[int, Any] = {}
    else:
        found, consents = services.draft_errors(actor=user, draft=draft)
        error_items = _error_links(wizard, found)
    shows = [*draft.people, *(i.person_id for i in draft.items)]
    return _step_page(
        request,
        wizard,
        "check",
        "sharing/share_check.html",
        form=None,
        shows=shows,
        extra={
            "error_items": lost + error_items,
            "rows": _check_rows(wizard, consents),
            "outcome": _outcome(draft),
        },
    )


def _outcome(draft: services.SharingDraft) -> str:
    if draft.consent_status == ConsentStatus.ON_FILE:
        return "With consent on file, the sharing is done as soon as you record it."
    if draft.is_urgent:
        return (
            "As urgent safeguarding, it counts as shared now and is flagged until a manager "
            "authorises it."
        )
    return (
        "Without consent, it waits for a manager of a team holding the case to authorise it. "
        "Do not share until then."
    )


STEP_PAGES: dict[str, Callable[[HttpRequest, Wizard], HttpResponse]] = {
    "items": _items_page,
    "agency": _agency_page,
    "recipient": _recipient_page,
    "basis": _basis_page,
    "consent": _consent_page,
    "check": _check_page,
}


@require_GET
@never_cache
def share_start(request: HttpRequest, person_id: str) -> HttpResponse:
    person = _workable_view(request, person_id).person
    draft_id = str(uuid.uuid4())
    _draft_save(request, draft_id, _draft_new(person))
    return redirect(_step_url(person, draft_id, "items"))


@require_http_methods(FORM_METHODS)
@never_cache
def share_step(request: HttpRequest, person_id: str, draft_id: Any, step: str) -> HttpResponse:
    if step not in STEP_PAGES:
        raise Http404(NOT_FOUND)
    view = _workable_view(request, person_id)
    person = view.person
    stored = request.session.get(DRAFTS_KEY, {}).get(str(draft_id))
    if stored is None or stored.get("person") != str(person.public_id):
        messages.info(request, "That sharing was not finished and is no longer kept. Start again.")
        return redirect(reverse("sharing:share-start", args=[person.public_id]))
    first_open = next((p for p in PAGES[:-1] if p not in stored["done"]), "check")
    if PAGES.index(step) > PAGES.index(first_open):
        return redirect(_step_url(person, str(draft_id), first_open))
    draft, lost = _rebuild(_user(request), view, stored)
    wizard = Wizard(
        view=view,
        draft_id=str(draft_id),
        stored=stored,
        draft=draft,
        lost=lost,
        change=bool(request.GET.get("change")),
    )
    return STEP_PAGES[step](request, wizard)


# --- One sharing -----------------------------------------------------------------------------


def _decision_message(sharing: SharingRecord, was_urgent: bool) -> str:
    ref = sharing.reference
    if sharing.authorisation == Authorisation.AUTHORISED:
        if was_urgent:
            return f"You authorised sharing {ref}. It is no longer flagged."
        return (
            f"You authorised sharing {ref}. It is recorded as shared on "
            f"{sharing.shared_on:%-d %B %Y}."
        )
    if sharing.status == SharingStatus.SHARED:
        return (
            f"You declined to authorise sharing {ref}. It had already been shared, so it stays "
            "flagged and the Caldicott guardian is told."
        )
    return f"You declined to authorise sharing {ref}. It must not be shared."


@require_http_methods(FORM_METHODS)
@never_cache
def sharing_detail(request: HttpRequest, sharing_id: str) -> HttpResponse:
    user = _user(request)
    view = selectors.sharing_get_for_user(user=user, sharing_id=sharing_id)
    sharing = view.sharing
    form = forms.DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        decision = request.POST.get("decision")
        action = {"authorise": services.sharing_authorise, "decline": services.sharing_decline}.get(
            decision or ""
        )
        if action is None:
            form.add_error(None, "Choose to authorise or to decline.")
        else:
            note = form.cleaned_data["note"]
            decided = attempt(form, lambda: action(actor=user, sharing=sharing, note=note))
            if decided is not None:
                messages.success(request, _decision_message(decided, sharing.is_urgent))
                return redirect(_sharing_url(decided))
        if not view.can_authorise:
            status = 403
    shown(
        [*view.people, *(item.person_id for _, item in view.items)],
        summary="Viewed a sharing",
        obj=sharing,
    )
    context = {
        "view": view,
        "sharing": sharing,
        "form": form,
        "error_items": _summary(form),
        "consent_rows": [(p, view.consents.get(p.pk)) for p in view.people],
        **packages.package_panel(user=user, sharing=sharing),
    }
    return render(request, "sharing/sharing_detail.html", context, status=status)


@require_GET
@never_cache
def authorisation_queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not record_access(user).managed_team_ids:
        raise Http404(NOT_FOUND)
    sharings = list(selectors.authorisation_queue_for_user(user=user))
    return render(request, "sharing/authorisation_queue.html", {"sharings": sharings})


# --- Consents --------------------------------------------------------------------------------


@require_http_methods(FORM_METHODS)
@never_cache
def consent_record(request: HttpRequest, person_id: str) -> HttpResponse:
    user = _user(request)
    person = _workable_view(request, person_id).person
    agencies = list(
        selectors.agency_list_for_recording(user=user, organisation_id=person.organisation_id)
    )
    form = forms.ConsentForm(
        request.POST or None,
        request.FILES or None,
        agencies=[(str(a.public_id), a.name) for a in agencies],
        initial={"given_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency = next((a for a in agencies if str(a.public_id) == data["agency"]), None)
        consent = attempt(
            form,
            lambda: services.consent_record(
                actor=user,
                person=person,
                agency=agency,
                named_person=data["named_person"],
                named_person_relationship=data["named_person_relationship"],
                given_by=data["given_by"],
                purposes=data["purposes"],
                data_categories=data["data_categories"],
                evidence=data["evidence"],
                given_on=data["given_on"],
                expires_on=data["expires_on"],
                evidence_file=data["evidence_file"],
            ),
        )
        if consent is not None:
            messages.success(
                request, f"The consent to share with {consent.recipient_label} is recorded."
            )
            return redirect(_person_url(person))
    return _form_page(
        request,
        form,
        about=person,
        obj=person,
        title="Record consent to share",
        caption=person.full_name,
        back=_person_url(person),
        submit="Record consent",
        intro=(
            "Record a consent the person has given in writing: who may receive their "
            "information, for what, and until when. A sharing relies on consent only while a "
            "valid consent covers it."
        ),
    )


@require_http_methods(FORM_METHODS)
@never_cache
def consent_withdraw(request: HttpRequest, consent_id: str) -> HttpResponse:
    user = _user(request)
    consent = selectors.consent_get_for_user(user=user, consent_id=consent_id)
    person = consent.person
    if not selectors.may_share_about(user, person):
        raise PermissionDenied("You can record a withdrawal only for people on a case you work on.")
    form = forms.ConsentWithdrawForm(
        request.POST or None, initial={"withdrawn_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            form,
            lambda: services.consent_withdraw(
                actor=user, consent=consent, note=data["note"], withdrawn_on=data["withdrawn_on"]
            ),
        )
        if done is not None:
            messages.success(
                request, f"The consent to share with {consent.recipient_label} is withdrawn."
            )
            return redirect(_person_url(person))
    expires = f"{consent.expires_on:%-d %B %Y}" if consent.expires_on else "No expiry date"
    return _form_page(
        request,
        form,
        about=person,
        obj=consent,
        summary="Opened the form to withdraw a consent",
        title="Record that consent is withdrawn",
        caption=person.full_name,
        back=_person_url(person),
        submit="Record the withdrawal",
        intro=(
            "From the day it is withdrawn, no sharing may rely on this consent. Sharings "
            "already made stay in the log."
        ),
        details=[
            ("To", consent.recipient_label),
            ("Covers", f"{consent.purposes_display}; {consent.data_categories_display}"),
            ("Given", f"{consent.given_on:%-d %B %Y} by {consent.given_by}"),
            ("Expires", expires),
        ],
    )


@require_GET
@never_cache
def consent_evidence(request: HttpRequest, consent_id: str) -> FileResponse:
    user = _user(request)
    consent = selectors.consent_get_for_user(user=user, consent_id=consent_id)
    if not consent.evidence_file:
        raise Http404(NOT_FOUND)
    try:
        handle = consent.evidence_file.open("rb")
    except FileNotFoundError:
        raise Http404(NOT_FOUND) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=consent.evidence_name or "consent",
        content_type=consent.evidence_content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    shown_about(
        user, consent.person_id, summary="Downloaded the written evidence of a consent", obj=consent
    )
    return response


# --- The register of partner agencies and agreements -----------------------------------------


def _register_orgs(request: HttpRequest) -> frozenset[int]:
    org_ids = policies.register_org_ids(_user(request))
    if not org_ids:
        raise Http404(NOT_FOUND)
    return org_ids


@require_GET
@never_cache
def agency_list(request: HttpRequest) -> HttpResponse:
    _register_orgs(request)
    agencies = list(selectors.agency_list_for_register(user=_user(request)))
    return render(request, "sharing/agency_list.html", {"agencies": agencies, "active": "agencies"})


def _agency_initial(agency: PartnerAgency) -> dict[str, Any]:
    return {name: getattr(agency, name) for name in services.AGENCY_FIELDS}


@require_http_methods(FORM_METHODS)
@never_cache
def agency_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    org_ids = _register_orgs(request)
    organisations = list(organisation_list_served_by_user(user=user).filter(pk__in=org_ids))
    if not organisations:
        raise Http404(NOT_FOUND)
    choices = (
        [(str(o.public_id), o.display_name) for o in organisations]
        if len(organisations) > 1
        else None
    )
    form = forms.AgencyRegisterForm(
        request.POST or None,
        organisations=choices,
        initial={"country": "GB", "is_active": True},
    )
    if request.method == "POST" and form.is_valid():
        organisation = next(
            (o for o in organisations if str(o.public_id) == form.cleaned_data.get("organisation")),
            organisations[0],
        )
        agency = attempt(
            form,
            lambda: services.agency_create(actor=user, organisation=organisation, **form.values()),
        )
        if agency is not None:
            messages.success(request, f"{agency.name} is added to the register.")
            return redirect(reverse("sharing:agency-list"))
    return _form_page(
        request,
        form,
        about=None,
        title="Add a partner agency",
        caption="Partner agencies",
        back=reverse("sharing:agency-list"),
        submit="Add the agency",
    )


@require_http_methods(FORM_METHODS)
@never_cache
def agency_edit(request: HttpRequest, agency_id: str) -> HttpResponse:
    user = _user(request)
    _register_orgs(request)
    agency = selectors.agency_get_for_register(user=user, agency_id=agency_id)
    form = forms.AgencyRegisterForm(
        request.POST or None, organisations=None, initial=_agency_initial(agency)
    )
    if request.method == "POST" and form.is_valid():
        updated = attempt(
            form, lambda: services.agency_update(actor=user, agency=agency, **form.values())
        )
        if updated is not None:
            messages.success(request, f"{updated.name} is updated.")
            return redirect(reverse("sharing:agency-list"))
    return _form_page(
        request,
        form,
        about=None,
        title=f"Change {agency.name}",
        caption="Partner agencies",
        back=reverse("sharing:agency-list"),
    )


REVIEW_SOON_DAYS = 30


@dataclass(frozen=True)
class AgreementRow:
    agreement: SharingAgreement
    review_in: int  # days until review; negative when overdue
    ended: bool

    @property
    def review_due(self) -> bool:
        return not self.ended and self.review_in <= REVIEW_SOON_DAYS


@require_GET
@never_cache
def agreement_list(request: HttpRequest) -> HttpResponse:
    _register_orgs(request)
    today = timezone.localdate()
    rows = [
        AgreementRow(a, (a.review_on - today).days, a.ends_on is not None and a.ends_on < today)
        for a in selectors.agreement_list_for_register(user=_user(request))
    ]
    return render(
        request,
        "sharing/agreement_list.html",
        {"rows": rows, "due": sum(r.review_due for r in rows), "active": "agreements"},
    )


def _agreement_form_page(request: HttpRequest, agreement: SharingAgreement | None) -> HttpResponse:
    user = _user(request)
    _register_orgs(request)
    agencies = list(selectors.agency_list_for_register(user=user))
    choices = [
        (str(a.public_id), a.name if a.is_active else f"{a.name} (no longer active)")
        for a in agencies
    ]
    initial: dict[str, Any] = {}
    if agreement is not None:
        initial = {
            name: getattr(agreement, name) for name in services.AGREEMENT_FIELDS if name != "agency"
        }
        initial["agency"] = str(agreement.agency.public_id)
    form = forms.AgreementRegisterForm(request.POST or None, agencies=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        agency_id = data.pop("agency")
        agency = next(a for a in agencies if str(a.public_id) == agency_id)
        if agreement is None:
            saved = attempt(
                form, lambda: services.agreement_create(actor=user, agency=agency, **data)
            )
        else:
            saved = attempt(
                form,
                lambda: services.agreement_update(
                    actor=user, agreement=agreement, agency=agency, **data
                ),
            )
        if saved is not None:
            messages.success(request, f"The agreement “{saved.title}” is saved.")
            return redirect(reverse("sharing:agreement-list"))
    return _form_page(
        request,
        form,
        about=None,
        title="Add a sharing agreement" if agreement is None else f"Change {agreement.title}",
        caption="Sharing agreements",
        back=reverse("sharing:agreement-list"),
        submit="Save the agreement",
    )


@require_http_methods(FORM_METHODS)
@never_cache
def agreement_create(request: HttpRequest) -> HttpResponse:
    return _agreement_form_page(request, None)


@require_http_methods(FORM_METHODS)
@never_cache
def agreement_edit(request: HttpRequest, agreement_id: str) -> HttpResponse:
    _register_orgs(request)
    agreement = selectors.agreement_get_for_register(user=_user(request), agreement_id=agreement_id)
    return _agreement_form_page(request, agreement)


# --- Reports ---------------------------------------------------------------------------------

PLOT_BOTTOM = 200  # the report's chart: 240 high


def _default_period() -> tuple[date, date]:
    """The last twelve months: from the first day of the month eleven months ago to today."""
    today = timezone.localdate()
    month = today.month - 11
    year = today.year
    if month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1), today


def _report_period(request: HttpRequest) -> tuple[forms.ReportFilterForm, date, date]:
    """The form and the period asked for: the last twelve months if none was, or while the
    dates asked for are not valid (the form then carries the errors)."""
    start, end = _default_period()
    if "start" not in request.GET and "end" not in request.GET:
        return forms.ReportFilterForm(initial={"start": start, "end": end}), start, end
    form = forms.ReportFilterForm(request.GET)
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    month: date
    count: int
    label_x: float
    labelled: bool


def _chart(months: list[date], totals: Any) -> dict[str, Any]:
    """Bars of sharings per month for an inline SVG chart."""
    frame = charts.Frame(
        months=len(months),
        top=charts.nice_top(max([totals.get(m, 0) for m in months] + [0])),
        bottom=PLOT_BOTTOM,
    )
    bars = []
    for index, month in enumerate(months):
        count = totals.get(month, 0)
        height = frame.height_of(count)
        bars.append(
            Bar(
                x=frame.bar_x(index),
                y=round(PLOT_BOTTOM - height, 1),
                width=frame.bar_width,
                height=height,
                month=month,
                count=count,
                label_x=frame.label_x(index),
                labelled=index % frame.label_every == 0,
            )
        )
    return frame.context(bars)


@dataclass(frozen=True)
class CountRow:
    name: str
    counts: list[int]
    total: int


def _count_rows(table: dict[str, Any], months: list[date]) -> list[CountRow]:
    return [
        CountRow(name, [counter.get(m, 0) for m in months], sum(counter.values()))
        for name, counter in table.items()
    ]


@require_GET
@never_cache
def report(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policies.can_see_reports(user):
        raise Http404(NOT_FOUND)
    form, start, end = _report_period(request)
    if form.is_bound and not form.is_valid():
        return render(request, "sharing/report.html", {"form": form, "report": None})
    result = selectors.sharing_report_for_user(user=user, start=start, end=end)
    months = result.months
    return render(
        request,
        "sharing/report.html",
        {
            "form": form,
            "report": result,
            "chart": _chart(months, result.month_totals),
            "month_totals": [result.month_totals.get(m, 0) for m in months],
            "tables": [
                ("By agency", "Agency", _count_rows(result.by_agency, months)),
                ("By purpose", "Purpose", _count_rows(result.by_purpose, months)),
                ("By Article 6 basis", "Basis", _count_rows(result.by_basis, months)),
            ],
            "query": f"start={start:%Y-%m-%d}&end={end:%Y-%m-%d}",
        },
    )


@require_GET
@never_cache
def report_csv(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policies.can_see_reports(user):
        raise Http404(NOT_FOUND)
    form, start, end = _report_period(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            "Enter real dates, the first on or before the last, at most three years apart.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    result = selectors.sharing_report_for_user(user=user, start=start, end=end)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if request.GET.get("table") == "without-consent":
        name = "sharing-without-consent"
        writer.writerow(
            [
                "Reference",
                "Shared on",
                "Agency",
                "Purpose",
                "Reason",
                "Urgent",
                "Status",
                "Authorisation",
                "Hours to decision",
            ]
        )
        for row in result.without_consent:
            writer.writerow(
                csv_cell(value)
                for value in (
                    row.reference,
                    row.shared_on.isoformat(),
                    row.agency,
                    row.purpose,
                    row.reason,
                    "Yes" if row.is_urgent else "No",
                    row.status,
                    row.authorisation,
                    "" if row.hours_to_decision is None else row.hours_to_decision,
                )
            )
    else:
        name = "sharing"
        writer.writerow(["Month", "Breakdown", "Category", "Sharings"])
        tables = (
            ("Agency", result.by_agency),
            ("Purpose", result.by_purpose),
            ("Article 6 basis", result.by_basis),
        )
        for month in result.months:
            writer.writerow(
                csv_cell(v)
                for v in (f"{month:%Y-%m}", "All", "All", result.month_totals.get(month, 0))
            )
            for breakdown, table in tables:
                for category, counter in table.items():
                    if counter.get(month):
                        writer.writerow(
                            csv_cell(v)
                            for v in (f"{month:%Y-%m}", breakdown, category, counter[month])
                        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    )
    return response
