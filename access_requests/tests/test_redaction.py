"""Redaction as pure text: a worked social-work note, the formats third-party details are written
in, merging, and properties that hold for any text (no database, no Django)."""

from __future__ import annotations

import re
import time
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from access_requests.redaction import (
    KINDS,
    Span,
    Term,
    apply,
    propose,
    redacted_plain,
    validate_span,
)

NOTE = (
    "Visited Jade Walker at 14 Elm Road, LS6 2AB. Her mother Sandra Walker (07700 900123) "
    "was present. Social worker Priya Shah observed Jade with Sandra; Mrs Walker said "
    "Sandra's partner rings on +44 7700 900123 most evenings."
)
MOTHER = [Term("Sandra Walker", "name", "Mother"), Term("07700 900123", "phone", "Mother")]
SUBJECT_AND_PRACTITIONERS = ["Jade Walker", "Priya Shah"]


def matched(text: str, terms: list[Term], keep: list[str] | tuple[str, ...] = ()) -> list[str]:
    return [span.matched for span in propose(text, terms, keep=keep)]


# --- the worked example ------------------------------------------------------------------------


def test_worked_example_proposes_the_mother_but_not_the_subject_or_the_social_worker() -> None:
    # Jade is the subject and Priya the practitioner (S2P3-17): both passed in keep. Sandra is
    # proposed by full name, by first name (also with a possessive) and by her number in either
    # format. "Walker" alone is never proposed, since the subject is a Walker too: the "Walker"
    # at 154 ("Mrs Walker", who is Sandra) is left to the officer's reading.
    assert propose(NOTE, MOTHER, keep=SUBJECT_AND_PRACTITIONERS) == [
        Span(56, 69, "Name of Mother", "Sandra Walker"),
        Span(71, 83, "Phone number of Mother", "07700 900123"),
        Span(142, 148, "Name of Mother", "Sandra"),
        Span(166, 172, "Name of Mother", "Sandra"),
        Span(192, 207, "Phone number of Mother", "+44 7700 900123"),
    ]


def test_without_the_subject_in_keep_the_shared_surname_is_proposed() -> None:
    # What keep protects against: the subject's own surname, twice over.
    assert matched(NOTE, MOTHER) == [
        "Walker",
        "Sandra Walker",
        "07700 900123",
        "Sandra",
        "Walker",
        "Sandra",
        "+44 7700 900123",
    ]


def test_worked_example_redacted_for_disclosure() -> None:
    accepted = [
        (span.start, span.end, "S2P3-16")
        for span in propose(NOTE, MOTHER, keep=SUBJECT_AND_PRACTITIONERS)
    ]
    plain = redacted_plain(NOTE, accepted)
    assert plain == (
        "Visited Jade Walker at 14 Elm Road, LS6 2AB. Her mother [REDACTED: S2P3-16] "
        "([REDACTED: S2P3-16]) was present. Social worker Priya Shah observed Jade with "
        "[REDACTED: S2P3-16]; Mrs Walker said [REDACTED: S2P3-16]'s partner rings on "
        "[REDACTED: S2P3-16] most evenings."
    )
    assert "Sandra" not in plain
    assert "900123" not in plain


def test_a_practitioner_passed_as_a_term_and_in_keep_is_never_proposed() -> None:
    terms = [Term("Priya Shah", "name", "Social worker"), Term("0113 496 0000", "phone", "Team")]
    text = "Priya Shah (PRIYA, Ms Shah) called from 0113 496 0000."
    assert propose(text, terms, keep=["priya shah", "+44 113 496 0000"]) == []


def test_keep_ignores_titles() -> None:
    terms = [Term("Dr Priya Shah", "name", "Paediatrician"), Term("Tom Ng", "name", "Neighbour")]
    text = "Dr Priya Shah and Priya Shah saw Mr Tom Ng and Tom Ng."
    assert matched(text, terms, keep=["Priya Shah", "Mr Tom Ng"]) == []


