"""A first end-to-end check: demo data in, overview page out."""

from streamlit.testing.v1 import AppTest

from ingest.demo import load_demo


def test_overview_shows_latest_complete_month(engine, db_url, monkeypatch):
    load_demo(engine)
    monkeypatch.setenv("DATABASE_URL", db_url)
    at = AppTest.from_file("../app.py", default_timeout=30).run()
    assert not at.exception
    assert "Dezember 2023" in at.markdown[0].value
    table = at.table[0].value.set_index("Leistung")
    row = table.loc["Personenstandsurkunde"]
    assert row["Onlinequote"] == "41,5 %"
    assert row["Anträge gesamt"] == "633"
