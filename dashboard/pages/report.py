"""Sachstandsbericht: generate the progress report as Word and PDF, list, replace, delete."""

import base64
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import auth, components, data
from dashboard.escape import md
from db.german import format_int, format_moment, format_month
from db.settings import REPORT_LOGO_MAX_KB
from report import issuer, store
from report.render import DOCX_MIME, PDF_MIME, file_stem, render_docx, render_pdf

DEFAULT_MONTHS = 6  # a half-year report
PENDING = "report_pending"  # a new report waiting for "replace?"
DELETING = "report_deleting"  # a stored report waiting for "delete?"
MESSAGE = "report_message"


def files(engine, report_id: int, kind: str):  # noqa: ANN001, ANN201
    """A callable for a deferred download: the stored snapshot rendered on click."""

    def build() -> bytes:
        with engine.connect() as conn:
            snapshot = store.load_snapshot(conn, report_id)
        return render_docx(snapshot) if kind == "docx" else render_pdf(snapshot)

    return build


def generate(params: dict, replace_id: int | None = None) -> None:
    try:
        with st.spinner("Bericht wird erzeugt …"):
            report_id, _snapshot = store.create_report(
                engine, user=account.username, author=account.label, replace_id=replace_id,
                **params,
            )  # fmt: skip
    except ValueError as exc:
        st.error(md(exc))
        return
    verb = "ersetzt" if replace_id else "erzeugt und gespeichert"
    st.session_state[MESSAGE] = f"Bericht Nr. {report_id} wurde {verb}."
    st.rerun()


def cover_settings() -> None:
    """Town, issuing unit and logo on the cover (stored; admins only, checked again)."""
    with engine.connect() as conn:
        current = issuer.issuer(conn)
    with st.expander("Deckblatt: Stadt, herausgebende Stelle und Logo"):
        if current["logo"]:
            st.image(base64.b64decode(current["logo"]), width=160, caption="Gespeichertes Logo")
        with st.form("cover"):
            town = st.text_input("Stadt oder Gemeinde", value=current["town"],
                                 placeholder="z. B. Stadt Bergisch Gladbach")  # fmt: skip
            unit = st.text_input("Herausgebende Stelle", value=current["unit"])
            # Any file: check_logo refuses others with a German message.
            logo = st.file_uploader(
                f"Logo (PNG oder JPEG, höchstens {format_int(REPORT_LOGO_MAX_KB)} KB)",
                key="cover_logo",
            )
            remove = st.checkbox("Gespeichertes Logo entfernen", disabled=not current["logo"])
            saved = st.form_submit_button("Deckblatt speichern", icon=":material/save:")
        if not saved:
            return
        new_logo: object = issuer.KEEP
        if logo is not None:
            new_logo = logo.getvalue()
        elif remove:
            new_logo = None
        try:
            issuer.save_issuer(engine, account, town=town, unit=unit, logo=new_logo)
        except (issuer.IssuerError, PermissionError) as exc:
            st.error(md(exc), icon=":material/error:")
            return
        st.session_state[MESSAGE] = "Das Deckblatt wurde gespeichert; es gilt für neue Berichte."
        st.rerun()


account = auth.require_role("admin")
st.title("Sachstandsbericht")
facts = components.page_facts()
engine = data.engine()
months = data.months(data.version())  # every month from the first to the last with figures
with engine.connect() as conn:
    reports = store.list_reports(conn)
    log = store.report_log(conn)
if message := st.session_state.pop(MESSAGE, None):
    st.success(message, icon=":material/check:")

st.subheader("Neuen Bericht erzeugen", anchor=False)
cover_settings()
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
            key="report_title",
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
        st.session_state.pop(PENDING, None)
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
            params = {"title": title.strip(), "period_start": start, "period_end": end,
                      "cutoff": cutoff, "previous_id": previous}  # fmt: skip
            with engine.connect() as conn:
                same = store.same_report(conn, title, cutoff)
            if same is None:
                generate(params)
            else:
                st.session_state[PENDING] = (same, params)
    if pending := st.session_state.get(PENDING):
        same, params = pending
        with st.container(border=True):
            st.warning(
                f"Es gibt schon einen Bericht „{md(titles.get(same, params['title']))}“ mit dem "
                f"Stichtag {params['cutoff']:%d.%m.%Y} (Nr. {same}). Soll er durch den neuen "
                "Bericht ersetzt werden? Der alte Bericht ist danach nicht mehr abrufbar.",
                icon=":material/warning:",
            )
            with st.container(horizontal=True, gap="small"):
                replace = st.button("Bericht ersetzen", type="primary", key="report_replace")
                cancel = st.button("Abbrechen", key="report_replace_cancel")
        if cancel:
            st.session_state.pop(PENDING, None)
            st.rerun()
        if replace:
            st.session_state.pop(PENDING, None)
            generate(params, replace_id=same)

st.subheader("Gespeicherte Berichte", anchor=False)
if reports.empty:
    st.info("Es ist noch kein Bericht gespeichert.")
for r in reports.itertuples():
    with st.container(border=True):
        st.markdown(
            f"**{md(r.title)}** (Nr. {r.id})  \nZeitraum {format_month(r.period_start)} bis "
            f"{format_month(r.period_end)} · Stichtag {r.cutoff:%d.%m.%Y} · erstellt von "
            f"{md(r.created_by)} am {format_moment(r.created_at)}"
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
            if st.button("Löschen", icon=":material/delete:", key=f"delete_{r.id}"):
                st.session_state[DELETING] = int(r.id)
        if st.session_state.get(DELETING) == r.id:
            st.warning(
                f"Bericht Nr. {r.id} „{md(r.title)}“ endgültig löschen? Das wird protokolliert. "
                "Spätere Berichte, die mit ihm verglichen wurden, behalten ihre Angaben.",
                icon=":material/warning:",
            )
            with st.container(horizontal=True, gap="small"):
                sure = st.button("Endgültig löschen", type="primary", key=f"delete_sure_{r.id}")
                keep = st.button("Abbrechen", key=f"delete_cancel_{r.id}")
            if keep:
                st.session_state.pop(DELETING, None)
                st.rerun()
            if sure:
                st.session_state.pop(DELETING, None)
                try:
                    gone = store.delete_report(engine, auth.current_user(), int(r.id))
                except (KeyError, PermissionError) as exc:
                    st.error(md(exc.args[0] if isinstance(exc, KeyError) else exc))
                else:
                    st.session_state[MESSAGE] = f"Bericht Nr. {r.id} „{md(gone)}“ wurde gelöscht."
                    st.rerun()

if not log.empty:
    with st.expander("Protokoll der Berichte"):
        components.show_table(
            pd.DataFrame(
                {
                    "Zeitpunkt": [format_moment(t) for t in log["done_at"]],
                    "Bericht": [
                        f"Nr. {i} „{t}“"
                        for i, t in zip(log["report_id"], log["title"], strict=True)
                    ],
                    "Stichtag": [f"{c:%d.%m.%Y}" for c in log["cutoff"]],
                    "Vorgang": log["action"].map(store.ACTION_WORDS),
                    "durch": log["done_by"],
                }
            ),  # fmt: skip
            caption="Protokoll der Berichte: ersetzte und gelöschte Berichte",
            row_header="Bericht",
        )
components.about_data(facts)
