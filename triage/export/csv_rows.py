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


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def row_for(rec: ExportRecord, shaper: Shaper) -> dict[str, Any]:
    m = shaper.mention(rec.mention)
    reply = rec.final_reply
    approval = rec.approval
    sent = rec.first_reply_at
    ttfr = rec.time_to_first_reply
    return {
        "id": rec.mention.id, "platform": m.platform, "created_at": m.created_at.isoformat(),
        "author_handle": m.author_handle, "author_followers": m.author_followers,
        "label": rec.label or "", "confidence": "" if rec.confidence is None
        else f"{rec.confidence:.3f}", "uncertain": int(rec.uncertain),
        "flags": ";".join(rec.flag_kinds), "escalated": int(rec.escalated),
        "state": rec.state, "dismiss_reason": rec.dismiss_reason or "",
        "incidents": ";".join(str(i) for i in rec.incidents),
        "final_reply": shaper.text(reply["text"]) if reply else "",
        "drafter": reply["author"] if reply else "",
        "approver": approval["by"] if approval else "",
        "approved_at": approval["at"] if approval else "",
        "first_reply_at": sent.isoformat() if sent else "",
        "minutes_to_first_reply": f"{ttfr.total_seconds() / 60:.1f}" if ttfr else "",
        "url": m.url, "text": m.text,
    }


def write_csv(source: ExportSource, header: ExportHeader, shaper: Shaper, out: IO[str],
              progress: Progress | None = None) -> int:
    scope = ", ".join(f"{k}={v}" for k, v in header.scope.items()) or "all mentions"
    out.write(f"# calmreply export ({scope}); chain head seq {header.head.seq} "
              f"{header.head.hash}; verify: {header.verify_command}"
              + ("; redacted" if header.redacted else "") + "\n")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for rec in source.records():
        writer.writerow({k: _cell(v) for k, v in row_for(rec, shaper).items()})
        n += 1
        if progress:
            progress.tick()
    return n
