"""What users read for stored codes (no database imports: the reading worker uses them too)."""

# What users read for each status, in STATUSES order.
STATUS_LABELS = {
    "planned": "geplant",
    "preparing": "in Vorbereitung",
    "in_progress": "in Umsetzung",
    "done": "umgesetzt",
    "deferred": "zurückgestellt",
}

# Load log: what was loaded, and how it ended.
LOAD_KIND_LABELS = {
    "services": "Leistungskatalog",
    "counts": "Antragszahlen",
    "measures": "Maßnahmen",
}
# The same as the object of a sentence ("Ladevorgang 3 hat den Leistungskatalog geladen").
LOAD_KIND_OBJECTS = {**LOAD_KIND_LABELS, "services": "den Leistungskatalog"}
LOAD_STATE_LABELS = {
    "loaded": "geladen",
    "unchanged": "unverändert",
    "undone": "rückgängig gemacht",
    "refused": "abgelehnt",
}

# A department's month against its deadline (db.deadlines), in db.deadlines.STATES order.
DEADLINE_LABELS = {
    "on_time": "pünktlich",
    "late": "verspätet",
    "open": "offen, Frist abgelaufen",
    "pending": "offen, Frist läuft",
    "none": "keine Frist",
}
# The reminder log (db.reminders).
REMINDER_KIND_LABELS = {"department": "Erinnerung", "summary": "Zusammenfassung"}
REMINDER_STATE_LABELS = {
    "sent": "gesendet",
    "failed": "nicht gesendet",
    "sending": "Versand abgebrochen",
}
# Where an online figure came from: the department's report (or long table), or the portal.
SOURCE_LABELS = {"report": "Monatsmeldung", "portal": "Serviceportal"}
CHANNEL_LABELS = {"online": "online", "office": "vor Ort"}


def field_label(group: object, field: str) -> str:
    """'Group › Field' where the strategy has a group above the action field, else the field."""
    return f"{group} › {field}" if isinstance(group, str) and group else field
