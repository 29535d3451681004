"""The disclosure bundle, checked in the PDF itself: real WeasyPrint, real pypdf extraction.

Each bundle is rendered once per module (rendering is the slow part) and the tests read its
pages' text. No database.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from access_requests import bundle
from access_requests.bundle import (
    BundleItem,
    BundleSpec,
    FetchRefusedError,
    RefusingURLFetcher,
    Segment,
    WithheldEntry,
    bundle_html,
    bundle_render,
)

REFERENCE = "RR-2026-00012"
SECRETS = ("Quillfeather", "Marrowdene", "07700 900461")
ITEMS = 7


def _words(seed: int, count: int) -> str:
    vocabulary = ["visit", "school", "family", "plan", "review", "contact", "worker", "home"]
    return " ".join(vocabulary[(seed * 7 + n * 3) % len(vocabulary)] for n in range(count))


def _item(number: int) -> BundleItem:
    """About 0.4 of a page, so items start part-way down pages and run over them."""
    secret = SECRETS[number % len(SECRETS)]
    return BundleItem(
        number=number,
        # Summer (BST) and winter dates: shown in UK local time.
        occurred_at=datetime(2024, 7, 1, 8, 30, tzinfo=UTC) + timedelta(days=number * 30),
        title=f"Home visit record {number}",
        source=f"Children's social care case CSC-{number:06d} · Contact",
        segments=[
            Segment(f"Opening line of item {number}.\nSpoke with the child's aunt, "),
            Segment(secret, "S2P3-16"),
            Segment(", about the plan.\n" + "\n".join(_words(number + n, 14) for n in range(12))),
            Segment(f"{secret} said the child was frightened", "S3P3-11"),
            Segment(f"\nClosing line of item {number}."),
        ],
    )


def _spec(items: Sequence[BundleItem]) -> BundleSpec:
    return BundleSpec(
        reference=REFERENCE,
        organisation="Ashdown Borough Council",
        cover_letter=[
            "Ms A Example\n1 High Street\nAshdown",
            "Dear Ms Example,",
            "You asked for a copy of the records we hold about you. They are enclosed.",
        ],
        items=items,
        withheld=[
            WithheldEntry(datetime(2024, 3, 2, 10, 0, tzinfo=UTC), "Case note", "S3P3-11"),
            WithheldEntry(None, "Letter from a solicitor", "S2P4-19"),
        ],
        exemptions=[
            ("S2P3-16", "Information identifying another person", ITEMS),
            ("S3P3-11", "Serious harm", ITEMS),
            ("S2P4-19", "Legal professional privilege", 1),
        ],
        generated_on=date(2026, 5, 1),
    )


class OnceOnly(Sequence[BundleItem]):
    """Items that may be iterated once and not otherwise touched, as a lazy query's."""

    def __init__(self, items: list[BundleItem]) -> None:
        self.items, self.used = items, False

    def __iter__(self) -> Iterator[BundleItem]:
        assert not self.used, "the items were read twice"
        self.used = True
        return iter(self.items)

    def __len__(self) -> int:
        raise AssertionError("len() of the items is not needed")

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        raise AssertionError("indexing the items is not needed")


@dataclass(frozen=True)
class Rendered:
    count: int
    data: bytes
    texts: list[str]
    labels: list[str]
    reader: PdfReader
    progress: list[int]

    @property
    def front_pages(self) -> int:
        """Pages before the one printed "Page 1"."""
        return next(n for n, text in enumerate(self.texts) if _printed_numbers(text) == ["1"])

    def page(self, label: str) -> str:
        return self.texts[self.labels.index(label)]

    def index(self) -> dict[int, str]:
        """Item number → the page the index gives for it."""
        front = "\n".join(self.texts[: self.front_pages])
        return {
            int(number): page
            for number, page in re.findall(r"^(\d+)\. .+? · page (\d+)$", front, re.MULTILINE)
        }


