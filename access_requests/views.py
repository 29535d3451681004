"""The records-access team's pages under /requests/.

Only records-access officers of the request's council reach them: anyone else gets the
missing page, whatever the method, and the selectors check again. Each view parses, calls one
selector or service, and renders; a refusal goes back on the form or into a page message.
Every page that shows a request names, for the read audit, the people in Carefile it is
about, with the purpose "access request".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access_requests import (
    clock,
    disclosure,
    forms,
    letters,
    page_helpers,
    policies,
    selectors,
    services,
)
from access_requests.models import (
    AccessRequest,
    CollectedItem,
    Complaint,
    ComplaintState,
    Decision,
    DisclosureBundle,
    Outcome,
    Redaction,
    State,
)
from accounts.policies import can_administer
from audit.context import shown
from audit.models import Purpose
from core.csvsafe import csv_cell
from core.errors import ApplicationError
from core.forms import attempt

FORM_METHODS = ["GET", "POST"]
PURPOSE = Purpose.ACCESS_REQUEST
LIST_PAGE_SIZE = 25
REVIEW_PAGE_SIZE = 50
_View = Callable[..., HttpResponseBase]


def _only_for(policy: Callable[[Any], bool]) -> Callable[[_View], _View]:
    """Anyone the policy refuses gets the missing page, whatever the method."""

    def decorate(view: _View) -> _View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not policy(request.user):
                raise Http404(selectors.NOT_FOUND)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


administrator_only = _only_for(can_administer)


def officer_only(view: _View) -> _View:
    """Records-access officers only; and for a page about one request or complaint, only
    those of its council. Checked before anything else (the allowed methods included), so a
    stranger gets the same missing page whatever the method. The request or complaint is kept
    for the view."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = _user(request)
        if not policies.is_officer(user):
            raise Http404(selectors.NOT_FOUND)
        if "request_id" in kwargs:
            request._carefile_rights_request = selectors.request_get_for_user(  # type: ignore[attr-defined]
                user=user, request_id=kwargs["request_id"]
            )
        if "complaint_id" in kwargs:
            request._carefile_complaint = selectors.complaint_get_for_user(  # type: ignore[attr-defined]
                user=user, complaint_id=kwargs["complaint_id"]
            )
        return view(request, *args, **kwargs)

    return wrapped


def _user(request: HttpRequest) -> Any:
    return request.user


def _refusal(exc: ValidationError | ApplicationError) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    return " ".join(exc.messages)


def _act(request: HttpRequest, action: Callable[[], Any], done: str) -> bool:
    """Run a button's service: a success or refusal message for the next page."""
    try:
        action()
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, _refusal(exc))
        return False
    messages.success(request, done)
    return True


def _request_for(request: HttpRequest, request_id: Any) -> AccessRequest:
    found = getattr(request, "_carefile_rights_request", None)
    if found is not None and str(found.public_id) == str(request_id):
        return found
    return selectors.request_get_for_user(user=_user(request), request_id=request_id)


def _detail_url(rights_request: AccessRequest) -> str:
    return reverse("access_requests:request-detail", args=[rights_request.public_id])


def _shown_request(
    rights_request: AccessRequest,
    *,
    summary: str,
    obj: Model | None = None,
    people: Iterable[Any] = (),
    personal: dict[str, Any] | None = None,
) -> None:
    """Name for the read audit the people in Carefile the request is about (and ``people``)."""
    shown(
        [*selectors.subject_people(rights_request), *people],
        summary=summary,
        obj=obj or rights_request,
        purpose=PURPOSE,
        personal={"reference": rights_request.reference, **(personal or {})},
    )


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    rights_request: AccessRequest | None = None,
    complaint: Complaint | None = None,
    title: str,
    back: str,
    submit: str = "Save",
    intro: str = "",
    caption: str = "",
    status: int = 200,
) -> HttpResponse:
    """One form on its own page, new or shown again with its errors."""
    if rights_request is not None:
        _shown_request(rights_request, summary="Opened a form on a rights request")
        caption = caption or f"{rights_request.reference} · {rights_request.subject_name}"
    if complaint is not None:
        _shown_complaint(complaint, summary="Opened a form on a data protection complaint")
        caption = caption or f"{complaint.reference} · {complaint.complainant_name}"
    context = {
        "form": form,
        "title": title,
        "caption": caption,
        "back_url": back,
        "submit_label": submit,
        "intro": intro,
        "multipart": any(getattr(f.field.widget, "needs_multipart_form", False) for f in form),
    }
    return render(request, "access_requests/form.html", context, status=status)


# --- Dashboard -------------------------------------------------------------------------------

URGENCY_TAGS = {
    "green": "govuk-tag--green",
    "amber": "govuk-tag--yellow",
    "red": "govuk-tag--red",
    "overdue": "govuk-tag--red carefile-tag--overdue",
    "paused": "govuk-tag--grey",
    "waiting": "",
    "closed": "govuk-tag--grey",
}
URGENCY_LABELS = (
    ("overdue", "Overdue"),
    ("red", "Under 5 working days"),
    ("amber", "Under 10 working days"),
    ("green", "10 working days or more"),
    ("paused", "Paused"),
    ("waiting", "Clock not started"),
)


@dataclass(frozen=True)
class Row:
    request: AccessRequest
    status: selectors.DueStatus

    @property
    def tag(self) -> str:
        return URGENCY_TAGS.get(self.status.urgency, "")


