"""NHS number, National Insurance number and UPN checks (DOMAIN.md §1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from records.identifiers import (
    identifier_kind,
    nhs_check_digit,
    normalise_nhs_number,
    normalise_ni_number,
    normalise_upn,
    upn_check_letter,
)


@pytest.mark.parametrize("typed", ["9434765919", "943 476 5919", "943-476-5919 "])
def test_valid_nhs_number_is_normalised(typed):
    assert normalise_nhs_number(typed) == "9434765919"


@pytest.mark.parametrize("typed", ["9434765918", "943476591", "94347659190", "abcdefghij"])
def test_invalid_nhs_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        normalise_nhs_number(typed)


def test_nhs_check_digit_eleven_is_zero_and_ten_is_never_valid():
    # 000000006: 6 × 2 = 12 → 12 mod 11 = 1 → 11 − 1 = 10: no valid number starts so.
    assert nhs_check_digit("000000006") is None
    # 000000000: sum 0 → 11 − 0 = 11 → check digit 0.
    assert nhs_check_digit("000000000") == 0
    with pytest.raises(ValidationError):
        normalise_nhs_number("0000000060")


@pytest.mark.parametrize("typed", ["JG103759A", "jg 10 37 59 a", "AB123456D"])
def test_valid_ni_numbers(typed):
    assert normalise_ni_number(typed) == typed.replace(" ", "").upper()


@pytest.mark.parametrize(
    "typed",
    [
        "DA123456A",  # first letter D
        "AO123456A",  # second letter O
        "GB123456A",  # never issued
        "ZZ123456A",
        "TN123456A",
        "AB123456E",  # suffix beyond D
        "AB12345A",  # five digits
    ],
)
def test_invalid_ni_numbers(typed):
    with pytest.raises(ValidationError):
        normalise_ni_number(typed)


def test_upn_check_letter_skips_i_o_and_s():
    # Weighted sum of 000000000001 is 13 → 13 mod 23 = 13 → the 14th letter without I, O: P.
    assert upn_check_letter("000000000001") == "P"
    assert normalise_upn("p000000000001") == "P000000000001"


@pytest.mark.parametrize("typed", ["B123456789012", "A12345678901", "1123456789012"])
def test_invalid_upns(typed):
    with pytest.raises(ValidationError):
        normalise_upn(typed)


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("943 476 5919", "nhs_number"),
        ("QQ 12 34 56 C", "ni_number"),
        ("A123456789012", "upn"),
        ("Jane Smith", None),
    ],
)
def test_identifier_kind_guesses_what_was_typed(typed, kind):
    assert identifier_kind(typed) == kind