def _read(data: bytes, count: int, progress: list[int]) -> Rendered:
    reader = PdfReader(io.BytesIO(data))
    return Rendered(
        count=count,
        data=data,
        texts=[page.extract_text() for page in reader.pages],
        labels=list(reader.page_labels),
        reader=reader,
        progress=progress,
    )


def _render(spec: BundleSpec, **options: int) -> Rendered:
    out = io.BytesIO()
    calls: list[int] = []
    count = bundle_render(spec, out, progress=calls.append, **options)
    return _read(out.getvalue(), count, calls)


@pytest.fixture(scope="module")
def sectioned() -> Rendered:
    """Seven items in sections of three: three WeasyPrint documents for the items alone.

    The items can only be iterated once, as a lazy query's could."""
    return _render(_spec(OnceOnly([_item(n) for n in range(1, ITEMS + 1)])), section_items=3)


@pytest.fixture(scope="module")
def whole() -> Rendered:
    return _render(_spec([_item(n) for n in range(1, ITEMS + 1)]), section_items=200)


@pytest.fixture(scope="module")
def one_piece() -> Rendered:
    """The reference: one WeasyPrint document, the index numbered by target-counter."""
    html = bundle_html(_spec([_item(n) for n in range(1, ITEMS + 1)]))
    document = HTML(string=html, url_fetcher=RefusingURLFetcher()).render()
    return _read(document.write_pdf(), len(document.pages), [])


def _flat(text: str) -> str:
    """Text without its whitespace, so that strings long enough to wrap still match."""
    return "".join(text.split())


def _printed_numbers(text: str) -> list[str]:
    return re.findall(r"\bPage ([0-9]+|[ivxlcdm]+)\b", text)


@pytest.fixture(params=["sectioned", "whole"])
def rendered(request: pytest.FixtureRequest) -> Rendered:
    return request.getfixturevalue(request.param)


def test_every_page_carries_the_reference_and_its_number(rendered: Rendered) -> None:
    assert rendered.count == len(rendered.texts)
    front = rendered.front_pages
    assert front >= 2  # the covering letter, then the index
    expected = ["i", "ii", "iii", "iv", "v"][:front] + [
        str(n) for n in range(1, rendered.count - front + 1)
    ]
    assert rendered.labels == expected  # the viewer's page box agrees with the print
    for label, text in zip(expected, rendered.texts, strict=True):
        assert REFERENCE in text
        assert _printed_numbers(text) == [label]


def test_the_index_gives_the_page_each_item_starts_on(rendered: Rendered) -> None:
    index = rendered.index()
    assert sorted(index) == list(range(1, ITEMS + 1))
    starts = []
    for number, page in index.items():
        heading = f"{number}. Home visit record {number}\n"
        position = rendered.labels.index(page)
        assert heading in rendered.texts[position]
        assert f"Opening line of item {number}." in rendered.texts[position]
        assert all(heading not in text for text in rendered.texts[:position])
        starts.append(int(page))
    assert starts == sorted(starts)
    # The items run over pages: the test would prove little if each had a page of its own.
    assert len(set(starts)) < ITEMS


def test_items_appear_once_in_order_with_line_breaks_kept(rendered: Rendered) -> None:
    body = "\n".join(rendered.texts[rendered.front_pages :])
    positions = [body.index(f"{n}. Home visit record {n}\n") for n in range(1, ITEMS + 1)]
    assert positions == sorted(positions)
    for n in range(1, ITEMS + 1):
        assert body.count(f"Opening line of item {n}.\n") == 1
        assert body.count(f"Closing line of item {n}.") == 1
    first = rendered.page("1")
    assert "Children's social care case CSC-000001 · Contact" in first
    assert "31 Jul 2024, 09:30" in first  # 08:30 UTC in British Summer Time
    assert "28 Dec 2024, 08:30" in body  # and in winter


