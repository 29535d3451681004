"""The disclosure bundle: the PDF a council sends in answer to a subject access request.

Pure rendering from plain dataclasses, no models: the caller collects, reviews and orders the
items, composes the cover letter and counts the exemptions; this module lays them out with
WeasyPrint and merges the parts with pypdf.

Three promises shape the code:

- **Redacted text never leaves the caller.** A redacted :class:`Segment` contributes only its
  exemption code to the HTML, and every piece of text is escaped, so nothing in a record can
  become markup.
- **Nothing is fetched.** The HTML has no links, images or stylesheets of its own; WeasyPrint
  gets a :class:`RefusingURLFetcher`, so a fetch attempt fails the render instead of reading a
  file or calling out.
- **Memory stays bounded however long the file.** Items are laid out in sections of
  ``section_items``, each its own WeasyPrint document written to a temporary file and freed
  before the next. Front matter (cover letter, index) is numbered i, ii, …; item pages run
  1..N across the sections, each section told the page it starts on, and the schedule and
  the withheld list continue from N + 1. Items are rendered first so the index can give the
  page each one really starts on; the parts are then merged in reading order.
"""

from __future__ import annotations

import gc
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import IO, Any, BinaryIO
from zoneinfo import ZoneInfo

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from pypdf import PdfWriter
from pypdf.constants import PageLabelStyle
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

# Index entries (and withheld rows) per WeasyPrint document, so that the index of a very large
# bundle is laid out in parts too: each part starts a new page.
ROWS_PER_PART = 2000

# Our own names, not strftime's: the locale of a worker must not change a letter.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# C0/C1 controls other than tab and newline, lone surrogates and non-characters: they have no
# place in a letter and some of them stop the HTML parser or the PDF text layer.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Segment:
    """A run of an item's text. With an exemption it is redacted: only the code is shown."""

    text: str
    exemption: str = ""


@dataclass(frozen=True)
class BundleItem:
    """One disclosed record, its text already split into kept text and redactions."""

    number: int
    occurred_at: datetime | None
    title: str
    source: str
    segments: Sequence[Segment]
    # A disclosed document's pages as images, (content type, bytes) each, shown after its
    # text. They reach WeasyPrint only through the fetcher's own map, never as URLs.
    images: Sequence[tuple[str, bytes]] = ()


@dataclass(frozen=True)
class WithheldEntry:
    """A record withheld in full: described, never shown."""

    occurred_at: datetime | None
    description: str
    exemption: str


@dataclass(frozen=True)
class CoverSheet:
    """A cover sheet in place of the covering letter, for a bundle that is not a reply to a
    rights request (a sharing package): a heading, labelled facts, then paragraphs. Plain
    text throughout, escaped like everything else."""

    heading: str
    facts: Sequence[tuple[str, str]] = ()
    paragraphs: Sequence[str] = ()
    # Its entry in the PDF's outline.
    outline_title: str = "Cover sheet"


@dataclass(frozen=True)
class BundleSpec:
    """Everything the bundle shows, already decided by the caller."""

    reference: str
    organisation: str
    cover_letter: Sequence[str]
    items: Sequence[BundleItem]
    withheld: Sequence[WithheldEntry]
    exemptions: Sequence[tuple[str, str, int]]
    generated_on: date
    # Aware datetimes are shown in the council's local time; naive ones as they are.
    time_zone: str = "Europe/London"
    # The rest keep a disclosure bundle as it is; another kind of bundle sets them.
    # Shown instead of the covering letter.
    cover_sheet: CoverSheet | None = None
    # The document's title and the running head on every page.
    title: str = ""
    running_head: str = ""
    # The index's note, instead of the one about redactions and exemption codes.
    index_note: str = ""
    # The schedule of exemptions and the withheld list.
    back_matter: bool = True

    @property
    def document_title(self) -> str:
        return self.title or f"Disclosure bundle {self.reference}"

    @property
    def page_head(self) -> str:
        return self.running_head or f"Disclosure bundle · request {self.reference}"


class FetchRefusedError(Exception):
    """WeasyPrint asked for a URL. A bundle is built from the record alone."""


