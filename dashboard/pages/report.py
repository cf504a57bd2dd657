"""Sachstandsbericht: generate the progress report as Word and PDF, list and re-download."""

from datetime import date

import streamlit as st

from dashboard import auth, components, data
from dashboard.escape import md
from db.german import format_month
from report import store
from report.render import DOCX_MIME, PDF_MIME, file_stem, render_docx, render_pdf

DEFAULT_MONTHS = 6  # a half-year report


def files(engine, report_id: int, kind: str):  # noqa: ANN001, ANN201
    """A callable for a deferred download: the stored snapshot rendered on click."""

    def build() -> bytes:
        with engine.connect() as conn:
            snapshot = store.load_snapshot(conn, report_id)
        return render_docx(snapshot) if kind == "docx" else render_pdf(snapshot)

    return build


account = auth.require_role("admin")
st.title("Sachstandsbericht")
facts = components.page_facts()
engine = data.engine()
months = data.months(data.version())  # every month from the first to the last with figures
with engine.connect() as conn:
    reports = store.list_reports(conn)

st.subheader("Neuen Bericht erzeugen", anchor=False)
if not months:
    components.empty_state(facts)
else:
    components.provisional_note(facts["provisional"])
    # A half-year up to the latest complete month (the last month while none is complete).
    latest = facts["latest_month"]
    end_default = months.index(latest) if latest in months else len(months) - 1
    start_default = max(0, end_default - (DEFAULT_MONTHS - 1))
    previous_options = [None, *reports["id"].tolist()]
    titles = dict(zip(reports["id"], reports["title"], strict=True))
    cutoffs = dict(zip(reports["id"], reports["cutoff"], strict=True))
    with st.form("new_report"):
        title = st.text_input(
            "Titel",
            value=f"Sachstandsbericht {format_month(date.today().strftime('%Y-%m'), long=True)}",
        )
        left, right, cut = st.columns(3)
        start = left.selectbox(
            "Berichtszeitraum von", months, index=start_default,
            format_func=lambda m: format_month(m, long=True),
        )  # fmt: skip
        end = right.selectbox(
            "bis", months, index=end_default, format_func=lambda m: format_month(m, long=True)
        )
        cutoff = cut.date_input(
            "Stichtag (Datenstand)", value=date.today(), max_value=date.today(), format="DD.MM.YYYY"
        )
        previous = st.selectbox(
            "Vergleichen mit dem Bericht",
            previous_options,
            index=1 if len(previous_options) > 1 else 0,
            format_func=lambda i: (
                "kein früherer Bericht"
                if i is None
                else f"{titles[i]} (Stichtag {cutoffs[i]:%d.%m.%Y})"
            ),
        )
        submitted = st.form_submit_button(
            "Bericht erzeugen und speichern", icon=":material/description:"
        )
    st.caption(
        "Der Bericht enthält die Zahlen und Sachstände, wie sie am Ende des Stichtags geladen "
        "waren. Er wird mit diesen Zahlen gespeichert und lässt sich später unverändert erneut "
        "herunterladen, auch wenn inzwischen neue oder berichtigte Zahlen geladen wurden."
    )
    if submitted:
        if start > end:
            st.error("Der Berichtszeitraum beginnt nach seinem Ende. Bitte „von“ und „bis“ prüfen.")
        elif not title.strip():
            st.error("Bitte einen Titel angeben.")
        elif previous is not None and cutoffs[previous] > cutoff:
            st.error(
                "Der Vergleichsbericht hat einen späteren Stichtag als der neue Bericht. Bitte "
                "einen früheren Bericht wählen."
            )
        else:
            with st.spinner("Bericht wird erzeugt …"):
                report_id, _snapshot = store.create_report(
                    engine, title=title.strip(), period_start=start, period_end=end,
                    cutoff=cutoff, user=account.username, previous_id=previous,
                )  # fmt: skip
            st.session_state["report_created"] = report_id
            st.rerun()

created = st.session_state.pop("report_created", None)
if created:
    st.success(f"Bericht Nr. {created} wurde erzeugt und gespeichert.", icon=":material/check:")

st.subheader("Gespeicherte Berichte", anchor=False)
if reports.empty:
    st.info("Es ist noch kein Bericht gespeichert.")
for r in reports.itertuples():
    with st.container(border=True):
        st.markdown(
            f"**{md(r.title)}**  \nZeitraum {format_month(r.period_start)} bis "
            f"{format_month(r.period_end)} · Stichtag {r.cutoff:%d.%m.%Y} · erstellt von "
            f"{md(r.created_by)} am {r.created_at:%d.%m.%Y, %H:%M} Uhr"
        )
        stem = file_stem({"title": r.title, "cutoff": r.cutoff.isoformat()})
        with st.container(horizontal=True, gap="small"):
            st.download_button(
                "Word (.docx)", data=files(engine, r.id, "docx"), file_name=f"{stem}.docx",
                mime=DOCX_MIME, icon=":material/download:", key=f"docx_{r.id}", on_click="ignore",
            )  # fmt: skip
            st.download_button(
                "PDF", data=files(engine, r.id, "pdf"), file_name=f"{stem}.pdf", mime=PDF_MIME,
                icon=":material/picture_as_pdf:", key=f"pdf_{r.id}", on_click="ignore",
            )  # fmt: skip
components.about_data(facts)
