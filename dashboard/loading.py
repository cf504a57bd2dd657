"""Page parts for loading files in the browser: preview table, refusals, progress, results."""

import re
from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.escape import md, md_lines
from db import access, users
from db.catalog import load_catalog
from db.german import format_int, format_month
from db.labels import CHANNEL_LABELS, LOAD_KIND_LABELS, SOURCE_LABELS
from db.settings import MAX_FILE_MB
from db.users import Account
from ingest import load, template
from ingest.errors import IngestError, IngestErrors
from ingest.load import Preview

# The figures as the file gives them (ingest.validate.CountsFile.typed).
TYPED_LABELS = {"total": "gesamt", "office": "vor Ort", "online": "davon online",
                "portal": "Anträge im Portal-Export"}  # fmt: skip
CHANGE_ORDER = {"geändert": 0, "neu": 1, "unverändert": 2}
PREVIEW_ROWS = 2_000  # a 200,000-row export gives a few thousand keys at most; cap anyway
FLASH_KEY = "portalquote_flash"
PREVIEW_KEY = "upload_preview"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNEXPECTED = (
    "Unerwarteter Fehler beim Lesen der Datei. Es wurde nichts gespeichert. Bitte die Datei "
    "prüfen (Excel .xlsx/.xlsm oder CSV mit Semikolon) und sonst an die Stabsstelle "
    "Digitalisierung geben."
)


def safe_file_name(name: str) -> str:
    """The browser's file name, only as a label: no path, no control characters, short."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:200] or "upload"


def upload_args(files: Sequence) -> list[tuple[bytes, str]]:  # noqa: ANN001
    return [(f.getvalue(), safe_file_name(f.name)) for f in files]


def _typed_text(typed: dict[str, int]) -> str:
    """What the file says for one service and month, as typed: 'gesamt 240, davon online 61'."""
    parts = []
    for role, label in TYPED_LABELS.items():
        if role in typed:
            parts.append(f"{label} {format_int(typed[role])}")
    return ", ".join(parts) or "–"


def _stored_text(values: dict[tuple[str, str], int | None]) -> str:
    """Counts per (channel, source): 'vor Ort 179, online 61 (Meldung)'; '–' if none."""
    # Sources in a fixed order, office before online within each.
    order = sorted(values.items(), key=lambda kv: (kv[0][1], kv[0][0] == "online"))
    shown = [(k, v) for k, v in order if v is not None]
    if not shown:
        return "–"
    by_source: dict[str, list[str]] = {}
    for (channel, source), value in shown:
        by_source.setdefault(source, []).append(f"{CHANNEL_LABELS[channel]} {format_int(value)}")
    return "; ".join(
        f"{', '.join(parts)} ({SOURCE_LABELS[src]})" for src, parts in by_source.items()
    )


def preview_frame(previews: list[Preview], names: dict[int, str]) -> pd.DataFrame:
    """One row per file, service and month: what the file says (as typed), what will be
    stored, what was stored before, and whether that is new, a change or the same."""
    rows = []
    for p in previews:
        groups: dict[tuple[int, str], list] = {}
        for key in p.file.records:
            groups.setdefault((key[0], key[1]), []).append(key)
        for (sid, month), keys in groups.items():
            before: dict[tuple[str, str], int | None] = {}
            after: dict[tuple[str, str], int | None] = {}
            states = set()
            for key in keys:
                value = p.file.records[key]
                after[key[2:]] = value
                if key in p.diff.new:
                    before[key[2:]], state = None, "neu"
                elif key in p.diff.changed:
                    before[key[2:]], state = p.diff.changed[key][0], "geändert"
                else:
                    before[key[2:]], state = value, "unverändert"
                states.add(state)
            change = next(s for s in CHANGE_ORDER if s in states)
            rows.append(
                {
                    "Datei": p.file.file_name,
                    "Leistung": names.get(sid, str(sid)),
                    "month": month,
                    "Monat": format_month(month),
                    "Laut Datei": _typed_text(p.file.typed.get((sid, month), {})),
                    "Wird gespeichert": _stored_text(after),
                    "Bisher gespeichert": _stored_text(before),
                    "Änderung": change,
                }
            )
    columns = ["Datei", "Leistung", "Monat", "Laut Datei", "Wird gespeichert",
               "Bisher gespeichert", "Änderung"]  # fmt: skip
    if not rows:
        return pd.DataFrame(columns=columns)
    df = pd.DataFrame(rows)
    df["order"] = df["Änderung"].map(CHANGE_ORDER)
    df = df.sort_values(["order", "Datei", "Leistung", "month"], kind="stable")
    return df[columns].reset_index(drop=True)


def preview_summary(p: Preview, names: dict[int, str] | None = None) -> str:
    """'**okt.xlsx** (Monatsmeldung, Okt. 2021): 2 neu, 0 geändert, 0 unverändert' – counted
    like the preview's rows, per service and month."""
    frame = preview_frame([p], names or {})
    counts = frame["Änderung"].value_counts()
    layouts = ", ".join(sorted({label for _sheet, label in p.file.layouts}))
    months = sorted({k[1] for k in p.file.records})
    span = format_month(months[0]) if len(months) == 1 else (
        f"{format_month(months[0])} bis {format_month(months[-1])}"
    )  # fmt: skip
    return f"**{md(p.file.file_name)}** ({layouts}, {span}): " + ", ".join(
        f"{format_int(counts.get(s, 0))} {s}" for s in ("neu", "geändert", "unverändert")
    )


