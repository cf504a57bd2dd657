"""When the committee opens the link: time to the Übersicht's first chart, against a bare page.

Two servers run side by side on this machine: the dashboard (`streamlit run
dashboard/server.py` on the demo data, or --db) and a bare one-chart Streamlit page
(bench/bare_chart.py). Both are warmed up first (every module imported, the dashboard's
query cache filled); each measurement then opens the page in a fresh Chromium context (no
browser cache, a new session, as a committee member's browser would) and takes the time
from the start of navigation to the moment the first chart's marks are in the page.

- one tab: the two pages in turn (alternating which goes first), --runs times each; the
  medians and their ratio (target: at most 1.2),
- twelve tabs at once (every member opens the link): the time until the last tab's first
  chart, the two pages in turn, --rounds times each; the medians and their ratio (target:
  at most 1.5), and the dashboard server's peak memory (VmHWM, target: at most 300 MB).

Ratios in the same run, not seconds: the machine is shared and noisy.

    .venv/bin/python bench/firstview.py [--runs 8] [--rounds 4] [--tabs 12] [--db URL]
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from serve import CHROMIUM, CHROMIUM_ARGS, peak_mb, server  # noqa: E402

from db import get_engine  # noqa: E402
from ingest.demo import load_demo  # noqa: E402

TARGET_ONE, TARGET_MANY, TARGET_MB = 1.2, 1.5, 300
TIMEOUT_MS = 180_000
# Installed before the page's own scripts: notes when the first chart has marks drawn.
WATCH = """
(() => {
  const seen = () => document.querySelector(
    '[data-testid="stVegaLiteChart"] svg .role-mark path, ' +
    '[data-testid="stVegaLiteChart"] canvas');
  const observer = new MutationObserver(() => {
    if (window.__firstChart === undefined && seen()) {
      window.__firstChart = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, {childList: true, subtree: true});
})();
"""


async def first_chart(browser, url: str) -> tuple[float, float]:  # noqa: ANN001
    """Seconds from the start of navigation to the first chart's marks, in a fresh context,
    and the absolute time it appeared (as time.time()), for tabs opened together."""
    context = await browser.new_context(locale="de-DE", viewport={"width": 1400, "height": 900})
    await context.add_init_script(WATCH)
    page = await context.new_page()
    try:
        await page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        await page.wait_for_function("window.__firstChart !== undefined", timeout=TIMEOUT_MS)
        # performance.now() counts from the navigation's start (timeOrigin).
        drawn, origin = await page.evaluate("[window.__firstChart, performance.timeOrigin]")
        return drawn / 1000, (origin + drawn) / 1000
    finally:
        await context.close()


async def one_tab(browser, urls: dict[str, str], runs: int) -> dict[str, list[float]]:  # noqa: ANN001
    times: dict[str, list[float]] = {name: [] for name in urls}
    names = list(urls)
    for i in range(runs):
        for name in names if i % 2 == 0 else names[::-1]:
            seconds, _at = await first_chart(browser, urls[name])
            times[name].append(seconds)
    return times


async def many_tabs(browser, url: str, tabs: int) -> float:  # noqa: ANN001
    """Seconds from opening `tabs` tabs at once to the last tab's first chart."""
    start = time.time()
    results = await asyncio.gather(*(first_chart(browser, url) for _ in range(tabs)))
    return max(at for _seconds, at in results) - start


async def measure(urls: dict[str, str], runs: int, rounds: int, tabs: int) -> tuple[dict, dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await one_tab(browser, urls, 2)  # warm up: imports, caches, the browser itself
        single = await one_tab(browser, urls, runs)
        together: dict[str, list[float]] = {name: [] for name in urls}
        names = list(urls)
        for i in range(rounds):
            for name in names if i % 2 == 0 else names[::-1]:
                together[name].append(await many_tabs(browser, urls[name], tabs))
        await browser.close()
    return single, together


def report(title: str, times: dict[str, list[float]], target: float) -> bool:
    app, bare = statistics.median(times["Übersicht"]), statistics.median(times["bare"])
    ratio = app / bare
    print(f"\n{title}")
    for name, values in times.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"  {name:<10} Median {statistics.median(values):6.2f} s   ({shown})")
    verdict = "erreicht" if ratio <= target else "VERFEHLT"
    print(f"  Verhältnis Übersicht/leere Seite: {ratio:.2f} (Ziel höchstens {target}: {verdict})")
    return ratio <= target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="measurements per page, one tab")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of tabs opened at once")
    parser.add_argument("--tabs", type=int, default=12)
    parser.add_argument("--db", help="database URL (default: a new SQLite file with demo data)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} fehlt: apt-get install chromium")
        return 2
    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{Path(tmp.name) / 'firstview.db'}"
    if not args.db:
        engine = get_engine(url)
        load_demo(engine)
        engine.dispose()
    with (
        server("dashboard/server.py", {"DATABASE_URL": url}) as (app, proc),
        server("bench/bare_chart.py", {}) as (bare, _bare_proc),
    ):
        single, together = asyncio.run(
            measure({"Übersicht": app, "bare": bare}, args.runs, args.rounds, args.tabs)
        )
        memory = peak_mb(proc)
    ok = report("Ein Tab: bis das erste Diagramm gezeichnet ist", single, TARGET_ONE)
    ok &= report(f"{args.tabs} Tabs zugleich: bis das letzte sein erstes Diagramm zeigt",
                 together, TARGET_MANY)  # fmt: skip
    verdict = "erreicht" if memory <= TARGET_MB else "VERFEHLT"
    print(f"\nSpeicherspitze des Dashboard-Servers: {memory:.0f} MB "
          f"(Ziel höchstens {TARGET_MB} MB: {verdict})")  # fmt: skip
    ok &= memory <= TARGET_MB
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
