"""Problems found in an input file, phrased in German for the person who made the file."""

from dataclasses import dataclass, field

from db.german import format_int

# A broken 200,000-row export would otherwise produce 200,000 identical lines.
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    csv: bool = False

    def location(self) -> str:
        parts = []
        if self.sheet is not None:
            parts.append(f"{'Datei' if self.csv else 'Blatt'} „{self.sheet}“")
        if self.row is not None:
            parts.append(f"Zeile {self.row}")
        if self.column is not None:
            parts.append(f"Spalte „{self.column}“")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


@dataclass
class Problems:
    """Collects problems up to MAX_PROBLEMS and counts the rest."""

    items: list[Problem] = field(default_factory=list)
    dropped: int = 0

    def add(
        self,
        message: str,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        csv: bool = False,
    ) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(message, sheet, row, column, csv))
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items) + self.dropped

    def lines(self) -> list[str]:
        out = [str(p) for p in self.items]
        if self.dropped:
            out.append(f"… und {format_int(self.dropped)} weitere Probleme.")
        return out


class IngestError(Exception):
    """A file was refused; nothing was written."""

    def __init__(self, file_name: str, problems: Problems | list[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        if isinstance(problems, list):
            problems = Problems(items=problems)
        self.file_name = file_name
        self.problems = problems
        super().__init__(self.report())

    def lines(self) -> list[str]:
        return self.problems.lines()

    def report(self) -> str:
        n = len(self.problems)
        head = (
            f"„{self.file_name}“ wurde nicht geladen, nichts wurde gespeichert. "
            f"{'Ein Problem' if n == 1 else f'{format_int(n)} Probleme'}:"
        )
        return "\n".join([head, *(f"  - {line}" for line in self.lines())])


class IngestErrors(Exception):
    """Several files were checked together and at least one was refused; nothing was written."""

    def __init__(self, errors: list[IngestError]) -> None:
        self.errors = errors
        super().__init__(self.report())

    def report(self) -> str:
        return "\n\n".join(e.report() for e in self.errors)
