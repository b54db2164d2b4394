"""Read-side queries the queue UI needs beyond `Store`: sorted keyset pages, ranks,
choices for filters, change markers for live refresh, threads.

The UI never runs SQL itself; it asks these functions.  Every page is fetched by
keyset (``WHERE key < last_key ORDER BY key LIMIT n``) so that the cost of a page does
not grow with how deep in a million-row queue the officer is.  Only a jump to an
arbitrary position (dragging the scrollbar) falls back to OFFSET.

Speed at a million rows (schema 0008): a keyset condition is split into arms that each
pin a prefix of the sort key by equality (``a = ? AND b < ?``, then ``a < ?``), because
SQLite seeks a row-value comparison ``(a, b, c) < (?, ?, ?)`` only on its first columns
and then walks every row of a tied group.  Totals come from the trigger-kept
``queue_counts`` when the filter allows; otherwise `PagedQueue.total` is an upper bound
until `exact_count` (run in a worker) says otherwise.  Free text uses the trigram index
``mentions_fts`` (its candidates, plus the rows it has not caught up with yet; LIKE
has the last word) when it narrows the rows down, and the priority index when the text
is so common that walking the index finds a page at once.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from triage.mention import Mention
from triage.search_match import match_expression
from triage.store import (
    _QUEUE_COLUMNS,
    QueueFilter,
    QueueItem,
    Store,
    _row_to_item,
    _row_to_mention,
)


class Sort(StrEnum):
    """The orders the queue can be shown in; each is backed by an index."""

    PRIORITY = "priority"  # escalated first, then priority, newest id first
    NEWEST = "newest"
    REACH = "reach"

    @property
    def columns(self) -> tuple[str, ...]:
        return _SORT_COLUMNS[self]

    def key_of(self, item: QueueItem) -> tuple[Any, ...]:
        if self is Sort.PRIORITY:
            return (int(item.escalated), item.priority, item.id)
        if self is Sort.NEWEST:
            from triage.timeutil import to_db

            return (to_db(item.created_at), item.id)
        return (item.author_followers, item.id)

    def next(self) -> Sort:
        order = list(Sort)
        return order[(order.index(self) + 1) % len(order)]


_SORT_COLUMNS = {
    Sort.PRIORITY: ("m.escalated", "m.priority", "m.id"),
    Sort.NEWEST: ("m.created_at", "m.id"),
    Sort.REACH: ("m.author_followers", "m.id"),
}


@dataclass(frozen=True, slots=True)
class QueueView:
    """A filter and an order: everything that decides which rows the officer sees."""

    flt: QueueFilter = QueueFilter()
    sort: Sort = Sort.PRIORITY

    def where(self, store: Store, *, counting: bool = False) -> tuple[str, list[Any], bool]:
        """The filter as SQL, and whether its rows are few.

        A flag, incident or free-text filter names a set of mention ids.  When the set
        is small its rows are best read by rowid and sorted ("few": the keyset terms are
        then written `+col` to keep SQLite off the sort index); when it is large, the
        sort index is walked and each row tested (`+m.id IN (...)`), which finds a page
        after a few hundred rows.  `counting` wants every row: always use the sets.
        """
        if store.schema_version < 8:
            where, args = self.flt.where()
            return where, args, False
        rest, args = replace(self.flt, flag=None, incident_id=None, text=None).where()
        sets: list[tuple[str, list[Any], bool]] = []  # (id-set SQL, args, is text)
        if self.flt.flag:
            sets.append(("SELECT mention_id FROM flags WHERE kind = ?", [self.flt.flag], False))
        if self.flt.incident_id is not None:
            sets.append(("SELECT mention_id FROM incident_mentions WHERE incident_id = ?",
                         [self.flt.incident_id], False))
        text = (self.flt.text or "").strip()
        match = match_expression(text)
        if match is not None:
            # the index's matches, and every row it has not caught up with yet (tested
            # by the LIKE below): exact whether or not indexing is behind
            tail = (" UNION ALL SELECT id FROM mentions WHERE id >"
                    " (SELECT indexed_upto FROM search_state WHERE id = 1)"
                    if store.schema_version >= 10 else "")
            sets.append(("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ?" + tail,
                         [match], True))
        sizes = [_capped(store, sql, set_args) for sql, set_args, _t in sets]
        few = any(size < FTS_FEW for size in sizes)
        clauses, out = [rest], list(args)
        for (sql, set_args, is_text), size in zip(sets, sizes, strict=True):
            if counting or size < FTS_FEW:
                clauses.append(f"m.id IN ({sql})")
            elif is_text:
                continue  # common text: LIKE below tests each row of the walk, cheaper
            else:  # a large set: walk the sort index and test each row against it
                clauses.append(f"+m.id IN ({sql})")
            out.extend(set_args)
        if text:
            # the trigram match folds case more widely than LIKE; LIKE has the last word
            like, like_args = QueueFilter(text=self.flt.text).where()
            clauses.append(like)
            out.extend(like_args)
        return " AND ".join(clauses), out, few

    def _arms(self, key: tuple, op: str, few: bool) -> list[tuple[str, list[Any]]]:
        """`(c1, c2, c3) op key` as disjoint conditions, nearest rows first, each an
        index seek on an equality prefix."""
        cols = [("+" if few else "") + c for c in self.sort.columns]
        arms = []
        for k in range(len(cols) - 1, -1, -1):
            conds = [f"{c} = ?" for c in cols[:k]] + [f"{cols[k]} {op} ?"]
            arms.append((" AND ".join(conds), list(key[:k + 1])))
        return arms

    def page(self, store: Store, *, after: tuple | None = None, before: tuple | None = None,
             offset: int | None = None, limit: int = 100,
             last: bool = False, where: tuple[str, list[Any], bool] | None = None,
             ) -> list[QueueItem]:
        """One page in descending order: after a key, before a key, at an offset, or the
        `last` rows of the view.  `where` is `self.where(store)`, if already known."""
        base, args, few = where or self.where(store)
        cols = self.sort.columns
        order = "ASC" if (before is not None or (last and after is None)) else "DESC"
        order_sql = ", ".join(f"{c} {order}" for c in cols)
        select = f"SELECT {_QUEUE_COLUMNS} FROM mentions m WHERE {base}"
        key = after if after is not None else before
        if key is not None:
            rows: list[sqlite3.Row] = []
            for cond, key_args in self._arms(key, "<" if after is not None else ">", few):
                rows += store.query(f"{select} AND {cond} ORDER BY {order_sql} LIMIT ?",
                                    [*args, *key_args, limit - len(rows)])
                if len(rows) >= limit:
                    break
        else:
            sql = f"{select} ORDER BY {order_sql} LIMIT ?"
            params: list[Any] = [*args, limit]
            if offset is not None:
                sql += " OFFSET ?"
                params.append(max(0, offset))
            rows = store.query(sql, params)
        items = [_row_to_item(r) for r in rows]
        if order == "ASC":
            items.reverse()
        return items

    def count(self, store: Store) -> int:
        """The exact number of rows in this view (a scan for some filters: use a worker)."""
        if self.cheaply_counted:
            return store.count(self.flt)
        base, args, _few = self.where(store, counting=True)
        return int(store.query(f"SELECT COUNT(*) FROM mentions m WHERE {base}", args)[0][0])

    def upper_bound(self, store: Store) -> int:
        """A cheap number at least as large as `count` (exact when the filter allows)."""
        bound = store.count(replace(self.flt, flag=None, incident_id=None, text=None))
        if self.flt.flag:
            bound = min(bound, int(store.query(
                "SELECT COUNT(*) FROM flags WHERE kind = ?", (self.flt.flag,))[0][0]))
        if self.flt.incident_id is not None:
            bound = min(bound, int(store.query(
                "SELECT COUNT(*) FROM incident_mentions WHERE incident_id = ?",
                (self.flt.incident_id,))[0][0]))
        return bound

    @property
    def cheaply_counted(self) -> bool:
        """Whether `count` is a sum over the trigger-kept counts (no id set involved)."""
        return not (self.flt.flag or self.flt.incident_id is not None or self.flt.text)

    def rank(self, store: Store, item: QueueItem) -> int:
        """The row index of `item` in this view (how many rows sort before it)."""
        return self.count_beside(store, item, before=True)

    def count_beside(self, store: Store, item: QueueItem, *, before: bool,
                     cap: int | None = None,
                     where: tuple[str, list[Any], bool] | None = None) -> int:
        """How many rows sort before (or after) `item`, counting no further than `cap`."""
        base, args, few = where or self.where(store)
        total = 0
        for cond, key_args in self._arms(self.sort.key_of(item), ">" if before else "<", few):
            limit = -1 if cap is None else cap - total
            total += int(store.query(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM mentions m WHERE {base} AND {cond}"
                f" LIMIT ?)", [*args, *key_args, limit])[0][0])
            if cap is not None and total >= cap:
                break
        return total

    def contains(self, store: Store, mention_id: int) -> QueueItem | None:
        """The queue row for a mention if it is (still) in this view."""
        where, args = self.flt.where()
        rows = store.query(f"SELECT {_QUEUE_COLUMNS} FROM mentions m WHERE {where} AND m.id = ?",
                           [*args, mention_id])
        return _row_to_item(rows[0]) if rows else None


def change_marker(store: Store) -> tuple[int, int]:
    """(newest mention id, newest audit seq): changes whenever anyone changes anything.

    Both are a single index lookup, so the UI can poll them every second cheaply.
    """
    row = store.query("SELECT (SELECT COALESCE(MAX(id), 0) FROM mentions),"
                      " (SELECT COALESCE(MAX(seq), 0) FROM audit)")[0]
    return int(row[0]), int(row[1])


def filter_choices(store: Store) -> dict[str, list[str]]:
    """Values the officer can filter by, from what is actually stored."""
    flags = [r[0] for r in store.query("SELECT DISTINCT kind FROM flags ORDER BY kind")]
    sources = [r[0] for r in store.query(
        "SELECT DISTINCT platform FROM mentions ORDER BY platform LIMIT 20")]
    incidents = [f"{r[0]}" for r in store.query("SELECT id FROM incidents ORDER BY id DESC"
                                                " LIMIT 9")]
    return {"flag": flags, "source": sources, "incident": incidents}


def replied_to(store: Store, mention: Mention) -> Mention | None:
    """The stored post this mention replies to, when we have it."""
    if not mention.in_reply_to_id:
        return None
    rows = store.query("SELECT * FROM mentions WHERE platform = ? AND platform_id = ?",
                       (mention.platform, mention.in_reply_to_id))
    return _row_to_mention(rows[0]) if rows else None


def muted(store: Store, mention: Mention) -> bool:
    return store.is_muted(mention.platform, mention.author_handle)


def incidents_of(store: Store, mention_id: int) -> list[int]:
    return [int(r[0]) for r in store.query(
        "SELECT incident_id FROM incident_mentions WHERE mention_id = ?", (mention_id,))]


FTS_FEW = 2000  # an id set smaller than this is read by rowid and sorted


def _capped(store: Store, sql: str, args: list[Any]) -> int:
    """How many rows `sql` yields, counting no further than FTS_FEW (cheap either way)."""
    return int(store.query(f"SELECT COUNT(*) FROM ({sql} LIMIT ?)", [*args, FTS_FEW])[0][0])


def exact_count(db_path: str | Path, view: QueueView) -> int:
    """`view.count` on a connection of its own, for a worker thread: it never waits on
    (or holds) the lock of the store the UI thread reads pages from."""
    with Store(db_path) as own:
        return view.count(own)


class PagedQueue:
    """Random access to a view's rows, fetched a page at a time and cached.

    Row `i` lives in page ``i // page_size``.  A page next to a cached one is fetched by
    keyset from its neighbour's edge key; a page with no cached neighbour (a jump) is
    fetched by OFFSET once, and its neighbours are keyset again from there.
    """

    def __init__(self, store: Store, view: QueueView | None = None,
                 page_size: int = 100, max_pages: int = 64) -> None:
        self.store = store
        self.view = view or QueueView()
        self.page_size = page_size
        self.max_pages = max_pages
        self._pages: dict[int, list[QueueItem]] = {}
        self._total: int | None = None
        self._where: tuple[str, list[Any], bool] | None = None
        self.exact = False  # is `total` the true count, or an upper bound?
        self.generation = 0  # bumped whenever the view or the data changed

    # ---- size ------------------------------------------------------------------
    @property
    def total(self) -> int:
        """The number of rows: exact, or (see `exact`) a cheap upper bound until
        `exact_total()` or `set_total()` pins it down."""
        if self._total is None:
            first = self._page(0)
            if len(first) < self.page_size:
                self._total, self.exact = len(first), True
            elif self.view.cheaply_counted:
                self._total, self.exact = self.view.count(self.store), True
            else:
                self._total = max(self.view.upper_bound(self.store), len(first))
        return self._total

    def exact_total(self) -> int:
        """The true count, counting now (on this thread) if it is not known yet."""
        if not self.exact:
            self.set_total(self.view.count(self.store))
        return self.total

    def set_total(self, total: int) -> None:
        self._total, self.exact = total, True

    def set_view(self, view: QueueView) -> None:
        self.view = view
        self.invalidate()

    def invalidate(self) -> None:
        """Forget everything (after a change in the database)."""
        self._pages.clear()
        self._total = None
        self._where = None
        self.exact = False
        self.generation += 1

    def _view_where(self) -> tuple[str, list[Any], bool]:
        if self._where is None:
            self._where = self.view.where(self.store)
        return self._where

    # ---- rows ------------------------------------------------------------------
    def item(self, index: int) -> QueueItem | None:
        if index < 0:
            return None
        page_no, slot = divmod(index, self.page_size)
        page = self._page(page_no)
        return page[slot] if slot < len(page) else None

    def _page(self, page_no: int) -> list[QueueItem]:
        page = self._pages.get(page_no)
        if page is not None:
            return page
        size = self.page_size
        prev, nxt = self._pages.get(page_no - 1), self._pages.get(page_no + 1)
        where, key_of = self._view_where(), self.view.sort.key_of
        if page_no == 0:
            page = self.view.page(self.store, limit=size, where=where)
        elif prev is not None and len(prev) == size:
            page = self.view.page(self.store, after=key_of(prev[-1]), limit=size, where=where)
        elif nxt:
            page = self.view.page(self.store, before=key_of(nxt[0]), limit=size, where=where)
        elif self.exact and page_no == (self.total - 1) // size:  # the end: read backwards
            page = self.view.page(self.store, last=True, limit=self.total - page_no * size,
                                  where=where)
        else:
            page = self.view.page(self.store, offset=page_no * size, limit=size, where=where)
        if len(self._pages) >= self.max_pages:  # forget the page farthest away
            far = max(self._pages, key=lambda p: abs(p - page_no))
            del self._pages[far]
        self._pages[page_no] = page
        return page

    def index_of(self, mention_id: int) -> int | None:
        """Where a mention is now, or None if it is no longer in the view."""
        for page_no, page in self._pages.items():
            for slot, item in enumerate(page):
                if item.id == mention_id:
                    return page_no * self.page_size + slot
        item = self.view.contains(self.store, mention_id)
        return None if item is None else self.locate(item, member=True)

    def locate(self, item: QueueItem, *, member: bool) -> int:
        """The index of `item` -- or, when it is not in the view, of the first row that
        sorts after it -- with that row's page read by keyset and cached, so that
        showing it needs no OFFSET scan through the rows above it."""
        where, total, size = self._view_where(), self.total, self.page_size
        rank = self._rank(item, where)
        if not member and rank >= total:  # it sorts after every row: the end of the view
            return max(0, self.exact_total() - 1)
        page_no, slot = divmod(rank, size)
        if page_no not in self._pages:
            key = self.view.sort.key_of(item)
            above = self.view.page(self.store, before=key, limit=slot, where=where) \
                if slot else []
            below = self.view.page(self.store, after=key, limit=size - slot - member,
                                   where=where)
            if len(above) == slot:
                self._pages[page_no] = above + ([item] if member else []) + below
        return rank

    def _rank(self, item: QueueItem, where: tuple[str, list[Any], bool]) -> int:
        """How many rows sort before `item`, counted from whichever end is nearer when
        the total is known (a count costs as many rows as it passes)."""
        if self.exact:
            total = self.total
            for cap in (5_000, total // 2 + 1):
                before = self.view.count_beside(self.store, item, before=True, cap=cap,
                                                where=where)
                if before < cap:
                    return before
                after = self.view.count_beside(self.store, item, before=False, cap=cap,
                                               where=where)
                if after < cap:
                    return total - 1 - after
        # `total` is an upper bound here, and no rank is larger: stop counting there
        return self.view.count_beside(self.store, item, before=True, cap=self.total,
                                      where=where)
