"""Names from files matched against the service catalog: keys, and the catalog as a lookup."""

import difflib
from dataclasses import dataclass, field

from db.text import clean


def name_key(value: object) -> str:
    """Case-, space- and look-alike-insensitive key for matching names (db.text.clean)."""
    return clean(" ".join(clean(str(value)).split()).casefold())


def id_key(value: object) -> str:
    """LeiKa ids come as text or as numbers (99102013000000.0): normalize to digits text."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(clean(str(value)).split())


@dataclass
class Catalog:
    by_name: dict[str, int] = field(default_factory=dict)  # names and aliases
    by_id: dict[str, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    department_of: dict[int, int] = field(default_factory=dict)
    departments: dict[int, str] = field(default_factory=dict)

    def match(self, name: object, leika_id: object = None) -> int | None:
        """The service a count row means: by id, by name or alias, or by an id written in
        the service column."""
        if leika_id is not None and (sid := self.by_id.get(id_key(leika_id))):
            return sid
        if name is None:
            return None
        return self.by_name.get(name_key(name)) or self.by_id.get(id_key(name))

    def target(self, name: str, leika_id: str | None) -> int | None:
        """The stored service a catalog row updates: by id, else by name (aliases don't
        count, so an alias can become a service of its own)."""
        sid = self.by_id.get(leika_id) if leika_id else None
        if sid is None and (sid := self.by_name.get(name_key(name))) is not None:
            sid = sid if name_key(self.names[sid]) == name_key(name) else None
        return sid

    def suggest(self, name: object) -> str | None:
        """The catalog name closest to an unknown name, if one is close."""
        hits = difflib.get_close_matches(name_key(name), list(self.by_name), n=1, cutoff=0.75)
        return self.names[self.by_name[hits[0]]] if hits else None

    def __len__(self) -> int:
        return len(self.names)