def test_redacted_text_never_reaches_the_pdf_and_the_codes_do(rendered: Rendered) -> None:
    everything = "\n".join(rendered.texts)
    for secret in SECRETS:
        assert secret not in everything
        assert secret.encode() not in rendered.data  # metadata, outline
    body = "\n".join(rendered.texts[rendered.front_pages :])
    assert "Spoke with the child's aunt, S2P3-16" in body
    assert body.count("S3P3-11") >= ITEMS


def test_redacted_text_never_reaches_the_html() -> None:
    html = bundle_html(_spec([_item(n) for n in range(1, 4)]))
    for secret in SECRETS:
        assert secret not in html
    assert html.count('<span class="redaction">S2P3-16</span>') == 3


def test_sections_number_continuously(sectioned: Rendered, whole: Rendered) -> None:
    """Each section starts a fresh page; numbering and the index carry on across them."""
    item_pages = sectioned.count - sectioned.front_pages
    whole_item_pages = whole.count - whole.front_pages
    sections = 3
    assert whole_item_pages <= item_pages <= whole_item_pages + sections - 1
    assert sectioned.front_pages == whole.front_pages
    assert sectioned.labels[-1] == str(item_pages)


def test_in_one_section_it_matches_the_one_piece_rendering(
    whole: Rendered, one_piece: Rendered
) -> None:
    """WeasyPrint's own target-counter agrees with the page numbers worked out from anchors."""
    assert whole.count == one_piece.count
    assert whole.index() == one_piece.index()
    assert [_printed_numbers(t) for t in whole.texts] == [
        _printed_numbers(t) for t in one_piece.texts
    ]


def test_schedule_of_exemptions_and_withheld_list(rendered: Rendered) -> None:
    back = rendered.texts[-1]
    assert "Schedule of exemptions" in back
    assert f"S2P3-16 Information identifying another person {ITEMS}" in back
    assert "S2P4-19 Legal professional privilege 1" in back
    assert "Withheld in full" in back
    assert "2 Mar 2024 Case note S3P3-11" in back
    assert "Undated Letter from a solicitor S2P4-19" in back


def test_covering_letter_comes_first(rendered: Rendered) -> None:
    cover = rendered.texts[0]
    assert "Ashdown Borough Council" in cover
    assert "Ms A Example\n1 High Street\nAshdown" in cover
    assert "Our reference: RR-2026-00012" in cover
    assert "Date: 1 May 2026" in cover
    assert "Index" in rendered.texts[1]


def test_the_outline_leads_to_every_item(sectioned: Rendered) -> None:
    outline = sectioned.reader.outline
    titles = [entry.title for entry in outline if not isinstance(entry, list)]
    assert titles == ["Covering letter", "Index", "Records", "Schedule of exemptions"]
    records = outline[3]
    assert isinstance(records, list)
    index = sectioned.index()
    for number, entry in enumerate(records, start=1):
        assert not isinstance(entry, list)
        assert entry.title.startswith(f"{number}. ")
        page = sectioned.reader.get_destination_page_number(entry)
        assert sectioned.labels[page] == index[number]


def test_progress_after_each_section(sectioned: Rendered, whole: Rendered) -> None:
    assert sectioned.progress == [3, 6, 7]
    assert whole.progress == [7]


def test_an_empty_bundle_still_renders() -> None:
    rendered = _render(replace(_spec([]), withheld=[], exemptions=[]))
    assert rendered.progress == [0]
    text = "\n".join(rendered.texts)
    assert "This bundle holds 0 records" in text
    assert "No records are disclosed in this bundle." in text
    assert "No exemptions were applied." in text
    assert "No records were withheld in full." in text
    assert all(REFERENCE in page for page in rendered.texts)


def test_section_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="section_items"):
        bundle_render(_spec([]), io.BytesIO(), section_items=0)


# -- hostile text ----------------------------------------------------------------------------

HOSTILE = (
    '<img src="file:///etc/passwd"><script>alert(1)</script>'
    '<link rel="stylesheet" href="http://attacker.example/s.css">'
    "<style>@import url(https://attacker.example/i.css); body { display: none }</style>"
    '<a href="http://attacker.example/">link</a> <svg><image href="data:image/png;base64,AA"/>'
)


