"""axe-core (npm package, `npm ci` puts it into node_modules/) run inside a Chromium page."""

from functools import cache
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
AXE_JS = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
# BITV 2.0 follows WCAG 2.1 AA (EN 301 549).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


@cache
def _source() -> str:
    if not AXE_JS.exists():
        raise FileNotFoundError(f"{AXE_JS} fehlt: `npm ci` im Projektordner (make test tut das)")
    # `;0`: evaluating the script must not try to send the axe object back to Python.
    return AXE_JS.read_text(encoding="utf-8") + "\n;0"


def run_axe(page) -> list[dict]:  # noqa: ANN001
    """The WCAG 2.1 A/AA violations on the page as it stands: [{id, impact, help, nodes}].

    Injected with page.evaluate (a DevTools evaluation, which a Content-Security-Policy of the
    app does not block, unlike a <script> tag); each node is reduced to its CSS target and
    the start of its HTML, for messages.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                          html: n.html.slice(0, 160),
                                          summary: n.failureSummary}))}));
        }""",
        TAGS,
    )


def blocking(violations: list[dict]) -> list[dict]:
    """The violations that must not be there at all (impact serious or critical)."""
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    """A readable list for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} Knoten): {v['help']}")
        lines += [f"    {n['target']}: {n['html']}" for n in v["nodes"][:5]]
    return "\n".join(lines)