def test_keep_wins_over_the_same_words_but_not_over_a_longer_name() -> None:
    terms = [Term("Jade", "alias", "Cousin"), Term("Jade Walker-Brown", "name", "Cousin")]
    # "Jade" is the subject's name too, so only the cousin's full name is proposed.
    assert matched("Jade and Jade Walker-Brown", terms, keep=["Jade Walker"]) == [
        "Jade Walker-Brown"
    ]


# --- names: word boundaries, possessives, titles, parts -----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Al was there.", ["Al"]),
        ("Alan was there.", []),
        ("Hal was there.", []),
        ("(Al) said so", ["Al"]),
        ("AL, then al.", ["AL", "al"]),
        ("Al_2 is a username", []),
        ("Sal-Al and Al-Sal are other people", []),
        ("Al's bike; Al’s car", ["Al", "Al"]),
        ("Al\nBrown wrote", ["Al\nBrown"]),
        ("Al   Brown wrote", ["Al   Brown"]),
        ("Brownlow and Browns", []),
    ],
)
def test_names_match_whole_words_only(text: str, expected: list[str]) -> None:
    assert matched(text, [Term("Al Brown", "name", "Neighbour")]) == expected


def test_possessives_propose_the_name_without_the_s() -> None:
    spans = propose("James' dog and Jade's cat", [Term("James", "name"), Term("Jade", "name")])
    assert [span.matched for span in spans] == ["James", "Jade"]


def test_a_full_name_yields_first_name_and_surname_but_not_initials_or_titles() -> None:
    terms = [Term("Mrs J. Walker", "name", "Aunt"), Term("Dr Sandra Ann Ng", "name", "Mother")]
    text = "Mrs Walker (J. Walker) and Dr Ng; Sandra; Ann; J; Dr; Mrs"
    assert matched(text, terms) == ["Walker", "J. Walker", "Ng", "Sandra"]


def test_a_title_is_optional_in_the_full_name() -> None:
    # Otherwise "Sandra" and "Ng" would be proposed, and "Ann" between them left showing.
    assert matched("Sandra Ann Ng; Dr Sandra Ann Ng", [Term("Dr Sandra Ann Ng", "name")]) == [
        "Sandra Ann Ng",
        "Dr Sandra Ann Ng",
    ]


def test_middle_names_are_only_proposed_within_the_full_name() -> None:
    assert matched("Sandra Ann Walker, and Ann", [Term("Sandra Ann Walker", "name")]) == [
        "Sandra Ann Walker"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zoë came", ["Zoë"]),
        ("ZOË came", ["ZOË"]),
        ("Zoe came", ["Zoe"]),  # typed without the accent: still her
        ("Zoe\u0308 came", ["Zoe\u0308"]),  # decomposed: the combining mark goes with the e
        ("Café — then Zoë", ["Zoë"]),  # offsets are right after other non-ASCII text
        ("Zoëy came", []),
    ],
)
def test_accented_names(text: str, expected: list[str]) -> None:
    assert matched(text, [Term("Zoë", "name", "Friend")]) == expected


def test_an_unaccented_term_finds_the_accented_spelling() -> None:
    assert matched("Chloé and Chloe and CHLOÉ", [Term("Chloe", "name")]) == [
        "Chloé",
        "Chloe",
        "CHLOÉ",
    ]


def test_apostrophes_in_names() -> None:
    terms = [Term("Siobhan O'Neill", "name", "Neighbour")]
    text = "Siobhan O’Neill, Ms O'NEILL, Neill, and O'Neill's car"
    assert matched(text, terms) == ["Siobhan O’Neill", "O'NEILL", "O'Neill"]


def test_neither_half_of_an_apostrophe_name_matches_inside_it() -> None:
    assert matched("O'Neill and D'Arcy", [Term("Neill", "name"), Term("Arcy", "name")]) == []


