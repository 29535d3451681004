"""National identifiers a person may carry, each with its own check (DOMAIN.md §1).

Each ``normalise_*`` takes what someone typed (spaces, dashes, lower case) and returns the
canonical form, or raises ``ValidationError`` with a message a practitioner can act on.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_SEPARATORS = re.compile(r"[\s\-]+")

# Unique Pupil Number check letters: A–Z without I, O and S (23 letters).
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"

_NI_PATTERN = re.compile(r"^([A-Z])([A-Z])(\d{6})([A-D])$")
_NI_FIRST_NOT = set("DFIQUV")
_NI_SECOND_NOT = set("DFIOQUV")
_NI_NEVER_ISSUED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", value or "").upper()


def nhs_check_digit(first_nine: str) -> int | None:
    """Modulus 11 with weights 10..2; None when the number can never be valid (remainder 10)."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def normalise_nhs_number(value: str) -> str:
    number = _compact(value)
    if not re.fullmatch(r"\d{10}", number):
        raise ValidationError("Enter an NHS number of 10 digits, like 943 476 5919.")
    expected = nhs_check_digit(number[:9])
    if expected is None or expected != int(number[9]):
        raise ValidationError("This is not a valid NHS number: the check digit does not match.")
    return number


def normalise_ni_number(value: str) -> str:
    number = _compact(value)
    match = _NI_PATTERN.fullmatch(number)
    if not match:
        raise ValidationError(
            "Enter a National Insurance number in the right format: two letters, six digits and "
            "A, B, C or D, like AB 12 34 56 C."
        )
    first, second = match.group(1), match.group(2)
    if first in _NI_FIRST_NOT or second in _NI_SECOND_NOT or first + second in _NI_NEVER_ISSUED:
        raise ValidationError(
            f"This is not a valid National Insurance number: {first}{second} is never issued."
        )
    return number


def upn_check_letter(twelve_digits: str) -> str:
    total = sum(int(d) * w for d, w in zip(twelve_digits, range(2, 14), strict=True))
    return UPN_CHECK_LETTERS[total % 23]


def normalise_upn(value: str) -> str:
    upn = _compact(value)
    if not re.fullmatch(r"[A-Z]\d{12}", upn):
        raise ValidationError(
            "Enter a Unique Pupil Number of 13 characters: a letter then 12 digits."
        )
    if upn_check_letter(upn[1:]) != upn[0]:
        raise ValidationError("This is not a valid Unique Pupil Number: the check letter is wrong.")
    return upn


def format_nhs_number(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else number


def format_ni_number(number: str) -> str:
    if len(number) != 9:
        return number
    return f"{number[:2]} {number[2:4]} {number[4:6]} {number[6:8]} {number[8]}"


def identifier_kind(value: str) -> str | None:
    """Guess which identifier a search term is, so one search box takes any of them."""
    compact = _compact(value)
    if re.fullmatch(r"\d{10}", compact):
        return "nhs_number"
    if _NI_PATTERN.fullmatch(compact):
        return "ni_number"
    if re.fullmatch(r"[A-Z]\d{12}", compact):
        return "upn"
    return None


def compact(value: str) -> str:
    return _compact(value)
