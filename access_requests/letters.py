"""The reply letters, composed as plain paragraphs: the bundle's cover letter says everything
Article 15 requires (DOMAIN.md §3); a refusal gives the reasons and the right to complain.

Plain text, escaped wherever it is shown (pages, PDF), so nothing a requester typed can become
markup."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from access_requests.models import AccessRequest, CollectedItem, Decision, Exemption, Source
from records.models import InformationReceived
from sharing.selectors import recipients_of_sharings

ICO = (
    "You have the right to complain to the Information Commissioner's Office: ico.org.uk/make-"
    "a-complaint, telephone 0303 123 1113, or Wycliffe House, Water Lane, Wilmslow, "
    "Cheshire SK9 5AF. You may also ask a court to enforce your rights."
)
RIGHTS = (
    "You have the right to ask us to correct information that is wrong, to erase information "
    "in some circumstances, to restrict how we use it, and to object to how we use it. Where "
    "you disagree with an opinion recorded about you, we will attach your statement to the "
    "record so that your view is reflected."
)
PURPOSES = (
    "We hold this information to provide social care and early help services, to protect "
    "children and adults at risk, and to meet our duties under the Children Act 1989, the "
    "Children Act 2004 and the Care Act 2014. Our lawful basis is the performance of our public "
    "tasks (UK GDPR Article 6(1)(e)) and, for health and social care information, Article "
    "9(2)(h)."
)
RETENTION = (
    "We keep social care records for the periods in our retention schedule: for example, "
    "children's records until the 25th birthday (75th for children who were looked after), "
    "child protection records for 35 years after the case closes, and adult social care "
    "records for 8 years after the case closes or the person dies. Records are then reviewed "
    "and securely destroyed."
)


def _categories(items: Iterable[CollectedItem]) -> list[str]:
    sources = Counter(item.source for item in items)
    labels = {
        Source.PERSON_DETAILS: "personal details (names, date of birth, addresses, contact "
        "details, identifiers, relationships)",
        Source.CASE_ITEM: "case records (contacts, notes, assessments, plans, reviews and "
        "documents)",
        Source.LINKED_ITEM: "information about you in other people's records",
        Source.CONSENT: "consents you have given",
        Source.SHARING: "records of sharing with other organisations",
        Source.HISTORIC: "historic paper records",
    }
    return [labels[source] for source in labels if sources.get(source)]


def _sources(request: AccessRequest) -> list[str]:
    item_ids = request.collected_items.filter(item__isnull=False).values_list("item_id", flat=True)
    return sorted(
        set(
            InformationReceived.objects.filter(item_ptr_id__in=item_ids).values_list(
                "source_organisation", flat=True
            )
        )
    )


def recipients(request: AccessRequest) -> list[str]:
    """Organisations the subjects' information was shared with: the agencies of the sharing
    log entries collected for the request and disclosed. A sharing the officer withheld is
    not named (naming the recipient would disclose it), and one logged after collection is
    named once it has been collected and reviewed."""
    keys = request.collected_items.filter(
        source=Source.SHARING, decision__in=(Decision.DISCLOSE, Decision.REDACT)
    ).values_list("source_key", flat=True)
    return recipients_of_sharings(public_ids=[key.removeprefix("sharing:") for key in keys])


def cover_letter(request: AccessRequest) -> list[str]:
    items = list(request.collected_items.only("source", "decision", "exemption"))
    disclosed = [i for i in items if i.decision in (Decision.DISCLOSE, Decision.REDACT)]
    withheld = [i for i in items if i.decision == Decision.WITHHOLD]
    redacted = [i for i in items if i.decision == Decision.REDACT]
    paragraphs = [
        f"Dear {request.requester_name},",
        f"Your request {request.reference}, received on {request.received_on:%-d %B %Y}, "
        f"asked for the information {request.organisation.name} holds about "
        f"{request.subject_name}. This bundle contains copies of {len(disclosed)} records, "
        "in date order, with an index.",
        f"Why we hold it. {PURPOSES}",
        "What it contains. "
        + "; ".join(_categories(items) or ["no records were found"]).capitalize()
        + ".",
    ]
    shared = recipients(request)
    paragraphs.append(
        "Who it was shared with. "
        + (
            "Our sharing log records sharing with: " + ", ".join(shared) + "."
            if shared
            else "Our sharing log records no sharing of this information with other organisations."
        )
    )
    paragraphs.append(f"How long we keep it. {RETENTION}")
    sources = _sources(request)
    paragraphs.append(
        "Where it came from. Most of the information was recorded by our staff from what you "
        "and others told us."
        + (f" Some was received from: {', '.join(sources)}." if sources else "")
    )
    if redacted or withheld:
        used = sorted({i.exemption for i in withheld if i.exemption})
        paragraphs.append(
            f"What we have not disclosed. Parts of {len(redacted)} records are blacked out and "
            f"{len(withheld)} records are withheld, where the law allows or requires it — "
            "mostly to protect other people's information. Each blacked-out passage shows the "
            "exemption relied on, and a schedule at the end of the bundle lists them"
            + (f" (withheld under {', '.join(used)})" if used else "")
            + "."
        )
    paragraphs += [f"Your rights. {RIGHTS}", ICO, "Yours sincerely,", "Records-access team"]
    return paragraphs


def refusal_letter(request: AccessRequest, reasons: str) -> list[str]:
    return [
        f"Dear {request.requester_name},",
        f"We have considered your request {request.reference}, received on "
        f"{request.received_on:%-d %B %Y}, about {request.subject_name}.",
        "We are not able to provide the information you asked for, for these reasons:",
        reasons.strip(),
        ICO,
        "Yours sincerely,",
        "Records-access team",
    ]


def exemption_label(code: str) -> str:
    return dict(Exemption.choices).get(code, code).removeprefix(f"{code} ")
