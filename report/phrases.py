"""German wording of the figures (db.figures), shared by the pages, the slides and the report."""

from db.figures import Change, MonthState, Sums
from db.german import format_base, format_int, format_month, format_percent, format_services

# What "vollständig" means, in the words of "Über die Daten", the report and the README.
COMPLETE_DEFINITION = (
    "Ein Monat ist vollständig, wenn jede erwartete Leistung beide Antragswege (gesamt und "
    "online) gemeldet hat. Erwartet werden die Leistungen, die in einem früheren Monat schon "
    "beide Wege gemeldet haben (solange das noch keine hat: alle, die den Monat gemeldet "
    "haben), außer eine Leistung ist auf der Seite „Datenstand“ ab einem Monat als „nicht "
    "mehr gemeldet“ markiert. Die Kennzahlen, die Prognose und die voreingestellten Zeiträume "
    "beziehen sich auf den letzten vollständigen Monat; ein späterer, erst teilweise "
    "gemeldeter Monat gilt als vorläufig. Veränderungen zum Vormonat und zum Vorjahresmonat "
    "vergleichen dieselben Leistungen in beiden Monaten."
)


def share_base(sums: Sums | None) -> str:
    """'29,8 % (203 von 681)'; '–' where there is no share."""
    if sums is None or sums.share is None:
        return "–"
    return f"{format_percent(sums.share)} ({format_base(sums.online, sums.total)})"


def online_of_total(sums: Sums) -> str:
    """'616 von 1.695 Anträgen online, 12 Leistungen'."""
    base = format_base(sums.online, sums.total)
    return f"{base} Anträgen online, {format_services(sums.services)}"


def in_both(change: Change) -> str:
    """'12 Leistungen in beiden Monaten'."""
    return f"{format_services(change.services)} in beiden Monaten"


def change_caption(change: Change | None, current: Sums) -> str:
    """What a change is measured against: 'Nov. 2023: 36,4 % (609 von 1.675) · 12 Leistungen
    in beiden Monaten', and the month's own share over those services where they are fewer."""
    if change is None:
        return "Für diesen Monat liegen keine vergleichbaren Zahlen vor."
    text = f"{format_month(change.then.month)}: {share_base(change.then)} · {in_both(change)}"
    if change.services != current.services:
        text += (
            f" ({format_month(change.now.month)} über dieselben: "
            f"{format_percent(change.now.share)})"
        )
    return text


def provisional(state: MonthState) -> str:
    """'Jan. 2024 vorläufig: 2 von 12 Leistungen gemeldet (4 mit nur einem Antragsweg)'."""
    text = (
        f"{format_month(state.month)} vorläufig: {format_int(state.reported)} von "
        f"{format_services(state.expected)} gemeldet"
    )
    if state.partial:
        text += f" ({format_int(state.partial)} mit nur einem Antragsweg)"
    return text
