"""A virtual table for the queue: renders only the visible lines, pages from SQLite.

The built-in DataTable keeps every row in memory (seconds for 100k rows).  This widget
uses Textual's line API: `render_line(y)` asks the `PagedQueue` for the one row it
draws, so the cost of a paint or a keystroke does not depend on the queue's size.
All cell text passes through `one_line()` and is emitted as plain `Segment`s, which
are never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from triage.queue_query import PagedQueue, QueueView, exact_count
from triage.safe_text import one_line
from triage.store import QueueItem
from triage.timeutil import utcnow
from tui.render import age, reach

LABEL_STYLE = {"troll": Style(color="red"), "complaint": Style(color="yellow"),
               "engagement": Style(color="green")}
LABEL_SHORT = {"troll": "troll", "complaint": "complaint", "engagement": "engage"}
# (title, width) — the last column takes what is left
WIDE = (("", 2), ("label", 11), ("flags", 10), ("author", 16), ("reach", 6), ("age", 5),
        ("state", 11), ("text", 0))
NARROW = (("", 2), ("label", 10), ("flags", 8), ("author", 12), ("age", 4), ("text", 0))


class QueueTable(ScrollView, can_focus=True):
    """The queue's rows; the cursor follows a mention, not a row number."""

    COMPONENT_CLASSES = {"queue-table--header", "queue-table--cursor",
                         "queue-table--marked", "queue-table--escalated"}
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "Top", show=False),
        Binding("end", "jump(-1)", "Bottom", show=False),
        Binding("space", "toggle_mark", "Mark", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=False, init=False)

    class Highlighted(Message):
        """The cursor is on another mention (or on none)."""

        def __init__(self, item: QueueItem | None) -> None:
            super().__init__()
            self.item = item

    class TotalChanged(Message):
        """The exact number of rows is known (it was an upper bound until now)."""

        def __init__(self, total: int) -> None:
            super().__init__()
            self.total = total

    def __init__(self, pager: PagedQueue, *, clock: Callable[[], datetime] = utcnow,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.pager = pager
        self.clock = clock
        self.marked: set[int] = set()
        self._selected_id: int | None = None
        self._selected_item: QueueItem | None = None
        self._line_cache: dict[tuple, Strip] = {}

    # ---- geometry --------------------------------------------------------------
    def on_mount(self) -> None:
        self._resize_virtual()
        self._announce()

    def on_resize(self) -> None:
        self._resize_virtual()

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(self.size.width, self.pager.total + 1)
        if not self.pager.exact:  # an upper bound for now: count exactly off-thread
            if str(self.pager.store.path) == ":memory:":
                self.pager.exact_total()
                self.virtual_size = Size(self.size.width, self.pager.total + 1)
            else:
                self._count_exact(self.pager.generation, self.pager.view)

    @work(thread=True, exclusive=True, group="queue-total")
    def _count_exact(self, generation: int, view: QueueView) -> None:
        total = exact_count(self.pager.store.path, view)
        self.app.call_from_thread(self._apply_total, generation, total)

    def _apply_total(self, generation: int, total: int) -> None:
        if generation != self.pager.generation or self.pager.exact:
            return  # the view or the data changed meanwhile; a newer count is coming
        self.pager.set_total(total)
        self.virtual_size = Size(self.size.width, total + 1)
        if self.cursor >= total:
            self.cursor = max(0, total - 1)
        self.refresh()
        self.post_message(self.TotalChanged(total))

    @property
    def _rows_visible(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    @property
    def selected(self) -> QueueItem | None:
        return self.pager.item(self.cursor)

    # ---- rendering -------------------------------------------------------------
    def _columns(self) -> tuple[tuple[str, int], ...]:
        return WIDE if self.scrollable_content_region.width >= 90 else NARROW

    def render_line(self, y: int) -> Strip:
        """One line; a line drawn before with the same inputs comes from a cache, since
        Textual repaints every visible line whenever the layout around the table moves
        (each cursor step changes the detail pane)."""
        width = self.scrollable_content_region.width
        look = (width, self.has_focus, self.app.theme)
        if y == 0:
            key: tuple = ("header", *look)
            strip = self._line_cache.get(key)
            if strip is None:
                style = self.get_component_rich_style("queue-table--header")
                strip = self._strip([(title, style) for title, _ in self._columns()], width)
            return self._remember(key, strip)
        index = self.scroll_offset.y + y - 1
        item = self.pager.item(index)
        if item is None:
            return Strip.blank(width, self.rich_style)
        is_cursor, is_marked = index == self.cursor, item.id in self.marked
        key = (item, is_cursor, is_marked, int(self.clock().timestamp()) // 60, *look)
        strip = self._line_cache.get(key)
        if strip is None:
            base = self.rich_style
            if is_cursor:
                base = base + self.get_component_rich_style("queue-table--cursor")
            elif is_marked:
                base = base + self.get_component_rich_style("queue-table--marked")
            strip = self._strip(self._cells(item, base), width)
        return self._remember(key, strip)

    def _remember(self, key: tuple, strip: Strip) -> Strip:
        if len(self._line_cache) > 2000:
            self._line_cache.clear()
        self._line_cache[key] = strip
        return strip

    def notify_style_update(self) -> None:
        self._line_cache.clear()  # colours or theme changed: every cached line is stale
        super().notify_style_update()

    def _cells(self, item: QueueItem, base: Style) -> list[tuple[str, Style]]:
        label = LABEL_SHORT.get(item.label or "", item.label or "—")
        if item.uncertain:
            label += "?"
        esc = self.get_component_rich_style("queue-table--escalated") if item.escalated \
            else Style()
        values = {
            "": ("●" if item.id in self.marked else "", base),
            "label": (label, base + LABEL_STYLE.get(item.label or "", Style())),
            "flags": (",".join(item.flags), base + esc),
            "author": (item.author_handle, base),
            "reach": (reach(item.author_followers), base),
            "age": (age(item.created_at, self.clock()), base),
            "state": (item.state.replace("_", " "), base),
            "text": (item.text, base),
        }
        return [values[title] for title, _ in self._columns()]

    def _strip(self, cells: list[tuple[str, Style]], width: int) -> Strip:
        segments: list[Segment] = []
        used = 0
        for (text, style), (_title, col_width) in zip(cells, self._columns(), strict=True):
            room = col_width if col_width else max(0, width - used)
            if room <= 0:
                break
            plain = one_line(text)
            if cell_len(plain) > room - 1 and col_width:
                plain = set_cell_size(plain, room - 2) + "…"
            segments.append(Segment(set_cell_size(plain, room), style))
            used += room
        strip = Strip(segments)
        return strip.adjust_cell_length(width, cells[-1][1] if cells else None)

    # ---- cursor ----------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self._ensure_visible(new)
        self.refresh_lines(old + 1)
        self.refresh_lines(new + 1)
        self._announce()

    def _announce(self) -> None:
        item = self.selected
        new_id = item.id if item else None
        self._selected_item = item
        if new_id != self._selected_id:
            self._selected_id = new_id
            self.post_message(self.Highlighted(item))

    def _ensure_visible(self, index: int) -> None:
        top = int(self.scroll_offset.y)
        rows = self._rows_visible
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + rows:
            self.scroll_to(y=index - rows + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        target = max(0, min(self.pager.total - 1, self.cursor + delta))
        if not self.pager.exact and self.pager.item(target) is None:
            target = max(0, min(self._exact_total() - 1, target))  # past the real end
        self.cursor = target

    def _exact_total(self) -> int:
        """Count now: the officer reached the end before the worker's count arrived."""
        exact = self.pager.exact
        total = self.pager.exact_total()
        if not exact:
            self.virtual_size = Size(self.size.width, total + 1)
            self.post_message(self.TotalChanged(total))
        return total

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * self._rows_visible)

    def action_jump(self, where: int) -> None:
        self.cursor = max(0, self._exact_total() - 1) if where < 0 else 0

    def action_toggle_mark(self) -> None:
        item = self.selected
        if item is None:
            return
        self.marked.symmetric_difference_update({item.id})
        self.refresh_lines(self.cursor + 1)
        self.action_cursor(1)

    def on_click(self, event) -> None:
        row = int(self.scroll_offset.y) + event.y - 1
        if 0 <= row < self.pager.total:
            self.cursor = row

    # ---- data changed ----------------------------------------------------------
    def reload(self, *, keep_position: bool = True, view_changed: bool = False) -> None:
        """Re-read the database keeping the same mention selected and on the same line.

        If new rows arrived above the selection, the view scrolls by the same amount so
        that what the officer is looking at does not move.  After a change of filter or
        order (`view_changed`) that leaves the selection out, the cursor goes to the top
        of the new view: its old row number means nothing there, and reaching it deep
        in a million rows would cost an OFFSET scan.
        """
        old_index, old_top = self.cursor, int(self.scroll_offset.y)
        selected_id = self._selected_id
        old_item = self._selected_item if keep_position else None  # its key, not a fetch
        self.pager.invalidate()
        self._resize_virtual()
        total = self.pager.total
        new_index = None
        if keep_position and selected_id is not None:
            new_index = self.pager.index_of(selected_id)
        if new_index is None and view_changed:
            new_index = 0
        if new_index is None and old_item is not None and old_index >= self.pager.page_size:
            # the selection left the view: the row that followed it takes its place
            # (found by key, so a deep cursor costs no OFFSET scan)
            new_index = self.pager.locate(old_item, member=False)
        if new_index is None:
            new_index = min(old_index, max(0, total - 1))
        shift = new_index - old_index
        self.set_reactive(QueueTable.cursor, new_index)
        if shift:
            self.scroll_to(y=max(0, old_top + shift), animate=False, immediate=True)
        self._ensure_visible(new_index)
        self.refresh()
        self._announce()