def test_hyphenated_surnames_match_whole() -> None:
    terms = [Term("Amy Smith-Jones", "name", "Teacher's partner")]
    text = "Amy Smith-Jones; Mrs Smith–Jones; Mr Smith; Jones"
    assert matched(text, terms) == ["Amy Smith-Jones", "Smith–Jones"]


def test_a_surname_does_not_match_inside_a_hyphenated_one() -> None:
    assert (
        matched("Smith-Jones and Jones-Smith", [Term("Smith", "name"), Term("Jones", "name")]) == []
    )


def test_reasons_name_whose_detail_it_is() -> None:
    assert propose("Kai", [Term("Kai", "name")])[0].reason == "Name of a third party"
    assert propose("Kai", [Term("Kai", "alias", "Brother")])[0].reason == "Alias of Brother"


# --- phones, postcodes, identifiers, emails, addresses ------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "07700 900123",
        "07700900123",
        "07700-900-123",
        "07700 900 123",
        "+44 7700 900123",
        "+447700900123",
        "+44 (0)7700 900123",
        "0044 7700 900123",
        "+44-7700-900-123",
        "07700.900.123",
    ],
)
@pytest.mark.parametrize("stored", ["07700 900123", "+44 7700 900123", "+44(0)7700900123"])
def test_phone_numbers_match_however_written(stored: str, written: str) -> None:
    text = f"Call {written} after six."
    assert matched(text, [Term(stored, "phone", "Neighbour")]) == [written]


def test_phone_brackets_are_redacted_with_the_number() -> None:
    text = "Landline (0113) 496 0000, mobile (07700 900123)."
    terms = [Term("0113 4960000", "phone"), Term("07700 900123", "phone")]
    assert matched(text, terms) == ["(0113) 496 0000", "07700 900123"]


@pytest.mark.parametrize(
    "text", ["107700 900123", "07700 9001234", "7700 900123", "+33 7700 900123", "07700 900124"]
)
def test_other_numbers_are_not_proposed(text: str) -> None:
    assert matched(text, [Term("07700 900123", "phone")]) == []


def test_a_non_uk_number_matches_with_either_international_prefix() -> None:
    text = "Paris: +33 1 23 45 67 89 or 0033 123456789; not 123456789"
    assert matched(text, [Term("+33 1 23 45 67 89", "phone", "Father")]) == [
        "+33 1 23 45 67 89",
        "0033 123456789",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LS6 2AB", ["LS6 2AB"]),
        ("ls62ab", ["ls62ab"]),
        ("Leeds LS6  2AB.", ["LS6  2AB"]),
        ("XLS6 2AB", []),
        ("LS6 2ABC", []),
        ("LS16 2AB", []),
    ],
)
def test_postcodes_match_with_or_without_the_space(text: str, expected: list[str]) -> None:
    assert matched(text, [Term("LS6 2AB", "postcode", "Grandmother")]) == expected


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("943 476 5919", "9434765919"),  # NHS number
        ("9434765919", "943 476 5919"),
        ("9434765919", "943-476-5919"),
        ("QQ123456C", "QQ 12 34 56 C"),  # National Insurance number
        ("QQ 12 34 56 C", "qq123456c"),
        ("A123456789012", "A123456789012"),  # Unique Pupil Number
        ("A123456789012", "a 1234 5678 9012"),
    ],
)
def test_identifiers_match_with_or_without_spaces(stored: str, written: str) -> None:
    text = f"Ref: {written}."
    assert matched(text, [Term(stored, "identifier", "Sibling")]) == [written]


def test_identifiers_do_not_match_inside_longer_ones() -> None:
    assert matched("19434765919 and 94347659190", [Term("9434765919", "identifier")]) == []


def test_emails_are_case_insensitive_and_whole() -> None:
    text = (
        "From Sandra.Walker@Example.org; cc xsandra.walker@example.org, "
        "sandra.walker@example.org.uk"
    )
    term = Term("sandra.walker@example.org", "email", "Mother")
    assert matched(text, [term]) == ["Sandra.Walker@Example.org"]


