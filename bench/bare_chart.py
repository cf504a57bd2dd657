"""The baseline of bench/firstview.py: a bare Streamlit page with one chart and nothing else.

Its chart is like the Übersicht's first one (ranked bars of a dozen services), built from
constants: what any Streamlit page needs to show a chart, without Portalquote's work.
"""

import streamlit as st

SHARES = [0.64, 0.49, 0.43, 0.42, 0.41, 0.33, 0.32, 0.28, 0.27, 0.2, 0.13, 0.05]
ROWS = [{"service": f"Leistung {i + 1:02d}", "online_share": s} for i, s in enumerate(SHARES)]

st.set_page_config(page_title="Diagramm", layout="wide")
st.vega_lite_chart(
    {
        "data": {"values": ROWS},
        "mark": "bar",
        "encoding": {
            "y": {"field": "service", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "online_share", "type": "quantitative", "axis": {"format": ".0%"}},
        },
        "height": {"step": 28},
    },
    width="stretch",
)