def _rows(requests: Iterable[AccessRequest]) -> list[Row]:
    today = timezone.localdate()
    return [Row(r, selectors.due_status(r, today)) for r in requests]


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@officer_only
@require_GET
@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.RequestFilterForm(request.GET or None)
    state = assigned = query = ""
    if form.is_bound and form.is_valid():
        state, assigned = form.cleaned_data["state"], form.cleaned_data["assigned"]
        query = form.cleaned_data["q"]
    requests = selectors.request_list_for_user(
        user=user, state=state, assigned=assigned, query=query
    )
    page = Paginator(requests, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.dashboard_for_user(user=user)
    shown(
        page_helpers.linked_people_of(page.object_list),
        summary="Viewed the list of rights requests",
        purpose=PURPOSE,
        personal={"query": query} if query else None,
    )
    urgency = [
        (key, label, counts["by_urgency"].get(key, 0), URGENCY_TAGS[key])
        for key, label in URGENCY_LABELS
    ]
    return render(
        request,
        "access_requests/dashboard.html",
        {
            "form": form,
            "page": page,
            "rows": _rows(page.object_list),
            "counts": counts,
            "urgency": urgency,
            "filter_query": _query_without(request, "page"),
            "active": "requests",
        },
    )


# --- Logging a request -----------------------------------------------------------------------


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_log(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.LogRequestForm(
        request.POST or None,
        organisations=page_helpers.officer_organisations(user),
        officers=page_helpers.officers_for(policies.officer_org_ids(user)),
        initial={"received_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = form.chosen_organisation()
        created = attempt(
            form,
            lambda: services.access_request_log(
                actor=user,
                organisation=organisation,  # type: ignore[arg-type]
                request_type=data["request_type"],
                channel=data["channel"],
                received_on=data["received_on"],
                assigned_to=data["assigned_to"],
                identity_required=data["identity_required"],
                # Unticked: asked for whenever someone acts for another person.
                authority_required=True if data["authority_required"] else None,
                fee_required=data["fee_required"],
                fee_amount=data["fee_amount"],
                fee_reason=data["fee_reason"],
                **form.details(),
            ),
        )
        if created is not None:
            messages.success(request, f"Request {created.reference} is logged.")
            return redirect(_detail_url(created))
    return render(
        request,
        "access_requests/request_log.html",
        {"form": form, "active": "log"},
    )


# --- The request page ------------------------------------------------------------------------

STEPS = (
    (State.RECEIVED, "Received"),
    (State.AWAITING_VERIFICATION, "Awaiting identity or authority"),
    (State.IN_PROGRESS, "In progress: search and collect"),
    (State.REVIEW, "Review and redaction"),
    (State.APPROVAL, "Approval by a second officer"),
    (State.READY, "Ready to send"),
    (State.CLOSED, "Closed"),
)


@dataclass(frozen=True)
class Step:
    label: str
    status: str  # done, skipped (nothing was asked for), current, todo


def _steps(rights_request: AccessRequest) -> list[Step]:
    state: str = rights_request.state
    if state == State.PAUSED:
        state = rights_request.state_before_pause or State.IN_PROGRESS
    order: list[str] = [value for value, _ in STEPS]
    nothing_asked = not (
        rights_request.identity_required
        or rights_request.authority_required
        or rights_request.fee_required
    )
    position = order.index(state) if state in order else 0
    steps = []
    for index, (value, label) in enumerate(STEPS):
        if index < position or (value == State.CLOSED and state == State.CLOSED):
            status = "done"
            if value == State.AWAITING_VERIFICATION and nothing_asked:
                status = "skipped"
        elif index == position:
            status = "current"
        else:
            status = "todo"
        steps.append(Step(label, status))
    return steps


def _extension_notice_by(rights_request: AccessRequest) -> Any:
    start = rights_request.clock_started_on
    if start is None or rights_request.extended or rights_request.clock_regime != "uk-gdpr":
        return None
    today = timezone.localdate()
    pauses = [(p.asked_on, p.received_on or today) for p in rights_request.pauses.all()]
    return clock.extension_notice_by(
        start,
        pauses=pauses,
        nation=rights_request.nation,
        extra_holidays=services.extra_holidays(rights_request.nation),
    )


def _letter(rights_request: AccessRequest) -> tuple[str, list[str]] | None:
    """The reply, as it stands, when there is one to show."""
    if rights_request.outcome == Outcome.REFUSED:
        return "Refusal letter", letters.refusal_letter(
            rights_request, rights_request.outcome_reasons
        )
    if rights_request.is_disclosing and (
        rights_request.state in (State.APPROVAL, State.READY)
        or rights_request.outcome in (Outcome.DISCLOSED, Outcome.PARTLY_DISCLOSED)
    ):
        return "Cover letter for the bundle", letters.cover_letter(rights_request)
    return None


def _actions(user: Any, rights_request: AccessRequest, bundle: Any) -> dict[str, bool]:
    state = rights_request.state
    is_open = rights_request.is_open
    working = state in (State.IN_PROGRESS, State.REVIEW)
    bundle_busy = bundle is not None and bundle.status in (
        DisclosureBundle.Status.QUEUED,
        DisclosureBundle.Status.RENDERING,
    )
    return {
        "triage": is_open
        and rights_request.collected_at is None
        and state in (State.RECEIVED, State.AWAITING_VERIFICATION, State.IN_PROGRESS),
        "verify_identity": is_open and not rights_request.identity_received_on,
        "verify_authority": is_open and not rights_request.authority_received_on,
        "fee": is_open and rights_request.fee_required and not rights_request.fee_received_on,
        "link": is_open,
        "collect": working,
        "review": rights_request.collected_at is not None,
        "submit": working,
        "approve": state == State.APPROVAL and policies.can_approve(user, rights_request),
        "return": state in (State.APPROVAL, State.READY),
        "bundle": state == State.READY and rights_request.is_disclosing and not bundle_busy,
        "export": rights_request.is_disclosing
        and state in (State.READY, State.CLOSED)
        and rights_request.approved_by_id is not None,
        "pause": is_open and state != State.PAUSED,
        "resume": state == State.PAUSED,
        "extend": is_open
        and not rights_request.extended
        and rights_request.clock_regime == "uk-gdpr"
        and rights_request.clock_started_on is not None,
        "close": is_open,
        "assign": is_open,
        "correct": working and rights_request.request_type == "correction",
    }


@officer_only
@require_GET
@never_cache
def request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    user = _user(request)
    rights_request = _request_for(request, request_id)
    links = list(rights_request.subjects.all())
    bundles = list(page_helpers.bundles_for(rights_request))
    latest = bundles[0] if bundles else None
    officers = page_helpers.officers_for([rights_request.organisation_id])
    _shown_request(rights_request, summary="Viewed a rights request")
    status = selectors.due_status(rights_request)
    return render(
        request,
        "access_requests/request_detail.html",
        {
            "req": rights_request,
            "status": status,
            "tag": URGENCY_TAGS.get(status.urgency, ""),
            "steps": _steps(rights_request),
            "people_links": [link for link in links if link.person_id],
            "historic_links": [link for link in links if link.historic_record_id],
            "pauses": list(rights_request.pauses.all()),
            "notes": list(rights_request.notes.all()),
            "documents": list(rights_request.documents.all()),
            "bundles": bundles,
            "latest_bundle": latest,
            "summary": selectors.review_summary(rights_request)
            if rights_request.collected_at
            else None,
            "notice_by": _extension_notice_by(rights_request),
            "letter": _letter(rights_request),
            "can": _actions(user, rights_request, latest),
            "note_form": forms.NoteForm(),
            "assign_form": forms.AssignForm(
                officers=officers,
                initial={"assigned_to": rights_request.assigned_to_id},
            ),
            "document_form": forms.DocumentForm(),
            "active": "requests",
        },
    )


def _request_form_view(
    request: HttpRequest,
    request_id: str,
    form_class: type,
    save: Callable[[Any, AccessRequest, dict[str, Any]], Any],
    *,
    title: str,
    done: str,
    submit: str = "Save",
    intro: str = "",
    initial: Callable[[AccessRequest], dict[str, Any]] | None = None,
    form_kwargs: Callable[[AccessRequest], dict[str, Any]] | None = None,
) -> HttpResponse:
    """A form about one request on its own page: saved, it goes back to the request page."""
    user = _user(request)
    rights_request = _request_for(request, request_id)
    kwargs = form_kwargs(rights_request) if form_kwargs else {}
    if request.method == "POST":
        form = form_class(request.POST, request.FILES or None, **kwargs)
    else:
        form = form_class(initial=initial(rights_request) if initial else None, **kwargs)
    if request.method == "POST" and form.is_valid():
        result = attempt(form, lambda: save(user, rights_request, form.cleaned_data))
        if result is not None:
            messages.success(request, done)
            return redirect(_detail_url(rights_request))
    return _form_page(
        request,
        form,
        rights_request=rights_request,
        title=title,
        back=_detail_url(rights_request),
        submit=submit,
        intro=intro,
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_requirements(request: HttpRequest, request_id: str) -> HttpResponse:
    return _request_form_view(
        request,
        request_id,
        forms.RequirementsForm,
        lambda user, r, data: services.access_request_requirements_set(
            actor=user,
            request=r,
            identity_required=data["identity_required"],
            authority_required=data["authority_required"],
            requested_on=data["requested_on"],
            fee_required=data["fee_required"],
            fee_amount=data["fee_amount"],
            fee_reason=data["fee_reason"] or "",
        ),
        title="What to ask for before the clock starts",
        done="The requirements are saved and the due date worked out again.",
        intro=(
            "The clock starts when everything asked for has arrived. A first request is free: "
            "a fee needs a reason."
        ),
        initial=lambda r: {
            "identity_required": r.identity_required,
            "authority_required": r.authority_required,
            "fee_required": r.fee_required,
            "fee_amount": r.fee_amount,
            "fee_reason": r.fee_reason,
        },
    )


def _verify_view(request: HttpRequest, request_id: str, what: str) -> HttpResponse:
    service = (
        services.access_request_identity_verify
        if what == "identity"
        else services.access_request_authority_verify
    )
    return _request_form_view(
        request,
        request_id,
        forms.VerifyForm,
        lambda user, r, data: service(actor=user, request=r, **data),
        title=f"Record proof of {what} as checked",
        done=f"Proof of {what} is recorded.",
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_identity(request: HttpRequest, request_id: str) -> HttpResponse:
    return _verify_view(request, request_id, "identity")


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_authority(request: HttpRequest, request_id: str) -> HttpResponse:
    return _verify_view(request, request_id, "authority")


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_fee(request: HttpRequest, request_id: str) -> HttpResponse:
    return _request_form_view(
        request,
        request_id,
        forms.FeeReceivedForm,
        lambda user, r, data: services.access_request_fee_receive(
            actor=user, request=r, received_on=data["received_on"]
        ),
        title="Record the fee as received",
        done="The fee is recorded as received.",
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_assign(request: HttpRequest, request_id: str) -> HttpResponse:
    return _request_form_view(
        request,
        request_id,
        forms.AssignForm,
        lambda user, r, data: services.access_request_assign(
            actor=user, request=r, officer=data["assigned_to"]
        ),
        title="Assign the request",
        done="The request is assigned.",
        initial=lambda r: {"assigned_to": r.assigned_to_id},
        form_kwargs=lambda r: {"officers": page_helpers.officers_for([r.organisation_id])},
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_note(request: HttpRequest, request_id: str) -> HttpResponse:
    return _request_form_view(
        request,
        request_id,
        forms.NoteForm,
        lambda user, r, data: services.access_request_note_add(
            actor=user, request=r, text=data["text"]
        ),
        title="Add a note",
        done="The note is added.",
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_document(request: HttpRequest, request_id: str) -> HttpResponse:
    return _request_form_view(
        request,
        request_id,
        forms.DocumentForm,
        lambda user, r, data: services.access_request_document_add(
            actor=user, request=r, kind=data["kind"], upload=data["file"]
        ),
        title="Add proof of identity or authority, or correspondence",
        done="The document is added.",
        submit="Upload",
    )


@officer_only
@require_GET
@never_cache
def request_document_download(
    request: HttpRequest, request_id: str, document_id: str
) -> FileResponse:
    rights_request = _request_for(request, request_id)
    document = page_helpers.document_get(rights_request, document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(selectors.NOT_FOUND) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store"
    _shown_request(
        rights_request, summary="Downloaded a document of a rights request", obj=document
    )
    return response


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_pause(request: HttpRequest, request_id: str) -> HttpResponse:
    return _request_form_view(
        request,
        request_id,
        forms.PauseForm,
        lambda user, r, data: services.access_request_pause(actor=user, request=r, **data),
        title="Pause for clarification",
        done="The request is paused. The due date moves on each day until the answer arrives.",
        intro=(
            "Only when you cannot tell what the requester wants. The days from asking to the "
            "answer arriving do not count."
        ),
        initial=lambda r: {"asked_on": timezone.localdate()},
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_resume(request: HttpRequest, request_id: str) -> HttpResponse:
    return _request_form_view(
        request,
        request_id,
        forms.ResumeForm,
        lambda user, r, data: services.access_request_resume(
            actor=user, request=r, received_on=data["received_on"]
        ),
        title="Record the clarification",
        done="The clarification is recorded and the clock restarted.",
        initial=lambda r: {"received_on": timezone.localdate()},
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_extend(request: HttpRequest, request_id: str) -> HttpResponse:
    return _request_form_view(
        request,
        request_id,
        forms.ExtendForm,
        lambda user, r, data: services.access_request_extend(actor=user, request=r, **data),
        title="Extend by two months",
        done="The request is extended.",
        intro=(
            "For a complex or numerous request only. The requester must be told, with the "
            "reasons, within the first month."
        ),
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_return(request: HttpRequest, request_id: str) -> HttpResponse:
    return _request_form_view(
        request,
        request_id,
        forms.ReasonForm,
        lambda user, r, data: services.access_request_return(
            actor=user, request=r, reason=data["reason"]
        ),
        title="Return for more review",
        done="The request is returned for more review.",
        submit="Return it",
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_close(request: HttpRequest, request_id: str) -> HttpResponse:
    return _request_form_view(
        request,
        request_id,
        forms.CloseForm,
        lambda user, r, data: services.access_request_close(actor=user, request=r, **data),
        title="Close the request",
        done="The request is closed.",
        submit="Close the request",
        initial=lambda r: {"sent_on": timezone.localdate()},
    )


def _linked_people(rights_request: AccessRequest) -> list[Any]:
    return [link.person for link in rights_request.subjects.all() if link.person is not None]


def _correct(user: Any, rights_request: AccessRequest, data: dict[str, Any]) -> Any:
    person = next(p for p in _linked_people(rights_request) if str(p.public_id) == data["person"])
    return services.access_request_correction_apply(
        actor=user,
        request=rights_request,
        person=person,
        details={data["field"]: data["value"]},
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_correct(request: HttpRequest, request_id: str) -> HttpResponse:
    return _request_form_view(
        request,
        request_id,
        forms.CorrectionForm,
        _correct,
        title="Correct a fact in the record",
        done="The record is corrected; the old value stays in the audit trail.",
        submit="Correct the record",
        intro=(
            "For factual errors such as a misspelt name or a wrong date of birth. Where the "
            "person disagrees with an opinion, attach their statement instead."
        ),
        form_kwargs=lambda r: {"people": _linked_people(r)},
    )


def _attach_statement(user: Any, rights_request: AccessRequest, data: dict[str, Any]) -> Any:
    item = selectors.correction_item_get(user=user, request=rights_request, item_id=data["item"])
    return services.access_request_disagreement_attach(
        actor=user,
        request=rights_request,
        item=item,
        statement=data["statement"],
        made_by=data["made_by"],
        received_on=data["received_on"],
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def request_disagreement(request: HttpRequest, request_id: str) -> HttpResponse:
    user = _user(request)
    return _request_form_view(
        request,
        request_id,
        forms.DisagreementForm,
        _attach_statement,
        title="Attach a statement of disagreement",
        done="The statement is attached to the record, beside what it disputes.",
        submit="Attach the statement",
        intro="The record itself is not changed: the person's view is shown with it.",
        initial=lambda r: {"received_on": timezone.localdate()},
        form_kwargs=lambda r: {"items": selectors.correction_items(user=user, request=r)},
    )


def _button(
    request: HttpRequest, request_id: str, service: Callable[..., Any], done: str
) -> HttpResponse:
    rights_request = _request_for(request, request_id)
    _act(request, lambda: service(actor=_user(request), request=rights_request), done)
    return redirect(_detail_url(rights_request))


@officer_only
@require_POST
def request_collect(request: HttpRequest, request_id: str) -> HttpResponse:
    rights_request = _request_for(request, request_id)
    try:
        added = services.access_request_collect(actor=_user(request), request=rights_request)
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, _refusal(exc))
        return redirect(_detail_url(rights_request))
    messages.success(request, f"{added} item{'' if added == 1 else 's'} added to the review.")
    return redirect(reverse("access_requests:review-list", args=[rights_request.public_id]))


@officer_only
@require_POST
def request_submit(request: HttpRequest, request_id: str) -> HttpResponse:
    return _button(
        request,
        request_id,
        services.access_request_submit_for_approval,
        "The request is sent for approval by a second officer.",
    )


@officer_only
@require_POST
def request_approve(request: HttpRequest, request_id: str) -> HttpResponse:
    return _button(
        request, request_id, services.access_request_approve, "The disclosure is approved."
    )


# --- Identity search and linking -------------------------------------------------------------


@officer_only
@require_GET
@never_cache
def identity_search(request: HttpRequest, request_id: str) -> HttpResponse:
    user = _user(request)
    rights_request = _request_for(request, request_id)
    initial = {"q": rights_request.subject_name}
    form = forms.IdentitySearchForm(request.GET or None, initial=initial)
    people: list[selectors.IdentityMatch] | None = None
    historic: list[Any] = []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        people, historic = selectors.identity_search_for_user(
            user=user, query=data["q"], date_of_birth=data["date_of_birth"]
        )
        terms: dict[str, Any] = {
            "query": data["q"],
            "date_of_birth": data["date_of_birth"].isoformat() if data["date_of_birth"] else "",
        }
        if historic:
            terms["historic_records"] = [str(record.public_id) for record, _ in historic]
        shown(
            [match.person for match in people],
            summary="Searched for the person a rights request is about",
            obj=rights_request,
            purpose=PURPOSE,
            personal=terms,
        )
    else:
        _shown_request(rights_request, summary="Opened the identity search for a rights request")
    linked_people = {link.person_id for link in rights_request.subjects.all()}
    linked_historic = {link.historic_record_id for link in rights_request.subjects.all()}
    return render(
        request,
        "access_requests/identity_search.html",
        {
            "req": rights_request,
            "form": form,
            "people": people,
            "historic": historic,
            "linked_people": linked_people,
            "linked_historic": linked_historic,
            "can_link": rights_request.is_open,
            "active": "requests",
        },
    )


@officer_only
@require_POST
def subject_link(request: HttpRequest, request_id: str) -> HttpResponse:
    user = _user(request)
    rights_request = _request_for(request, request_id)
    form = forms.LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one person or one historic file.")
        return redirect(reverse("access_requests:identity-search", args=[request_id]))
    person = historic = None
    if form.cleaned_data["person"]:
        person = selectors.person_for_linking(
            user=user, request=rights_request, person_id=form.cleaned_data["person"]
        )
    else:
        historic = selectors.historic_for_linking(
            user=user, request=rights_request, record_id=form.cleaned_data["historic_record"]
        )
    linked = _act(
        request,
        lambda: services.access_request_subject_link(
            actor=user, request=rights_request, person=person, historic_record=historic
        ),
        "The record is linked to the request.",
    )
    if not linked:
        return redirect(reverse("access_requests:identity-search", args=[request_id]))
    return redirect(_detail_url(rights_request))


@officer_only
@require_POST
def subject_unlink(request: HttpRequest, request_id: str, link_id: str) -> HttpResponse:
    user = _user(request)
    rights_request = _request_for(request, request_id)
    link = selectors.subject_link_get_for_user(user=user, request=rights_request, link_id=link_id)
    _act(
        request,
        lambda: services.access_request_subject_unlink(actor=user, link=link),
        "The record is unlinked from the request.",
    )
    return redirect(_detail_url(rights_request))


# --- Review ----------------------------------------------------------------------------------

DECISION_TAGS: dict[str, str] = {
    Decision.PENDING: "govuk-tag--grey",
    Decision.DISCLOSE: "govuk-tag--green",
    Decision.REDACT: "govuk-tag--yellow",
    Decision.WITHHOLD: "govuk-tag--red",
}


@officer_only
@require_GET
@never_cache
def review_list(request: HttpRequest, request_id: str) -> HttpResponse:
    user = _user(request)
    rights_request = _request_for(request, request_id)
    form = forms.ReviewFilterForm(request.GET or None)
    decision = source = ""
    if form.is_bound and form.is_valid():
        decision, source = form.cleaned_data["decision"], form.cleaned_data["source"]
    items = selectors.collected_list_for_user(
        user=user, request=rights_request, decision=decision, source=source
    )
    page = Paginator(items, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    summary = selectors.review_summary(rights_request)
    _shown_request(
        rights_request,
        summary="Viewed the items collected for a rights request",
        people=[item.subject_id for item in page.object_list if item.subject_id],
    )
    counts = [
        (value, label, summary.by_decision.get(value, 0), DECISION_TAGS[value])
        for value, label in Decision.choices
    ]
    return render(
        request,
        "access_requests/review_list.html",
        {
            "req": rights_request,
            "form": form,
            "page": page,
            "summary": summary,
            "counts": counts,
            "tags": DECISION_TAGS,
            "filter_query": _query_without(request, "page"),
            "active": "requests",
        },
    )


def _item_for(
    request: HttpRequest, request_id: str, item_id: str
) -> tuple[AccessRequest, CollectedItem]:
    rights_request = _request_for(request, request_id)
    item = selectors.collected_get_for_user(
        user=_user(request), request=rights_request, item_id=item_id
    )
    return rights_request, item


def _item_url(rights_request: AccessRequest, item: CollectedItem) -> str:
    return reverse("access_requests:review-item", args=[rights_request.public_id, item.public_id])


def _item_page(
    request: HttpRequest,
    rights_request: AccessRequest,
    item: CollectedItem,
    *,
    decision_form: forms.DecisionForm | None = None,
    redaction_form: forms.RedactionAddForm | None = None,
    consultation_form: forms.ConsultationForm | None = None,
) -> HttpResponse:
    redactions = list(item.redactions.all())
    previous, following = selectors.adjacent_items(item)
    people = [item.subject_id] if item.subject_id else selectors.subject_people(rights_request)
    shown(
        people,
        summary="Reviewed an item for a rights request",
        obj=item,
        purpose=PURPOSE,
        personal={"reference": rights_request.reference},
    )
    initial: dict[str, Any] = (
        {"decision": item.decision, "exemption": item.exemption, "note": item.review_note}
        if item.decision != Decision.PENDING
        else {
            "decision": Decision.REDACT
            if any(r.status == Redaction.Status.ACCEPTED for r in redactions)
            else None
        }
    )
    consulted = {
        "name": item.consulted_name,
        "role": item.consulted_role,
        "consulted_on": item.consulted_on,
        "opinion": item.consulted_opinion,
    }
    return render(
        request,
        "access_requests/review_item.html",
        {
            "req": rights_request,
            "item": item,
            "pieces": page_helpers.text_pieces(item, redactions),
            "redactions": [(r, item.text[r.start : r.end]) for r in redactions],
            "previous": previous,
            "next": following,
            "can_edit": rights_request.state in (State.IN_PROGRESS, State.REVIEW),
            "decision_tag": DECISION_TAGS.get(item.decision, ""),
            "decision_form": decision_form or forms.DecisionForm(initial=initial),
            "redaction_form": redaction_form or forms.RedactionAddForm(),
            "consultation_form": consultation_form
            or forms.ConsultationForm(initial=consulted if item.consulted_on else None),
            "active": "requests",
        },
        status=200,
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def review_item(request: HttpRequest, request_id: str, item_id: str) -> HttpResponse:
    rights_request, item = _item_for(request, request_id, item_id)
    if request.method != "POST":
        return _item_page(request, rights_request, item)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        reviewed = attempt(
            form,
            lambda: services.collected_item_review(
                actor=_user(request),
                item=item,
                decision=data["decision"],
                exemption=data["exemption"],
                note=data["note"],
            ),
        )
        if reviewed is not None:
            messages.success(request, f"“{item.title}” is reviewed.")
            if "next" in request.POST:
                previous, following = selectors.adjacent_items(reviewed)
                upcoming = following or previous
                if upcoming is not None:
                    return redirect(_item_url(rights_request, upcoming))
                messages.info(request, "Every item is reviewed.")
            return redirect(reverse("access_requests:review-list", args=[request_id]))
    return _item_page(request, rights_request, item, decision_form=form)


@officer_only
@require_POST
def redaction_add(request: HttpRequest, request_id: str, item_id: str) -> HttpResponse:
    rights_request, item = _item_for(request, request_id, item_id)
    form = forms.RedactionAddForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if data["text"]:
            span = page_helpers.find_span(item.text, data["text"], data["start"])
            if span is None:
                form.add_error(
                    "text",
                    "That text is not in the item"
                    + (" at or after the start position." if data["start"] else "."),
                )
        else:
            span = (data["start"], data["end"])
        if span is not None:
            start, end = span
            added = attempt(
                form,
                lambda: services.redaction_add(
                    actor=_user(request),
                    item=item,
                    start=start,
                    end=end,
                    exemption=data["exemption"],
                    note=data["note"],
                ),
            )
            if added is not None:
                messages.success(request, "The passage is redacted.")
                return redirect(_item_url(rights_request, item))
    return _item_page(request, rights_request, item, redaction_form=form)


@officer_only
@require_POST
def redaction_decide(
    request: HttpRequest, request_id: str, item_id: str, redaction_id: str
) -> HttpResponse:
    user = _user(request)
    rights_request, item = _item_for(request, request_id, item_id)
    row = selectors.redaction_get_for_user(user=user, item=item, redaction_id=redaction_id)
    form = forms.RedactionDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to redact the passage or keep it.")
        return redirect(_item_url(rights_request, item))
    accept = form.cleaned_data["accept"]
    _act(
        request,
        lambda: services.redaction_decide(actor=user, redaction_row=row, accept=accept),
        "The passage is redacted." if accept else "The passage is kept.",
    )
    return redirect(f"{_item_url(rights_request, item)}#redaction-{row.public_id}")


@officer_only
@require_POST
def consultation_record(request: HttpRequest, request_id: str, item_id: str) -> HttpResponse:
    rights_request, item = _item_for(request, request_id, item_id)
    form = forms.ConsultationForm(request.POST)
    if form.is_valid():
        done = attempt(
            form,
            lambda: services.collected_item_consultation_record(
                actor=_user(request), item=item, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, "The consultation is recorded.")
            return redirect(_item_url(rights_request, item))
    return _item_page(request, rights_request, item, consultation_form=form)


# --- Bundles, exports and download links -----------------------------------------------------


def _bundle_for(
    request: HttpRequest, request_id: str, bundle_id: str
) -> tuple[AccessRequest, DisclosureBundle]:
    rights_request = _request_for(request, request_id)
    bundle = selectors.bundle_get_for_user(
        user=_user(request), request=rights_request, bundle_id=bundle_id
    )
    return rights_request, bundle


def _bundle_url(rights_request: AccessRequest, bundle: DisclosureBundle) -> str:
    return reverse(
        "access_requests:bundle-detail", args=[rights_request.public_id, bundle.public_id]
    )


@officer_only
@require_POST
def bundle_request(request: HttpRequest, request_id: str) -> HttpResponse:
    rights_request = _request_for(request, request_id)
    try:
        bundle = services.bundle_request(actor=_user(request), request=rights_request)
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, _refusal(exc))
        return redirect(_detail_url(rights_request))
    messages.success(request, "The bundle is being produced.")
    return redirect(_bundle_url(rights_request, bundle))


def _bundle_page(
    request: HttpRequest,
    rights_request: AccessRequest,
    bundle: DisclosureBundle,
    *,
    link_form: forms.LinkCreateForm | None = None,
) -> HttpResponse:
    _shown_request(rights_request, summary="Viewed a disclosure bundle", obj=bundle)
    initial = {"recipient_name": rights_request.requester_name}
    if rights_request.requester_email:
        initial["recipient_email"] = rights_request.requester_email
    now = timezone.now()
    links = [
        (
            link,
            "Revoked" if link.revoked_at else "Expired" if link.expires_at <= now else "Active",
        )
        for link in page_helpers.links_for(bundle)
    ]
    return render(
        request,
        "access_requests/bundle_detail.html",
        {
            "req": rights_request,
            "bundle": bundle,
            "links": links,
            "link_form": link_form or forms.LinkCreateForm(initial=initial),
            "can_link": bundle.status == DisclosureBundle.Status.READY
            and rights_request.state in (State.READY, State.CLOSED),
            "working": bundle.status
            in (DisclosureBundle.Status.QUEUED, DisclosureBundle.Status.RENDERING),
            "status_url": reverse(
                "access_requests:bundle-status",
                args=[rights_request.public_id, bundle.public_id],
            ),
            "active": "requests",
        },
    )


@officer_only
@require_GET
@never_cache
def bundle_detail(request: HttpRequest, request_id: str, bundle_id: str) -> HttpResponse:
    rights_request, bundle = _bundle_for(request, request_id, bundle_id)
    return _bundle_page(request, rights_request, bundle)


@officer_only
@require_GET
@never_cache
def bundle_status(request: HttpRequest, request_id: str, bundle_id: str) -> JsonResponse:
    """The bundle's progress for the page's polling script: no personal data."""
    _, bundle = _bundle_for(request, request_id, bundle_id)
    return JsonResponse(
        {
            "status": bundle.status,
            "label": bundle.get_status_display(),
            "percent": bundle.percent,
            "items_done": bundle.items_done,
            "items_total": bundle.items_total,
            "pages": bundle.pages,
            "finished": bundle.status
            in (DisclosureBundle.Status.READY, DisclosureBundle.Status.FAILED),
        }
    )


@officer_only
@require_GET
@never_cache
def bundle_download(request: HttpRequest, request_id: str, bundle_id: str) -> FileResponse:
    rights_request, bundle = _bundle_for(request, request_id, bundle_id)
    if bundle.status != DisclosureBundle.Status.READY or not bundle.file:
        raise Http404(selectors.NOT_FOUND)
    try:
        handle = bundle.file.open("rb")
    except FileNotFoundError:
        raise Http404(selectors.NOT_FOUND) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{rights_request.reference}-disclosure.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    _shown_request(rights_request, summary="Downloaded a disclosure bundle", obj=bundle)
    return response


def _export(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    rights_request = _request_for(request, request_id)
    export = disclosure.export_json if fmt == "json" else disclosure.export_csv
    try:
        content = export(actor=_user(request), request=rights_request)
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, _refusal(exc))
        return redirect(_detail_url(rights_request))
    content_type = "application/json" if fmt == "json" else "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{rights_request.reference}-records.{fmt}"'
    )
    response["Cache-Control"] = "no-store"
    return response


@officer_only
@require_POST
def export_json(request: HttpRequest, request_id: str) -> HttpResponse:
    return _export(request, request_id, "json")


@officer_only
@require_POST
def export_csv(request: HttpRequest, request_id: str) -> HttpResponse:
    return _export(request, request_id, "csv")


@officer_only
@require_POST
@never_cache
def link_create(request: HttpRequest, request_id: str, bundle_id: str) -> HttpResponse:
    rights_request, bundle = _bundle_for(request, request_id, bundle_id)
    form = forms.LinkCreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        created = attempt(
            form,
            lambda: services.download_link_create(
                actor=_user(request),
                bundle=bundle,
                recipient_name=data["recipient_name"],
                recipient_email=data["recipient_email"],
                days=data["days"],
            ),
        )
        if created is not None:
            link, token = created
            # The token is shown this once: only its hash is stored.
            url = request.build_absolute_uri(
                reverse("access_requests:public-download", args=[token])
            )
            _shown_request(rights_request, summary="Created a secure download link", obj=link)
            return render(
                request,
                "access_requests/link_created.html",
                {"req": rights_request, "bundle": bundle, "link": link, "url": url},
            )
    return _bundle_page(request, rights_request, bundle, link_form=form)


@officer_only
@require_POST
def link_revoke(
    request: HttpRequest, request_id: str, bundle_id: str, link_id: str
) -> HttpResponse:
    rights_request, bundle = _bundle_for(request, request_id, bundle_id)
    link = page_helpers.link_get(bundle, link_id)
    _act(
        request,
        lambda: services.download_link_revoke(actor=_user(request), link=link),
        "The link is revoked.",
    )
    return redirect(_bundle_url(rights_request, bundle))


# --- Complaints ------------------------------------------------------------------------------


def _complaint_for(request: HttpRequest, complaint_id: str) -> Complaint:
    found = getattr(request, "_carefile_complaint", None)
    if found is not None and str(found.public_id) == str(complaint_id):
        return found
    return selectors.complaint_get_for_user(user=_user(request), complaint_id=complaint_id)


def _complaint_url(complaint: Complaint) -> str:
    return reverse("access_requests:complaint-detail", args=[complaint.public_id])


def _shown_complaint(complaint: Complaint, *, summary: str, people: Iterable[Any] = ()) -> None:
    shown(
        [*([complaint.person_id] if complaint.person_id else []), *people],
        summary=summary,
        obj=complaint,
        purpose=PURPOSE,
        personal={"reference": complaint.reference},
    )


def _acknowledge_status(complaint: Complaint) -> tuple[str, str]:
    """How close the acknowledgement is to its 30-day limit: (label, tag class)."""
    if complaint.state != ComplaintState.RECEIVED:
        return complaint.get_state_display(), "govuk-tag--grey"
    days = (complaint.acknowledge_by - timezone.localdate()).days
    level = clock.urgency(days)
    if days < 0:
        label = f"Overdue by {-days} day{'s' if days != -1 else ''}"
    elif days == 0:
        label = "Due today"
    else:
        label = f"{days} day{'s' if days != 1 else ''} left"
    return label, URGENCY_TAGS[level]


@officer_only
@require_GET
@never_cache
def complaint_list(request: HttpRequest) -> HttpResponse:
    include_closed = request.GET.get("closed") == "1"
    page = Paginator(
        selectors.complaint_list_for_user(user=_user(request), include_closed=include_closed),
        LIST_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    shown(
        [c.person_id for c in page.object_list if c.person_id],
        summary="Viewed the list of data protection complaints",
        purpose=PURPOSE,
    )
    return render(
        request,
        "access_requests/complaint_list.html",
        {
            "page": page,
            "rows": [(c, *_acknowledge_status(c)) for c in page.object_list],
            "include_closed": include_closed,
            "filter_query": _query_without(request, "page"),
            "active": "complaints",
        },
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def complaint_log(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.ComplaintLogForm(
        request.POST or None,
        organisations=page_helpers.officer_organisations(user),
        initial={"received_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = form.chosen_organisation()
        created = attempt(
            form,
            lambda: services.complaint_log(
                actor=user,
                organisation=organisation,  # type: ignore[arg-type]
                channel=data["channel"],
                received_on=data["received_on"],
                **form.details(),
            ),
        )
        if created is not None:
            messages.success(request, f"Complaint {created.reference} is logged.")
            return redirect(_complaint_url(created))
    return _form_page(
        request,
        form,
        title="Log a data protection complaint",
        back=reverse("access_requests:complaint-list"),
        submit="Log the complaint",
        intro="It must be acknowledged within 30 days and answered without undue delay.",
    )


@officer_only
@require_GET
@never_cache
def complaint_detail(request: HttpRequest, complaint_id: str) -> HttpResponse:
    complaint = _complaint_for(request, complaint_id)
    _shown_complaint(complaint, summary="Viewed a data protection complaint")
    label, tag = _acknowledge_status(complaint)
    return render(
        request,
        "access_requests/complaint_detail.html",
        {
            "complaint": complaint,
            "status_label": label,
            "status_tag": tag,
            "acknowledge_form": forms.AcknowledgeForm(
                initial={"acknowledged_on": timezone.localdate()}
            ),
            "active": "complaints",
        },
    )


def _complaint_form_view(
    request: HttpRequest,
    complaint_id: str,
    form_class: type,
    save: Callable[[Any, Complaint, dict[str, Any]], Any],
    *,
    title: str,
    done: str,
    submit: str = "Save",
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    user = _user(request)
    complaint = _complaint_for(request, complaint_id)
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        result = attempt(form, lambda: save(user, complaint, form.cleaned_data))
        if result is not None:
            messages.success(request, done)
            return redirect(_complaint_url(complaint))
    return _form_page(
        request,
        form,
        complaint=complaint,
        title=title,
        back=_complaint_url(complaint),
        submit=submit,
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def complaint_acknowledge(request: HttpRequest, complaint_id: str) -> HttpResponse:
    return _complaint_form_view(
        request,
        complaint_id,
        forms.AcknowledgeForm,
        lambda user, c, data: services.complaint_acknowledge(actor=user, complaint=c, **data),
        title="Record the acknowledgement",
        done="The complaint is acknowledged.",
        initial={"acknowledged_on": timezone.localdate()},
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def complaint_respond(request: HttpRequest, complaint_id: str) -> HttpResponse:
    return _complaint_form_view(
        request,
        complaint_id,
        forms.RespondForm,
        lambda user, c, data: services.complaint_respond(actor=user, complaint=c, **data),
        title="Record the response",
        done="The response is recorded and the complaint closed.",
        initial={"responded_on": timezone.localdate()},
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def complaint_withdraw(request: HttpRequest, complaint_id: str) -> HttpResponse:
    return _complaint_form_view(
        request,
        complaint_id,
        forms.WithdrawForm,
        lambda user, c, data: services.complaint_withdraw(actor=user, complaint=c, **data),
        title="Record the complaint as withdrawn",
        done="The complaint is recorded as withdrawn.",
        submit="Record as withdrawn",
    )


@officer_only
@require_http_methods(FORM_METHODS)
@never_cache
def complaint_person(request: HttpRequest, complaint_id: str) -> HttpResponse:
    """Find the person the complaint is about (names, dates of birth and services only) and
    link them, so their records are held while it is open."""
    user = _user(request)
    complaint = _complaint_for(request, complaint_id)
    if request.method == "POST":
        choice = forms.PersonChoiceForm(request.POST)
        if not choice.is_valid():
            messages.error(request, "Choose the person the complaint is about.")
            return redirect(reverse("access_requests:complaint-person", args=[complaint_id]))
        person = page_helpers.person_for_complaint(
            user=user, complaint=complaint, person_id=choice.cleaned_data["person"]
        )
        linked = _act(
            request,
            lambda: services.complaint_person_link(actor=user, complaint=complaint, person=person),
            "The complaint is linked to the person's records.",
        )
        if linked:
            return redirect(_complaint_url(complaint))
        return redirect(reverse("access_requests:complaint-person", args=[complaint_id]))
    form = forms.IdentitySearchForm(request.GET or None)
    people: list[selectors.IdentityMatch] | None = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        found, _historic = selectors.identity_search_for_user(
            user=user, query=data["q"], date_of_birth=data["date_of_birth"]
        )
        people = [m for m in found if m.person.organisation_id == complaint.organisation_id]
        shown(
            [m.person for m in people],
            summary="Searched for the person a data protection complaint is about",
            obj=complaint,
            purpose=PURPOSE,
            personal={
                "query": data["q"],
                "date_of_birth": data["date_of_birth"].isoformat() if data["date_of_birth"] else "",
            },
        )
    else:
        _shown_complaint(complaint, summary="Opened the person search for a complaint")
    return render(
        request,
        "access_requests/complaint_person.html",
        {"complaint": complaint, "form": form, "people": people, "active": "complaints"},
    )


# --- Performance -----------------------------------------------------------------------------

CHART_WIDTH = 640
CHART_HEIGHT = 220
PLOT_LEFT = 48
PLOT_RIGHT = 632
PLOT_TOP = 12
PLOT_BOTTOM = 184


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    month: Any
    percent: int | None
    label_x: float


def _chart(months: list[selectors.MonthFigures]) -> dict[str, Any]:
    """Bars of % replied in time for an inline SVG chart, drawn with SVG attributes only (the
    content security policy allows no inline styles)."""
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(len(months), 1)
    plot_height = PLOT_BOTTOM - PLOT_TOP
    bars = []
    for index, month in enumerate(months):
        percent = month.percent_in_time
        height = round(plot_height * (percent or 0) / 100, 1)
        x = round(PLOT_LEFT + index * slot + slot * 0.15, 1)
        bars.append(
            Bar(
                x=x,
                y=round(PLOT_BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=height,
                month=month.month,
                percent=percent,
                label_x=round(x + slot * 0.35, 1),
            )
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": PLOT_LEFT,
        "right": PLOT_RIGHT,
        "plot_top": PLOT_TOP,
        "plot_bottom": PLOT_BOTTOM,
        "plot_middle": round((PLOT_TOP + PLOT_BOTTOM) / 2, 1),
        "label_y": PLOT_BOTTOM + 18,
    }


@officer_only
@require_GET
@never_cache
def performance(request: HttpRequest) -> HttpResponse:
    months = selectors.performance_for_user(user=_user(request))
    closed = sum(m.closed for m in months)
    in_time = sum(m.in_time for m in months)
    return render(
        request,
        "access_requests/performance.html",
        {
            "months": months,
            "chart": _chart(months),
            "closed": closed,
            "in_time": in_time,
            "percent": round(100 * in_time / closed) if closed else None,
            "active": "performance",
        },
    )


PERFORMANCE_HEADER = ["Month", "Closed", "In time", "Late", "Extended", "Paused", "% in time"]


@officer_only
@require_GET
@never_cache
def performance_csv(request: HttpRequest) -> HttpResponse:
    months = selectors.performance_for_user(user=_user(request))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PERFORMANCE_HEADER)
    for m in months:
        writer.writerow(
            csv_cell(value)
            for value in (
                m.month.strftime("%Y-%m"),
                m.closed,
                m.in_time,
                m.late,
                m.extended,
                m.paused,
                "" if m.percent_in_time is None else m.percent_in_time,
            )
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="rights-requests-{stamp}.csv"'
    return response


# --- Bank holidays ---------------------------------------------------------------------------


@administrator_only
@require_http_methods(FORM_METHODS)
@never_cache
def bank_holidays(request: HttpRequest) -> HttpResponse:
    form = forms.BankHolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added = attempt(
            form, lambda: services.bank_holiday_add(actor=_user(request), **form.cleaned_data)
        )
        if added is not None:
            holiday, moved = added
            selectors.extra_holidays_clear()
            messages.success(
                request,
                f"{holiday.name} is added. {moved} open request{'' if moved == 1 else 's'} "
                f"{'has' if moved == 1 else 'have'} a new due date.",
            )
            return redirect(reverse("access_requests:bank-holidays"))
    return render(
        request,
        "access_requests/bank_holidays.html",
        {"form": form, "holidays": page_helpers.bank_holiday_list()},
    )