class RefusingURLFetcher(URLFetcher):
    """Refuses every URL, whatever its scheme, and remembers what was asked for.

    The bundle's HTML carries nothing to fetch, so an attempt can only mean markup got in.
    ``fail_on_errors`` turns WeasyPrint's default (log a warning, carry on without the
    resource) into a failed render, which is loud rather than silent.
    """

    def __init__(self, images: dict[str, tuple[str, bytes]] | None = None) -> None:
        super().__init__(fail_on_errors=True)
        self.attempts: list[str] = []
        # The pages of disclosed documents, by the name the bundle's own markup gives them.
        self.images = images or {}

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url in self.images:
            content_type, body = self.images[url]
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})
        self.attempts.append(url)
        raise FetchRefusedError(f"Disclosure bundles fetch nothing; refused {url!r}.")


def bundle_render(
    spec: BundleSpec,
    out: BinaryIO,
    *,
    section_items: int = 200,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Render the bundle PDF into ``out``; return the page count.

    ``progress(n)`` is called with the number of items rendered so far after each section,
    so a long render can report how far it has got. ``spec.items`` is read once, in order.
    """
    if section_items < 1:
        raise ValueError("section_items must be at least 1.")
    zone = ZoneInfo(spec.time_zone)
    style = _Style(spec)
    with ExitStack() as stack:

        def write(
            body: SafeString,
            *,
            first_page: int,
            roman: bool = False,
            images: dict[str, tuple[str, bytes]] | None = None,
        ) -> tuple[_Part, dict[str, int]]:
            file = stack.enter_context(tempfile.TemporaryFile(prefix="carefile-bundle-"))
            html = style.document(body, first_page=first_page, roman=roman)
            pages, starts = _render(html, file, images)
            return _Part(file, pages), starts

        # The items first: the index needs the page each one starts on.
        sections: list[_Part] = []
        index: list[_IndexRow] = []
        item_pages = rendered = 0
        items = iter(spec.items)
        while chunk := list(islice(items, section_items)):
            part, starts = write(
                _items_html(chunk, zone, anchor_base=rendered),
                first_page=item_pages + 1,
                images=image_names(chunk, anchor_base=rendered),
            )
            index.extend(
                _index_row(item, zone, page=item_pages + 1 + starts[_anchor(rendered + offset)])
                for offset, item in enumerate(chunk)
            )
            sections.append(part)
            item_pages += part.pages
            rendered += len(chunk)
            if progress is not None:
                progress(rendered)
        if not sections:
            part, _ = write(_NO_ITEMS, first_page=1)
            sections.append(part)
            item_pages = part.pages
            if progress is not None:
                progress(0)

        front: list[_Part] = []
        for body in [_cover_html(spec), *_index_parts(index, note=spec.index_note)]:
            part, _ = write(body, first_page=sum(p.pages for p in front) + 1, roman=True)
            front.append(part)
        back: list[_Part] = []
        for body in _back_parts(spec, zone):
            part, _ = write(body, first_page=item_pages + sum(p.pages for p in back) + 1)
            back.append(part)
        return _merge(out, spec, front=front, sections=sections, back=back, index=index)


def bundle_html(spec: BundleSpec) -> str:
    """The whole bundle as one HTML document, its index numbered by WeasyPrint itself.

    Not what :func:`bundle_render` sends (laying out thousands of items at once holds every
    page in memory): it is the reference the sectioned renderer is checked and benchmarked
    against, with the same markup, styles and numbering.
    """
    zone = ZoneInfo(spec.time_zone)
    items = list(spec.items)
    rows = [_index_row(item, zone, anchor=_anchor(position)) for position, item in enumerate(items)]
    back = _back_parts(spec, zone, rows_per_part=len(spec.withheld) + 1)
    body = format_html(
        '<div class="front">{}{}</div><div class="items">{}</div>{}',
        _cover_html(spec),
        mark_safe("".join(_index_parts(rows, rows_per_part=len(rows) + 1, note=spec.index_note))),  # noqa: S308 - built escaped
        _items_html(items, zone, anchor_base=0) if items else _NO_ITEMS,
        format_html('<div class="back">{}</div>', mark_safe("".join(back))) if back else "",  # noqa: S308 - built escaped
    )
    return _Style(spec).document(body, one_piece=True)


# -- rendering and merging -------------------------------------------------------------------


def _render(
    html: str, file: IO[bytes], images: dict[str, tuple[str, bytes]] | None = None
) -> tuple[int, dict[str, int]]:
    """Lay out one part, write its PDF to ``file``; the page count and where each anchor is.

    The document (every page's boxes) is dropped and collected before returning, so only one
    part's layout is ever held.
    """
    fetcher = RefusingURLFetcher(images)
    try:
        document = HTML(string=html, url_fetcher=fetcher).render()
        starts: dict[str, int] = {}
        for number, page in enumerate(document.pages):
            for anchor in page.anchors:
                starts.setdefault(anchor, number)
        pages = len(document.pages)
        document.write_pdf(file)
    except FatalURLFetchingError as exc:
        raise FetchRefusedError(f"Refused to fetch {fetcher.attempts}.") from exc
    del document
    # WeasyPrint's boxes refer to each other; collect now rather than when the cycle
    # collector next gets round to it, or several sections' layouts pile up.
    gc.collect()
    file.seek(0)
    return pages, starts


@dataclass(frozen=True)
class _Part:
    """One rendered document, waiting in a temporary file to be merged."""

    file: IO[bytes]
    pages: int


def _merge(
    out: BinaryIO,
    spec: BundleSpec,
    *,
    front: list[_Part],
    sections: list[_Part],
    back: list[_Part],
    index: list[_IndexRow],
) -> int:
    """Concatenate the parts into ``out`` with page labels and an outline; the page count.

    The page labels make a PDF viewer's page box agree with the printed numbers (i, ii, …
    then 1, 2, …). The outline stands in for WeasyPrint's bookmarks, which do not survive
    the merge: the parts of the bundle, and under "Records" every item.
    """
    writer = PdfWriter()
    for part in [*front, *sections, *back]:
        writer.append(part.file, import_outline=False)
    front_pages = sum(part.pages for part in front)
    item_pages = sum(part.pages for part in sections)
    total = len(writer.pages)
    writer.set_page_label(0, front_pages - 1, style=PageLabelStyle.LOWERCASE_ROMAN, start=1)
    writer.set_page_label(front_pages, total - 1, style=PageLabelStyle.DECIMAL, start=1)

    cover_title = spec.cover_sheet.outline_title if spec.cover_sheet else "Covering letter"
    writer.add_outline_item(title=_clean(cover_title), page_number=0)
    writer.add_outline_item(title="Index", page_number=front[0].pages)
    records = writer.add_outline_item(title="Records", page_number=front_pages, is_open=False)
    for row in index:
        writer.add_outline_item(
            title=_outline_title(row), page_number=front_pages + row.page - 1, parent=records
        )
    if back:
        writer.add_outline_item(
            title="Schedule of exemptions", page_number=front_pages + item_pages
        )
    writer.add_metadata(
        {
            "/Title": _clean(spec.document_title),
            "/Author": _clean(spec.organisation),
        }
    )
    writer.write(out)
    writer.close()
    return total


def _outline_title(row: _IndexRow) -> str:
    title = row.title if len(row.title) <= 80 else row.title[:79] + "…"
    return f"{row.number}. {row.when} · {title}"


# -- text ------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text as it may be printed: newlines normalised, controls and lone surrogates dropped."""
    return _UNPRINTABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone) if moment.tzinfo is not None else moment


