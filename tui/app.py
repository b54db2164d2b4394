"""The calmreply Textual application."""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from triage.playbook import Playbook
from triage.store import Store
from tui.queue_screen import QueueScreen


class CalmReplyApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "calmreply"

    def __init__(self, db_path: str | Path, user: str = "officer") -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.user = user
        self.store = Store(self.db_path)
        self.playbook = Playbook.load()
        self.sub_title = f"{self.db_path.name} · {user}"

    def on_mount(self) -> None:
        self.push_screen(QueueScreen(self.store, self.user, self.playbook))

    def on_unmount(self) -> None:
        self.store.close()
