"""Markdown for leadership: summary, key moments, counts, open items, replies and
approvals, what was left unengaged and why, and every mention in order.

Ordered for someone with five minutes: what happened and what is still open come
first, the full timeline last.  One streaming pass: counts are tallied while each
section is written to its own temporary file, then the header, summary and counts are
written and the sections appended, so memory stays constant however many mentions
there are.  Mention text is untrusted: it is stripped of control characters and every
Markdown special character is escaped, so a post cannot add links, images, HTML or
table cells to the report.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from triage.export.header import ExportHeader
from triage.export.progress import Progress
from triage.export.records import ExportRecord, ExportSource
from triage.export.shape import Shaper
from triage.incidents import CLOSE_ACTION, PHASE_ACTION
from triage.safe_text import strip_controls
from triage.timeutil import from_db, to_db

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
# what strip_controls removes: C0/C1 controls (ESC starts every escape sequence), bidi
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_TABLE_TEXT = 140
DISMISS_REASONS = {
    "not_engaged": "not engaged — deliberately not fed",
    "duplicate": "duplicate of another mention",
    "irrelevant": "not relevant to us",
}
STATE_ORDER = ("new", "triaged", "escalated", "drafted", "awaiting_approval", "approved",
               "sent", "dismissed")
# most serious first; these make an unanswered mention need someone's attention
ATTENTION_FLAGS = ("threat", "distress", "safety", "legal", "press", "leader",
                   "personal-data")
FLAG_ORDER = (*ATTENTION_FLAGS, "brigade", "repeat", "reach", "surge")
_DECIDING = ("drafted", "awaiting_approval", "approved")
_CLOSED_STATES = ("sent", "dismissed")


def md(text: str | None, width: int | None = None) -> str:
    """Untrusted text as one inert Markdown line."""
    if not text:
        return ""
    if _UNSAFE.search(text) is not None:
        text = strip_controls(text)
    flat = " ".join(text.split())
    if width is not None and len(flat) > width:
        flat = flat[: width - 1].rstrip() + "…"
    return _SPECIAL.sub(r"\\\1", flat)


def when(value: datetime | str | None) -> str:
    """``YYYY-MM-DD HH:MMZ``; stored UTC text is sliced rather than parsed."""
    if isinstance(value, str) and len(value) == 27 and value[26] == "Z":
        return f"{value[:10]} {value[11:16]}Z"
    dt = from_db(value) if isinstance(value, str) else value
    return dt.strftime("%Y-%m-%d %H:%MZ") if dt else "—"


def duration(td: timedelta) -> str:
    minutes = round(td.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _flag_list(kinds: list[str]) -> list[str]:
    """Flags most serious first (unknown kinds after, alphabetically)."""
    rank = {k: i for i, k in enumerate(FLAG_ORDER)}
    return sorted(kinds, key=lambda k: (rank.get(k, len(rank)), k))


@dataclass
class _Moment:
    at: str
    what: str
    who: str


class _Tally:
    def __init__(self) -> None:
        self.label: Counter[str] = Counter()
        self.flag: Counter[str] = Counter()
        self.state: Counter[str] = Counter()
        self.n = 0
        self.replied = 0
        self.reply_total = timedelta()
        self.reply_max = timedelta()
        self.first: tuple[str, int] | None = None
        self.last: tuple[str, int] | None = None
        self.first_sent: tuple[datetime, int, str] | None = None
        self.deciding = 0
        self.flagged_open = 0

    def add(self, rec: ExportRecord, kinds: list[str]) -> None:
        self.n += 1
        self.label[rec.label or "untriaged"] += 1
        self.flag.update(kinds)
        self.state[rec.state] += 1
        t = (rec.created_at, rec.id)
        if self.first is None:
            self.first = t  # records come in time order
        self.last = t
        if rec.drafts:
            ttfr = rec.time_to_first_reply
            if ttfr is not None:
                self.replied += 1
                self.reply_total += ttfr
                self.reply_max = max(self.reply_max, ttfr)
                sent = rec.first_reply_at
                approval = rec.approval
                if sent and (self.first_sent is None or sent < self.first_sent[0]):
                    self.first_sent = (sent, rec.id, approval["by"] if approval else "—")


def _table(out: IO[str], title: str, counts: Counter[str], order: tuple[str, ...] = ()) -> None:
    out.write(f"| {title} | Mentions |\n|---|---:|\n")
    keys = [k for k in order if counts[k]] + sorted(k for k in counts if k not in order)
    for k in keys:
        out.write(f"| {md(k)} | {counts[k]} |\n")
    if not keys:
        out.write("| (none) | 0 |\n")
    out.write("\n")


_SECTIONS = ("timeline", "replies", "unengaged", "deciding", "flagged", "other")


def write_markdown(source: ExportSource, header: ExportHeader, shaper: Shaper, out: IO[str],
                   progress: Progress | None = None) -> int:
    tally = _Tally()
    files = {name: tempfile.TemporaryFile("w+", encoding="utf-8") for name in _SECTIONS}
    try:
        for rec in source.records(with_triage=False):
            kinds = _flag_list([f.kind for f in rec.flags])
            tally.add(rec, kinds)
            cells = _Cells(rec, shaper, kinds)
            cells.timeline(files["timeline"])
            if rec.drafts and rec.approval is not None:
                _reply(files["replies"], rec, shaper)
            if rec.state == "dismissed":
                cells.unengaged(files["unengaged"])
            elif rec.state in _DECIDING:
                tally.deciding += 1
                cells.deciding(files["deciding"])
            elif rec.state not in _CLOSED_STATES:
                if any(k in ATTENTION_FLAGS for k in kinds):
                    tally.flagged_open += 1
                    cells.open_row(files["flagged"])
                else:
                    cells.open_row(files["other"])
            if progress:
                progress.tick()
        _head(out, header, shaper, tally)
        _moments(out, source, header, tally)
        out.write("## Counts\n\n")
        _table(out, "Class", tally.label, ("complaint", "troll", "engagement"))
        _table(out, "Flag", tally.flag, FLAG_ORDER)
        _table(out, "State", tally.state, STATE_ORDER)
        out.write("## Open items\n\n")
        if not any(files[k].tell() for k in ("deciding", "flagged", "other")):
            out.write("None: every mention was answered or deliberately left alone.\n\n")
        else:
            _section(out, "### Waiting for a decision", files["deciding"],
                     "Drafted replies not yet sent.\n\n"
                     "| # | Posted (UTC) | State | Flags | Author | Post | Draft (by) |\n"
                     "|---:|---|---|---|---|---|---|\n")
            _section(out, "### Flagged and not yet answered", files["flagged"],
                     "Most serious flag first in each row.\n\n" + _OPEN_HEAD)
            _section(out, "### Not yet answered", files["other"], _OPEN_HEAD)
        _section(out, "## Replies and approvals", files["replies"], "")
        _section(out, "## Left unengaged", files["unengaged"],
                 "| # | Posted (UTC) | Class | Author | Why | Decided by | Post |\n"
                 "|---:|---|---|---|---|---|---|\n")
        _section(out, "## Timeline: every mention in order", files["timeline"],
                 "| Posted (UTC) | # | Class | Flags | State | Author | Post |\n"
                 "|---|---:|---|---|---|---|---|\n")
    finally:
        for fh in files.values():
            fh.close()
    return tally.n


_OPEN_HEAD = ("| # | Posted (UTC) | State | Class | Flags | Author | Post |\n"
              "|---:|---|---|---|---|---|---|\n")


def _section(out: IO[str], title: str, body: IO[str], table_head: str) -> None:
    out.write(f"{title}\n\n")
    if body.tell() == 0:
        out.write("None.\n\n")
        return
    out.write(table_head)
    body.seek(0)
    shutil.copyfileobj(body, out, 1 << 20)
    if table_head:
        out.write("\n")


def _head(out: IO[str], header: ExportHeader, shaper: Shaper, tally: _Tally) -> None:
    inc = header.incident
    title = f"Incident log: {md(inc.title)} (incident #{inc.id})" if inc else "Mention log"
    out.write(f"# {title}\n\n")
    if inc:
        status = (f"closed {when(inc.closed_at)}" if inc.closed_at else "**still open**")
        out.write(f"- **Incident:** #{inc.id} ({md(inc.kind)}), opened {when(inc.opened_at)}"
                  f", {status}; phase: {md(inc.phase)}\n")
    scope = ", ".join(f"{k} = {v}" for k, v in header.scope.items()) or "all mentions"
    out.write(f"- **Scope:** {md(scope)}\n")
    span = (f", posted {when(tally.first[0])} to {when(tally.last[0])}"
            if tally.first and tally.last else "")
    out.write(f"- **Mentions:** {tally.n}{span}\n")
    out.write(f"- **Audit chain head:** seq {header.head.seq}, sha256 `{header.head.hash}`\n")
    out.write(f"- **Verify:** run `{header.verify_command}` against the calmreply database "
              "this log was exported from\n")
    if header.redacted:
        out.write("- **Redacted:** author handles are pseudonyms; personal data removed\n")
    if header.generated_at is not None:
        out.write(f"- **Generated:** {when(header.generated_at)} (the incident is still open, "
                  "so a later export may differ)\n" if inc and not inc.closed else
                  f"- **Generated:** {when(header.generated_at)}\n")
    out.write("\n## Summary\n\n")
    if inc and inc.closed and inc.summary:
        out.write(md(shaper.text(inc.summary)) + "\n\n")
    elif inc:
        out.write("_Still open: the summary is written when the incident is closed._")
        if inc.summary:
            out.write(f" Detected: {md(shaper.text(inc.summary))}")
        out.write("\n\n")
    sent = tally.state["sent"]
    dismissed = tally.state["dismissed"]
    still_open = tally.n - sent - dismissed
    line = (f"{tally.n} mentions: {sent} answered, {dismissed} deliberately left "
            f"unengaged, {still_open} still open")
    details = [f"{tally.deciding} with a reply waiting for a decision"] if tally.deciding else []
    if tally.flagged_open:
        details.append(f"{tally.flagged_open} flagged for attention")
    line += f" ({', '.join(details)})." if details else "."
    if tally.replied:
        avg = tally.reply_total / tally.replied
        line += (f" First replies went out on average {duration(avg)} after the post "
                 f"(slowest {duration(tally.reply_max)}).")
    out.write(line + "\n\n")


def _moments(out: IO[str], source: ExportSource, header: ExportHeader, tally: _Tally) -> None:
    """Key moments: first and last mention, phase changes, first reply, the close."""
    moments: list[_Moment] = []
    if tally.first:
        moments.append(_Moment(tally.first[0], f"First mention (#{tally.first[1]})", "—"))
    for e in source.incident_events():
        if e["action"] == PHASE_ACTION:
            moments.append(_Moment(e["at"], f"Phase {md(e['before'] or '—')} → "
                                            f"{md(e['after'])}", md(e["actor"])))
        elif e["action"] == CLOSE_ACTION:
            moments.append(_Moment(e["at"], "Incident closed with the summary above",
                                   md(e["actor"])))
    if tally.first_sent:
        sent, mid, by = tally.first_sent
        moments.append(_Moment(to_db(sent), f"First reply sent (#{mid})",
                               f"approved by {md(by)}"))
    if tally.last and tally.last != tally.first:
        moments.append(_Moment(tally.last[0], f"Last mention (#{tally.last[1]})", "—"))
    if not moments:
        return
    out.write("## Key moments\n\n| Time (UTC) | What happened | Who |\n|---|---|---|\n")
    for m in sorted(moments, key=lambda m: m.at):
        out.write(f"| {when(m.at)} | {m.what} | {m.who} |\n")
    out.write("\n")


class _Cells:
    """The table cells of one mention, each shaped and escaped once."""

    __slots__ = ("rec", "shaper", "id", "at", "label", "flags", "state", "author", "post")

    def __init__(self, rec: ExportRecord, shaper: Shaper, kinds: list[str]) -> None:
        row = rec.row
        self.rec, self.shaper = rec, shaper
        self.id = row["id"]
        self.at = when(row["created_at"])
        self.label = md(row["label"]) or "—"
        self.flags = md(", ".join(kinds)) or "—"
        self.state = md(rec.state)
        self.author = md(shaper.handle(row["author_handle"])) or "—"
        self.post = md(shaper.text(row["text"]), _TABLE_TEXT)

    def timeline(self, out: IO[str]) -> None:
        out.write(f"| {self.at} | {self.id} | {self.label} | {self.flags} | {self.state} "
                  f"| {self.author} | {self.post} |\n")

    def open_row(self, out: IO[str]) -> None:
        out.write(f"| {self.id} | {self.at} | {self.state} | {self.label} | {self.flags} "
                  f"| {self.author} | {self.post} |\n")

    def unengaged(self, out: IO[str]) -> None:
        d = self.rec.dismissal or {}
        reason = d.get("reason") or ""
        why = DISMISS_REASONS.get(reason, reason or "—")
        out.write(f"| {self.id} | {self.at} | {self.label} | {self.author} | {md(why)} "
                  f"| {md(d.get('by') or '—')} | {self.post} |\n")

    def deciding(self, out: IO[str]) -> None:
        draft: dict[str, Any] | None = self.rec.drafts[-1] if self.rec.drafts else None
        text = md(self.shaper.text(draft["text"]), _TABLE_TEXT) if draft else "—"
        by = f" ({md(draft['author'])})" if draft else ""
        out.write(f"| {self.id} | {self.at} | {self.state} | {self.flags} | {self.author} "
                  f"| {self.post} | {text}{by} |\n")


def _reply(out: IO[str], rec: ExportRecord, shaper: Shaper) -> None:
    approval = rec.approval
    reply = rec.final_reply
    assert approval is not None
    row = rec.row
    out.write(f"### #{row['id']} · {when(row['created_at'])} · "
              f"{md(shaper.handle(row['author_handle'])) or '—'} · "
              f"{md(row['label'] or 'untriaged')}\n\n")
    out.write(f"> {md(shaper.text(row['text']))}\n\n")
    drafter = md(reply["author"]) if reply else "—"
    line = (f"Reply drafted by **{drafter}**, approved by **{md(approval['by'])}** "
            f"at {when(approval['at'])}")
    sent, ttfr = rec.first_reply_at, rec.time_to_first_reply
    if sent and ttfr is not None:
        line += f", sent {when(sent)} ({duration(ttfr)} after the post)"
    else:
        line += ", **not sent yet**"
    out.write(line + ":\n\n")
    out.write(f"> {md(shaper.text(reply['text'])) if reply else '—'}\n\n")
