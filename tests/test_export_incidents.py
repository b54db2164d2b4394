"""One incident vocabulary: what escalation opens, the core lists, phases and closes."""

from __future__ import annotations

import io
from dataclasses import replace

from tests.conftest import make_mention
from tests.test_export_support import clock  # noqa: F401
from triage.cli import main
from triage.escalate import incidents as escalate_incidents
from triage.export import ExportFilter, export
from triage.export.records import ExportSource
from triage.export.redact import Redactor
from triage.export.shape import Shaper
from triage.incidents import (
    OPEN_ACTION,
    PHASES,
    close_cut,
    close_incident,
    get_incident,
    list_incidents,
    mention_ids,
)
from triage.store import Store, StoreError


def _open(store: Store, n: int = 3) -> int:
    ids = [store.add_mentions([make_mention(i)]).new[0].id for i in range(n)]
    inc, _ = escalate_incidents.open_or_extend(
        store, "surge", "2026-11-20T07:00:00.000000Z", ids, "Surge", "3 in 10 min", 60)
    return inc


def _md(store: Store, inc: int) -> str:
    buf = io.StringIO()
    export(store, buf, "markdown", flt=ExportFilter(incident_id=inc))
    return buf.getvalue()


def test_an_incident_escalation_opens_is_what_the_core_lists(store):
    assert escalate_incidents.PHASES is PHASES   # one vocabulary
    inc = _open(store)
    [listed] = list_incidents(store.conn)
    assert (listed.id, listed.kind, listed.title, listed.phase, listed.mentions) == (
        inc, "surge", "Surge", "acknowledge", 3)
    assert listed.summary == "3 in 10 min" and listed.closed_at is None
    assert mention_ids(store.conn, inc) == [1, 2, 3]
    assert get_incident(store.conn, inc).phase == "acknowledge"
    actions = [r[0] for r in store.query("SELECT action FROM audit WHERE action LIKE"
                                         " 'incident-%' ORDER BY seq")]
    assert actions == [OPEN_ACTION]


def test_resolved_by_phase_is_final_then_closed_once_with_summary(store, clock):  # noqa: F811
    inc = _open(store)
    clock.at(9, 0)
    escalate_incidents.set_phase(store, inc, "investigating", "dana")
    escalate_incidents.set_phase(store, inc, "resolved", "dana")
    cut = close_cut(store.conn, inc)
    assert cut is not None and not cut.summarised and cut.actor == "dana"
    first = _md(store, inc)
    assert "Generated" not in first and "Phase investigating → resolved" in first
    store.mute_author("mastodon", "@x", "alice")  # later audit does not change the log
    assert _md(store, inc) == first
    clock.at(9, 30)
    closed = close_incident(store, inc, "Fixed at 09:00; everyone answered.", "dana")
    assert closed.phase == "resolved" and closed.summary.startswith("Fixed")
    assert close_cut(store.conn, inc).summarised
    text = _md(store, inc)
    assert "Fixed at 09:00" in text and "Incident closed with the summary above | dana" in text
    try:
        close_incident(store, inc, "again", "dana")
    except StoreError as exc:
        assert "already closed" in str(exc)
    else:
        raise AssertionError("a summarised incident was closed twice")


def test_open_incident_log_says_it_is_open_and_shows_the_detection(store):
    inc = _open(store)
    text = _md(store, inc)
    assert "**still open**" in text and "Detected: 3 in 10 min" in text


def test_incident_phase_command(tmp_path, capsys):
    db = tmp_path / "p.db"
    with Store(db) as store:
        inc = _open(store)
    assert main(["--db", str(db), "incident", "phase", str(inc), "investigating",
                 "--as", "dana"]) == 0
    assert "acknowledge -> investigating" in capsys.readouterr().out
    assert main(["--db", str(db), "incident", "phase", str(inc), "resolved"]) == 1
    assert f"incident close {inc} --summary" in capsys.readouterr().err
    with Store(db) as store:
        assert get_incident(store.conn, inc).phase == "investigating"
        entry = store.audit_entries()[-1]
    assert entry["action"] == "incident-phase" and entry["actor"] == "dana"


def test_fast_mention_records_match_the_domain_object(demo_db):
    """The export builds mention records from rows; they must equal Mention.to_record."""
    redactor = Redactor(b"k" * 32)
    with Store(demo_db) as store, ExportSource(store) as source:
        n = 0
        for rec in source.records(with_triage=False):
            m = rec.mention
            assert Shaper().mention_record(rec.row) == m.to_record(), rec.id
            red = m.redacted(handle=redactor.pseudonym,
                             post=lambda v: redactor.pseudonym(v, "post"),
                             scrub=redactor.text)
            assert Shaper(redactor).mention_record(rec.row) == replace(red).to_record(
                include_raw=False), rec.id
            n += 1
    assert n == 330
