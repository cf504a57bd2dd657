"""Download buttons under a table (CSV, Excel) or a chart (PNG, SVG); files are built on click."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.export import (
    chart_png_bytes,
    chart_svg_bytes,
    file_name,
    to_csv_bytes,
    to_xlsx_bytes,
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_downloads(df: pd.DataFrame, name: str, *, key: str | None = None) -> None:
    """'CSV' and 'Excel' buttons for exactly this table (formula-like cells neutralized).

    name is the file name without suffix (German, e.g. "Onlinequote Oktober 2021"); key
    must be unique on the page when the same name is used twice.
    """
    key = key or name
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            "CSV",
            data=lambda: to_csv_bytes(df),
            file_name=file_name(name, "csv"),
            mime="text/csv",
            icon=":material/download:",
            key=f"csv_{key}",
            on_click="ignore",
            help="Tabelle als CSV (Semikolon, deutsche Dezimalzeichen)",
        )
        st.download_button(
            "Excel",
            data=lambda: to_xlsx_bytes(df, sheet=name),
            file_name=file_name(name, "xlsx"),
            mime=XLSX_MIME,
            icon=":material/download:",
            key=f"xlsx_{key}",
            on_click="ignore",
            help="Tabelle als Excel-Datei",
        )


def chart_downloads(chart: alt.TopLevelMixin | dict, name: str, *, key: str | None = None) -> None:
    """'PNG' and 'SVG' buttons for a chart, rendered by vl-convert only when clicked."""
    key = key or name
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            "PNG",
            data=lambda: chart_png_bytes(chart),
            file_name=file_name(name, "png"),
            mime="image/png",
            icon=":material/image:",
            key=f"png_{key}",
            on_click="ignore",
            help="Diagramm als Bild (PNG)",
        )
        st.download_button(
            "SVG",
            data=lambda: chart_svg_bytes(chart),
            file_name=file_name(name, "svg"),
            mime="image/svg+xml",
            icon=":material/image:",
            key=f"svg_{key}",
            on_click="ignore",
            help="Diagramm als Vektorgrafik (SVG), z. B. für Präsentationen",
        )
