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
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TextArea

from triage import draft_support
from triage.draft_support import ToneFinding
from triage.safe_text import one_line
from triage.store import StoreError
from triage.workflow import IllegalTransition
from tui.draft_actions import save_and_submit
from tui.messages import ActionRefused
from tui.prompt_screen import PromptScreen
from tui.render import key_hint, literal


class DraftScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit for approval"),
        Binding("ctrl+n", "next_variant", "Next variant"),
        Binding("ctrl+f", "fill", "Fill placeholder"),
        Binding("escape", "leave", "Back (release claim)"),
    ]

    variant_index: reactive[int] = reactive(0, init=False)
    findings: reactive[tuple[ToneFinding, ...]] = reactive(tuple, init=False)

    def __init__(self, mention_id: int) -> None:
        super().__init__()
        self.mention_id = mention_id

    def compose(self) -> ComposeResult:
        app = self.app
        store = app.store
        self.mention = store.get_mention(self.mention_id)
        self.variants = draft_support.variants(app.playbook, self.mention,
                                               store.triage_of(self.mention_id))
        self.limit = draft_support.channel_limit(app.playbook, self.mention.platform)
        previous = store.latest_draft(self.mention_id)
        start = previous["text"] if previous else (
            self.variants[0].text if self.variants else "")
        yield Header()
        with Vertical(id="draft-main"):
            yield Static(self._mention_text(), id="draft-mention")
            yield Static(id="draft-variants")
            yield TextArea(start, id="draft-text", soft_wrap=True)
            with Horizontal(id="draft-status"):
                yield Static(id="draft-count")
                yield Static(id="draft-placeholders")
            yield Static(id="draft-findings")
        yield Footer()

    def _mention_text(self) -> Text:
        m = self.mention
        head = Text.assemble(literal(one_line(m.author_handle), "bold"),
                             (f"  {m.platform}", "dim"))
        return Text.assemble(head, "\n", literal(m.text))

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
        text = self.text
        self.findings = tuple(draft_support.check_tone(text, self.mention))
        length = len(text)
        over = length > self.limit
        count = Text(f"{length}/{self.limit} chars", style="bold red" if over else "dim")
        if over:
            count.append(f"  {length - self.limit} over the {self.mention.platform} limit")
        self.query_one("#draft-count", Static).update(count)
        missing = draft_support.missing_placeholders(text)
        self.query_one("#draft-placeholders", Static).update(
            Text("to fill: " + ", ".join("{" + m + "}" for m in missing), style="italic")
            if missing else Text(""))

    def watch_findings(self, findings: tuple[ToneFinding, ...]) -> None:
        box = self.query_one("#draft-findings", Static)
        if not findings:
            box.update(Text("tone: calm", style="green"))
            return
        lines = Text("tone findings:\n", style="bold yellow")
        for f in findings:
            lines.append(f"  • {f.code}: ", style="yellow")
            lines.append(literal(f.message))
            lines.append("\n")
        box.update(lines)

    def _show_variants(self) -> None:
        out = Text()
        if not self.variants:
            out.append("no playbook variant for this mention", style="dim")
        for i, v in enumerate(self.variants):
            style = "reverse" if i == self.variant_index else "dim"
            out.append(f" {v.key} ", style)
            out.append(" ")
        if self.variants and not self.variants[self.variant_index].engage:
            out.append("  the playbook advises not to engage", style="bold")
        out.append("   ")
        out.append(key_hint(("^n", "next variant")))
        self.query_one("#draft-variants", Static).update(out)

    # ---- actions -----------------------------------------------------------------
    def action_next_variant(self) -> None:
        if not self.variants:
            return
        self.variant_index = (self.variant_index + 1) % len(self.variants)
        self.query_one(TextArea).load_text(self.variants[self.variant_index].text)
        self._show_variants()
        self._recheck()

    def action_fill(self) -> None:
        missing = draft_support.missing_placeholders(self.text)
        if not missing:
            self.notify("No placeholders left to fill.")
            return
        name = missing[0]

        def done(value: str | None) -> None:
            if value:
                area = self.query_one(TextArea)
                area.load_text(draft_support.fill_placeholder(area.text, name, value))
                self._recheck()

        self.app.push_screen(PromptScreen(f"Value for {{{name}}}"), done)

    def action_submit(self) -> None:
        text = self.text.strip()
        if not text:
            self._refuse("The draft is empty.")
            return
        missing = draft_support.missing_placeholders(text)
        if missing:
            self._refuse("Fill the placeholders first (ctrl+f): " + ", ".join(missing))
            return
        if len(text) > self.limit:
            self._refuse(f"The reply is {len(text) - self.limit} characters over the "
                         f"{self.mention.platform} limit of {self.limit}.")
            return
        findings = [f.to_dict() for f in self.findings]
        if findings:
            def with_reason(reason: str | None) -> None:
                if reason:
                    self._submit(text, findings, reason)

            self.app.push_screen(PromptScreen(
                "The tone check found problems. Why send it anyway? (logged)",
                placeholder="reason for overriding the tone check"), with_reason)
            return
        self._submit(text, [], None)

    def _submit(self, text: str, findings: list[dict], reason: str | None) -> None:
        variant = self.variants[self.variant_index].key if self.variants else ""
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
        self.notify(reason, severity="warning", timeout=6)

    def action_leave(self) -> None:
        self.app.store.release(self.mention_id, self.app.user)
        self.dismiss(False)
