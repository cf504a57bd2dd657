"""db.text.clean: one normal form for look-alike text from files and forms."""

import unicodedata

import pytest

from db.names import name_key
from db.text import clean, clean_value

NFC = "Bürgerbüro"


@pytest.mark.parametrize(
    "variant",
    [
        unicodedata.normalize("NFD", NFC),  # typed on a Mac
        "Bür\u200bgerbüro",  # zero-width space
        "\ufeffBürgerbüro",  # byte-order mark
        "Bürger\u00adbüro",  # soft hyphen
        "Bürger\u2060büro",  # word joiner
        "\u202aBürgerbüro\u202c",  # bidirectional embedding
    ],
)
def test_look_alikes_become_the_same_text(variant):
    assert variant != NFC
    assert clean(variant) == NFC
    assert name_key(variant) == name_key(NFC) == "bürgerbüro"


def test_space_variants_become_spaces_and_line_separators_line_breaks():
    assert clean("FB\u00a03\u202fBürgerbüro") == "FB 3 Bürgerbüro"
    assert clean("a\u2028b\u2029c") == "a\nb\nc"
    assert name_key("FB\u00a0 3\u3000 Bürgerbüro") == "fb 3 bürgerbüro"


def test_ascii_and_other_values_are_left_alone():
    text = "Meldebescheinigung 2021"
    assert clean(text) is text
    assert clean_value(12) == 12 and clean_value(None) is None
    assert clean("Straße") == "Straße"  # NFC, not case folding
