"""Analytics ("proof"): volume per class over time and the figures leadership asks for.

The figures are computed in a worker thread (they scan the whole store)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Sparkline, Static

from triage.analytics import Proof, proof
from triage.safe_text import one_line
from tui.render import reach

CLASSES = ("complaint", "troll", "engagement")


class AnalyticsScreen(Screen):
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back"),
                Binding("g", "reload", "Refresh")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="analytics"):
            yield Static(Text("Volume per class, last 14 days", style="bold"))
            for label in CLASSES:
                with Horizontal(classes="spark-row"):
                    yield Static(label, classes="spark-label")
                    yield Sparkline([0], id=f"spark-{label}", classes=f"spark {label}")
                    yield Static("", id=f"spark-total-{label}", classes="spark-total")
            with Vertical(id="figures"):
                yield Static("computing…", id="proof-figures")
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.compute()

    @work(thread=True, exclusive=True)
    def compute(self) -> None:
        from triage.store import Store

        with Store(self.app.db_path) as own:  # its own connection: no lock held on the UI's
            result = proof(own, self.app.clock())
        self.app.call_from_thread(self.show, result)

    def show(self, p: Proof) -> None:
        for label in CLASSES:
            series = p.volume.get(label, [])
            self.query_one(f"#spark-{label}", Sparkline).data = series or [0]
            self.query_one(f"#spark-total-{label}", Static).update(f"{sum(series):>6}")
        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        table.add_row("mentions", f"{p.total:,}")
        table.add_row("share negative", f"{p.share_negative:.0%} (troll + complaint)")
        table.add_row("median time to first reply",
                      "no replies sent yet" if p.median_first_reply_minutes is None
                      else f"{p.median_first_reply_minutes:.0f} min over {p.replies_sent}")
        table.add_row("trolls left unengaged", f"{p.trolls_unengaged} of {p.trolls}")
        table.add_row("leader mentions", str(p.leader_mentions))
        authors = Text()
        for platform, handle, followers, n in p.top_authors:
            authors.append(f"{reach(followers):>6}  ")
            authors.append(one_line(handle, 32))
            authors.append(f"  {platform} · {n} mention{'s' if n != 1 else ''}\n", "dim")
        table.add_row("top authors by reach", authors)
        self.query_one("#proof-figures", Static).update(table)
