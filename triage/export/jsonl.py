"""JSONL: everything, one JSON object per line, including the audit trail.

Line 1 is the header (scope, chain head, verify command), then one ``mention`` line
per mention with its triage, flags, drafts, incidents and audit entries, then the
``audit`` entries that belong to no mention, then a ``footer`` with the counts so a
truncated file is noticed.  Audit entries keep their stored fields, so each entry's
hash can be recomputed from the export alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from triage.export.header import ExportHeader
from triage.export.progress import Progress
from triage.export.records import ExportSource
from triage.export.shape import Shaper

# one encoder for the whole export (json.dumps with options builds one per call)
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
_BATCH = 500  # lines joined per write


def _line(obj: dict[str, Any]) -> str:
    return _ENCODE(obj) + "\n"


def write_jsonl(source: ExportSource, header: ExportHeader, shaper: Shaper, out: IO[str],
                progress: Progress | None = None) -> int:
    out.write(_line(header.to_record(shaper.text)))
    n = 0
    lines: list[str] = []
    record = shaper.record
    for rec in source.records():
        lines.append(_ENCODE(record(rec)))
        n += 1
        if len(lines) >= _BATCH:
            out.write("\n".join(lines) + "\n")
            lines.clear()
            if progress:
                progress.tick(_BATCH)
    if lines:
        out.write("\n".join(lines) + "\n")
        if progress:
            progress.tick(len(lines))
    g = 0
    for entry in source.global_audit():
        out.write(_line({"type": "audit", **shaper.audit_entry(entry)}))
        g += 1
    out.write(_line({"type": "footer", "mentions": n, "audit_entries_without_mention": g,
                     "chain_head": header.head.to_record()}))
    return n


class ExportFormatError(ValueError):
    """A JSONL export that cannot be read back; the message names the line."""


@dataclass
class ExportFile:
    """A JSONL export read back: for checking, comparing and re-importing."""

    header: dict[str, Any]
    mentions: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    footer: dict[str, Any] | None = None

    def all_audit(self) -> list[dict[str, Any]]:
        """Every audit entry in the export, in chain order."""
        entries = [a for m in self.mentions for a in m["audit"]] + self.audit
        return sorted(entries, key=lambda a: a["seq"])


def iter_lines(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(path, encoding="utf-8") as fh:
        for no, line in enumerate(fh, 1):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ExportFormatError(f"{path}:{no}: not JSON ({exc.msg})") from exc
            if not isinstance(obj, dict) or "type" not in obj:
                raise ExportFormatError(f"{path}:{no}: expected an object with a 'type'")
            yield no, obj


def read_jsonl(path: str | Path) -> ExportFile:
    """Read a whole export back (loads it into memory: for checks, not for 1M rows)."""
    result: ExportFile | None = None
    for no, obj in iter_lines(path):
        kind = obj.pop("type")
        if result is None:
            if kind != "header":
                raise ExportFormatError(f"{path}:{no}: the first line must be the header")
            result = ExportFile(header=obj)
        elif kind == "mention":
            result.mentions.append(obj)
        elif kind == "audit":
            result.audit.append(obj)
        elif kind == "footer":
            result.footer = obj
        else:
            raise ExportFormatError(f"{path}:{no}: unknown record type {kind!r}")
    if result is None:
        raise ExportFormatError(f"{path}: empty export")
    if result.footer is None or result.footer.get("mentions") != len(result.mentions):
        raise ExportFormatError(f"{path}: export is truncated (no footer, or its count "
                                "does not match); export it again")
    return result
