"""Drafting a reply: pick a playbook variant, edit it, watch tone and length, submit.

Opening this screen claims the mention, so a colleague on another terminal sees who
is drafting it and cannot open it too; leaving releases the claim (and a claim left
behind by a crashed terminal expires on its own).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TextArea

from triage.draft_support import DraftSession
from triage.playbook import Finding
from triage.safe_text import one_line
from triage.store import StoreError
from triage.workflow import IllegalTransition
from tui.draft_actions import save_and_submit
from tui.messages import ActionRefused, ToneChecked
from tui.prompt_screen import PromptScreen
from tui.render import key_hint, literal

CONTEXT = 24  # characters of the draft shown either side of a finding's words


def finding_line(text: str, f: Finding) -> Text:
    """One finding: its kind, its explanation, and the words it points at highlighted
    in their context.  Built from spans on a `Text`, so draft text never becomes markup."""
    line = Text("  • ", style="yellow")
    line.append(f"{f.kind}: ", style="bold yellow")
    line.append_text(literal(f.message))
    lo, hi = max(0, f.start - CONTEXT), min(len(text), f.end + CONTEXT)
    if f.end > f.start:
        line.append("\n      ")
        line.append("…" if lo else "", style="dim")
        line.append_text(literal(text[lo:f.start].replace("\n", " "), "dim"))
        line.append_text(literal(text[f.start:f.end].replace("\n", " "),
                                 "bold reverse yellow"))
        line.append_text(literal(text[f.end:hi].replace("\n", " "), "dim"))
        line.append("…" if hi < len(text) else "", style="dim")
    return line


class DraftScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit for approval"),
        Binding("ctrl+n", "next_variant", "Next variant"),
        Binding("ctrl+f", "fill", "Fill placeholder"),
        Binding("escape", "leave", "Back (release claim)"),
    ]

    findings: tuple[Finding, ...] = ()

    def __init__(self, mention_id: int) -> None:
        super().__init__()
        self.mention_id = mention_id

    def compose(self) -> ComposeResult:
        store = self.app.store
        previous = store.latest_draft(self.mention_id)
        self.session = DraftSession.open(store, self.app.playbook, self.mention_id,
                                         previous["text"] if previous else None)
        self.mention = self.session.mention
        start = "" if self.session.care_kind else self.session.text
        advice = bool(self.session.guidance)
        yield Header()
        with Vertical(id="draft-main"):
            yield Static(self._mention_text(), id="draft-mention")
            yield Static(id="draft-variants")
            if advice:
                yield Static(self._guidance(), id="draft-guidance")
            yield TextArea(start, id="draft-text", soft_wrap=True,
                           read_only=bool(self.session.care_kind))
            with Horizontal(id="draft-status"):
                yield Static(id="draft-count")
                yield Static(id="draft-placeholders")
            yield Static(id="draft-findings")
        yield Footer()

    def _mention_text(self) -> Text:
        m = self.mention
        head = Text.assemble(literal(one_line(m.author_handle), "bold"),
                             (f"  {m.platform}", "dim"))
        if self.session.voice is not None:
            head.append(f"  · in {self.session.voice.name}'s voice", "italic")
        return Text.assemble(head, "\n", literal(m.text))

    def _guidance(self) -> Text:
        kind = self.session.care_kind
        out = (Text(f"Flagged {kind}: no template reply.\n", style="bold red") if kind
               else Text("The playbook advises not to engage:\n", style="bold"))
        for line in self.session.guidance:
            out.append(line + "\n")
        return out

    def on_mount(self) -> None:
        self._show_variants()
        self._recheck()
        self.query_one(TextArea).focus()

    # ---- live checks -------------------------------------------------------------
    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    @on(TextArea.Changed)
    def _changed(self) -> None:
        self._recheck()

    def _recheck(self) -> None:
        session = self.session
        session.text = self.text
        self.findings = () if session.care_kind else tuple(session.findings())
        self._show_findings(self.findings)
        length, limit = len(session.text), session.limit
        count = Text(f"{length}/{limit if limit is not None else '∞'} chars", style="dim")
        if limit is not None and length > limit:
            count.stylize("bold red")
            count.append(f"  {length - limit} over the {self.mention.platform} limit",
                         "bold red")
        self.query_one("#draft-count", Static).update(count)
        missing = session.missing
        self.query_one("#draft-placeholders", Static).update(
            Text("to fill (ctrl+f): " + ", ".join("{" + m + "}" for m in missing),
                 style="italic") if missing else Text(""))

    def _show_findings(self, findings: tuple[Finding, ...]) -> None:
        box = self.query_one("#draft-findings", Static)
        self.app.post_message(ToneChecked(self.mention_id, self.app.user,
                                          tuple(f.kind for f in findings)))
        if self.session.care_kind:
            box.update(Text(""))
            return
        if not findings:
            box.update(Text("tone: calm", style="green"))
            return
        lines = Text(f"tone findings ({len(findings)}):", style="bold yellow")
        text = self.session.text
        for f in findings:
            lines.append("\n")
            lines.append_text(finding_line(text, f))
        box.update(lines)

    def _show_variants(self) -> None:
        session = self.session
        out = Text()
        if not session.variants:
            out.append("no playbook variant for this mention", style="dim")
        for i, v in enumerate(session.variants):
            style = "reverse" if i == session.index else "dim"
            out.append(f" {v.key} ", style)
            out.append(" ")
        if session.variants and not session.engage and not session.care_kind:
            out.append("  the playbook advises not to engage", style="bold")
        if len(session.variants) > 1:
            out.append("   ")
            out.append(key_hint(("^n", "next variant")))
        self.query_one("#draft-variants", Static).update(out)

    # ---- actions -----------------------------------------------------------------
    def action_next_variant(self) -> None:
        if self.session.care_kind or self.session.next_variant() is None:
            return
        self.query_one(TextArea).load_text(self.session.text)
        self._show_variants()
        self._recheck()

    def action_fill(self) -> None:
        self.session.text = self.text
        missing = self.session.missing
        if not missing:
            self.notify("No placeholders left to fill.")
            return
        name = missing[0]

        def done(value: str | None) -> None:
            if value:
                self.session.text = self.text
                self.session.fill(name, value)
                self.query_one(TextArea).load_text(self.session.text)
                self._recheck()

        self.app.push_screen(PromptScreen(f"Value for {{{name}}}"), done)

    def action_submit(self) -> None:
        session = self.session
        session.text = self.text
        blockers = session.blockers()
        if blockers:
            self._refuse(" ".join(blockers))
            return
        text = session.text.strip()
        findings = [f.to_dict() for f in session.findings(text)]
        if findings:
            def with_reason(reason: str | None) -> None:
                if reason:
                    self._submit(text, findings, reason)

            kinds = ", ".join(sorted({f["kind"] for f in findings}))
            self.app.push_screen(PromptScreen(
                f"The tone check found: {kinds}. Why send it anyway? (logged)",
                placeholder="reason for overriding the tone check"), with_reason)
            return
        self._submit(text, [], None)

    def _submit(self, text: str, findings: list[dict], reason: str | None) -> None:
        variant = self.session.variant.key if self.session.variant else ""
        try:
            save_and_submit(self.app, self.app.store, self.mention_id, text, variant,
                            findings, reason)
        except (IllegalTransition, PermissionError, StoreError) as exc:
            self._refuse(str(exc))
            return
        self.notify("Draft sent for a leader's approval.")
        self.dismiss(True)

    def _refuse(self, reason: str) -> None:
        self.app.post_message(ActionRefused(self.mention_id, self.app.user, reason))
        self.notify(reason, severity="warning", timeout=6, markup=False)

    def action_leave(self) -> None:
        self.app.store.release(self.mention_id, self.app.user)
        self.dismiss(False)
