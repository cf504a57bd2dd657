"""A first end-to-end check: demo data in, overview page out."""

import re

from streamlit.testing.v1 import AppTest

from ingest.demo import load_demo


def test_overview_shows_latest_complete_month(engine, db_url, monkeypatch):
    load_demo(engine)
    monkeypatch.setenv("DATABASE_URL", db_url)
    at = AppTest.from_file("../app.py", default_timeout=30).run()
    assert not at.exception
    assert "Dezember 2023" in at.markdown[0].value
    [table] = [h.proto.body for h in at.get("html") if "<table" in h.proto.body][:1]
    row = re.search(r'<tr><th scope="row">Personenstandsurkunde</th>.*?</tr>', table).group(0)
    assert '<td class="num">633</td>' in row and '<td class="num">41,5 %</td>' in row
