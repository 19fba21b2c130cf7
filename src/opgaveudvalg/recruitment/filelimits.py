"""What one import file may hold: the `import_*` settings, as the file readers use them."""

from dataclasses import dataclass

from opgaveudvalg.settings import Settings

CHUNK = 1 << 20  # bytes read at a time when a file is scanned


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    rows: int
    columns: int
    cell_chars: int

    @classmethod
    def of(cls, settings: Settings) -> "Limits":
        return cls(
            file_bytes=settings.import_max_file_mb * 1024 * 1024,
            rows=settings.import_max_rows,
            columns=settings.import_max_columns,
            cell_chars=settings.import_max_cell_chars,
        )

    @property
    def line_chars(self) -> int:
        """The longest physical CSV line a row within the limits can take (every character
        of every cell a doubled quote, plus quotes and delimiters)."""
        return self.columns * (2 * self.cell_chars + 3) + 2
