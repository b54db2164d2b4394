"""The calmreply Textual application: opens the store and routes between screens."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from triage.ingest.config import TeamConfig, load_config_or_default
from triage.playbook import Playbook
from triage.store import Store
from triage.timeutil import utcnow
from triage.workflow import State
from tui.messages import ActionRefused, ClaimRefused, MentionClaimed
from tui.queue_screen import QueueScreen

DRAFTABLE = {State.NEW, State.TRIAGED, State.ESCALATED, State.DRAFTED}


class CalmReplyApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "calmreply"
    BINDINGS = [Binding("f1", "help", "Help", show=False)]

    def __init__(self, db_path: str | Path, user: str = "officer", *,
                 clock: Callable[[], datetime] = utcnow, poll_seconds: float = 1.0,
                 team: TeamConfig | None = None, playbook: Any = None) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.user = user
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.store = Store(self.db_path)
        self.playbook_error: str | None = None
        if playbook is None:
            try:
                playbook = Playbook.load()
            except Exception as exc:  # noqa: BLE001 - keep triage usable; say why drafts are gone
                self.playbook_error = f"the playbook could not be loaded ({exc}); no drafts"
                playbook = Playbook(drafts={})
        self.playbook = playbook
        # one team config for sources, posting and approvers (triage.ingest.config)
        self.team = team if team is not None else load_config_or_default()
        self.sub_title = f"{self.db_path.name} · {user}"

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Notifications never parse markup: they carry error text from servers and the
        store, and mention-derived names, which must stay literal."""
        super().notify(message, title=title, severity=severity, timeout=timeout,
                       markup=False)

    def on_mount(self) -> None:
        self.push_screen(QueueScreen(poll_seconds=self.poll_seconds))
        if self.playbook_error:
            self.notify(self.playbook_error, severity="error", timeout=10)
        if self.team.approvers and self.user in self.team.approvers:
            self.open_approvals()
        if self.store.search_backlog():
            self.catch_up_search()

    @work(thread=True, exclusive=True, group="search-index", exit_on_error=False)
    def catch_up_search(self) -> None:
        """Index mentions an ingest left for later (search is exact meanwhile, only
        slower); its own connection, so the queue's reads never wait on it."""
        with Store(self.db_path) as store:
            store.index_search()

    def on_unmount(self) -> None:
        self.store.close()

    # ---- navigation --------------------------------------------------------------
    def open_draft(self, mention_id: int) -> None:
        """Claim the mention and open the drafting screen, or say who holds it."""
        from tui.draft_screen import DraftScreen

        state = self.store.state_of(mention_id)
        if state not in DRAFTABLE:
            reason = f"mention {mention_id} is {state.value.replace('_', ' ')}; nothing to draft"
            self.post_message(ActionRefused(mention_id, self.user, reason))
            self.notify(reason, severity="warning")
            return
        holder = self.store.claim(mention_id, self.user)
        if holder != self.user:
            self.post_message(ClaimRefused(mention_id, self.user, holder))
            self.notify(f"{holder} is drafting this mention right now.", severity="warning")
            return
        self.post_message(MentionClaimed(mention_id, self.user))
        self.push_screen(DraftScreen(mention_id))

    def open_approvals(self) -> None:
        from tui.approvals_screen import ApprovalsScreen

        self.push_screen(ApprovalsScreen())

    def open_incidents(self) -> None:
        from tui.incidents_screen import IncidentsScreen

        self.push_screen(IncidentsScreen())

    def open_analytics(self) -> None:
        from tui.analytics_screen import AnalyticsScreen

        self.push_screen(AnalyticsScreen())

    def action_help(self) -> None:
        from tui.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # ---- command palette ---------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key binding of the current screen is also a palette command."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for binding in getattr(screen, "BINDINGS", []):
            if not isinstance(binding, Binding) or binding.action in seen:
                continue
            seen.add(binding.action)
            key = binding.key.split(",")[0]
            target = self if binding.action.startswith("app.") else screen
            action = binding.action.removeprefix("app.")
            yield SystemCommand(binding.description, f"key: {key}",
                                partial(target.run_action, action))
