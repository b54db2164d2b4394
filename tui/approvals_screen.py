"""The leader's screen: drafts awaiting approval, with the mention and tone findings.

Approve, edit-and-approve, or return with a comment.  The four-eyes rule lives in the
store, so a drafter who opens this screen is refused there, not just hidden here.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from triage import draft_support
from triage.approval import ApprovalError, edit_and_approve, return_with_comment
from triage.queue_query import PagedQueue, QueueView
from triage.safe_text import one_line
from triage.store import QueueFilter, StoreError
from triage.workflow import IllegalTransition
from tui.edit_screen import EditScreen
from tui.messages import ActionRefused, DraftApproved, DraftReturned
from tui.prompt_screen import PromptScreen
from tui.queue_table import QueueTable
from tui.render import literal, reach

PENDING = QueueView(QueueFilter(state="awaiting_approval"))


class ApprovalsScreen(Screen):
    BINDINGS = [
        Binding("a", "approve", "Approve"),
        Binding("e", "edit_approve", "Edit & approve"),
        Binding("r", "return_draft", "Return with comment"),
        Binding("escape", "app.pop_screen", "Back to queue"),
        Binding("question_mark", "app.help", "Help"),
    ]

    def compose(self) -> ComposeResult:
        self.pager = PagedQueue(self.app.store, PENDING)
        yield Header()
        yield Static(id="approvals-title")
        with Horizontal(id="main"):
            yield QueueTable(self.pager, clock=self.app.clock, id="pending")
            with VerticalScroll(id="approval-detail"):
                yield Static(id="approval-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(QueueTable).focus()
        self._title()

    def _title(self) -> None:
        team = self.app.team
        who = (f"{self.app.user} may approve" if team.may_approve(self.app.user)
               else f"{self.app.user} is not an approver in the team config")
        self.query_one("#approvals-title", Static).update(
            Text(f" Awaiting approval: {self.pager.total}  ·  {who}", style="bold"))

    @property
    def current(self) -> int | None:
        item = self.query_one(QueueTable).selected
        return item.id if item else None

    @on(QueueTable.Highlighted)
    def _show(self, event: QueueTable.Highlighted) -> None:
        body = self.query_one("#approval-body", Static)
        if event.item is None:
            body.update(Text("Nothing is waiting for approval.", style="dim"))
            return
        store = self.app.store
        m = store.get_mention(event.item.id)
        draft = store.latest_draft(event.item.id) or {}
        parts: list = [
            Text.assemble(literal(one_line(m.author_handle), "bold"),
                          (f"  {reach(m.author_followers)} followers · {m.platform}", "dim")),
            literal(m.text), Text(""),
            Text(f"Draft by {draft.get('author', '?')}", style="bold underline"),
            literal(draft.get("text", "")), Text(""),
        ]
        stored = draft.get("findings") or []
        live = draft_support.check_tone(draft.get("text", ""), m)
        if stored or live:
            parts.append(Text("Tone findings", style="bold yellow"))
            for f in stored or [x.to_dict() for x in live]:
                parts.append(Text.assemble(f"  • {f.get('code', 'tone')}: ",
                                           literal(str(f.get("message", "")))))
            if draft.get("override_reason"):
                parts.append(Text.assemble(("overridden because: ", "italic"),
                                           literal(draft["override_reason"])))
        else:
            parts.append(Text("tone: calm", style="green"))
        body.update(Group(*parts))

    def _refuse(self, mid: int, reason: str) -> None:
        self.app.post_message(ActionRefused(mid, self.app.user, reason))
        self.notify(reason, severity="warning", timeout=6)

    def _may_approve(self, mid: int) -> bool:
        if self.app.team.may_approve(self.app.user):
            return True
        self._refuse(mid, f"{self.app.user} is not an approver in the team config")
        return False

    def _reload(self) -> None:
        self.query_one(QueueTable).reload()
        self._title()

    def action_approve(self) -> None:
        mid = self.current
        if mid is None or not self._may_approve(mid):
            return
        try:
            self.app.store.approve(mid, self.app.user)
        except (PermissionError, IllegalTransition, StoreError) as exc:
            self._refuse(mid, str(exc))
            return
        self.app.post_message(DraftApproved(mid, self.app.user))
        self.notify("Approved. Press s in the queue once it is posted.")
        self._reload()

    def action_edit_approve(self) -> None:
        mid = self.current
        if mid is None or not self._may_approve(mid):
            return
        draft = self.app.store.latest_draft(mid)
        if draft is None:
            return
        if draft["author"] == self.app.user:
            self._refuse(mid, f"{self.app.user} wrote this draft and cannot approve it:"
                              " another person must (four-eyes rule)")
            return

        def done(text: str | None) -> None:
            if text is None:
                return
            findings = [f.to_dict() for f in draft_support.check_tone(text)]
            try:
                edit_and_approve(self.app.store, mid, self.app.user, text, findings)
            except (PermissionError, IllegalTransition, StoreError, ApprovalError) as exc:
                self._refuse(mid, str(exc))
                return
            self.app.post_message(DraftApproved(mid, self.app.user))
            self.notify("Edited and approved.")
            self._reload()

        self.app.push_screen(EditScreen("Edit the reply, then ctrl+s to approve it",
                                        draft["text"]), done)

    def action_return_draft(self) -> None:
        mid = self.current
        if mid is None or not self._may_approve(mid):
            return

        def done(comment: str | None) -> None:
            if not comment:
                return
            try:
                return_with_comment(self.app.store, mid, self.app.user, comment)
            except (IllegalTransition, ValueError) as exc:
                self._refuse(mid, str(exc))
                return
            self.app.post_message(DraftReturned(mid, self.app.user, comment))
            self.notify("Returned to the drafter.")
            self._reload()

        self.app.push_screen(PromptScreen("Return to the drafter with a comment",
                                          placeholder="what should change?"), done)

    def on_screen_resume(self) -> None:
        self._reload()
