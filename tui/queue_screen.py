"""The queue: every mention in priority order, with the selected one in detail.

The screen holds the officer's state (view, selection, marks) and turns keys into
calls on `triage`'s API; rows come from a `PagedQueue` so a million mentions cost the
same as a hundred.  A timer polls a cheap change marker and re-reads the queue when
another process (`calmreply watch`, a colleague) changed the database, keeping the
officer's cursor on the same mention.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from triage.approval import mark_sent
from triage.mention_detail import MentionDetail
from triage.queue_query import PagedQueue, QueueView, change_marker, filter_choices
from triage.store import QueueFilter, StoreError
from triage.workflow import IllegalTransition, State
from tui.choice_screen import ChoiceScreen
from tui.confirm_screen import ConfirmScreen
from tui.detail_pane import DetailPane
from tui.draft_actions import submit_suggested
from tui.messages import (
    ActionRefused,
    AuthorMuted,
    BulkApplied,
    DraftApproved,
    FilterChanged,
    MentionDismissed,
    MentionEscalated,
    MentionRelabelled,
    QueueChanged,
    ReplySent,
)
from tui.queue_table import QueueTable

DISMISS_CHOICES = [
    ("n", "not_engaged", "not engaged (troll: do not feed)"),
    ("u", "duplicate", "duplicate"),
    ("i", "irrelevant", "irrelevant"),
]
LABEL_CHOICES = [("t", "troll", "troll"), ("c", "complaint", "complaint"),
                 ("e", "engagement", "engagement")]


class QueueScreen(Screen):
    BINDINGS = [
        Binding("enter,r", "draft", "Draft reply"),
        Binding("a", "approve", "Submit/approve"),
        Binding("x", "not_engaged", "Not engaged"),
        Binding("d", "dismiss_mention", "Dismiss…"),
        Binding("l", "relabel", "Relabel"),
        Binding("m", "mute", "Mute author"),
        Binding("e", "escalate", "Escalate"),
        Binding("D", "bulk_dismiss", "Bulk dismiss", show=False),
        Binding("L", "bulk_relabel", "Bulk relabel", show=False),
        Binding("s", "mark_sent", "Mark sent", show=False),
        Binding("slash", "search", "Search"),
        Binding("f", "filter", "Filter"),
        Binding("o", "sort", "Sort", show=False),
        Binding("h", "hide_closed", "Hide closed", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("p", "approvals", "Approvals"),
        Binding("i", "incidents", "Incidents", show=False),
        Binding("t", "analytics", "Analytics", show=False),
        Binding("g", "refresh", "Refresh", show=False),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    view: reactive[QueueView] = reactive(QueueView, init=False)
    selected_id: reactive[int | None] = reactive(None, init=False)

    def __init__(self, poll_seconds: float = 1.0) -> None:
        super().__init__()
        self.poll_seconds = poll_seconds
        self._marker: tuple[int, int] = (0, 0)
        self.pager: PagedQueue | None = None
        self._resumed_once = False

    @property
    def store(self):
        return self.app.store

    @property
    def user(self) -> str:
        return self.app.user

    def compose(self) -> ComposeResult:
        self.pager = PagedQueue(self.store, self.view)
        self._marker = change_marker(self.store)
        yield Header()
        yield Static(id="counts")
        yield Static(id="filterbar")
        yield Input(placeholder="search text or author, enter to apply, esc to clear",
                    id="search")
        with Horizontal(id="main"):
            yield QueueTable(self.pager, clock=self.app.clock, id="queue")
            yield DetailPane(clock=self.app.clock, id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#search", Input).display = False
        self.query_one(QueueTable).focus()
        self._describe_view()
        self.load_counts()
        self.set_interval(self.poll_seconds, self.check_for_changes)

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    # ---- header ------------------------------------------------------------------
    def load_counts(self) -> None:
        """Header counts: trigger-kept totals (schema 0008) are read at once; an older
        database needs GROUP BY over every mention, which goes to a worker."""
        if self.store.schema_version >= 8:
            self._show_counts(self.store.counts())
        else:
            self._load_counts_slowly()

    @work(thread=True, exclusive=True, group="counts")
    def _load_counts_slowly(self) -> None:
        """GROUP BY over every mention: a worker with its own connection, so it never
        holds the shared store's lock while the officer types."""
        from triage.store import Store

        with Store(self.app.db_path) as own:
            counts = own.counts()
        self.app.call_from_thread(self._show_counts, counts)

    def _show_counts(self, counts: dict[str, dict[str, int]]) -> None:
        by_label = "  ".join(f"{k} {v}" for k, v in sorted(counts["label"].items()))
        by_state = "  ".join(f"{k.replace('_', ' ')} {v}"
                             for k, v in sorted(counts["state"].items()))
        self.query_one("#counts", Static).update(Text(f"{by_label}  │  {by_state}"))

    def _describe_view(self) -> str:
        f, parts = self.view.flt, []
        for name in ("label", "state", "flag", "platform"):
            value = getattr(f, name)
            if value:
                parts.append(f"{name}={value}")
        if f.incident_id is not None:
            parts.append(f"incident=#{f.incident_id}")
        if f.text:
            parts.append(f"text~{f.text!r}")
        if not f.include_closed:
            parts.append("open only")
        desc = ", ".join(parts) or "all mentions"
        total = self.pager.total if self.pager else 0
        shown = f"{total:,}" if self.pager is None or self.pager.exact else f"up to {total:,}"
        bar = Text(f" {shown} shown · {desc} · sort: {self.view.sort.value}", style="dim")
        if self.table.marked:
            bar.append(f" · {len(self.table.marked)} marked", style="bold")
        self.query_one("#filterbar", Static).update(bar)
        return desc

    # ---- view --------------------------------------------------------------------
    def watch_view(self, view: QueueView) -> None:
        assert self.pager is not None
        self.pager.set_view(view)
        self.table.reload(keep_position=True, view_changed=True)
        desc = self._describe_view()
        self.app.post_message(FilterChanged(desc, self.pager.total))

    def set_filter(self, **changes) -> None:
        self.view = QueueView(replace(self.view.flt, **changes), self.view.sort)

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.display = True
        box.value = self.view.flt.text or ""
        box.focus()

    @on(Input.Submitted, "#search")
    def _search(self, event: Input.Submitted) -> None:
        event.input.display = False
        self.table.focus()
        self.set_filter(text=event.value.strip() or None)

    def action_clear_filter(self) -> None:
        box = self.query_one("#search", Input)
        if box.display:
            box.display = False
            self.table.focus()
            return
        if self.view.flt != QueueFilter():
            self.view = QueueView(QueueFilter(), self.view.sort)

    def action_sort(self) -> None:
        self.view = QueueView(self.view.flt, self.view.sort.next())

    def action_hide_closed(self) -> None:
        self.set_filter(include_closed=not self.view.flt.include_closed)

    def action_filter(self) -> None:
        choices = filter_choices(self.store)

        def pick(kind: str | None) -> None:
            if kind is None:
                return
            if kind == "clear":
                self.view = QueueView(QueueFilter(), self.view.sort)
                return
            if kind == "text":
                self.action_search()
                return
            options = {
                "label": [("t", "troll"), ("c", "complaint"), ("e", "engagement"),
                          ("u", "uncertain")],
                "state": [("n", "new"), ("t", "triaged"), ("e", "escalated"),
                          ("d", "drafted"), ("w", "awaiting_approval"), ("a", "approved"),
                          ("s", "sent"), ("x", "dismissed")],
                "flag": [(str(i + 1), v) for i, v in enumerate(choices["flag"][:9])],
                "platform": [(str(i + 1), v) for i, v in enumerate(choices["source"][:9])],
                "incident_id": [(str(i + 1), v) for i, v in enumerate(choices["incident"])],
            }[kind]
            rows = [("a", "", "any")] + [(k, v, v.replace("_", " ")) for k, v in options]

            def apply(value: str | None) -> None:
                if value is None:
                    return
                if kind == "incident_id":
                    self.set_filter(incident_id=int(value) if value else None)
                else:
                    self.set_filter(**{kind: value or None})

            self.app.push_screen(ChoiceScreen(f"Filter by {kind.replace('_id', '')}", rows),
                                 apply)

        self.app.push_screen(ChoiceScreen("Filter by…", [
            ("l", "label", "label"), ("s", "state", "state"), ("f", "flag", "flag"),
            ("p", "platform", "source"), ("i", "incident_id", "incident"),
            ("t", "text", "free text"), ("c", "clear", "clear all filters"),
        ]), pick)

    # ---- live arrival ------------------------------------------------------------
    def check_for_changes(self) -> None:
        """Poll the change marker; one reload absorbs every change since the last poll."""
        marker = change_marker(self.store)
        if marker == self._marker:
            return
        new = marker[0] - self._marker[0]
        self._marker = marker
        self.refresh_queue()
        if new > 0:
            self.notify(f"{new} new mention{'s' if new != 1 else ''}", timeout=3)
        assert self.pager is not None
        self.app.post_message(QueueChanged(max(0, new), self.pager.total))

    def refresh_queue(self) -> None:
        self._marker = change_marker(self.store)
        self.table.reload(keep_position=True)
        self._describe_view()
        self.load_counts()
        self._show_detail(self.table.selected.id if self.table.selected else None)

    def action_refresh(self) -> None:
        self.refresh_queue()

    # ---- selection ---------------------------------------------------------------
    @on(QueueTable.TotalChanged)
    def _total_known(self, event: QueueTable.TotalChanged) -> None:
        self._describe_view()

    @on(QueueTable.Highlighted)
    def _highlighted(self, event: QueueTable.Highlighted) -> None:
        self.selected_id = event.item.id if event.item else None

    def watch_selected_id(self, mention_id: int | None) -> None:
        table = self.table
        current = table.selected
        if mention_id is not None and (current is None or current.id != mention_id):
            index = table.pager.index_of(mention_id)  # selected from outside: follow it
            if index is not None:
                table.cursor = index
        self._show_detail(mention_id)

    def _show_detail(self, mention_id: int | None) -> None:
        pane = self.query_one(DetailPane)
        if mention_id is None:
            pane.clear()
        else:
            pane.show(MentionDetail.load(self.store, mention_id))

    # ---- actions -----------------------------------------------------------------
    def _refuse(self, mention_id: int, reason: str) -> None:
        self.app.post_message(ActionRefused(mention_id, self.user, reason))
        self.notify(reason, severity="warning", timeout=6)

    def _current(self) -> int | None:
        if self.selected_id is not None:
            return self.selected_id
        item = self.table.selected
        return item.id if item else None

    def action_draft(self) -> None:
        mid = self._current()
        if mid is not None:
            self.app.open_draft(mid)

    def action_approve(self) -> None:
        """Submit the suggested draft for approval, or approve one awaiting approval."""
        mid = self._current()
        if mid is None:
            return
        try:
            if self.store.state_of(mid) == State.AWAITING_APPROVAL:
                if not self.app.team.may_approve(self.user):
                    self._refuse(mid, f"{self.user} is not an approver in the team config")
                    return
                self.store.approve(mid, self.user)
                self.app.post_message(DraftApproved(mid, self.user))
                self.notify("Reply approved.")
            else:
                refusal = submit_suggested(self.app, mid)
                if refusal:
                    self._refuse(mid, refusal)
                    return
        except (IllegalTransition, PermissionError, StoreError) as exc:
            self._refuse(mid, str(exc))
            return
        self.refresh_queue()

    def action_mark_sent(self) -> None:
        mid = self._current()
        if mid is None:
            return
        draft = self.store.latest_draft(mid)
        try:
            mark_sent(self.store, mid, self.user, via="copied")
        except IllegalTransition as exc:
            self._refuse(mid, str(exc))
            return
        if draft:
            self.app.copy_to_clipboard(draft["text"])
        self.app.post_message(ReplySent(mid, self.user, "copied"))
        self.notify("Marked sent; the reply text is on the clipboard.")
        self.refresh_queue()

    def _dismiss(self, mid: int, reason: str) -> bool:
        try:
            self.store.dismiss(mid, reason, self.user)
        except IllegalTransition as exc:
            self._refuse(mid, str(exc))
            return False
        self.app.post_message(MentionDismissed(mid, self.user, reason))
        return True

    def action_not_engaged(self) -> None:
        """One key for the troll default: dismiss as not engaged (logged with reason)."""
        mid = self._current()
        if mid is not None and self._dismiss(mid, "not_engaged"):
            self.refresh_queue()

    def action_dismiss_mention(self) -> None:
        mid = self._current()
        if mid is None:
            return

        def done(reason: str | None) -> None:
            if reason is not None and self._dismiss(mid, reason):
                self.refresh_queue()

        self.app.push_screen(ChoiceScreen("Dismiss because…", DISMISS_CHOICES), done)

    def action_relabel(self) -> None:
        mid = self._current()
        if mid is None:
            return

        def done(label: str | None) -> None:
            if label is None:
                return
            self.store.relabel(mid, label, self.user)
            self.app.post_message(MentionRelabelled(mid, self.user, label))
            self.refresh_queue()

        self.app.push_screen(ChoiceScreen("Relabel as…", LABEL_CHOICES), done)

    def action_mute(self) -> None:
        mid = self._current()
        if mid is None:
            return
        m = self.store.get_mention(mid)
        self.store.mute_author(m.platform, m.author_handle, self.user)
        self.app.post_message(AuthorMuted(mid, self.user, m.author_handle))
        self.notify("Author muted.")
        self.refresh_queue()

    def action_escalate(self) -> None:
        mid = self._current()
        if mid is None:
            return
        try:
            self.store.transition(mid, State.ESCALATED, self.user,
                                  detail={"by": "officer"})
        except IllegalTransition as exc:
            self._refuse(mid, str(exc))
            return
        self.app.post_message(MentionEscalated(mid, self.user))
        self.refresh_queue()

    # ---- bulk --------------------------------------------------------------------
    def _marked(self) -> list[int]:
        marked = sorted(self.table.marked)
        if not marked:
            self.notify("Mark mentions with space first.", severity="warning")
        return marked

    def action_bulk_dismiss(self) -> None:
        ids = self._marked()
        if not ids:
            return

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return
            done = [mid for mid in ids if self._dismiss(mid, "not_engaged")]
            self.table.marked.clear()
            self.app.post_message(BulkApplied("dismiss", done, self.user, "not_engaged"))
            self.notify(f"Dismissed {len(done)} as not engaged.")
            self.refresh_queue()

        self.app.push_screen(ConfirmScreen(
            f"Dismiss {len(ids)} marked mention{'s' if len(ids) != 1 else ''} as not engaged?"),
            confirmed)

    def action_bulk_relabel(self) -> None:
        ids = self._marked()
        if not ids:
            return

        def chosen(label: str | None) -> None:
            if label is None:
                return

            def confirmed(ok: bool | None) -> None:
                if not ok:
                    return
                for mid in ids:
                    self.store.relabel(mid, label, self.user)
                self.table.marked.clear()
                self.app.post_message(BulkApplied("relabel", ids, self.user, label))
                self.refresh_queue()

            self.app.push_screen(ConfirmScreen(f"Relabel {len(ids)} mentions as {label}?"),
                                 confirmed)

        self.app.push_screen(ChoiceScreen("Relabel marked as…", LABEL_CHOICES), chosen)

    # ---- other screens -----------------------------------------------------------
    def action_approvals(self) -> None:
        self.app.open_approvals()

    def action_incidents(self) -> None:
        self.app.open_incidents()

    def action_analytics(self) -> None:
        self.app.open_analytics()

    def on_screen_resume(self) -> None:
        first, self._resumed_once = not self._resumed_once, True
        if self.pager is not None and change_marker(self.store) == self._marker:
            # nothing was written since the queue was read (a filter menu closed, say):
            # only a claim may have lapsed, which the detail pane shows
            if not first:
                self._show_detail(self.selected_id)
            return
        if self.pager is not None:
            self.refresh_queue()
