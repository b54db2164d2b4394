"""First-cut export: one record per mention with its triage, as JSONL or CSV."""

from __future__ import annotations

import csv
import json
from typing import IO

from triage.store import Store

CSV_FIELDS = ("id", "platform", "platform_id", "created_at", "author_handle",
              "author_followers", "label", "confidence", "flags", "state", "text")


def export(store: Store, out: IO[str], fmt: str = "jsonl") -> int:
    rows = store.conn.execute(
        "SELECT id, platform, platform_id, created_at, author_handle, author_followers, label,"
        " confidence, flag_kinds AS flags, state, text FROM mentions ORDER BY id")
    n = 0
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    for row in rows:
        rec = dict(row)
        if writer:
            writer.writerow(rec)
        else:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n
