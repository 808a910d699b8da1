"""Personal data is masked before anything is written, in the ways students really type it,
and what the office needs to read (years, article numbers, amounts, programme names) stays."""

from __future__ import annotations

import pytest

from assistant.feedback.privacy import mask

MASKED = [
    # e-mail addresses
    ("Mon mail est jean.dupont@etu.insa-lyon.fr, merci", "Mon mail est [email], merci"),
    ("mi correo: maría.lópez@universidad.es ¿me escriben?", "mi correo: [email] ¿me escriben?"),
    ("contact: li.wei+insa@163.com 请回复", "contact: [email] 请回复"),
    ("E-Mail an Anna-Lena.Müller@tu-berlin.de bitte", "E-Mail an [email] bitte"),
    # French phone numbers, all the usual ways of writing them
    ("appelez moi au 06 12 34 56 78 svp", "appelez moi au [phone] svp"),
    ("mon numéro 06.12.34.56.78", "mon numéro [phone]"),
    ("tel:0612345678", "tel:[phone]"),
    ("fixe 04-72-43-83-83", "fixe [phone]"),
    # international phone numbers
    ("call me on +33 6 12 34 56 78", "call me on [phone]"),
    ("my number is +44 20 7946 0958", "my number is [phone]"),
    ("(+86) 138-0013-8000 请打电话", "[phone] 请打电话"),
    ("whatsapp 0033612345678", "whatsapp [phone]"),
    ("mi teléfono es +34 612 345 678", "mi teléfono es [phone]"),
    ("+1 (415) 555-0132 is my cell", "[phone] is my cell"),
    ("رقمي ٠٦١٢٣٤٥٦٧٨", "رقمي [phone]"),  # Arabic-Indic digits
    # student numbers and INE
    ("my INE is 1234567890A", "my INE is [student-id]"),
    ("numéro INE : 123456789AB", "numéro INE : [student-id]"),
    ("student number 21804567, am I registered?", "student number [number], am I registered?"),
    ("n° étudiant 3180 4567", "n° étudiant [number]"),
    ("学号 20231234567", "学号 [number]"),
    ("学号 ２０２３１２３４", "学号 [number]"),  # full-width digits
    # bank details, cards, passports
    ("IBAN FR76 3000 6000 0112 3456 7890 189 for the refund", "IBAN [iban] for the refund"),
    ("mein IBAN: DE89370400440532013000", "mein IBAN: [iban]"),
    ("GB82 WEST 1234 5698 7654 32", "[iban]"),
    ("card 4970 1012 3456 7890 refused", "card [number] refused"),
    ("carte 4970-1012-3456-7890 refusée", "carte [number] refusée"),
    ("IBAN FR76-3000-6000-0112-3456-7890-189", "IBAN [iban]"),
    ("mon iban fr7630006000011234567890189", "mon iban [iban]"),
    ("iban gb82 west 1234 5698 7654 32", "iban [iban]"),
    ("passport 12AB34567 expires", "passport [number] expires"),
    ("NIE X1234567K", "NIE [number]"),
    ("sécu 1 85 05 78 006 084 36", "sécu [number]"),
]

KEPT = [
    "What are the values of INSA Lyon?",
    "Erasmus+ 2021-2027: how many partner universities?",
    "In 2024 I paid 1 500 euros; is the budget 1 500 000 €?",
    "What does article 12 say about the 30 000 students and 1 900 internationals?",
    "EU27 countries and more",
    "EU27 internationalisation strategy",
    "Frist bis 01.09.2024? Termin am 1.9.2024",
    "l'année 2024 2025, le 12 03 2024",
    "articles 12 13 14 et 15",
    "Horizon 2020 and H2020 projects, CDEFI, LIA and UMI",
    "Quelle est la politique internationale de l'INSA Lyon ?",
    "国际学生有多少？",
    "¿Cuántos estudiantes extranjeros hay en 2025?",
    "",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_personal_data_is_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_what_the_office_needs_to_read_is_kept(text):
    assert mask(text) == text


def test_masking_twice_changes_nothing():
    for text, _ in MASKED:
        assert mask(mask(text)) == mask(text)
