"""Markdown for leadership: summary, timeline, counts, replies and approvals, what was
left unengaged and why, and what is still open.

One streaming pass: counts are tallied while each section is written to its own
temporary file, then the header, summary and counts are written and the sections
appended, so memory stays constant however many mentions there are.  Mention text is
untrusted: it is stripped of control characters and every Markdown special character
is escaped, so a post cannot add links, images, HTML or table cells to the report.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import Counter
from datetime import datetime, timedelta
from typing import IO

from triage.export.header import ExportHeader
from triage.export.progress import Progress
from triage.export.records import ExportRecord, ExportSource
from triage.export.shape import Shaper
from triage.safe_text import strip_controls
from triage.timeutil import from_db

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_TABLE_TEXT = 140
DISMISS_REASONS = {
    "not_engaged": "not engaged — deliberately not fed",
    "duplicate": "duplicate of another mention",
    "irrelevant": "not relevant to us",
}
STATE_ORDER = ("new", "triaged", "escalated", "drafted", "awaiting_approval", "approved",
               "sent", "dismissed")


def md(text: str | None, width: int | None = None) -> str:
    """Untrusted text as one inert Markdown line."""
    flat = " ".join(strip_controls(text or "").split())
    if width is not None and len(flat) > width:
        flat = flat[: width - 1].rstrip() + "…"
    return _SPECIAL.sub(r"\\\1", flat)


def when(value: datetime | str | None) -> str:
    dt = from_db(value) if isinstance(value, str) else value
    return dt.strftime("%Y-%m-%d %H:%MZ") if dt else "—"


def duration(td: timedelta) -> str:
    minutes = round(td.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class _Tally:
    def __init__(self) -> None:
        self.label: Counter[str] = Counter()
        self.flag: Counter[str] = Counter()
        self.state: Counter[str] = Counter()
        self.n = 0
        self.replied = 0
        self.reply_total = timedelta()
        self.reply_max = timedelta()
        self.first: datetime | None = None
        self.last: datetime | None = None

    def add(self, rec: ExportRecord) -> None:
        self.n += 1
        self.label[rec.label or "untriaged"] += 1
        self.flag.update(rec.flag_kinds)
        self.state[rec.state] += 1
        t = rec.mention.created_at
        self.first = t if self.first is None or t < self.first else self.first
        self.last = t if self.last is None or t > self.last else self.last
        ttfr = rec.time_to_first_reply
        if ttfr is not None:
            self.replied += 1
            self.reply_total += ttfr
            self.reply_max = max(self.reply_max, ttfr)


def _table(out: IO[str], title: str, counts: Counter[str], order: tuple[str, ...] = ()) -> None:
    out.write(f"| {title} | Mentions |\n|---|---:|\n")
    keys = [k for k in order if counts[k]] + sorted(k for k in counts if k not in order)
    for k in keys:
        out.write(f"| {md(k)} | {counts[k]} |\n")
    if not keys:
        out.write("| (none) | 0 |\n")
    out.write("\n")


def write_markdown(source: ExportSource, header: ExportHeader, shaper: Shaper, out: IO[str],
                   progress: Progress | None = None) -> int:
    tally = _Tally()
    with (tempfile.TemporaryFile("w+", encoding="utf-8") as timeline,
          tempfile.TemporaryFile("w+", encoding="utf-8") as replies,
          tempfile.TemporaryFile("w+", encoding="utf-8") as unengaged,
          tempfile.TemporaryFile("w+", encoding="utf-8") as open_items):
        for rec in source.records():
            tally.add(rec)
            _timeline_row(timeline, rec, shaper)
            if rec.approval is not None:
                _reply(replies, rec, shaper)
            elif rec.state == "dismissed":
                _unengaged_row(unengaged, rec, shaper)
            if rec.state not in ("sent", "dismissed"):
                _open_row(open_items, rec, shaper)
            if progress:
                progress.tick()
        _head(out, header, shaper, tally)
        _section(out, "Timeline", timeline,
                 "| Time (UTC) | # | Class | Flags | State | Author | Post |\n"
                 "|---|---:|---|---|---|---|---|\n")
        _section(out, "Replies and approvals", replies, "")
        _section(out, "Left unengaged", unengaged,
                 "| # | Time (UTC) | Class | Author | Why | Decided by | Post |\n"
                 "|---:|---|---|---|---|---|---|\n")
        _section(out, "Open items", open_items,
                 "| # | Time (UTC) | State | Class | Flags | Author | Post |\n"
                 "|---:|---|---|---|---|---|---|\n")
    return tally.n


def _section(out: IO[str], title: str, body: IO[str], table_head: str) -> None:
    out.write(f"## {title}\n\n")
    if body.tell() == 0:
        out.write("None.\n\n")
        return
    out.write(table_head)
    body.seek(0)
    shutil.copyfileobj(body, out)
    if table_head:
        out.write("\n")


def _head(out: IO[str], header: ExportHeader, shaper: Shaper, tally: _Tally) -> None:
    inc = header.incident
    title = f"Incident log: {md(inc.title)} (incident #{inc.id})" if inc else "Mention log"
    out.write(f"# {title}\n\n")
    if inc:
        closed = f", closed {when(inc.closed_at)}" if inc.closed_at else " — still open"
        out.write(f"- **Incident:** #{inc.id} ({md(inc.kind)}), opened "
                  f"{when(inc.opened_at)}{closed}\n")
    scope = ", ".join(f"{k} = {v}" for k, v in header.scope.items()) or "all mentions"
    out.write(f"- **Scope:** {md(scope)}\n")
    out.write(f"- **Mentions:** {tally.n}"
              + (f", posted {when(tally.first)} to {when(tally.last)}" if tally.n else "")
              + "\n")
    out.write(f"- **Audit chain head:** seq {header.head.seq}, sha256 `{header.head.hash}`\n")
    out.write(f"- **Verify:** run `{header.verify_command}` against the calmreply database "
              "this log was exported from\n")
    if header.redacted:
        out.write("- **Redacted:** author handles are pseudonyms; personal data removed\n")
    if header.generated_at is not None:
        out.write(f"- **Generated:** {when(header.generated_at)}\n")
    out.write("\n## Summary\n\n")
    if inc and inc.summary:
        out.write(md(shaper.text(inc.summary)) + "\n\n")
    elif inc:
        out.write("_The incident is still open; its summary is written when it is closed._"
                  "\n\n")
    sent = tally.state["sent"]
    dismissed = tally.state["dismissed"]
    still_open = tally.n - sent - dismissed
    out.write(f"{tally.n} mentions: {sent} answered, {dismissed} deliberately left "
              f"unengaged, {still_open} still open.")
    if tally.replied:
        avg = tally.reply_total / tally.replied
        out.write(f" First replies went out on average {duration(avg)} after the post "
                  f"(slowest {duration(tally.reply_max)}).")
    out.write("\n\n## Counts\n\n")
    _table(out, "Class", tally.label, ("complaint", "troll", "engagement"))
    _table(out, "Flag", tally.flag)
    _table(out, "State", tally.state, STATE_ORDER)


def _author(rec: ExportRecord, shaper: Shaper) -> str:
    return md(shaper.handle(rec.mention.author_handle)) or "—"


def _post(rec: ExportRecord, shaper: Shaper, width: int | None = _TABLE_TEXT) -> str:
    return md(shaper.text(rec.mention.text), width)


def _timeline_row(out: IO[str], rec: ExportRecord, shaper: Shaper) -> None:
    flags = ", ".join(rec.flag_kinds) or "—"
    out.write(f"| {when(rec.mention.created_at)} | {rec.mention.id} | {md(rec.label or '—')} "
              f"| {md(flags)} | {md(rec.state)} | {_author(rec, shaper)} "
              f"| {_post(rec, shaper)} |\n")


def _reply(out: IO[str], rec: ExportRecord, shaper: Shaper) -> None:
    approval = rec.approval
    reply = rec.final_reply
    assert approval is not None
    out.write(f"### #{rec.mention.id} · {when(rec.mention.created_at)} · "
              f"{_author(rec, shaper)} · {md(rec.label or 'untriaged')}\n\n")
    out.write(f"> {_post(rec, shaper, None)}\n\n")
    drafter = md(reply["author"]) if reply else "—"
    line = (f"Reply drafted by **{drafter}**, approved by **{md(approval['by'])}** "
            f"at {when(approval['at'])}")
    sent, ttfr = rec.first_reply_at, rec.time_to_first_reply
    if sent and ttfr is not None:
        line += f", sent {when(sent)} ({duration(ttfr)} after the post)"
    else:
        line += ", not sent yet"
    out.write(line + ":\n\n")
    out.write(f"> {md(shaper.text(reply['text'])) if reply else '—'}\n\n")


def _unengaged_row(out: IO[str], rec: ExportRecord, shaper: Shaper) -> None:
    d = rec.dismissal or {}
    why = DISMISS_REASONS.get(d.get("reason") or "", d.get("reason") or "—")
    out.write(f"| {rec.mention.id} | {when(rec.mention.created_at)} | {md(rec.label or '—')} "
              f"| {_author(rec, shaper)} | {md(why)} | {md(d.get('by') or '—')} "
              f"| {_post(rec, shaper)} |\n")


def _open_row(out: IO[str], rec: ExportRecord, shaper: Shaper) -> None:
    flags = ", ".join(rec.flag_kinds) or "—"
    out.write(f"| {rec.mention.id} | {when(rec.mention.created_at)} | {md(rec.state)} "
              f"| {md(rec.label or '—')} | {md(flags)} | {_author(rec, shaper)} "
              f"| {_post(rec, shaper)} |\n")