def service_names() -> dict[int, str]:
    with data.engine().connect() as conn:
        return load_catalog(conn).names


def show_refusal(exc: IngestError | IngestErrors) -> None:
    """Every problem of every refused file, in German with sheet, row and column."""
    errors = exc.errors if isinstance(exc, IngestErrors) else [exc]
    for err in errors:
        n = len(err.problems)
        head = f"**„{md(err.file_name)}“ wurde nicht geladen** – " + (
            "ein Problem:" if n == 1 else f"{format_int(n)} Probleme:"
        )
        lines = md_lines(err.lines())
        st.error(f"{head}\n\n{lines}", icon=":material/error:")
    st.info("Es wurde nichts gespeichert. Bitte die Datei korrigieren und erneut hochladen.")


def progress_bar(label: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A Streamlit progress bar as the ingest's progress callback, and a function to remove it."""
    bar = st.progress(0.0, text=label)

    def update(done: int, total: int) -> None:
        share = min(1.0, done / max(total, 1))
        bar.progress(
            share, text=f"{label} {format_int(done)} von {format_int(total)} Zeilen geprüft"
        )

    return update, bar.empty


def flash(message: str) -> None:
    """A success message that survives the rerun after a load."""
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    if message := st.session_state.pop(FLASH_KEY, None):
        st.success(message, icon=":material/check_circle:")


def uploader(label: str, key: str, multiple: bool = False, help: str | None = None):  # noqa: ANN201, A002
    """A file uploader for Excel and CSV files.

    The widget takes any file up to the transport limit (server.maxUploadSize, far above
    the ingest's): a wrong type or a file over PORTALQUOTE_MAX_FILE_MB reaches the ingest,
    which refuses it with its German message in the page (the widget's own refusal would be
    a tooltip only).
    """
    files = st.file_uploader(label, accept_multiple_files=multiple, key=key)
    # What the widget would otherwise say in English beside its button, in German, under it.
    st.caption(
        help or f"Excel (.xlsx, .xlsm) oder CSV mit Semikolon, höchstens {MAX_FILE_MB} MB je Datei."
    )
    return files


def admin_file_load(
    account: Account, kind: str, load: Callable[[tuple[bytes, str], str], object]
) -> None:
    """Upload and load a catalog or measures file (admin only, checked again before writing)."""
    nonce = st.session_state.setdefault(f"{kind}_nonce", 0)
    file = uploader(f"{LOAD_KIND_LABELS[kind]} (Excel oder CSV)", key=f"{kind}_{nonce}")
    if file is None:
        return
    if not st.button(f"{LOAD_KIND_LABELS[kind]} laden", type="primary", key=f"{kind}_load"):
        return
    try:
        with data.engine().connect() as conn:
            access.require(conn, account, "admin")
        result = load(upload_args([file])[0], account.username)
    except PermissionError as exc:
        st.error(md(exc), icon=":material/lock:")
        return
    except (IngestError, IngestErrors) as exc:
        show_refusal(exc)
        return
    except Exception:  # never a traceback in front of a user
        st.error(UNEXPECTED)
        return
    data.clear_caches()
    flash(
        f"{LOAD_KIND_LABELS[kind]} aus „{md(safe_file_name(file.name))}“ geladen "
        f"(Ladevorgang {result.load_id}): {md(result.summary)}."
    )
    st.session_state[f"{kind}_nonce"] = nonce + 1
    st.rerun()


def recent_months(count: int = 24, today: date | None = None) -> list[str]:
    """'YYYY-MM' of the current month and the ones before it, newest first."""
    today = today or date.today()
    y, m = today.year, today.month
    out = []
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out


def _preview(account: Account, files: list, upload: list[tuple[bytes, str]]) -> object:
    """The preview of the uploaded files, computed once per set of files in the session."""
    key = tuple((f.file_id, f.size) for f in files)
    cached = st.session_state.get(PREVIEW_KEY)
    if cached is not None and cached[0] == key:
        return cached[1]
    update, done = progress_bar("Prüfe Dateien …")
    try:
        with data.engine().connect() as conn:
            allowed = access.writable_departments(conn, account)
        result: object = load.preview_counts(
            data.engine(), upload, progress=update, allowed_departments=allowed,
            user=account.username,
        )  # fmt: skip
    except (IngestError, IngestErrors, PermissionError) as exc:
        result = exc
    except Exception:  # never a traceback in front of a user
        result = RuntimeError(UNEXPECTED)
    done()
    st.session_state[PREVIEW_KEY] = (key, result)
    return result


def _show_preview(previews: list[Preview]) -> bool:
    """The preview table; True if anything would change."""
    st.subheader("Vorschau")
    names = service_names()
    for preview in previews:
        st.markdown(preview_summary(preview, names))
    frame = preview_frame(previews, names)
    st.dataframe(frame.head(PREVIEW_ROWS), hide_index=True, width="stretch")
    if len(frame) > PREVIEW_ROWS:
        st.caption(f"Gezeigt werden die ersten {format_int(PREVIEW_ROWS)} Zeilen.")
    changes = bool((frame["Änderung"] != "unverändert").any())
    if not changes:
        st.info(
            "Diese Dateien ändern nichts: alle Zahlen sind schon so gespeichert. Laden ist "
            "deshalb nicht nötig."
        )
    return changes


def _load(account: Account, upload: list[tuple[bytes, str]], nonce: int) -> None:
    update, done = progress_bar("Lade …")
    try:
        with data.engine().connect() as conn:
            allowed = access.writable_departments(conn, account)
        results = load.load_counts(
            data.engine(), upload, account.username, progress=update, allowed_departments=allowed
        )
    except PermissionError as exc:
        done()
        st.error(md(exc), icon=":material/lock:")
        return
    except (IngestError, IngestErrors) as exc:
        done()
        show_refusal(exc)
        return
    except Exception:  # never a traceback in front of a user
        done()
        st.error(UNEXPECTED)
        return
    data.clear_caches()
    lines = [
        f"- „{md(name)}“: Ladevorgang {r.load_id}, {md(r.summary)}"
        for (_bytes, name), r in zip(upload, results, strict=True)
    ]
    flash("Gespeichert.\n\n" + "\n".join(lines))
    st.session_state.pop(PREVIEW_KEY, None)
    st.session_state["counts_nonce"] = nonce + 1  # a fresh, empty uploader
    st.rerun()


def counts_upload(account: Account) -> None:
    """Upload count files: check, preview, then load only after the user confirms."""
    if account.role != "admin":
        st.markdown(f"Sie können Zahlen für **{md(', '.join(account.department_names))}** laden.")
    nonce = st.session_state.setdefault("counts_nonce", 0)
    files = uploader("Dateien mit Antragszahlen", key=f"counts_{nonce}", multiple=True)
    if not files:
        return
    upload = upload_args(files)
    result = _preview(account, files, upload)
    if isinstance(result, IngestError | IngestErrors):
        show_refusal(result)
    elif isinstance(result, PermissionError):
        st.error(md(result), icon=":material/lock:")
    elif isinstance(result, Exception):
        st.error(md(result))
    else:
        changes = _show_preview(result)
        label = f"Jetzt laden ({len(files)} Datei{'en' if len(files) > 1 else ''})"
        if st.button(
            label, type="primary", icon=":material/upload:", key="counts_load",
            disabled=not changes,
        ):  # fmt: skip
            _load(account, upload, nonce)


def template_download(account: Account) -> None:
    """Pick department and month, download the pre-filled template."""
    with data.engine().connect() as conn:
        deps = users.departments(conn)
    if account.role != "admin":
        deps = {d: n for d, n in deps.items() if d in account.department_ids}
    if not deps:
        st.warning("Es sind noch keine Fachbereiche angelegt: zuerst den Leistungskatalog laden.")
        return
    months = recent_months()
    col1, col2 = st.columns(2)
    dep_id = col1.selectbox("Fachbereich", list(deps), format_func=deps.get, key="tpl_department")
    month = col2.selectbox(
        "Berichtsmonat",
        months,
        index=1,  # usually the month that just ended
        format_func=lambda m: format_month(m, long=True),
        key="tpl_month",
    )
    with data.engine().connect() as conn:
        workbook = template.report_template(conn, dep_id, month)
    st.download_button(
        "Vorlage herunterladen",
        workbook,
        file_name=template.template_file_name(deps[dep_id], month),
        mime=XLSX_MIME,
        icon=":material/download:",
        key="tpl_download",
    )