@pytest.fixture
def fetches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every URL WeasyPrint asks any refusing fetcher for."""
    asked: list[str] = []
    original: Callable[..., object] = RefusingURLFetcher.fetch

    def recording(self: RefusingURLFetcher, url: str, headers: object = None) -> object:
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(RefusingURLFetcher, "fetch", recording)
    return asked


def test_hostile_text_is_printed_as_text_and_fetches_nothing(fetches: list[str]) -> None:
    item = BundleItem(
        number=1,
        occurred_at=None,
        title=f"Title {HOSTILE}",
        source=f"Source {HOSTILE}",
        segments=[
            Segment(f"Kept {HOSTILE}\x00\x1b\ud800 end"),
            Segment("Redacted <b>", '<img src="file:///etc/passwd">'),
        ],
    )
    spec = BundleSpec(
        reference='RR-1"; } @page { @top-left { content: url(file:///etc/passwd) } } /*',
        organisation=f"Council {HOSTILE}",
        cover_letter=[f"Letter {HOSTILE}"],
        items=[item],
        withheld=[WithheldEntry(None, f"Withheld {HOSTILE}", "S3P3-11")],
        exemptions=[("S3P3-11", f"Ground {HOSTILE}", 1)],
        generated_on=date(2026, 5, 1),
    )
    rendered = _render(spec)
    assert fetches == []

    text = _flat("\n".join(rendered.texts))
    assert _flat('<img src="file:///etc/passwd"><script>alert(1)</script>') in text
    # Four running heads and the letterhead, the letter, the index entry (title and source),
    # the item (title, source, text), the ground and the withheld entry: all of it printed.
    assert rendered.count == 4
    assert text.count(_flat(HOSTILE)) == 13
    assert _flat('end <img src="file:///etc/passwd">') in text  # the "code" of the redaction
    assert "Redacted" not in text
    assert "root:x:0" not in text  # /etc/passwd was not read
    # The reference went into the CSS of every page as an escaped string, whole.
    assert all(
        _flat('RR-1"; } @page { @top-left { content: url(file:///etc/passwd) } } /*') in _flat(page)
        for page in rendered.texts
    )

    html = bundle_html(spec)
    for tag in ("<img", "<script", "<link", '<a href="http', "<svg"):
        assert tag not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    for control in ("\x00", "\x1b", "\ud800"):
        assert control not in html


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://attacker.example/x.png",
        "https://attacker.example/x.css",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://attacker.example/x",
    ],
)
def test_the_fetcher_refuses_every_url(url: str) -> None:
    fetcher = RefusingURLFetcher()
    with pytest.raises(FetchRefusedError):
        fetcher(url)
    assert fetcher.attempts == [url]


def test_a_fetch_attempt_fails_the_render() -> None:
    """Were markup ever to get through, the render stops rather than reading the file."""
    with pytest.raises(FetchRefusedError, match="/etc/passwd"):
        bundle._render('<p>x<img src="file:///etc/passwd"></p>', io.BytesIO())


def test_a_documents_pages_are_drawn_from_the_fetchers_own_map_only() -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 560), "white").save(buffer, format="PNG")
    scan = buffer.getvalue()
    with_scan = replace(
        _item(1),
        images=[("image/png", scan)],
        segments=[Segment("Its text names carefile-page:item-0-1 and <img src=carefile-page:x>.")],
    )
    out = io.BytesIO()
    bundle_render(_spec([with_scan, _item(2)]), out)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    # Pages of one section share their resources: count the distinct images drawn.
    assert len({image.name for page in reader.pages for image in page.images}) == 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "<img src=carefile-page:x>" in text
    fetcher = bundle.RefusingURLFetcher({"carefile-page:item-0-1": ("image/png", scan)})
    with pytest.raises(bundle.FetchRefusedError):
        fetcher.fetch("carefile-page:item-0-2")
    assert fetcher.attempts == ["carefile-page:item-0-2"]
