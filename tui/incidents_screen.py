"""Incidents: surges and brigades, with their mentions, timeline and holding statement."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from triage.analytics import IncidentView, incidents
from triage.incidents import advance_phase, next_phase
from triage.queue_query import PagedQueue, QueueView
from triage.store import QueueFilter, StoreError
from tui.confirm_screen import ConfirmScreen
from tui.messages import IncidentPhaseChanged
from tui.queue_table import QueueTable
from tui.render import key_hint, literal


class IncidentsScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("enter", "open_in_queue", "Show in queue"),
        Binding("n", "next_phase", "Next phase"),
        Binding("tab", "focus_next", "Switch pane", show=False),
    ]

    def compose(self) -> ComposeResult:
        self.items: list[IncidentView] = incidents(self.app.store)
        self.pager = PagedQueue(self.app.store, QueueView(QueueFilter(incident_id=-1)))
        yield Header()
        with Horizontal(id="main"):
            with Vertical(id="incident-list"):
                yield OptionList(*[Option(self._label(i), id=str(i.id)) for i in self.items],
                                 id="incidents")
            with Vertical(id="incident-detail"):
                yield Static(id="incident-head")
                yield Sparkline([0], id="incident-timeline")
                with VerticalScroll(id="incident-holding-box"):
                    yield Static(id="incident-holding")
                yield QueueTable(self.pager, clock=self.app.clock, id="incident-mentions")
        yield Footer()

    @staticmethod
    def _label(i: IncidentView) -> Text:
        return Text.assemble((f"#{i.id} {i.kind} ", "bold"), literal(i.title),
                             (f"  {i.mentions} · {i.phase}", "dim"))

    def on_mount(self) -> None:
        if not self.items:
            self.query_one("#incident-head", Static).update(
                Text("No incidents: no surge or brigade has been detected.", style="dim"))
            return
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()
        self._show(self.items[0])

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        chosen = [i for i in self.items if str(i.id) == event.option.id]
        if chosen:
            self._show(chosen[0])

    def _show(self, inc: IncidentView) -> None:
        self.current = inc
        opened = f"{inc.opened_at:%Y-%m-%d %H:%M}" if inc.opened_at else "?"
        closed = f" · closed {inc.closed_at:%Y-%m-%d %H:%M}" if inc.closed_at else ""
        head = Group(Text.assemble((f"#{inc.id} {inc.kind}: ", "bold"), literal(inc.title)),
                     Text(f"opened {opened}{closed} · phase {inc.phase} · "
                          f"{inc.mentions} mentions", style="dim"),
                     literal(inc.summary, "italic"),
                     Text("mentions per hour: " + " ".join(
                         f"{h[11:13]}h:{n}" for h, n in inc.timeline[-8:]), style="dim"))
        self.query_one("#incident-head", Static).update(head)
        self.query_one("#incident-timeline", Sparkline).data = [n for _, n in inc.timeline] or [0]
        holding = self._holding(inc)
        self.query_one("#incident-holding", Static).update(holding)
        self.pager.set_view(QueueView(QueueFilter(incident_id=inc.id)))
        self.query_one(QueueTable).reload(keep_position=False)

    def _holding(self, inc: IncidentView) -> Text:
        """The playbook's holding statement for this incident's kind and current phase."""
        out = Text()
        draft = self.app.playbook.holding_statement(inc.phase, inc.kind)
        if draft is None:
            out.append(f"No holding statement in the playbook for a {inc.kind} in phase "
                       f"{inc.phase}.", style="dim")
        else:
            out.append(f"Holding statement ({inc.phase}, v{draft.version}): ", style="bold")
            out.append_text(literal(draft.text))
            if draft.missing:
                out.append("\nto fill before posting: " + ", ".join(
                    "{" + m + "}" for m in draft.missing), style="italic yellow")
        after = next_phase(inc.phase)
        if after and inc.closed_at is None:
            out.append("\n")
            out.append_text(key_hint(("n", f"move to {after}")))
        return out

    def action_next_phase(self) -> None:
        """Move the incident on (acknowledge -> investigating -> resolved); audited."""
        inc = getattr(self, "current", None)
        if inc is None:
            return
        after = next_phase(inc.phase)
        if after is None or inc.closed_at is not None:
            self.notify(f"Incident #{inc.id} is closed; there is no next phase.",
                        severity="warning")
            return
        if after == "resolved":
            def answer(yes: bool | None) -> None:
                if yes:
                    self._advance(inc.id)

            self.app.push_screen(ConfirmScreen(
                f"Resolve incident #{inc.id}? This closes it (add a summary later with "
                f"`calmreply incident close {inc.id}`)."), answer)
            return
        self._advance(inc.id)

    def _advance(self, incident_id: int) -> None:
        try:
            before, after = advance_phase(self.app.store, incident_id, self.app.user)
        except (StoreError, ValueError) as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self.app.post_message(IncidentPhaseChanged(incident_id, self.app.user, before, after))
        self.notify(f"Incident #{incident_id}: {before} -> {after}.")
        self._refresh_list(incident_id)

    def _refresh_list(self, incident_id: int) -> None:
        self.items = incidents(self.app.store)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(self._label(i), id=str(i.id)) for i in self.items])
        index = next((n for n, i in enumerate(self.items) if i.id == incident_id), 0)
        options.highlighted = index
        self._show(self.items[index])

    def action_open_in_queue(self) -> None:
        """Show this incident's mentions in the queue, filtered."""
        inc = getattr(self, "current", None)
        if inc is None:
            return
        self.app.pop_screen()
        queue = self.app.screen
        if hasattr(queue, "set_filter"):
            queue.set_filter(incident_id=inc.id)
