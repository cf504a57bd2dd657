"""Query results turned into German display tables (pure pandas, no Streamlit)."""

import pandas as pd

from db.german import format_int, format_percent

SOURCE_LABELS = {"portal": "Serviceportal", "report": "Monatsmeldung"}


def month_table(df: pd.DataFrame) -> pd.DataFrame:
    """Leistung, Fachbereich, Anträge gesamt, davon online, Onlinequote (German formats)."""
    return pd.DataFrame(
        {
            "Leistung": df["service"],
            "Fachbereich": df["department"],
            "Anträge gesamt": [format_int(v) if pd.notna(v) else "–" for v in df["total"]],
            "davon online": [format_int(v) if pd.notna(v) else "–" for v in df["online"]],
            "Onlinequote": [
                format_percent(v) if pd.notna(v) else "unvollständig" for v in df["online_share"]
            ],
            "Quelle online": df["online_source"].map(SOURCE_LABELS).fillna("–"),
        }
    )
