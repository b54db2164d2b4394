"""CSV: one row per mention, ready for a spreadsheet.

Line 1 is a ``#`` comment with the chain head and the verify command.  Cells that a
spreadsheet would run as a formula (=, +, -, @ ...) are prefixed with ' because
mention text comes from strangers.
"""

from __future__ import annotations

import csv
from typing import IO, Any

from triage.export.header import ExportHeader
from triage.export.progress import Progress
from triage.export.records import ExportRecord, ExportSource
from triage.export.shape import Shaper

COLUMNS = ("id", "platform", "created_at", "author_handle", "author_followers", "label",
           "confidence", "uncertain", "flags", "escalated", "state", "dismiss_reason",
           "incidents", "final_reply", "drafter", "approver", "approved_at", "first_reply_at",
           "minutes_to_first_reply", "url", "text")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 500  # rows written per writerows call


def _cell(value: Any) -> Any:
    if value.__class__ is str and value.startswith(_FORMULA):
        return "'" + value
    return value


def row_for(rec: ExportRecord, shaper: Shaper) -> list[Any]:
    """One CSV row, in ``COLUMNS`` order."""
    m = shaper.mention_record(rec.row)
    confidence = rec.row["confidence"]
    reply = approval = sent = ttfr = None
    if rec.drafts:  # only a drafted mention can have a reply, approval or send
        reply, approval = rec.final_reply, rec.approval
        sent, ttfr = rec.first_reply_at, rec.time_to_first_reply
    return [
        m["id"], m["platform"], m["created_at"], m["author_handle"], m["author_followers"],
        rec.row["label"] or "", "" if confidence is None else f"{confidence:.3f}",
        int(bool(rec.row["uncertain"])), ";".join(f.kind for f in rec.flags),
        int(bool(rec.row["escalated"])), rec.state, rec.dismiss_reason or "",
        ";".join(str(i) for i in rec.incidents),
        shaper.text(reply["text"]) if reply else "",
        reply["author"] if reply else "",
        approval["by"] if approval else "",
        approval["at"] if approval else "",
        sent.isoformat() if sent else "",
        f"{ttfr.total_seconds() / 60:.1f}" if ttfr else "",
        m["url"], m["text"],
    ]


def write_csv(source: ExportSource, header: ExportHeader, shaper: Shaper, out: IO[str],
              progress: Progress | None = None) -> int:
    scope = ", ".join(f"{k}={v}" for k, v in header.scope.items()) or "all mentions"
    out.write(f"# calmreply export ({scope}); chain head seq {header.head.seq} "
              f"{header.head.hash}; verify: {header.verify_command}"
              + ("; redacted" if header.redacted else "") + "\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    rows: list[list[Any]] = []
    for rec in source.records(with_triage=False):
        rows.append([("'" + v) if v.__class__ is str and v.startswith(_FORMULA) else v
                     for v in row_for(rec, shaper)])  # inline _cell: 21 cells a row
        n += 1
        if len(rows) >= _BATCH:
            writer.writerows(rows)
            rows.clear()
            if progress:
                progress.tick(_BATCH)
    writer.writerows(rows)
    if progress and rows:
        progress.tick(len(rows))
    return n