def test_emails_at_the_end_of_a_sentence() -> None:
    assert matched("Write to kai@example.org.", [Term("kai@example.org", "email")]) == [
        "kai@example.org"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at 14 Elm Road today", ["14 Elm Road"]),
        ("at 14  elm\nROAD today", ["14  elm\nROAD"]),
        ("at 114 Elm Road", []),
        ("at 14 Elm Roadside", []),
    ],
)
def test_addresses_match_with_flexible_whitespace(text: str, expected: list[str]) -> None:
    assert matched(text, [Term("14 Elm Road", "address", "Neighbour")]) == expected


def test_address_lines_match_across_commas_and_line_breaks() -> None:
    text = "Flat 2, 14 Elm Road. Flat 2\n14 Elm Road. Flat 2,14 Elm Road."
    assert matched(text, [Term("Flat 2, 14 Elm Road", "address")]) == [
        "Flat 2, 14 Elm Road",
        "Flat 2\n14 Elm Road",
        "Flat 2,14 Elm Road",
    ]


# --- merging -----------------------------------------------------------------------------------


def test_overlapping_matches_merge_and_join_their_reasons() -> None:
    terms = [Term("Elm House", "address", "Grandmother"), Term("Sam Elm", "name", "Uncle")]
    assert propose("Sam Elm House", terms) == [
        Span(0, 13, "Name of Uncle; Address of Grandmother", "Sam Elm House")
    ]


def test_touching_matches_merge() -> None:
    terms = [Term("Sam Ng", "name", "Uncle"), Term("07700 900123", "phone", "Aunt")]
    assert propose("Sam+447700900123", terms) == [
        Span(0, 16, "Name of Uncle; Phone number of Aunt", "Sam+447700900123")
    ]


def test_an_email_holding_a_name_is_one_proposal() -> None:
    terms = [Term("kai@example.org", "email", "Brother"), Term("Kai Ng", "name", "Brother")]
    assert propose("kai@example.org", terms) == [
        Span(0, 15, "Email address of Brother; Name of Brother", "kai@example.org")
    ]


def test_a_shared_surname_gives_both_relatives_as_reasons() -> None:
    terms = [Term("Sandra Walker", "name", "Mother"), Term("Mark Walker", "name", "Father")]
    assert propose("Mr Walker", terms) == [Span(3, 9, "Name of Mother; Name of Father", "Walker")]


def test_the_same_reason_is_not_repeated() -> None:
    spans = propose("Sandra Walker", [Term("Sandra Walker", "name", "Mother")])
    assert spans == [Span(0, 13, "Name of Mother", "Sandra Walker")]


def test_nothing_to_find() -> None:
    assert propose("", MOTHER) == []
    assert propose(NOTE, []) == []


