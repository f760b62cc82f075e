"""The table printer the benchmark scripts share: rich tables now, a markdown summary after."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table


class Report:
    """Prints each table as it is ready and keeps it for the markdown summary."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.markdown: list[str] = []

    def heading(self, text: str) -> None:
        self.console.rule(text)
        self.markdown += [f"## {text}", ""]

    def table(
        self,
        title: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        notes: Sequence[str] = (),
        *,
        text_columns: int = 1,
    ) -> None:
        table = Table(title=title)
        for k, column in enumerate(columns):
            table.add_column(column, justify="left" if k < text_columns else "right")
        for row in rows:
            table.add_row(*row)
        self.console.print(table)
        for note in notes:
            self.console.print(note)
        self.markdown += [f"### {title}", "", "| " + " | ".join(columns) + " |"]
        aligns = ["---"] * text_columns + ["---:"] * (len(columns) - text_columns)
        self.markdown.append("|" + "|".join(aligns) + "|")
        self.markdown += ["| " + " | ".join(row) + " |" for row in rows]
        self.markdown += ["", *(f"{note}  " for note in notes), ""]

    def save(self, path: str | Path, header: Sequence[str] = ()) -> None:
        """Write the markdown summary (after ``header`` lines) to ``path``, making its folder."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join([*header, *self.markdown]))

    def note(self, text: str) -> None:
        self.console.print(text)
        self.markdown += [f"{text}  ", ""]
