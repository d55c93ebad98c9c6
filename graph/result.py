"""The Result every graph read and write returns: plain rows, their columns, and truncation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Result:
    """Rows of one statement as plain dicts, in column order.

    ``truncated`` is True when the statement had more rows than the limit it ran with.
    """

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = False
    counters: dict[str, int] = field(default_factory=dict)

    def first(self) -> dict[str, Any] | None:
        """Return the first row, or None when there are no rows."""
        return self.rows[0] if self.rows else None

    def single_value(self) -> Any:
        """Return the only column of the only row (None when there are no rows)."""
        row = self.first()
        if row is None:
            return None
        if len(self.columns) != 1:
            raise ValueError(f"single_value() needs one column, got {self.columns}")
        return row[self.columns[0]]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)