# --- terms --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        ("Kai", "nickname", "Unknown term kind"),
        ("", "name", "no letters or digits"),
        ("  - ", "address", "no letters or digits"),
        ("ext. x", "phone", "no digits"),
        ("+44", "phone", "no digits"),
    ],
)
def test_terms_that_cannot_be_matched_are_refused(value: str, kind: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Term(value, kind)


# --- validate_span, apply, redacted_plain -------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 2, "before the start"),
        (0, 6, "past the end of the text \\(5 characters\\)"),
        (3, 3, "must be after its start"),
        (4, 2, "must be after its start"),
    ],
)
def test_validate_span_refuses_bad_offsets(start: int, end: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_span("hello", start, end)


def test_validate_span_accepts_any_non_empty_part() -> None:
    validate_span("hello", 0, 5)
    validate_span("hello", 4, 5)


def test_apply_without_redactions_keeps_everything() -> None:
    assert apply("hello", []) == [("hello", "")]
    assert apply("", []) == []


def test_apply_merges_overlapping_redactions_and_joins_their_codes() -> None:
    text = "Sandra said that Kai hit her."
    redactions = [(17, 20, "S3P3-11"), (0, 6, "S2P3-16"), (17, 28, "S2P3-16"), (3, 11, "S2P3-16")]
    assert apply(text, redactions) == [
        ("Sandra said", "S2P3-16"),
        (" that ", ""),
        ("Kai hit her", "S3P3-11, S2P3-16"),
        (".", ""),
    ]


def test_apply_joins_touching_redactions_only_when_the_codes_agree() -> None:
    assert apply("abcdef", [(0, 2, "S2P3-16"), (2, 4, "S2P3-16"), (4, 6, "S3P3-11")]) == [
        ("abcd", "S2P3-16"),
        ("ef", "S3P3-11"),
    ]


def test_apply_refuses_bad_offsets_and_blank_codes() -> None:
    with pytest.raises(ValueError, match="past the end"):
        apply("abc", [(0, 4, "S2P3-16")])
    with pytest.raises(ValueError, match="needs an exemption code"):
        apply("abc", [(0, 1, " ")])
    with pytest.raises(ValueError, match="past the end"):
        apply("", [(0, 1, "S2P3-16")])


def test_redacted_plain_marks_each_redaction_with_its_code() -> None:
    text = "Kai (07700 900123) hit Sam."
    assert redacted_plain(text, [(5, 17, "S2P3-16"), (0, 3, "S2P3-16"), (23, 26, "S3P3-11")]) == (
        "[REDACTED: S2P3-16] ([REDACTED: S2P3-16]) hit [REDACTED: S3P3-11]."
    )
    assert redacted_plain(text, [(0, len(text), "S2P4-19")]) == "[REDACTED: S2P4-19]"
    assert redacted_plain(text, []) == text


# --- speed ---------------------------------------------------------------------------------------


def test_long_adversarial_texts_take_linear_time() -> None:
    # Guards against a pattern that backtracks: each text is 100,000 characters of near-misses.
    terms = [
        Term("Sandra Walker", "name"),
        Term("07700 900123", "phone"),
        Term("943 476 5919", "identifier"),
        Term("LS6 2AB", "postcode"),
        Term("14 Elm Road", "address"),
    ]
    for text in ["0 " * 50_000, "+44 7700 9001 " * 7_000, "Sandra " * 14_000, "a" * 100_000]:
        began = time.perf_counter()
        propose(text, terms)
        assert time.perf_counter() - began < 2


# --- properties --------------------------------------------------------------------------------

CODES = ("S2P3-16", "S3P3-11", "S2P4-19")


@st.composite
def texts_with_redactions(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]]]:
    text = draw(st.text(min_size=1, max_size=80))
    starts = st.integers(min_value=0, max_value=len(text) - 1)
    redactions = []
    for start in draw(st.lists(starts, max_size=6)):
        end = draw(st.integers(min_value=start + 1, max_value=len(text)))
        redactions.append((start, end, draw(st.sampled_from(CODES))))
    return text, redactions


@given(texts_with_redactions())
def test_apply_segments_rebuild_the_text_and_redact_exactly_what_was_accepted(
    case: tuple[str, list[tuple[int, int, str]]],
) -> None:
    text, redactions = case
    segments = apply(text, redactions)
    assert "".join(part for part, _ in segments) == text
    assert all(part for part, _ in segments)
    assert all(
        not (first == "" and second == "")
        for (_, first), (_, second) in zip(segments, segments[1:], strict=False)
    )
    redacted = {index for start, end, _ in redactions for index in range(start, end)}
    position = 0
    for part, code in segments:
        for index in range(position, position + len(part)):
            assert (index in redacted) == bool(code)
        position += len(part)


@given(texts_with_redactions())
def test_redacted_plain_never_shows_a_redacted_only_word(
    case: tuple[str, list[tuple[int, int, str]]],
) -> None:
    text, redactions = case
    segments = apply(text, redactions)
    plain = redacted_plain(text, redactions)
    shown = [part for part, code in segments if not code] + [f"[REDACTED: {c}]" for c in CODES]
    for part, code in segments:
        if not code:
            continue
        for word in re.findall(r"\w+", part):
            # Words end at a segment's edges, so a word in the output came from a shown part.
            assert word not in plain or any(word in visible for visible in shown)


