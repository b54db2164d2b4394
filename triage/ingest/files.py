"""Import mentions from JSONL or CSV files (or stdin).

A bad line never sinks the file: it is reported with file and line and what to do,
and every good line is kept.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from triage.mention import Mention, MentionError


@dataclass(frozen=True)
class BadRecord:
    where: str  # "file:line"
    error: str
    raw: str

    def __str__(self) -> str:
        return f"{self.where}: {self.error} — fix or remove this line and import again"


@dataclass
class ParsedFile:
    mentions: list[Mention]
    bad: list[BadRecord]


def detect_format(name: str, head: str) -> str:
    lowered = name.lower()
    if head.lstrip().startswith("["):
        return "json"  # a JSON array of records (mention.schema.json)
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith(".csv"):
        return "csv"
    return "jsonl" if head.lstrip().startswith("{") else "csv"


def iter_jsonl(stream: IO[str], name: str) -> Iterator[Mention | BadRecord]:
    for lineno, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield BadRecord(f"{name}:{lineno}", f"not valid JSON ({exc.msg})", line.rstrip("\n"))
            continue
        try:
            yield Mention.from_record(record, source=f"file:{name}")
        except MentionError as exc:
            yield BadRecord(f"{name}:{lineno}", str(exc), line.rstrip("\n"))


def iter_json_array(stream: IO[str], name: str) -> Iterator[Mention | BadRecord]:
    """A JSON array of records; items are named by their index, ``file:[3]``."""
    text = stream.read()
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        yield BadRecord(f"{name}:{exc.lineno}", f"not valid JSON ({exc.msg}); nothing in "
                        "this file was imported", text[:20000])
        return
    if not isinstance(items, list):
        yield BadRecord(f"{name}:1", "expected a JSON array of mention objects", text[:2000])
        return
    for i, record in enumerate(items):
        try:
            yield Mention.from_record(record, source=f"file:{name}")
        except MentionError as exc:
            yield BadRecord(f"{name}:[{i}]", str(exc), json.dumps(record, ensure_ascii=False))


def iter_csv(stream: IO[str], name: str) -> Iterator[Mention | BadRecord]:
    reader = csv.DictReader(stream)
    if not reader.fieldnames or "text" not in reader.fieldnames:
        yield BadRecord(f"{name}:1", "CSV header must include at least id, text, created_at", "")
        return
    for record in reader:
        lineno = reader.line_num
        clean = {k: v for k, v in record.items() if k is not None and v not in (None, "")}
        if None in record:
            yield BadRecord(f"{name}:{lineno}", "more fields than the header names",
                            json.dumps(record, default=str))
            continue
        try:
            yield Mention.from_record(clean, source=f"file:{name}")
        except MentionError as exc:
            yield BadRecord(f"{name}:{lineno}", str(exc), json.dumps(clean))


def read_mentions(path: str | Path, stdin: IO[str] | None = None,
                  fmt: str | None = None) -> Iterator[Mention | BadRecord]:
    """Yield mentions and bad records from a file path, or stdin when path is '-'."""
    if str(path) == "-":
        import sys

        text = (stdin or sys.stdin).read()
        stream: IO[str] = io.StringIO(text)
        name = "<stdin>"
        kind = fmt or detect_format(name, text[:200])
        yield from _reader(kind)(stream, name)
        return
    p = Path(path)
    with p.open(encoding="utf-8", newline="") as fh:
        head = fh.read(200)
        fh.seek(0)
        kind = fmt or detect_format(p.name, head)
        yield from _reader(kind)(fh, str(p))


def _reader(kind: str):
    return {"json": iter_json_array, "jsonl": iter_jsonl, "csv": iter_csv}[kind]
