"""Mask personal data in a question before anything is written: `mask("mail me at a@b.fr")`.

Students type their e-mail, phone number, student number or bank details into a chat box more
often than one would think. Masked: e-mail addresses (`[email]`), IBANs (`[iban]`), phone
numbers in French and international formats (`[phone]`), French national student numbers, INE
(`[student-id]`), card numbers and other runs of six or more digits (`[number]`: student
numbers), and codes mixing letters with five or more digits (`[number]`: passports). Years,
year ranges, dates, article numbers and amounts like "1 500 000" stay, so the office can still
read what was asked. Does not detect names: nothing reliable does that in a hundred
languages, so the chat asks visitors not to type them.
"""

from __future__ import annotations

import re
import unicodedata

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Country code, two check digits, then 12 to 30 letters and digits, in groups of four or not
# (at least ten digits in all, so that "EU27 internationalisation" is not one).
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){3,7}(?:[ -]?[A-Z0-9]{1,3})?\b", re.I)
# Card numbers: four groups of four digits, spaced or hyphenated.
_CARD = re.compile(r"\b\d{4}(?:[ -]\d{4}){3}\b")
# A phone number does not start in the middle of a longer grouped number (1 85 05 78 006 084).
_NOT_MID_NUMBER = r"(?<!\d[ .\-])"
# +33 6 12 34 56 78, 0033 6…, +44 20 7946 0958, (+86) 138-0013-8000: a leading + or 00 and 7
# to 15 digits in groups.
_INTERNATIONAL_PHONE = re.compile(
    _NOT_MID_NUMBER + r"(?:\(?\+|\b00)\d{1,3}\)?(?:[ .\-/]?\(?\d{1,4}\)?){3,7}"
)
# 06 12 34 56 78, 06.12.34.56.78, 0612345678, 01-23-45-67-89 (French numbers: ten digits).
_FRENCH_PHONE = re.compile(_NOT_MID_NUMBER + r"\b0[1-9](?:[ .\-]?\d{2}){4}\b")
# INE: ten digits and a letter, or nine digits and two letters (also written in groups).
_INE = re.compile(r"\b(?:\d[ ]?){9}(?:\d[ ]?[A-Z]|[A-Z]{2})\b", re.IGNORECASE)
# Six or more digits, possibly grouped by spaces or dots (21804567, 1 85 05 78 006 084 36); not
# a year range (2021-2027), see `_long_number` for what else stays.
_LONG_NUMBER = re.compile(r"\b\d(?:[ .]?\d){5,}\b")
# What stays although it is a long run of digits: a date (01.09.2024, 1 9 2024), years
# (2024 2025), a list of small numbers (articles 12 13 14).
_DATE = re.compile(r"\d{1,2}[ ./]\d{1,2}[ ./](?:19|20)\d{2}")
_YEARS = re.compile(r"(?:19|20)\d{2}(?: (?:19|20)\d{2})+")
_SMALL_NUMBERS = re.compile(r"\d{1,2}(?: \d{1,2})+")
# Passport, visa and file numbers mix letters and digits (12AB34567, X1234567K).
_CODE = re.compile(r"\b[A-Z0-9]{8,20}\b", re.IGNORECASE)
_AMOUNT = re.compile(r"\d{1,3}(?:([ .])\d{3})(?:\1\d{3})*")

MASKS = (
    (_EMAIL, "[email]"),
    (_CARD, "[number]"),
    (_INTERNATIONAL_PHONE, "[phone]"),
    (_FRENCH_PHONE, "[phone]"),
    (_INE, "[student-id]"),
)


def mask(text: str) -> str:
    """Replace personal data in `text` by placeholders like `[email]` and `[phone]`."""
    # Arabic-Indic and full-width digits (١٢٣, １２３) are digits too: fold them before matching.
    folded = "".join(str(unicodedata.decimal(c)) if _foreign_digit(c) else c for c in text)
    folded = _IBAN.sub(_iban, folded)
    for pattern, placeholder in MASKS:
        folded = pattern.sub(placeholder, folded)
    folded = _CODE.sub(_code, folded)
    return _LONG_NUMBER.sub(_long_number, folded)


def _iban(match: re.Match[str]) -> str:
    iban = match.group()
    return "[iban]" if sum(c.isdigit() for c in iban) >= 10 else iban


def _code(match: re.Match[str]) -> str:
    code = match.group()
    digits = sum(c.isdigit() for c in code)
    return "[number]" if digits >= 5 and digits < len(code) else code


def _long_number(match: re.Match[str]) -> str:
    digits = match.group()
    if _AMOUNT.fullmatch(digits) and len(digits) <= 13:
        return digits
    if any(kept.fullmatch(digits) for kept in (_DATE, _YEARS, _SMALL_NUMBERS)):
        return digits
    return "[number]"


def _foreign_digit(character: str) -> bool:
    return character.isdecimal() and not character.isascii()
