"""The retention pages under /retention/: the schedule and each class's rule with its history,
holds, disposal batches under review, the disposal register, certificates of destruction and
the forecast.

The schedule holds no personal data: the records manager, the system administrator and the
Caldicott guardian read it (``policies.can_view_schedule``), and only a records manager
changes it. Everything else is for the people who approve disposal for a council
(``policies.approver_org_ids``); anyone else gets the missing page, and the selectors check
again. A page that names a person (a hold, a batch under review) names them for the read
audit; the register and the certificate carry references and dates only.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.context import shown
from core import charts
from core.csvsafe import csv_cell
from core.errors import ApplicationError
from core.forms import add_service_errors, attempt
from retention import forms, policies, selectors, services
from retention.certificate import certificate_download
from retention.models import (
    Action,
    BatchStatus,
    DisposalBatch,
    DisposalItem,
    Hold,
    HoldScope,
    ItemStatus,
    RecordClass,
    RetentionRule,
)

FORM_METHODS = ["GET", "POST"]
NOT_FOUND = "Page not found"
ITEMS_PER_PAGE = 100
REGISTER_PER_PAGE = 50
# Items whose person the reviewer sees by name: the records still to be decided on.
T = TypeVar("T")


def _user(request: HttpRequest) -> Any:
    return request.user


def _schedule_reader(request: HttpRequest) -> None:
    if not policies.can_view_schedule(_user(request)):
        raise Http404(NOT_FOUND)


def _approver(request: HttpRequest) -> frozenset[int]:
    """The councils the user approves disposal for; the missing page if none."""
    org_ids = policies.approver_org_ids(_user(request))
    if not org_ids:
        raise Http404(NOT_FOUND)
    return org_ids


def _posted(request: HttpRequest) -> Any:
    # An empty POST is still a submission, and must show what is missing.
    return request.POST if request.method == "POST" else None


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _attempt(
    form: django_forms.Form, action: Callable[[], T], *, rename: dict[str, str] | None = None
) -> T | None:
    """Run a service; on refusal put its messages on the form, under the form's own names
    for the fields the service calls something else."""
    try:
        return action()
    except ApplicationError as exc:
        fields: dict[str, list[str]] = {}
        for name, problems in exc.field_errors.items():
            fields.setdefault((rename or {}).get(name, name), []).extend(problems)
        add_service_errors(form, ApplicationError(exc.message, field_errors=fields))
    except ValidationError as exc:
        add_service_errors(form, exc)
    return None


def _class_choices() -> tuple[list[RecordClass], list[tuple[str, str]]]:
    classes = list(selectors.record_class_list())
    return classes, [(c.code, c.name) for c in classes]


def _staff_name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _form_page(
    request: HttpRequest,
    form: django_forms.Form,
    *,
    title: str,
    caption: str,
    back: str,
    submit: str,
    intro: str = "",
    details: list[tuple[str, str]] | None = None,
    warning: str = "",
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "caption": caption,
        "back_url": back,
        "submit_label": submit,
        "intro": intro,
        "details": details or [],
        "warning": warning,
    }
    return render(request, "retention/form.html", context)


# --- The schedule ----------------------------------------------------------------------------


@require_GET
@never_cache
def schedule(request: HttpRequest) -> HttpResponse:
    _schedule_reader(request)
    rows = []
    for record_class in selectors.record_class_list():
        in_force = getattr(record_class, "rules_in_force", [])
        rows.append((record_class, in_force[0] if in_force else None))
    return render(
        request,
        "retention/schedule.html",
        {
            "rows": rows,
            "approver": bool(policies.approver_org_ids(_user(request))),
            "active": "schedule",
        },
    )


def _rule_initial(rule: RetentionRule | None) -> dict[str, Any]:
    if rule is None:
        return {"period_years": "0", "period_months": "0", "period_days": "0"}
    return {
        "trigger": rule.trigger,
        "period_years": str(rule.period_years),
        "period_months": str(rule.period_months),
        "period_days": str(rule.period_days),
        "death_under_18_years": ""
        if rule.death_under_18_years is None
        else str(rule.death_under_18_years),
        "action": rule.action,
        "then_action": rule.then_action,
        "legal_authority": rule.legal_authority,
    }


@require_http_methods(FORM_METHODS)
@never_cache
def record_class_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    _schedule_reader(request)
    record_class = selectors.record_class_get(code=code)
    may_change = policies.can_change_schedule(user)
    if request.method == "POST" and not may_change:
        raise PermissionDenied("Only a records manager can change the retention schedule.")
    rule = selectors.rule_in_force(record_class)
    form = None
    if may_change:
        form = forms.RuleChangeForm(_posted(request), initial=_rule_initial(rule))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            changed = _attempt(
                form,
                lambda: services.rule_change(actor=user, record_class=record_class, **data),
            )
            if changed is not None:
                messages.success(
                    request,
                    f"Version {changed.version} of the rule for {record_class.name} is in force.",
                )
                return redirect(reverse("retention:class-detail", args=[record_class.code]))
    return render(
        request,
        "retention/class_detail.html",
        {
            "record_class": record_class,
            "rule": rule,
            "history": list(selectors.rule_history(record_class)),
            "form": form,
            "approver": bool(policies.approver_org_ids(user)),
            "active": "schedule",
        },
    )


# --- Holds -----------------------------------------------------------------------------------


def _held_person_id(hold: Hold) -> int | None:
    if hold.person_id is not None:
        return hold.person_id
    return hold.case.person_id if hold.case is not None else None


@require_GET
@never_cache
def hold_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _approver(request)
    everything = request.GET.get("show") == "all"
    holds = list(selectors.holds_list_for_user(user=user, active=not everything))
    named = [hold.person_id for hold in holds if hold.person_id is not None]
    if named:
        shown(named, summary="Viewed the retention holds")
    return render(
        request,
        "retention/hold_list.html",
        {
            "holds": holds,
            "everything": everything,
            "may_place": bool(policies.hold_org_ids(user)),
            "active": "holds",
        },
    )


HOLD_FIELDS = {"person": "case_reference", "case": "case_reference"}
CASE_NOT_FOUND = "No case has that reference at a council whose records you keep."


@require_http_methods(FORM_METHODS)
@never_cache
def hold_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _approver(request)
    if not policies.hold_org_ids(user):
        raise PermissionDenied("Only a records manager can place holds.")
    councils = list(selectors.hold_councils_for_user(user=user))
    classes, class_choices = _class_choices()
    form = forms.HoldForm(
        _posted(request),
        record_classes=class_choices,
        councils=[(str(c.public_id), c.name) for c in councils] if len(councils) > 1 else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scope = data["scope"]
        case = None
        if scope in (HoldScope.PERSON, HoldScope.CASE):
            reference = data["case_reference"].strip().upper()
            case = selectors.hold_case_for_user(user=user, reference=reference)
            if case is None:
                form.add_error("case_reference", CASE_NOT_FOUND)
        if not form.errors:
            organisation = (
                case.organisation
                if case is not None
                else next(
                    (c for c in councils if str(c.public_id) == data.get("organisation")),
                    councils[0],
                )
            )
            record_class = next((c for c in classes if c.code == data["record_class"]), None)
            hold = _attempt(
                form,
                lambda: services.hold_place(
                    actor=user,
                    organisation=organisation,
                    scope=scope,
                    reason=data["reason"],
                    person=case.person if case is not None and scope == HoldScope.PERSON else None,
                    case=case if scope == HoldScope.CASE else None,
                    record_class=record_class,
                    from_date=data["from_date"],
                    to_date=data["to_date"],
                ),
                rename=HOLD_FIELDS,
            )
            if hold is not None:
                messages.success(
                    request,
                    f"The hold is placed. Nothing it covers will be disposed of until it is "
                    f"lifted ({hold.get_scope_display().lower()}).",
                )
                return redirect(reverse("retention:hold-detail", args=[hold.public_id]))
    return render(request, "retention/hold_form.html", {"form": form, "active": "holds"})


@require_http_methods(FORM_METHODS)
@never_cache
def hold_detail(request: HttpRequest, hold_id: str) -> HttpResponse:
    user = _user(request)
    _approver(request)
    hold = selectors.hold_get_for_user(user=user, public_id=hold_id)
    may_lift = hold.organisation_id in policies.hold_org_ids(user)
    if request.method == "POST" and not may_lift:
        raise PermissionDenied("Only a records manager of this council can lift its holds.")
    form = None
    if may_lift:
        form = forms.ReasonForm(
            _posted(request),
            label="Why can the hold be lifted?",
            help_text="For example: the claim is settled, or the inquiry has ended.",
        )
        if request.method == "POST" and form.is_valid():
            lifted = _attempt(
                form,
                lambda: services.hold_lift(
                    actor=user, hold=hold, reason=form.cleaned_data["reason"]
                ),
            )
            if lifted is not None:
                messages.success(
                    request,
                    "The hold is lifted. What it covered is disposed of when due, unless "
                    "another hold covers it.",
                )
                return redirect(reverse("retention:hold-detail", args=[hold.public_id]))
    person_id = _held_person_id(hold)
    person = None
    if person_id is not None:
        person = hold.person if hold.person_id is not None else hold.case.person  # type: ignore[union-attr]
        shown([person_id], summary="Viewed a retention hold", obj=hold)
    return render(
        request,
        "retention/hold_detail.html",
        {"hold": hold, "person": person, "form": form, "active": "holds"},
    )


# --- Disposal batches ------------------------------------------------------------------------


@require_GET
@never_cache
def batch_list(request: HttpRequest) -> HttpResponse:
    _approver(request)
    batches = list(selectors.batch_list_with_counts_for_user(user=_user(request)))
    groups = [
        (value, label, [b for b in batches if b.status == value])
        for value, label in BatchStatus.choices
    ]
    return render(
        request,
        "retention/batch_list.html",
        {"groups": groups, "total": len(batches), "active": "batches"},
    )


@dataclass(frozen=True)
class StatusTab:
    value: str
    label: str
    count: int
    current: bool


def _batch_page(
    request: HttpRequest, batch: DisposalBatch, *, form: django_forms.Form | None = None
) -> HttpResponse:
    user = _user(request)
    counts = {status: getattr(batch, f"n_{status}", 0) for status in ItemStatus.values}
    wanted = request.GET.get("status", "")
    status = wanted if wanted in ItemStatus.values else ""
    page = Paginator(
        selectors.batch_items_for_review(batch=batch, status=status), ITEMS_PER_PAGE
    ).get_page(request.GET.get("page"))
    named_items = {i.pk for i in page if policies.item_named(i)}
    named = [i.person_id for i in page if i.pk in named_items]
    if named:
        shown(named, summary="Reviewed the records of a disposal batch", obj=batch)
    disposes = batch.action in (Action.DESTROY, Action.ANONYMISE)
    proposed = batch.status == BatchStatus.PROPOSED
    # Carried out: every record that was to go, whether it went or a hold stopped it.
    to_run = counts[ItemStatus.INCLUDED] + counts[ItemStatus.DISPOSED] + counts[ItemStatus.SKIPPED]
    tabs = [StatusTab("", "All", sum(counts.values()), status == "")] + [
        StatusTab(value, label, counts[value], status == value)
        for value, label in ItemStatus.choices
        if counts[value]
    ]
    context = {
        "batch": batch,
        "counts": counts,
        "page": page,
        "filter_query": _query_without(request, "page"),
        "tabs": tabs,
        "named_items": named_items,
        "disposes": disposes,
        "may_approve": proposed
        and disposes
        and counts[ItemStatus.INCLUDED] > 0
        and batch.first_approver_id != user.pk,
        "approved_by_you": proposed and batch.first_approver_id == user.pk,
        "may_cancel": batch.status in (BatchStatus.PROPOSED, BatchStatus.APPROVED),
        "may_keep": proposed,
        "to_run": to_run,
        "done_count": counts[ItemStatus.DISPOSED] + counts[ItemStatus.SKIPPED],
        "first_approver": _staff_name(batch.first_approver),
        "second_approver": _staff_name(batch.second_approver),
        "form": form,
        "active": "batches",
    }
    return render(request, "retention/batch_detail.html", context)


@require_GET
@never_cache
def batch_detail(request: HttpRequest, batch_id: str) -> HttpResponse:
    _approver(request)
    batch = selectors.batch_get_with_counts_for_user(user=_user(request), public_id=batch_id)
    return _batch_page(request, batch)


@require_POST
@never_cache
def batch_approve(request: HttpRequest, batch_id: str) -> HttpResponse:
    user = _user(request)
    _approver(request)
    batch = selectors.batch_get_with_counts_for_user(user=user, public_id=batch_id)
    form = django_forms.Form(data={})
    form.is_valid()
    approved = attempt(form, lambda: services.batch_approve(actor=user, batch=batch))
    if approved is None:
        return _batch_page(request, batch, form=form)
    if approved.status == BatchStatus.APPROVED:
        messages.success(
            request,
            f"Batch {approved.reference} is approved by two people. It is carried out next; "
            "the certificate of destruction follows when it is done.",
        )
    else:
        messages.success(
            request,
            f"You approved batch {approved.reference}. A second, different person must approve "
            "it before anything is disposed of.",
        )
    return redirect(reverse("retention:batch-detail", args=[approved.public_id]))


@require_http_methods(FORM_METHODS)
@never_cache
def batch_cancel(request: HttpRequest, batch_id: str) -> HttpResponse:
    user = _user(request)
    _approver(request)
    batch = selectors.batch_get_for_user(user=user, public_id=batch_id)
    if request.method == "GET" and batch.status not in (BatchStatus.PROPOSED, BatchStatus.APPROVED):
        raise Http404(NOT_FOUND)
    form = forms.ReasonForm(_posted(request), label="Why is the batch cancelled?")
    if request.method == "POST" and form.is_valid():
        cancelled = _attempt(
            form,
            lambda: services.batch_cancel(
                actor=user, batch=batch, reason=form.cleaned_data["reason"]
            ),
        )
        if cancelled is not None:
            messages.success(
                request,
                f"Batch {cancelled.reference} is cancelled. Nothing in it is disposed of; its "
                "records are proposed again the next night they are due.",
            )
            return redirect(reverse("retention:batch-detail", args=[cancelled.public_id]))
    back = reverse("retention:batch-detail", args=[batch.public_id])
    return _form_page(
        request,
        form,
        title=f"Cancel batch {batch.reference}",
        caption="Disposal batches",
        back=back,
        submit="Cancel the batch",
        intro="Nothing in a cancelled batch is disposed of. Any approvals given are set aside.",
        details=[
            ("Record class", batch.record_class.name),
            ("Council", batch.organisation.name),
            ("Status", batch.get_status_display()),
        ],
    )


@require_http_methods(FORM_METHODS)
@never_cache
def batch_item_keep(request: HttpRequest, batch_id: str, item_id: str) -> HttpResponse:
    user = _user(request)
    _approver(request)
    batch = selectors.batch_get_for_user(user=user, public_id=batch_id)
    item = selectors.batch_item_get(batch=batch, public_id=item_id)
    if request.method == "GET" and (
        batch.status != BatchStatus.PROPOSED or item.status != ItemStatus.INCLUDED
    ):
        raise Http404(NOT_FOUND)
    form = forms.KeepForm(_posted(request))
    back = reverse("retention:batch-detail", args=[batch.public_id])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kept = _attempt(
            form,
            lambda: services.batch_item_keep(
                actor=user, item=item, reason=data["reason"], keep_until=data["keep_until"]
            ),
        )
        if kept is not None:
            messages.success(
                request,
                f"Record {kept.record_reference} is kept until its review on "
                f"{kept.keep_until:%-d %B %Y}. It is no longer in this batch.",
            )
            return redirect(back)
    if item.person_id is not None:
        shown([item.person_id], summary="Opened the form to keep a record longer", obj=batch)
    warning = (
        "Keeping a record longer changes the batch: an approval already given is withdrawn, "
        "and the batch needs two approvals again."
        if batch.first_approver_id is not None
        else ""
    )
    return _form_page(
        request,
        form,
        title=f"Keep {item.record_reference} longer",
        caption=f"Disposal batch {batch.reference}",
        back=back,
        submit="Keep the record",
        intro="The record is taken out of this batch and proposed again on its review day.",
        details=[
            ("Record", item.record_reference),
            ("Person", item.person.full_name if item.person is not None else ""),
            ("Trigger date", f"{item.trigger_date:%-d %B %Y}" if item.trigger_date else ""),
            ("Due", f"{item.due_on:%-d %B %Y}" if item.due_on else ""),
        ],
        warning=warning,
    )


# --- The disposal register and certificates --------------------------------------------------


def _register_filters(
    request: HttpRequest,
) -> tuple[forms.RegisterFilterForm, dict[str, str]]:
    _, choices = _class_choices()
    form = forms.RegisterFilterForm(request.GET or None, record_classes=choices)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, {"record_class": data["record_class"], "batch_reference": data["batch"]}
    return form, {}


@require_GET
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    _approver(request)
    form, filters = _register_filters(request)
    entries = selectors.register_search_for_user(user=_user(request), **filters)
    page = Paginator(entries, REGISTER_PER_PAGE).get_page(request.GET.get("page"))
    query = _query_without(request, "page")
    return render(
        request,
        "retention/register.html",
        {
            "form": form,
            "page": page,
            "filter_query": query,
            "csv_url": f"{reverse('retention:register-csv')}?{query}",
            "active": "register",
        },
    )


REGISTER_HEADER = (
    "Record class",
    "Reference",
    "Trigger date",
    "Rule version",
    "Batch",
    "First approver",
    "Second approver",
    "Date disposed of",
)


class _Echo:
    """Hands each line the csv writer makes straight back, for streaming."""

    def write(self, value: str) -> str:
        return value


def _register_lines(entries: Iterable[DisposalItem]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(REGISTER_HEADER)
    for entry in entries:
        batch = entry.batch
        yield writer.writerow(
            csv_cell(value)
            for value in (
                batch.record_class.name,
                entry.record_reference,
                entry.trigger_date.isoformat() if entry.trigger_date else "",
                batch.rule.version,
                batch.reference,
                _staff_name(batch.first_approver),
                _staff_name(batch.second_approver),
                _local_date(entry.disposed_at),
            )
        )


def _local_date(moment: Any) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


@require_GET
@never_cache
def register_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _approver(request)
    form, filters = _register_filters(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            "Choose a record class from the list, and a batch reference of at most 20 characters.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    entries = selectors.register_search_for_user(user=_user(request), **filters)
    shown([], summary="Exported the disposal register as CSV", personal={"filters": filters})
    response = StreamingHttpResponse(
        _register_lines(entries.iterator(chunk_size=2000)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="disposal-register.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@never_cache
def batch_certificate(request: HttpRequest, batch_id: str) -> HttpResponseBase:
    _approver(request)
    batch = selectors.batch_get_for_user(user=_user(request), public_id=batch_id)
    if batch.status != BatchStatus.DONE:
        raise Http404(NOT_FOUND)
    response = certificate_download(batch)
    shown(
        [],
        summary=f"Downloaded the certificate of destruction for disposal batch {batch.reference}",
        obj=batch,
    )
    return response


# --- The forecast ----------------------------------------------------------------------------

PLOT_BOTTOM = 220  # the forecast's chart: 260 high
# GOV.UK colours, far enough apart to tell neighbouring parts of a bar apart.
PALETTE = (
    "#1d70b8",
    "#f47738",
    "#00703c",
    "#4c2c92",
    "#d4351c",
    "#28a197",
    "#912b88",
    "#b58840",
    "#505a5f",
    "#85994b",
    "#f499be",
    "#6f72af",
)


@dataclass(frozen=True)
class Series:
    record_class: RecordClass
    colour: str
    counts: list[int]
    total: int


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    name: str
    count: int


@dataclass(frozen=True)
class MonthBar:
    month: date
    total: int
    segments: list[Segment]
    label_x: float
    labelled: bool


def _chart(months: list[date], series: list[Series]) -> dict[str, Any]:
    """Stacked bars of records falling due each month, one colour per record class."""
    totals = [sum(s.counts[index] for s in series) for index in range(len(months))]
    frame = charts.Frame(
        months=len(months), top=charts.nice_top(max([*totals, 0])), bottom=PLOT_BOTTOM
    )
    bars = []
    for index, month in enumerate(months):
        x = frame.bar_x(index)
        base = float(PLOT_BOTTOM)
        segments = []
        for one in series:
            count = one.counts[index]
            if not count:
                continue
            height = frame.height_of(count)
            base = round(base - height, 1)
            segments.append(
                Segment(x, base, frame.bar_width, height, one.colour, one.record_class.name, count)
            )
        bars.append(
            MonthBar(
                month=month,
                total=totals[index],
                segments=segments,
                label_x=frame.label_x(index),
                labelled=index % frame.label_every == 0,
            )
        )
    return frame.context(bars)


@require_GET
@never_cache
def forecast(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _approver(request)
    dry_run = selectors.dry_run_for_user(user=user)
    result = selectors.forecast_for_user(user=user)
    falling_due = [(record_class, counts) for record_class, counts in result.rows if sum(counts)]
    series = [
        Series(record_class, PALETTE[index % len(PALETTE)], counts, sum(counts))
        for index, (record_class, counts) in enumerate(falling_due)
    ]
    unknown = [
        (record_class, result.unknown[record_class.pk])
        for record_class, _ in result.rows
        if result.unknown.get(record_class.pk)
    ]
    chart = _chart(result.months, series)
    return render(
        request,
        "retention/forecast.html",
        {
            "dry_run": dry_run,
            "dry_run_totals": {
                "included": sum(row.included for row in dry_run),
                "held": sum(row.held for row in dry_run),
                "unknown": sum(row.unknown for row in dry_run),
            },
            "forecast": result,
            "series": series,
            "chart": chart,
            "month_rows": [
                (bar.month, [s.counts[index] for s in series], bar.total)
                for index, bar in enumerate(chart["bars"])
            ],
            "forecast_total": sum(result.totals),
            "unknown": unknown,
            "active": "forecast",
        },
    )
