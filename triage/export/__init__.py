"""Incident-log exports: Markdown for leadership, CSV for spreadsheets, JSONL for the
record.  ``export()`` is the one entry point the CLI (and anything else) calls.
"""

from __future__ import annotations

from typing import IO

from triage.export.csv_rows import write_csv
from triage.export.filters import ExportFilter
from triage.export.header import ExportHeader
from triage.export.jsonl import write_jsonl
from triage.export.markdown import write_markdown
from triage.export.progress import Progress
from triage.export.records import ExportSource
from triage.export.redact import Redactor
from triage.export.shape import Shaper
from triage.store import Store
from triage.timeutil import utcnow

WRITERS = {"markdown": write_markdown, "csv": write_csv, "jsonl": write_jsonl}
FORMATS = tuple(WRITERS)

__all__ = ["FORMATS", "ExportFilter", "Redactor", "export"]


def export(store: Store, out: IO[str], fmt: str = "jsonl", *,
           flt: ExportFilter | None = None, redactor: Redactor | None = None,
           progress: bool | Progress = False) -> int:
    """Write the mentions ``flt`` selects to ``out`` as ``fmt``; returns how many.

    ``redactor`` turns on redaction (for exports that leave the comms team).
    ``progress`` True reports on stderr.  A closed incident's export carries no
    wall-clock time and is cut at the close, so it is reproducible byte for byte.
    """
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    with ExportSource(store, flt) as source:
        total = source.count()
        header = ExportHeader(
            scope=source.filter.describe(), head=source.head, mentions=total,
            redacted=redactor is not None, incident=source.incident,
            generated_at=None if source.reproducible else utcnow())
        reporter = progress if isinstance(progress, Progress) else (
            Progress(total) if progress else None)
        n = WRITERS[fmt](source, header, Shaper(redactor), out, reporter)
        if reporter:
            reporter.finish()
        return n
