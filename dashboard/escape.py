"""Text from files and users shown through Markdown (st.markdown, st.error, ...) as plain text."""

import re

# Markdown punctuation plus Streamlit's extras: $ (LaTeX), : (":red[...]", ":material/x:").
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
# GitHub-flavoured Markdown links bare addresses (http://..., www...., name@host) even when
# each character is escaped: an invisible word joiner keeps them plain text.
JOINER = "\u2060"
_SCHEME = re.compile(r"(?<=\w):(?=//)")
_WWW = re.compile(r"\b(www)(?=\.)", re.IGNORECASE)


def no_autolink(value: str) -> str:
    """The text with a word joiner in every bare address, so that none becomes a link."""
    value = _SCHEME.sub(":" + JOINER, value)
    value = _WWW.sub(r"\1" + JOINER, value)
    return value.replace("@", JOINER + "@")


def md(value: object) -> str:
    """Escape a value so that Markdown shows it literally (no links, images, headings)."""
    return _SPECIAL.sub(r"\\\1", no_autolink(str(value)))


def md_lines(values: list[str]) -> str:
    """A Markdown bullet list whose items are shown literally."""
    return "\n".join(f"- {md(v)}" for v in values)
