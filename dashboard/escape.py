"""Text from files and users shown through Markdown (st.markdown, st.error, ...) as plain text."""

import re

# Markdown punctuation plus Streamlit's extras: $ (LaTeX), : (":red[...]", ":material/x:").
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def md(value: object) -> str:
    """Escape a value so that Markdown shows it literally (no links, images, headings)."""
    return _SPECIAL.sub(r"\\\1", str(value))


def md_lines(values: list[str]) -> str:
    """A Markdown bullet list whose items are shown literally."""
    return "\n".join(f"- {md(v)}" for v in values)
