"""The right-hand pane: the whole mention, its verdict, flags, thread and author history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from triage.mention_detail import MentionDetail
from triage.safe_text import one_line
from triage.timeutil import utcnow
from tui.render import age, literal, reach


class DetailPane(VerticalScroll, can_focus=False):
    """Shows one mention.  All post-derived text goes through `literal()`/`one_line()`."""

    def __init__(self, *, clock: Callable[[], datetime] = utcnow, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.body = Static(Text("No mention selected."), id="detail-body")

    def compose(self):
        yield self.body

    def show(self, d: MentionDetail) -> None:
        m = d.mention
        head = Text()
        head.append(literal(one_line(m.author_name or m.author_handle), "bold"))
        head.append("  ")
        head.append(literal(one_line(m.author_handle), "dim"))
        head.append(f"  {reach(m.author_followers)} followers", style="dim")
        if d.muted:
            head.append("  muted", style="italic")
        meta = Text(f"{m.platform} · {m.created_at:%Y-%m-%d %H:%M} UTC "
                    f"({age(m.created_at, self.clock())} ago) · {d.state.replace('_', ' ')}",
                    style="dim")
        if d.dismiss_reason:
            meta.append(f" ({d.dismiss_reason.replace('_', ' ')})")
        parts: list = [head, meta]
        if m.url:
            # shown as text, never as a hyperlink: a post cannot make the terminal open it
            parts.append(literal(one_line(m.url), "dim"))
        if d.claim_holder:
            parts.append(Text(f"claimed by {d.claim_holder}", style="bold"))
        if d.returned:
            parts.append(Text.assemble(("returned by ", "bold"), literal(d.returned[0]),
                                       ": ", literal(d.returned[1], "italic")))
        if d.parent is not None:
            parts.append(Text.assemble(("↳ in reply to ", "dim"),
                                       literal(one_line(d.parent.author_handle), "dim"),
                                       ": ", literal(one_line(d.parent.text, 120), "italic")))
        elif m.in_reply_to_id:
            parts.append(Text.assemble(("↳ in reply to a post we have not stored ", "dim"),
                                       literal(one_line(m.in_reply_to_id), "dim")))
        parts += [Text(""), literal(m.text), Text("")]
        t = d.triage
        if t:
            verdict = Text(f"Triage: {t['label']}", style="bold")
            if t.get("uncertain"):
                verdict.append("  (uncertain: needs a human label)", style="italic")
            probs = "  ".join(f"{k} {v:.0%}" for k, v in
                              sorted(t["probabilities"].items(), key=lambda kv: -kv[1]))
            parts += [verdict, Text(probs, style="dim")]
            if t.get("explanation"):
                parts.append(Text.assemble(("because: ", "dim"), literal(", ".join(
                    f"{term} ({weight:+.2f})" if isinstance(weight, int | float) else str(term)
                    for term, weight in t["explanation"][:6]), "dim")))
        for f in d.flags:
            parts.append(Text.assemble(("⚑ " + f.kind, "bold"), ": ", literal(f.reason)))
        if d.incidents:
            parts.append(Text("incident " + ", ".join(f"#{i}" for i in d.incidents),
                              style="bold"))
        if d.draft is not None:
            by = d.draft["author"] + (f", edited by {d.draft['edited_by']}"
                                      if d.draft.get("edited_by") else "")
            parts += [Text(""), Text(f"Draft by {by}", style="bold underline"),
                      literal(d.draft["text"])]
        if d.earlier:
            parts += [Text(""), Text("Earlier from this author", style="bold underline")]
            for e in d.earlier:
                parts.append(Text.assemble((f"{e.created_at:%m-%d %H:%M} ", "dim"),
                                           literal(one_line(e.text, 70))))
        self.body.update(Group(*parts))

    def clear(self) -> None:
        self.body.update(Text("No mention selected."))
