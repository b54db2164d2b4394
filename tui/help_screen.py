"""The keyboard reference, built from the screens' own bindings so it cannot drift."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

KEY_NAMES = {"slash": "/", "question_mark": "?", "escape": "esc", "enter": "enter",
             "space": "space"}


def reference() -> list[tuple[str, list[tuple[str, str]]]]:
    """(screen title, [(keys, what)]) for every screen with actions."""
    from tui.approvals_screen import ApprovalsScreen
    from tui.draft_screen import DraftScreen
    from tui.incidents_screen import IncidentsScreen
    from tui.queue_screen import QueueScreen
    from tui.queue_table import QueueTable

    out = []
    for title, cls in (("Queue", QueueScreen), ("Queue rows", QueueTable),
                       ("Drafting", DraftScreen), ("Approvals", ApprovalsScreen),
                       ("Incidents", IncidentsScreen)):
        rows = []
        for b in cls.BINDINGS:
            if isinstance(b, Binding):
                keys = " ".join(KEY_NAMES.get(k, k) for k in b.key.split(","))
                rows.append((keys, b.description))
        out.append((title, rows))
    out.append(("Everywhere", [("ctrl+p", "command palette: every action by name"),
                               ("? f1", "this help")]))
    return out


def markdown_reference() -> str:
    """The same reference as Markdown, for the README."""
    lines = []
    for title, rows in reference():
        lines += [f"**{title}**", "", "| key | action |", "|---|---|"]
        lines += [f"| `{k}` | {w} |" for k, w in rows]
        lines.append("")
    return "\n".join(lines)


class HelpScreen(Screen):
    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="help"):
            for title, rows in reference():
                table = Table(title=title, title_justify="left", show_header=False,
                              box=None, padding=(0, 2))
                table.add_column(style="bold", width=18)
                table.add_column()
                for keys, what in rows:
                    table.add_row(keys, what)
                yield Static(table)
            yield Static(Text("Post text is always shown literally: markup, escape codes "
                              "and links in posts never style the screen.", style="dim"))
        yield Footer()
