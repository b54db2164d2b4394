"""The queue: every mention in priority order, with the selected one in detail."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from triage.playbook import Playbook
from triage.store import QueueItem, Store
from triage.workflow import IllegalTransition, State
from tui.choice_screen import ChoiceScreen
from tui.detail_pane import DetailPane
from tui.messages import (
    ActionRefused,
    DraftApproved,
    DraftSubmitted,
    MentionDismissed,
    MentionRelabelled,
)
from tui.render import age, cell, reach

PAGE = 200
LABEL_STYLE = {"troll": "red", "complaint": "yellow", "engagement": "green"}


class QueueScreen(Screen):
    BINDINGS = [
        Binding("a", "approve", "Approve draft"),
        Binding("d", "dismiss_mention", "Dismiss"),
        Binding("l", "relabel", "Relabel"),
        Binding("g", "refresh", "Refresh"),
        Binding("q", "app.quit", "Quit"),
    ]

    selected_id: reactive[int | None] = reactive(None)

    def __init__(self, store: Store, user: str, playbook: Playbook) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.playbook = playbook
        self.items: list[QueueItem] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="counts")
        with Horizontal():
            yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
            yield DetailPane(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("label", key="label", width=10)
        table.add_column("conf", key="conf", width=5)
        table.add_column("flags", key="flags", width=14)
        table.add_column("author", key="author", width=16)
        table.add_column("reach", key="reach", width=6)
        table.add_column("age", key="age", width=4)
        table.add_column("state", key="state", width=10)
        table.add_column("text", key="text")
        self.reload()
        table.focus()

    # ---- data --------------------------------------------------------------------
    def reload(self) -> None:
        table = self.query_one(DataTable)
        keep = self.selected_id
        table.clear()
        self.items = self.store.queue_page(limit=PAGE)
        for item in self.items:
            table.add_row(*self._cells(item), key=str(item.id))
        self._update_counts()
        if keep is not None:
            for index, item in enumerate(self.items):
                if item.id == keep:
                    table.move_cursor(row=index)
                    break
        if self.items and self.selected_id is None:
            self.selected_id = self.items[0].id

    def _cells(self, item: QueueItem) -> tuple:
        label = item.label or "—"
        if item.uncertain:
            label += "?"
        return (
            cell(label, style=LABEL_STYLE.get(item.label or "", "")),
            cell(f"{item.confidence:.0%}" if item.confidence is not None else ""),
            cell(",".join(item.flags), style="bold" if item.escalated else ""),
            cell(item.author_handle, 16),
            cell(reach(item.author_followers)),
            cell(age(item.created_at)),
            cell(item.state),
            cell(item.text, 200),
        )

    def _update_counts(self) -> None:
        counts = self.store.counts()
        by_label = "  ".join(f"{k} {v}" for k, v in sorted(counts["label"].items()))
        by_state = "  ".join(f"{k} {v}" for k, v in sorted(counts["state"].items()))
        self.query_one("#counts", Static).update(f"{by_label}   │   {by_state}")

    # ---- selection -----------------------------------------------------------------
    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self.selected_id = int(event.row_key.value)

    def watch_selected_id(self, mention_id: int | None) -> None:
        pane = self.query_one(DetailPane)
        if mention_id is None:
            pane.clear()
            return
        mention = self.store.get_mention(mention_id)
        triage = self.store.triage_of(mention_id)
        from triage.verdict import Verdict

        verdict = Verdict(triage["label"], triage["probabilities"], triage["model_version"]) \
            if triage else None
        drafts = self.playbook.drafts_for(mention, verdict)
        pane.show(mention, triage, self.store.flags_of(mention_id),
                  drafts[0] if drafts else None, self.store.state_of(mention_id).value)

    # ---- actions -------------------------------------------------------------------
    def _refuse(self, mention_id: int, reason: str) -> None:
        self.post_message(ActionRefused(mention_id, self.user, reason))
        self.notify(reason, severity="warning", timeout=6)

    def action_approve(self) -> None:
        """Submit the suggested draft for approval, or approve one awaiting approval."""
        mid = self.selected_id
        if mid is None:
            return
        state = self.store.state_of(mid)
        try:
            if state == State.AWAITING_APPROVAL:
                self.store.approve(mid, self.user)
                self.post_message(DraftApproved(mid, self.user))
                self.notify("Reply approved.")
            else:
                mention = self.store.get_mention(mid)
                triage = self.store.triage_of(mid)
                from triage.verdict import Verdict

                verdict = Verdict(triage["label"], triage["probabilities"],
                                  triage["model_version"]) if triage else None
                drafts = self.playbook.drafts_for(mention, verdict)
                if not drafts or not drafts[0].engage:
                    self._refuse(mid, "The playbook says not to engage here; dismiss instead.")
                    return
                draft_id = self.store.add_draft(mid, drafts[0].text, self.user,
                                                variant=drafts[0].key)
                self.store.submit_for_approval(mid, self.user)
                self.post_message(DraftSubmitted(mid, self.user, draft_id))
                self.notify("Draft sent for a leader's approval.")
        except (IllegalTransition, PermissionError) as exc:
            self._refuse(mid, str(exc))
            return
        self.reload()

    def action_dismiss_mention(self) -> None:
        mid = self.selected_id
        if mid is None:
            return

        def done(reason: str | None) -> None:
            if reason is None:
                return
            try:
                self.store.dismiss(mid, reason, self.user)
            except IllegalTransition as exc:
                self._refuse(mid, str(exc))
                return
            self.post_message(MentionDismissed(mid, self.user, reason))
            self.reload()

        self.app.push_screen(ChoiceScreen("Dismiss because…", [
            ("n", "not_engaged", "not engaged (troll: do not feed)"),
            ("u", "duplicate", "duplicate"),
            ("i", "irrelevant", "irrelevant"),
        ]), done)

    def action_relabel(self) -> None:
        mid = self.selected_id
        if mid is None:
            return

        def done(label: str | None) -> None:
            if label is None:
                return
            self.store.relabel(mid, label, self.user)
            self.post_message(MentionRelabelled(mid, self.user, label))
            self.reload()

        self.app.push_screen(ChoiceScreen("Relabel as…", [
            ("t", "troll", "troll"), ("c", "complaint", "complaint"),
            ("e", "engagement", "engagement"),
        ]), done)

    def action_refresh(self) -> None:
        self.reload()
