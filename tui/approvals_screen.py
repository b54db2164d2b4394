"""The leader's screen: drafts awaiting approval, with the mention and tone findings.

Approve, edit-and-approve, or return with a comment.  The four-eyes rule lives in the
store, so a drafter who opens this screen is refused there, not just hidden here.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from triage.approval import ApprovalError, edit_and_approve, return_with_comment
from triage.draft_support import DraftSession
from triage.ingest.posting import Posted, PostingError, post_reply
from triage.queue_query import PagedQueue, QueueView
from triage.safe_text import one_line, strip_controls
from triage.store import QueueFilter, StoreError
from triage.workflow import IllegalTransition
from tui.edit_screen import EditScreen
from tui.messages import (
    ActionRefused,
    DraftApproved,
    DraftReturned,
    PostingFailed,
    ReplyPosted,
)
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
        session = DraftSession.open(store, self.app.playbook, event.item.id,
                                    draft.get("text", ""))
        shown = stored or [f.to_dict() for f in session.findings()]
        if shown:
            parts.append(Text("Tone findings", style="bold yellow"))
            for f in shown:
                parts.append(Text.assemble(
                    (f"  • {f.get('kind') or f.get('code') or 'tone'}: ", "yellow"),
                    literal(str(f.get("message", "")))))
            if draft.get("override_reason"):
                parts.append(Text.assemble(("overridden because: ", "italic"),
                                           literal(draft["override_reason"])))
        else:
            parts.append(Text("tone: calm", style="green"))
        if self.app.team.posting.enabled:
            parts.append(Text("Approving posts this reply (posting is on).", style="dim"))
        body.update(Group(*parts))

    def _refuse(self, mid: int, reason: str) -> None:
        self.app.post_message(ActionRefused(mid, self.app.user, reason))
        self.notify(reason, severity="warning", timeout=6, markup=False)

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
        self._reload()
        self._send(mid)

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
            session = DraftSession.open(self.app.store, self.app.playbook, mid, text)
            findings = [f.to_dict() for f in session.findings()]
            try:
                edit_and_approve(self.app.store, mid, self.app.user, text, findings)
            except (PermissionError, IllegalTransition, StoreError, ApprovalError) as exc:
                self._refuse(mid, str(exc))
                return
            self.app.post_message(DraftApproved(mid, self.app.user))
            self._reload()
            self._send(mid)

        self.app.push_screen(EditScreen("Edit the reply, then ctrl+s to approve it",
                                        draft["text"]), done)

    # ---- after approval: post, or leave it ready to copy -------------------------
    def _send(self, mid: int) -> None:
        if not self.app.team.posting.enabled:
            self.notify("Approved. Copy the reply, then press s in the queue once it is "
                        "sent (posting is off in the team config).")
            return
        self.notify("Approved. Posting the reply…")
        self._post(mid, self.app.user)

    @work(thread=True, group="posting")
    def _post(self, mid: int, actor: str) -> None:
        """Post off the UI thread: the HTTP call may retry and back off for a while."""
        app = self.app
        try:
            posted = post_reply(app.store, app.team, mid, actor)
        except (PostingError, StoreError, IllegalTransition) as exc:
            app.call_from_thread(self._post_failed, mid, actor, str(exc))
            return
        app.call_from_thread(self._posted, mid, actor, posted)

    def _posted(self, mid: int, actor: str, posted: Posted) -> None:
        self.app.post_message(ReplyPosted(mid, actor, posted.status_id, posted.url))
        self.notify(f"Posted: {strip_controls(posted.url or posted.status_id)}",
                    title="Reply posted", markup=False)
        self._reload()

    def _post_failed(self, mid: int, actor: str, reason: str) -> None:
        self.app.post_message(PostingFailed(mid, actor, reason))
        self.notify(f"Not posted; the reply is still approved. {strip_controls(reason)}",
                    severity="warning", timeout=10, markup=False)

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
