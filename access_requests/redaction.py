"""Proposing and applying redactions to a disclosed record (DOMAIN.md §3), as pure text functions.

``propose`` finds third-party details (a relative's name, a neighbour's phone number) so the
records-access officer does not have to; the officer accepts or rejects each proposal. Names the
caller passes in ``keep`` — the subject's own, and practitioners' acting in their role
(S2P3-17) — are never proposed. ``apply`` and ``redacted_plain`` turn the accepted redactions into
what is disclosed.

Matching runs on a *folded* copy of the text: lower case, accents stripped, curly apostrophes and
dashes made plain, so "Zoe" finds "Zoë" and "O’Neill" finds "O'Neill" (a missed third-party name
is a breach; an extra proposal is one click). Offsets are always mapped back to the original.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

KINDS = ("name", "alias", "address", "postcode", "phone", "email", "identifier")

_KIND_NOUNS = {
    "name": "Name",
    "alias": "Alias",
    "address": "Address",
    "postcode": "Postcode",
    "phone": "Phone number",
    "email": "Email address",
    "identifier": "Identifier",
}

# Titles are not names: "Mrs Sandra Walker" must not make every "Mrs" a proposal.
_TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "dame", "lady", "lord", "master"}
)

_APOSTROPHES = "\u2019\u2018\u02bc\u0060\u00b4\u2032"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_PUNCTUATION_FOLD = str.maketrans(
    {**dict.fromkeys(_APOSTROPHES, "'"), **dict.fromkeys(_DASHES, "-")}
)

# Where a match may start, by kind. A name starts where no word precedes it, nor a word joined
# by an apostrophe or hyphen ("Neill" is not proposed inside "O'Neill", nor "Jones" inside
# "Smith-Jones"); a name ends where no word or hyphenated continuation follows, so a possessive
# may follow ("Jade's" proposes "Jade").
_NAME_START = r"(?<!\w)(?<!\w['-])"
_NAME_END = r"(?!\w)(?!-\w)"
_WORD_START = r"(?<!\w)"
_WORD_END = r"(?!\w)"
_DIGIT_START = r"(?<![\d+])"
_DIGIT_END = r"(?!\d)"
# Not inside a longer address: "a@b.com" is not "xa@b.com" nor "a@b.com.au".
_EMAIL_START = r"(?<![\w.+\-])"
_EMAIL_END = r"(?![\w\-])(?!\.\w)"
# Between the digits of a phone number: spaces, dashes, dots, brackets, a few at a time.
_PHONE_SEPARATOR = r"[\s\-.()/]{0,3}"
# A UK number is written "07700 900123", "+44 7700 900123", "0044 7700 900123" or
# "+44 (0)7700 900123": all share the digits after the trunk 0 or country code.
_UK_PREFIX = r"(?:(?:\+|00)\s*44[\s\-.]{0,2}(?:\(\s*0\s*\)[\s\-.]{0,2})?|0)"
_UK_POSTCODE = re.compile(r"[a-z]{1,2}\d[a-z\d]?\d[a-z]{2}")
_SPLIT_WORDS = re.compile(r"\s+")
_SPLIT_ADDRESS = re.compile(r"[\s,]+")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_NON_ALNUM = re.compile(r"[\W_]+")
_NON_DIGIT = re.compile(r"\D+")


@dataclass(frozen=True)
class Term:
    """One detail of one third party that may appear in the text.

    ``kind`` is one of ``KINDS``; ``label`` says whose it is ("Mother", "Neighbour").
    """

    value: str
    kind: str
    label: str = ""

    def __post_init__(self) -> None:
        # Refused here, where the caller can see which record is wrong: an unknown kind would
        # match nothing, and a value of punctuation alone would match all over the text.
        if self.kind not in KINDS:
            raise ValueError(f"Unknown term kind {self.kind!r}; expected one of {', '.join(KINDS)}")
        if not _compact(self.value):
            raise ValueError(f"{_KIND_NOUNS[self.kind]} {self.value!r} has no letters or digits")
        if self.kind == "phone" and not _phone_key(self.value):
            raise ValueError(f"Phone number {self.value!r} has no digits")

    @property
    def reason(self) -> str:
        """What the officer sees: whose detail this is (never the subject's)."""
        return f"{_KIND_NOUNS[self.kind]} of {self.label.strip() or 'a third party'}"


@dataclass(frozen=True)
class Span:
    """A proposed redaction: ``text[start:end] == matched``."""

    start: int
    end: int
    reason: str
    matched: str


# --- folding -----------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char.translate(_PUNCTUATION_FOLD).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold_with_map(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, for each folded character, the index of the original it came from.

    ``None`` is the identity map: ASCII text, the common case, folds to the same length.
    """
    if text.isascii():
        return text.lower(), None
    pieces: list[str] = []
    origin: list[int] = []
    position = 0
    for run in _NON_ASCII_RUN.finditer(text):
        pieces.append(text[position : run.start()].lower())
        origin.extend(range(position, run.start()))
        for index in range(run.start(), run.end()):
            folded = _fold_char(text[index])
            pieces.append(folded)
            origin.extend([index] * len(folded))
        position = run.end()
    pieces.append(text[position:].lower())
    origin.extend(range(position, len(text)))
    return "".join(pieces), origin


def _fold(text: str) -> str:
    return _fold_with_map(text)[0]


def _original_span(text: str, origin: list[int] | None, start: int, end: int) -> tuple[int, int]:
    if origin is None:
        return start, end
    first, last = origin[start], origin[end - 1] + 1
    # Combining marks fold to nothing: those next to a match go with it, so "Zoe\u0308" is
    # redacted whole rather than leaving its diaeresis behind.
    while first > 0 and unicodedata.combining(text[first - 1]):
        first -= 1
    while last < len(text) and unicodedata.combining(text[last]):
        last += 1
    return first, last


# --- what "the same term" means for each kind ---------------------------------------------------


def _name_key(value: str) -> str:
    return " ".join(_fold(value).split())


def _compact(value: str) -> str:
    return _NON_ALNUM.sub("", _fold(value))


def _phone_number(value: str) -> tuple[str, str]:
    """How a number is written ("uk", "international" or "local"), and its digits after that.

    "07700 900123", "+44 7700 900123" and "+44 (0)7700 900123" are all ("uk", "7700900123"):
    one number, to be found in any of those forms.
    """
    stripped = value.strip()
    digits = _NON_DIGIT.sub("", stripped)
    if stripped.startswith("+"):
        digits = "00" + digits
    if digits.startswith("0044"):
        # "+44 (0)7700 …": the bracketed trunk 0 is not part of the number.
        national = digits[4:]
        return "uk", national[1:] if national.startswith("0") else national
    if digits.startswith("00"):
        return "international", digits[2:]
    if digits.startswith("0"):
        return "uk", digits[1:]
    return "local", digits


def _phone_key(value: str) -> str:
    return _phone_number(value)[1]


def _name_words(value: str) -> list[str]:
    """The words of a name, without titles or stray punctuation."""
    words = [word.strip('.,;:()"') for word in _SPLIT_WORDS.split(value.strip())]
    return [word for word in words if word and word.casefold().rstrip(".") not in _TITLES]


def _without_titles(value: str) -> list[str]:
    """The name without its titles, if it had any: a note may say "Sandra Ann Ng" for
    "Dr Sandra Ann Ng", and the middle name must not be left showing between the parts."""
    words = _SPLIT_WORDS.split(value.strip())
    untitled = [word for word in words if word.casefold().rstrip(".") not in _TITLES]
    return [" ".join(untitled)] if untitled and len(untitled) < len(words) else []


def _name_parts(value: str) -> list[str]:
    """First name and surname of a full name, each of at least two letters."""
    words = _name_words(value)
    if len(words) < 2:
        return []
    parts = [words[0]] if words[0] == words[-1] else [words[0], words[-1]]
    return [part for part in parts if sum(char.isalpha() for char in part) >= 2]


@dataclass(frozen=True)
class _Keep:
    """The caller's ``keep`` list in each kind's terms: "Jade Walker" keeps "jade" and "walker"."""

    names: frozenset[str]
    compact: frozenset[str]
    phones: frozenset[str]

    @classmethod
    def of(cls, keep: Iterable[str]) -> _Keep:
        names: set[str] = set()
        compact: set[str] = set()
        phones: set[str] = set()
        for value in keep:
            if not (key := _name_key(value)):
                continue
            names.add(key)
            names.update(_name_key(word) for word in _name_words(value))
            names.update(_name_key(untitled) for untitled in _without_titles(value))
            compact.add(_compact(value))
            if not any(char.isalpha() for char in value):
                phones.add(_phone_key(value))
        return cls(frozenset(names), frozenset(compact) - {""}, frozenset(phones) - {""})

    def keeps(self, kind: str, value: str) -> bool:
        if kind == "phone":
            return _phone_key(value) in self.phones
        if kind in ("postcode", "identifier"):
            return _compact(value) in self.compact
        # "Dr Priya Shah" is kept when "Priya Shah" is, and the other way round.
        return any(_name_key(name) in self.names for name in [value, *_without_titles(value)])


# --- patterns ----------------------------------------------------------------------------------
# Each builder turns a term's value into the pattern after the start boundary (matched against
# folded text, so written in lower case) and the characters a match can begin with.


def _name_pattern(value: str) -> tuple[str, str]:
    words = _SPLIT_WORDS.split(_fold(value).strip())
    return words[0][0], r"\s+".join(map(re.escape, words)) + _NAME_END


def _address_pattern(value: str) -> tuple[str, str]:
    words = [word for word in _SPLIT_ADDRESS.split(_fold(value)) if word]
    return words[0][0], r"[\s,]+".join(map(re.escape, words)) + _WORD_END


def _identifier_pattern(value: str) -> tuple[str, str]:
    """Each character in turn, with an optional space or dash between: "QQ 12 34 56 C"."""
    compact = _compact(value)
    return compact[0], r"[\s\-]?".join(map(re.escape, compact)) + _WORD_END


def _postcode_pattern(value: str) -> tuple[str, str]:
    compact = _compact(value)
    if not _UK_POSTCODE.fullmatch(compact):
        return _identifier_pattern(value)
    outward, inward = compact[:-3], compact[-3:]
    return compact[0], re.escape(outward) + r"\s{0,2}" + re.escape(inward) + _WORD_END


def _phone_pattern(value: str) -> tuple[str, str]:
    style, digits = _phone_number(value)
    spaced = _PHONE_SEPARATOR.join(digits) + _DIGIT_END
    if style == "uk":
        return "+0", _UK_PREFIX + _PHONE_SEPARATOR + spaced
    if style == "international":
        return "+0", r"(?:\+|00)\s*" + spaced
    return digits[0], spaced


def _email_pattern(value: str) -> tuple[str, str]:
    email = _fold(value).strip()
    return email[0], re.escape(email) + _EMAIL_END


# Kinds sharing a start boundary are searched for in one pass.
_PATTERNS: dict[str, tuple[str, Callable[[str], tuple[str, str]]]] = {
    "name": (_NAME_START, _name_pattern),
    "alias": (_NAME_START, _name_pattern),
    "address": (_WORD_START, _address_pattern),
    "postcode": (_WORD_START, _postcode_pattern),
    "identifier": (_WORD_START, _identifier_pattern),
    "phone": (_DIGIT_START, _phone_pattern),
    "email": (_EMAIL_START, _email_pattern),
}


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    # The same person's terms are matched against each of their records: compile once.
    return re.compile(pattern)


@dataclass(frozen=True)
class _Search:
    kind: str
    first: str
    body: str
    reasons: tuple[str, ...]
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _Plan:
    """What to look for, worked out once for a person's terms and used on each of their records."""

    keep: _Keep
    # For each start boundary: where any of its searches may match, and the searches.
    groups: tuple[tuple[re.Pattern[str], tuple[_Search, ...]], ...]


@lru_cache(maxsize=256)
def _plan(terms: tuple[Term, ...], keep: tuple[str, ...]) -> _Plan:
    keeping = _Keep.of(keep)
    reasons: dict[tuple[str, str, str, str], list[str]] = {}
    for term in terms:
        start, build = _PATTERNS[term.kind]
        values = [term.value]
        if term.kind in ("name", "alias"):
            values += [*_without_titles(term.value), *_name_parts(term.value)]
        for value in values:
            if keeping.keeps(term.kind, value):
                continue
            first, body = build(value)
            found = reasons.setdefault((start, term.kind, first, body), [])
            if term.reason not in found:
                found.append(term.reason)
    by_start: dict[str, list[_Search]] = {}
    for (start, kind, first, body), why in reasons.items():
        by_start.setdefault(start, []).append(
            _Search(kind, first, body, tuple(why), _compiled(body))
        )
    groups = tuple(
        (_candidates(start, searches), tuple(searches)) for start, searches in by_start.items()
    )
    return _Plan(keeping, groups)


def _candidates(start: str, searches: list[_Search]) -> re.Pattern[str]:
    """Where any of ``searches`` matches: one pass over the text rather than one per term.

    The leading character class lets the regex engine skip most positions cheaply; the
    lookahead finds matches that overlap one another.
    """
    first = "".join(sorted({re.escape(char) for search in searches for char in search.first}))
    alternatives = "|".join(f"(?:{search.body})" for search in searches)
    return _compiled(f"(?=[{first}]){start}(?=(?:{alternatives}))")


def _balance_brackets(text: str, start: int, end: int) -> int:
    """Take in the "(" of "(0113) 496 0000" when the match holds its ")"."""
    matched = text[start:end]
    if start > 0 and text[start - 1] == "(" and matched.count(")") > matched.count("("):
        return start - 1
    return start


def _matches(
    text: str, terms: Iterable[Term], keep: Iterable[str]
) -> Iterator[tuple[int, int, tuple[str, ...]]]:
    """Every match of every term, overlapping or not, with the reasons for it."""
    plan = _plan(tuple(terms), tuple(keep))
    folded, origin = _fold_with_map(text)
    for candidates, searches in plan.groups:
        for candidate in candidates.finditer(folded):
            for search in searches:
                found = search.pattern.match(folded, candidate.start())
                if found is None:
                    continue
                start, end = _original_span(text, origin, found.start(), found.end())
                if search.kind == "phone":
                    start = _balance_brackets(text, start, end)
                if not plan.keep.keeps(search.kind, text[start:end]):
                    yield start, end, search.reasons


# --- the public functions ----------------------------------------------------------------------


def propose(text: str, terms: Iterable[Term], *, keep: Iterable[str] = ()) -> list[Span]:
    """Every occurrence of the terms in ``text``, sorted, merged where they overlap or touch.

    ``keep`` holds names never to propose (the subject's, practitioners'), with each of their
    words: a mother who shares the subject's surname is proposed by her full name or first
    name, never by the surname alone. A merged span lists each distinct reason, joined by "; ".
    """
    found = sorted(_matches(text, terms, keep), key=lambda match: (match[0], -match[1]))
    merged: list[tuple[int, int, list[str]]] = []
    for start, end, reasons in found:
        if merged and start <= merged[-1][1]:
            last_start, last_end, last_reasons = merged[-1]
            extra = [reason for reason in reasons if reason not in last_reasons]
            merged[-1] = (last_start, max(last_end, end), last_reasons + extra)
        else:
            merged.append((start, end, list(reasons)))
    return [
        Span(start=start, end=end, reason="; ".join(reasons), matched=text[start:end])
        for start, end, reasons in merged
    ]


def validate_span(text: str, start: int, end: int) -> None:
    """Refuse offsets that do not name a non-empty part of ``text`` (stale or tampered input)."""
    if start < 0:
        raise ValueError(f"Redaction start {start} is before the start of the text")
    if end > len(text):
        raise ValueError(
            f"Redaction end {end} is past the end of the text ({len(text)} characters)"
        )
    if end <= start:
        raise ValueError(f"Redaction end {end} must be after its start {start}")


def apply(text: str, redactions: Iterable[tuple[int, int, str]]) -> list[tuple[str, str]]:
    """The text as consecutive ``(text, exemption)`` segments; ``""`` marks disclosed text.

    Overlapping redactions become one segment listing each distinct code, joined by ", ", in the
    order the redactions start. The segments always join back into ``text``.
    """
    ordered = []
    for start, end, code in redactions:
        validate_span(text, start, end)
        if not code.strip():
            # An empty code would read as "disclosed" in the segments.
            raise ValueError(f"Redaction {start}-{end} needs an exemption code")
        ordered.append((start, end, code))
    ordered.sort(key=lambda redaction: redaction[0])

    merged: list[tuple[int, int, list[str]]] = []
    for start, end, code in ordered:
        if merged and start < merged[-1][1]:
            last_start, last_end, codes = merged[-1]
            if code not in codes:
                codes.append(code)
            merged[-1] = (last_start, max(last_end, end), codes)
        elif merged and start == merged[-1][1] and merged[-1][2] == [code]:
            # Touching, with the same code: one redaction, not two boxes side by side.
            merged[-1] = (merged[-1][0], end, merged[-1][2])
        else:
            merged.append((start, end, [code]))

    segments: list[tuple[str, str]] = []
    position = 0
    for start, end, codes in merged:
        if start > position:
            segments.append((text[position:start], ""))
        segments.append((text[start:end], ", ".join(codes)))
        position = end
    if position < len(text):
        segments.append((text[position:], ""))
    return segments


def redacted_plain(text: str, redactions: Iterable[tuple[int, int, str]]) -> str:
    """The disclosed text with each redaction shown as ``[REDACTED: CODE]`` (exports, previews)."""
    return "".join(
        f"[REDACTED: {code}]" if code else part for part, code in apply(text, redactions)
    )
