"""A small modal that asks for one choice by key (dismiss reason, new label)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ChoiceScreen(ModalScreen[str | None]):
    """Press the key shown beside an option, or escape to cancel."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, options: list[tuple[str, str, str]]) -> None:
        """options: (key, value, description)."""
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(id="choice"):
            yield Static(Text(self.title_text, style="bold"))
            for key, _value, desc in self.options:
                yield Static(Text.assemble((f" {key} ", "reverse"), f"  {desc}"))
            yield Static(Text("esc  cancel", style="dim"))

    def on_key(self, event) -> None:
        for key, value, _desc in self.options:
            if event.key == key:
                event.stop()
                self.dismiss(value)
                return

    def action_cancel(self) -> None:
        self.dismiss(None)
