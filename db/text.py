"""One normal form for text from files and forms, so that look-alikes are the same text.

"Bürgerbüro" typed on a Mac (decomposed, NFD) and on Windows (composed, NFC) are different
strings to a computer and the same word to a person; so are names with a zero-width space,
a no-break space or a byte-order mark in them. Everything that is matched or stored goes
through clean() first.
"""

import re
import unicodedata

# Invisible characters: zero-width spaces and joiners, word joiner, byte-order mark, soft
# hyphen, Mongolian vowel separator, and the bidirectional controls (which can also make a
# name display as something else than it is).
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # noqa: E501
# Space variants: no-break, en/em/thin/hair spaces, narrow no-break, ideographic, ...
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"  # noqa: E501
_TABLE = {**{ord(c): None for c in _INVISIBLE}, **{ord(c): " " for c in _SPACES}}
_LINE_SEPARATORS = re.compile("[\u2028\u2029\u0085]")


def clean(text: str) -> str:
    """NFC, invisible characters removed, space variants as plain spaces, Unicode line
    separators as line breaks. Plain ASCII comes back unchanged (the fast, common case)."""
    if text.isascii():
        return text
    text = _LINE_SEPARATORS.sub("\n", text.translate(_TABLE))
    return unicodedata.normalize("NFC", text)


def clean_value(value: object) -> object:
    """clean() for strings; any other cell value as it is."""
    return clean(value) if isinstance(value, str) else value