@st.composite
def terms(draw: st.DrawFn) -> Term:
    """Any term Term accepts: arbitrary text, or something shaped like a phone number."""
    kind = draw(st.sampled_from(KINDS))
    if kind == "phone":
        value = draw(st.from_regex(r"(\+44|0044|\+33|0|)[0-9 ()\-]{1,12}", fullmatch=True))
    else:
        value = draw(st.text(min_size=1, max_size=15))
    try:
        return Term(value, kind, draw(st.sampled_from(["", "Mother", "Neighbour"])))
    except ValueError:
        return Term("Kai", "name")  # no letters or digits at all: rare, and not the point here


@st.composite
def texts_containing(draw: st.DrawFn) -> tuple[str, list[Term], list[str]]:
    found = draw(st.lists(terms(), max_size=5))
    keep = draw(st.lists(st.text(max_size=10), max_size=3))
    pieces = st.one_of(st.text(max_size=15), st.sampled_from([t.value for t in found] or ["x"]))
    return "".join(draw(st.lists(pieces, max_size=12))), found, keep


def assert_well_formed(text: str, spans: list[Span]) -> None:
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.matched == text[span.start : span.end]
        assert span.reason
    for before, after in zip(spans, spans[1:], strict=False):
        assert before.end < after.start  # sorted, and merged where they overlapped or touched


@given(texts_containing())
@settings(max_examples=300)
def test_proposals_on_any_text_are_in_bounds_sorted_and_separate(
    case: tuple[str, list[Term], list[str]],
) -> None:
    text, found, keep = case
    assert_well_formed(text, propose(text, found, keep=keep))


# A note assembled from known pieces: third parties' details, written in the ways people write
# them, the subject's and a practitioner's names (kept), and filler words between each piece.
FIRST_NAMES = ["Sandra", "Zoë", "Siobhan", "Al", "Ayesha", "Chloé", "Jade", "Kai"]
SURNAMES = ["Walker", "O'Neill", "Smith-Jones", "Ng", "Nowak", "Shah"]
KEEP_POOL = ["Jade Walker", "Priya Shah", "Tom O'Neill"]
FILLER = ["visited", "the", "home", "and", "noted", "was", "present", ".", ",", "(seen)"]
PHONES = ["07700 900123", "0113 496 0000", "+44 20 7946 0958"]
POSTCODES = ["LS6 2AB", "M1 1AE", "SW1A 2AA"]
IDENTIFIERS = ["943 476 5919", "QQ123456C", "A123456789012"]


def strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def loose(value: str) -> str:
    """A detail with its formatting taken away: case, accents, spacing, phone prefixes."""
    compact = re.sub(r"[\W_]+", "", strip_accents(value).casefold())
    if compact.isdigit():
        compact = re.sub(r"^(?:0044|44)0?|^0", "", compact)
    return compact


@st.composite
def written(draw: st.DrawFn, term: Term) -> str:
    """``term`` as someone might type it in a note."""
    value = term.value
    if term.kind == "name":
        value = draw(st.sampled_from([str.upper, str.lower, str.title, strip_accents, str]))(value)
        return value.replace("'", draw(st.sampled_from(["'", "’"])))
    if term.kind == "phone":
        national = re.sub(r"\D", "", value).removeprefix("44").removeprefix("0")
        prefix = draw(st.sampled_from(["0", "+44 ", "+44", "0044 ", "+44 (0)"]))
        spacer = st.sampled_from(["", "", " ", "-"])
        return prefix + "".join(digit + draw(spacer) for digit in national[:-1]) + national[-1]
    compact = re.sub(r"\W", "", value)
    if term.kind == "postcode":
        return draw(st.sampled_from([compact, value, value.lower()]))
    return draw(st.sampled_from([compact, value, " ".join(compact), compact.lower()]))


