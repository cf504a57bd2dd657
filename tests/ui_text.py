"""What a person can see or hear on a page: visible text, titles, tooltips, labels (Chromium).

collect() returns (kind, text) pairs: text nodes that are rendered (and not aria-hidden or
an icon's ligature), and the attributes a screen reader or a hover shows: title, aria-label,
aria-description, aria-roledescription, aria-valuetext, placeholder, alt.
"""

import re

COLLECT = """() => {
  const out = [];
  const skip = 'style, script, noscript, [aria-hidden="true"], [data-testid="stIconMaterial"]';
  const shown = el => {
    if (!el || el.closest(skip)) return false;
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden') return false;
    }
    return true;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const n = walker.currentNode;
    const t = n.textContent.trim();
    if (t && shown(n.parentElement)) out.push(['text', t]);
  }
  const attrs = ['title', 'aria-label', 'aria-description', 'aria-roledescription',
                 'aria-valuetext', 'placeholder', 'alt'];
  for (const el of document.querySelectorAll(attrs.map(a => '[' + a + ']').join(','))) {
    if (el.closest('[aria-hidden="true"]')) continue;
    for (const a of attrs) {
      const v = el.getAttribute(a);
      if (v && v.trim()) out.push([a, v.trim()]);
    }
  }
  return out;
}"""

# Interface words of English that are not German words as well (and not names in the demo
# data): what Streamlit, Vega and BaseWeb print on their own.
_WORDS = """
    about add all and are as ascending browse cancel change choose clear click close
    collapse column columns copy could data date day delete deploy descending developer
    directories directory download drag drop edit enter error expand failed file files first
    for from fullscreen grid have here hide image is item items it's last limit loading menu
    month more next no not of open or options page per please press previous print rerun
    results row rows running save search select selected settings show sort source stop
    submit the this to today upload view week with year you your skip main content january
    february march june july october december monday tuesday wednesday thursday friday
    saturday sunday tu we th su mar jun jul sep oct dec sidebar navigate home notifications
    theme scroll tabs left right shortcut pages message chart heading value values clipboard
    remove retry range quick arrow keys escape apply entry password number above below
    allowed invalid input type folder
"""
ENGLISH = set(_WORDS.split())
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


# Names of settings (PORTALQUOTE_MAIL_FROM), which the admin's messages name as they are.
SETTING = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


def english_words(text: str) -> list[str]:
    """The English interface words in a text (case-insensitive, whole words)."""
    return [w for w in WORD.findall(SETTING.sub(" ", text)) if w.lower() in ENGLISH]
