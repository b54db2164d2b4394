"""The right-hand pane: the whole mention, its verdict, flags and the suggested draft."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from triage.mention import Mention
from triage.playbook import Draft
from triage.verdict import Flag
from tui.render import literal, reach


class DetailPane(Static):
    """Shows one mention.  All post-derived text goes through `literal()`."""

    def show(self, mention: Mention, triage: dict | None, flags: list[Flag],
             draft: Draft | None, state: str) -> None:
        head = Text()
        head.append(literal(mention.author_name or mention.author_handle, "bold"))
        head.append("  ")
        head.append(literal(mention.author_handle, "dim"))
        head.append(f"  {reach(mention.author_followers)} followers", style="dim")
        meta = Text(f"{mention.platform} · {mention.created_at:%Y-%m-%d %H:%M} UTC · {state}",
                    style="dim")
        parts: list = [head, meta]
        if mention.url:
            parts.append(literal(mention.url, "dim underline"))
        parts += [Text(""), literal(mention.text), Text("")]
        if triage:
            probs = "  ".join(f"{k} {v:.0%}" for k, v in
                              sorted(triage["probabilities"].items(), key=lambda kv: -kv[1]))
            verdict = Text(f"Triage: {triage['label']}", style="bold")
            if triage.get("uncertain"):
                verdict.append("  (uncertain — needs a human label)", style="italic")
            parts += [verdict, Text(probs, style="dim")]
            if triage.get("explanation"):
                parts.append(Text("because: " + ", ".join(
                    f"{term}" for term, _ in triage["explanation"][:6]), style="dim"))
        for f in flags:
            parts.append(Text.assemble(("⚑ " + f.kind, "bold"), ": ", literal(f.reason)))
        if draft is not None:
            parts += [Text(""), Text("Suggested draft", style="bold underline"),
                      literal(draft.text)]
            if draft.missing:
                parts.append(Text("to fill: " + ", ".join(draft.missing), style="italic"))
        self.update(Group(*parts))

    def clear(self) -> None:
        self.update(Text("No mention selected."))