@st.composite
def notes(draw: st.DrawFn) -> tuple[str, list[Term], list[str], list[tuple[int, int, bool]]]:
    """A note, its third-party terms, keep, and where each piece went (and whether it is kept)."""
    names = [
        Term(f"{draw(st.sampled_from(FIRST_NAMES))} {draw(st.sampled_from(SURNAMES))}", "name")
        for _ in range(draw(st.integers(min_value=0, max_value=3)))
    ]
    details = [
        Term(draw(st.sampled_from(pool)), kind)
        for pool, kind in [(PHONES, "phone"), (POSTCODES, "postcode"), (IDENTIFIERS, "identifier")]
        if draw(st.booleans())
    ]
    keep = draw(st.lists(st.sampled_from(KEEP_POOL), max_size=2, unique=True))
    kept_words = {strip_accents(word).casefold() for name in keep for word in [name, *name.split()]}

    def is_kept(value: str) -> bool:
        return strip_accents(value).casefold() in kept_words

    choices: list[tuple[str, bool]] = []  # (piece, should be proposed)
    for term in [*names, *details]:
        choices.append((draw(written(term)), not (term.kind == "name" and is_kept(term.value))))
    for term in names:
        for part in term.value.split():
            choices.append((part, not is_kept(part)))
    for name in keep:
        choices.extend((word, False) for word in [name, *name.split()])

    order = draw(st.permutations(choices))
    text, placed = draw(st.sampled_from(FILLER)), []
    for piece, proposed in order:
        text += " "
        possessive = draw(st.sampled_from(["", "", "'s"])) if piece[-1].isalpha() else ""
        placed.append((len(text), len(text) + len(piece), proposed))
        text += piece + possessive + " " + draw(st.sampled_from(FILLER))
    return text, [*names, *details], keep, placed


@given(notes())
@settings(max_examples=200)
def test_every_third_party_detail_is_proposed_and_nothing_kept_is(
    case: tuple[str, list[Term], list[str], list[tuple[int, int, bool]]],
) -> None:
    text, found, keep, placed = case
    spans = propose(text, found, keep=keep)
    assert_well_formed(text, spans)
    for start, end, proposed in placed:
        covered = any(span.start <= start and end <= span.end for span in spans)
        touched = any(span.start < end and start < span.end for span in spans)
        assert covered if proposed else not touched, (text[start:end], spans)


@given(notes())
@settings(max_examples=200)
def test_every_proposal_is_one_of_the_terms_modulo_formatting(
    case: tuple[str, list[Term], list[str], list[tuple[int, int, bool]]],
) -> None:
    text, found, keep, _ = case
    known = {loose(t.value) for t in found} | {
        loose(part) for t in found if t.kind == "name" for part in t.value.split()
    }
    for span in propose(text, found, keep=keep):
        assert loose(span.matched) in known, span


@given(
    name=st.text(st.characters(categories=["L", "M", "Nd"]), min_size=1, max_size=8),
    before=st.text(max_size=20),
    after=st.text(max_size=20),
)
@settings(max_examples=300)
def test_a_name_in_any_script_standing_alone_is_proposed(
    name: str, before: str, after: str
) -> None:
    # Scripts whose case folding runs the "wrong" way (Cherokee folds to capitals), and names
    # carrying combining marks, must fold the same in the term as in the text.
    assume(any(char.isalnum() for char in name))  # marks alone are not a name
    text = f"{before} {name} {after}"
    spans = propose(text, [Term(name, "name")])
    start = len(before) + 1
    assert any(span.start <= start and start + len(name) <= span.end for span in spans)
    assert_well_formed(text, spans)


def test_cherokee_names_fold_the_same_in_term_and_text() -> None:
    # Cherokee small letters case-fold to capitals; a term and a text folded differently would
    # never meet.
    assert matched("ꮎꮳ and ᎾᏣ", [Term("ᎾᏣ", "name")]) == ["ꮎꮳ", "ᎾᏣ"]