def _date(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return "Undated"
    moment = _local(moment, zone)
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def _date_time(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return "Undated"
    moment = _local(moment, zone)
    return f"{_date(moment, zone)}, {moment:%H:%M}"


def _long_date(day: date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _css_string(text: str) -> str:
    """A CSS string literal for ``text``: everything but letters, digits and spaces as a hex
    escape, so nothing in a reference or a council's name can end the string or the rule."""
    escaped = "".join(
        char if char.isascii() and (char.isalnum() or char == " ") else f"\\{ord(char):x} "
        for char in _clean(text).replace("\n", " ")
    )
    return f'"{escaped}"'


# -- markup ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _IndexRow:
    """What the index (and the outline) keeps of an item once its section is written."""

    number: int
    when: str
    title: str
    source: str
    page: int  # where the item starts, among the item pages (1-based)
    # Set instead of ``page`` in the one-piece rendering: WeasyPrint numbers the link itself.
    anchor: str = ""


def _index_row(item: BundleItem, zone: ZoneInfo, *, page: int = 0, anchor: str = "") -> _IndexRow:
    return _IndexRow(
        number=item.number,
        when=_date(item.occurred_at, zone),
        title=_clean(item.title),
        source=_clean(item.source),
        page=page,
        anchor=anchor,
    )


def _anchor(position: int) -> str:
    # By position, not by item number: the caller's numbers need not be unique.
    return f"i-{position + 1}"


def _segments_html(segments: Iterable[Segment]) -> SafeString:
    """Kept text escaped; a redaction as its exemption code alone, its text never read."""
    parts = []
    for segment in segments:
        if segment.exemption:
            parts.append(
                format_html(
                    '<span class="redaction">{}</span>',
                    _clean(segment.exemption).strip(),
                )
            )
        else:
            parts.append(format_html("{}", _clean(segment.text)))
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped above


IMAGE_SCHEME = "carefile-page:"


def image_names(items: Sequence[BundleItem], *, anchor_base: int) -> dict[str, tuple[str, bytes]]:
    """The fetcher's map for these items' document pages: a name no item text can make,
    since item text is escaped and never becomes markup."""
    return {
        f"{IMAGE_SCHEME}{_anchor(anchor_base + offset)}-{page}": image
        for offset, item in enumerate(items)
        for page, image in enumerate(item.images, start=1)
    }


def _images_html(item: BundleItem, anchor: str) -> SafeString:
    total = len(item.images)
    return format_html_join(
        "\n",
        '<figure class="document-page"><img src="{}" alt="{}"></figure>',
        (
            (f"{IMAGE_SCHEME}{anchor}-{page}", f"Page {page} of {total} of the document")
            for page in range(1, total + 1)
        ),
    )


def _items_html(items: Sequence[BundleItem], zone: ZoneInfo, *, anchor_base: int) -> SafeString:
    return format_html_join(
        "\n",
        '<article class="item"><h2 id="{}"><span class="number">{}.</span> {}</h2>'
        '<p class="meta">{} · {}</p><div class="text">{}</div>{}</article>',
        (
            (
                _anchor(anchor_base + offset),
                item.number,
                _clean(item.title),
                _date_time(item.occurred_at, zone),
                _clean(item.source),
                _segments_html(item.segments),
                _images_html(item, _anchor(anchor_base + offset)),
            )
            for offset, item in enumerate(items)
        ),
    )


_NO_ITEMS = mark_safe(  # noqa: S308 - constant
    '<p class="empty">No records are disclosed in this bundle. Any records withheld in full '
    "are listed at the end, with the exemption that applies to each.</p>"
)


def _cover_html(spec: BundleSpec) -> SafeString:
    if spec.cover_sheet is not None:
        return _cover_sheet_html(spec, spec.cover_sheet)
    return format_html(
        '<section class="cover"><p class="organisation">{}</p>'
        '<p class="letter-meta">Our reference: {}<br>Date: {}</p>{}</section>',
        _clean(spec.organisation),
        _clean(spec.reference),
        _long_date(spec.generated_on),
        format_html_join(
            "\n", '<p class="paragraph">{}</p>', ((_clean(p),) for p in spec.cover_letter)
        ),
    )


def _cover_sheet_html(spec: BundleSpec, sheet: CoverSheet) -> SafeString:
    return format_html(
        '<section class="cover cover-sheet"><p class="organisation">{}</p>'
        '<h1 class="part">{}</h1><table class="facts"><colgroup><col class="c-label"><col>'
        "</colgroup><tbody>{}</tbody></table>{}</section>",
        _clean(spec.organisation),
        _clean(sheet.heading),
        format_html_join(
            "\n",
            '<tr><th scope="row">{}</th><td>{}</td></tr>',
            ((_clean(label), _clean(value)) for label, value in sheet.facts),
        ),
        format_html_join(
            "\n", '<p class="paragraph">{}</p>', ((_clean(p),) for p in sheet.paragraphs)
        ),
    )


def _chunks(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _index_parts(
    rows: Sequence[_IndexRow], *, rows_per_part: int = ROWS_PER_PART, note: str = ""
) -> list[SafeString]:
    """The index, as one or more documents' bodies.

    One short paragraph per record rather than a table row: WeasyPrint lays a table row out
    at about twice the cost, and a 2,000-record index is some eighty pages.
    """
    head = format_html(
        '<h1 class="part">Index</h1><p class="note">{}</p>',
        _clean(note)
        or f"This bundle holds {len(rows)} record{'' if len(rows) == 1 else 's'}, in date order. "
        "Each is listed with its number, date, title and the page it starts on, and below "
        "that where it comes from. Where information has been removed you will see a black box "
        "showing an exemption code; the schedule of exemptions at the end says what each code "
        "means.",
    )
    if not rows:
        return [format_html('<section class="index">{}</section>', head)]
    return [
        format_html(
            '<section class="index">{}{}</section>',
            head if number == 0 else "",
            format_html_join(
                "\n",
                '<p class="entry"><b>{}.</b> {} · {} · <b>page {}</b><br>'
                '<span class="from">{}</span></p>',
                (
                    (
                        row.number,
                        row.when,
                        row.title,
                        format_html('<a class="ref" href="#{}"></a>', row.anchor)
                        if row.anchor
                        else row.page,
                        row.source,
                    )
                    for row in chunk
                ),
            ),
        )
        for number, chunk in enumerate(_chunks(rows, rows_per_part))
    ]


def _back_parts(
    spec: BundleSpec, zone: ZoneInfo, *, rows_per_part: int = ROWS_PER_PART
) -> list[SafeString]:
    """The schedule of exemptions and the withheld list, as one or more documents' bodies
    (none when the spec has no back matter)."""
    if not spec.back_matter:
        return []
    if spec.exemptions:
        schedule = format_html(
            '<table class="schedule"><colgroup><col class="c-code"><col class="c-ground">'
            '<col class="c-used"></colgroup><thead><tr><th>Code</th><th>Ground</th>'
            "<th class='used'>Times used</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "\n",
                "<tr><td class='code'>{}</td><td>{}</td><td class='used'>{}</td></tr>",
                ((_clean(code), _clean(ground), used) for code, ground, used in spec.exemptions),
            ),
        )
    else:
        schedule = mark_safe('<p class="empty">No exemptions were applied.</p>')  # noqa: S308
    head = format_html(
        '<h1 class="part">Schedule of exemptions</h1>{}<h1 class="part withheld">Withheld in full'
        '</h1><p class="note">{}</p>',
        schedule,
        "These records were found but are not disclosed. Each is described without its "
        "content, with the exemption that applies."
        if spec.withheld
        else "No records were withheld in full.",
    )
    rows = [
        (_date(entry.occurred_at, zone), _clean(entry.description), _clean(entry.exemption))
        for entry in spec.withheld
    ]
    if not rows:
        return [format_html('<section class="back">{}</section>', head)]
    return [
        format_html(
            '<section class="back">{}<table class="withheld-table"><colgroup>'
            '<col class="c-date"><col class="c-description"><col class="c-code"></colgroup>'
            "<thead><tr><th>Date</th><th>Record</th><th>Exemption</th></tr></thead>"
            "<tbody>{}</tbody></table></section>",
            head if number == 0 else "",
            format_html_join(
                "\n", "<tr><td>{}</td><td>{}</td><td class='code'>{}</td></tr>", chunk
            ),
        )
        for number, chunk in enumerate(_chunks(rows, rows_per_part))
    ]


class _Style:
    """The print stylesheet, and the document shell each part is rendered in."""

    def __init__(self, spec: BundleSpec) -> None:
        self.organisation = _css_string(spec.organisation)
        self.reference = _css_string(spec.page_head)
        self.title = _clean(spec.document_title)

    def pages(self, *, roman: bool, name: str = "") -> str:
        numbering = "counter(page, lower-roman)" if roman else "counter(page)"
        if name:
            page = f"content: 'Page ' {numbering}; {_MARGIN_TEXT}"
            return f"@page {name} {{ @bottom-right {{ {page} }} }}"
        # Three margin boxes, not more: each is laid out and drawn on every page.
        return f"""
            @page {{
              size: A4;
              margin: 20mm 18mm 18mm 18mm;
              @top-left {{ content: {self.organisation}; {_MARGIN_TEXT} }}
              @top-right {{ content: {self.reference}; font-weight: bold; {_MARGIN_TEXT} }}
              @bottom-right {{ content: 'Page ' {numbering}; {_MARGIN_TEXT} }}
            }}"""

    def document(
        self,
        body: SafeString,
        *,
        first_page: int = 1,
        roman: bool = False,
        one_piece: bool = False,
    ) -> str:
        """A complete HTML document around ``body``.

        A part's first page is told its number with ``counter-reset`` on ``@page :first``
        (WeasyPrint then leaves the counter alone on that page, so it shows ``first_page``
        and counts on from there). The one-piece reference numbers its named page groups
        instead: roman for the front matter, restarting at 1 for the items.
        """
        if one_piece:
            numbering = (
                self.pages(roman=False)
                + self.pages(roman=True, name="front")
                + "@page :nth(1 of items) { counter-reset: page 1; }"
                + ".front { page: front; } .items { page: items; }"
                + ".items, .back { break-before: page; }"
            )
        else:
            numbering = (
                self.pages(roman=roman) + f"@page :first {{ counter-reset: page {first_page}; }}"
            )
        return format_html(
            '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{}</title>'
            "<style>{}{}</style></head><body>{}</body></html>",
            self.title,
            mark_safe(numbering),  # noqa: S308 - CSS built from _css_string and numbers
            mark_safe(_CSS),  # noqa: S308 - constant
            body,
        )


# Margin boxes take no grouped selectors in WeasyPrint: each repeats these.
_MARGIN_TEXT = (
    'font-family: "Liberation Sans", "DejaVu Sans", sans-serif; font-size: 8pt; color: #333;'
)

_CSS = """
html {
  font-family: "Liberation Sans", "DejaVu Sans", sans-serif;
  font-size: 11pt;
  line-height: 1.35;
  color: #000;
}
body { margin: 0; }
h1, h2 { bookmark-level: none; }
h1.part { font-size: 15pt; margin: 0 0 4mm; break-after: avoid; }
h1.withheld { margin-top: 10mm; }
p { margin: 0 0 3mm; }
.note, .empty { color: #222; }

.cover .organisation { font-size: 16pt; font-weight: bold; margin-bottom: 8mm; }
.cover .letter-meta { margin-bottom: 8mm; }
.cover .paragraph { white-space: pre-wrap; overflow-wrap: break-word; }
.cover-sheet h1.part { margin-bottom: 6mm; }
table.facts { font-size: 10pt; margin: 0 0 6mm; }
table.facts th { width: 52mm; border-bottom: 0.3pt solid #999; vertical-align: top; }
table.facts td { white-space: pre-wrap; overflow-wrap: break-word; }
.index { break-before: page; }

table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 8.5pt; }
thead { display: table-header-group; }
th { text-align: left; border-bottom: 0.8pt solid #000; padding: 1mm 1.5mm; }
td { vertical-align: top; padding: 0.8mm 1.5mm; border-bottom: 0.3pt solid #999;
     overflow-wrap: anywhere; }
tr { break-inside: avoid; }
.c-date { width: 26mm; } .c-code { width: 24mm; } .c-used { width: 22mm; }
.entry {
  font-size: 9pt;
  margin: 0;
  padding: 0.7mm 0 0.7mm 10mm;
  text-indent: -10mm;
  border-bottom: 0.3pt solid #bbb;
  break-inside: avoid;
}
.entry .from { color: #333; }
td.used, th.used { text-align: right; }
td.code { font-weight: bold; white-space: nowrap; }
a.ref { color: inherit; text-decoration: none; }
a.ref::after { content: target-counter(attr(href url), page); }

.item { margin: 0 0 5mm; padding-top: 2.5mm; border-top: 0.5pt solid #888; }
.item:first-child { border-top: none; padding-top: 0; }
.item h2 { font-size: 11pt; margin: 0 0 0.8mm; break-after: avoid; }
.item .number { font-weight: bold; }
.item .meta { font-size: 8.5pt; color: #333; margin: 0 0 1.5mm; break-after: avoid; }
.item .text { white-space: pre-wrap; overflow-wrap: break-word; }
.document-page { margin: 4mm 0 0; page-break-inside: avoid; }
.document-page img {
  display: block;
  max-width: 100%;
  max-height: 235mm;
  border: 0.3pt solid #b1b4b6;
}
.redaction {
  background: #000;
  color: #fff;
  font-size: 8pt;
  font-weight: bold;
  padding: 0 1.2mm;
  white-space: nowrap;
}
.back { break-before: page; }
"""
