"""Results of a long benchmark as JSON lines, appended as each unit of work finishes, so that an
interrupted run keeps what it measured and a rerun skips it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


class Journal:
    """One JSON object per line in ``path``; a row is identified by its ``key_fields``.

    ``resume=False`` starts a fresh file. A last line cut short by a kill is ignored (its unit of
    work runs again)."""

    def __init__(self, path: str | Path, key_fields: tuple[str, ...], resume: bool = True):
        self.path, self.key_fields = Path(path), tuple(key_fields)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rows: dict[tuple, dict[str, Any]] = {}
        if self.path.exists() and not resume:
            self.path.unlink()
        if self.path.exists():
            lines = self.path.read_text().splitlines()
            for number, line in enumerate(lines):
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    if number < len(lines) - 1:
                        raise ValueError(f"{self.path}: line {number + 1} is not JSON") from None
                    # a write cut short by a kill: drop it so that the next row starts a clean line
                    self.path.write_text("".join(f"{kept}\n" for kept in lines[:-1]))
                self.rows[self._key(row)] = row

    def _key(self, row: dict[str, Any]) -> tuple:
        return tuple(row.get(field) for field in self.key_fields)  # a field added later: None in older rows

    def get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        return self.rows.get(self._key(key))

    def run(self, key: dict[str, Any], compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The row of ``key``: from the file if it is there, else ``{**key, **compute()}``, appended."""
        row = self.get(key)
        if row is None:
            row = {**key, **compute()}
            with self.path.open("a") as stream:
                stream.write(json.dumps(row) + "\n")
            self.rows[self._key(row)] = row
        return row
