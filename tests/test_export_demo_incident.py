"""The demo's 20 Nov outage, worked the way a comms team would, as leadership reads it.

The demo feed is loaded through the real pipeline; surge detection opens the outage
incident; a few realistic steps go through the store API under a fixed clock; the
incident is closed with a summary and exported as Markdown.  The export is compared
with the checked-in snapshot ``snapshots/export_outage_incident.md``.

The demo load's own audit times are wall-clock, so the chain head (seq and hash) is
masked in the comparison and checked against the database instead.
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
from dataclasses import dataclass

import pytest

from tests.test_export_support import T0, Clock
from triage.audit_verify import verify
from triage.export import ExportFilter, export
from triage.incidents import close_cut, close_incident, get_incident, list_incidents
from triage.store import Store

SNAPSHOT = os.path.join(os.path.dirname(__file__), "snapshots", "export_outage_incident.md")
SUMMARY = ("A signalling failure stopped every Northwind service in the region from about "
           "07:10 until 08:20. We acknowledged it publicly at 07:26, answered stranded "
           "passengers individually, passed the overcrowding and injury reports to station "
           "staff, and did not engage with trolls. The threat against Dana Okafor is with "
           "security; the Gazette's press enquiry still awaits approval.")
REGENERATE = ("CALMREPLY_UPDATE_SNAPSHOTS=1 /work/venv/bin/pytest "
              "tests/test_export_demo_incident.py")


@pytest.fixture
def surge_store(demo_db, monkeypatch):
    clock = Clock(T0)
    for target in ("triage.store.utcnow", "triage.incidents.utcnow",
                   "triage.escalate.incidents.utcnow"):
        monkeypatch.setattr(target, clock)
    with Store(demo_db) as store:
        yield store, clock


@dataclass
class Worked:
    incident_id: int
    ids: dict[str, int]


def _by_text(store: Store, snippet: str) -> int:
    """A demo mention by its text (whether surge detection grouped it depends on the
    model's verdicts; the export shows whatever the incident holds)."""
    rows = store.query("SELECT id FROM mentions WHERE text LIKE ?", (f"%{snippet}%",))
    assert len(rows) == 1, f"expected one demo mention containing {snippet!r}"
    return int(rows[0][0])


def work_the_outage(store: Store, clock: Clock) -> Worked:
    """What the team did on the morning of 20 Nov, through the store API."""
    from triage.escalate.incidents import set_phase

    surges = [i for i in list_incidents(store.conn) if i.kind == "surge"]
    assert len(surges) == 1, "the demo should open exactly one surge incident"
    inc = surges[0].id
    ids = {key: _by_text(store, snippet) for key, snippet in {
        "harbourside": "Harbourside line completely stopped",
        "fainted": "Someone just fainted",
        "press": "Northern Evening Gazette",
        "potato": "masterpiece of a railway",
        "useless": "this is YOUR fault",
        "nocomms": "zero communication for forty minutes",
    }.items()}
    clock.at(7, 24)
    set_phase(store, inc, "investigating", "dana")
    # a stranded passenger: drafted by alice, approved by bob (four eyes), sent
    clock.at(7, 24, 30)
    store.add_draft(ids["harbourside"], "Sorry Hannah, a signalling failure has stopped "
                    "Harbourside services. We will post an estimate here as soon as we "
                    "have one.", "alice", variant="outage-ack")
    store.submit_for_approval(ids["harbourside"], "alice")
    clock.at(7, 26)
    store.approve(ids["harbourside"], "bob")
    clock.at(7, 26, 40)
    store.transition(ids["harbourside"], "sent", "bob")
    # a safety report: drafted by carol, approved by dana, sent
    clock.at(7, 48)
    store.add_draft(ids["fainted"], "Thank you for helping. Station staff at Elm Park are "
                    "on their way to the stairs now; please keep clear of the platform "
                    "edge.", "carol", variant="safety")
    store.submit_for_approval(ids["fainted"], "carol")
    clock.at(7, 50)
    store.approve(ids["fainted"], "dana")
    store.transition(ids["fainted"], "sent", "dana")
    # the press enquiry waits for dana; trolls are deliberately not fed
    clock.at(7, 55)
    store.add_draft(ids["press"], "Thanks for getting in touch. Our press office will "
                    "call you within the hour.", "carol")
    store.submit_for_approval(ids["press"], "carol")
    clock.at(8, 5)
    store.dismiss(ids["potato"], "not_engaged", "alice")
    store.dismiss(ids["useless"], "not_engaged", "alice")
    store.relabel(ids["nocomms"], "complaint", "alice")  # a fair point, not a troll
    clock.at(9, 30)
    close_incident(store, inc, SUMMARY, "dana")
    return Worked(inc, ids)


def _markdown(store: Store, incident_id: int) -> str:
    buf = io.StringIO()
    export(store, buf, "markdown", flt=ExportFilter(incident_id=incident_id))
    return buf.getvalue()


def _mask_head(text: str) -> str:
    text = re.sub(r"seq \d+, sha256 `[0-9a-f]{64}`", "seq <seq>, sha256 `<sha256>`", text)
    return re.sub(r"--head \d+:[0-9a-f]{64}", "--head <seq>:<sha256>", text)


def test_demo_outage_incident_log_matches_snapshot(surge_store):
    store, clock = surge_store
    worked = work_the_outage(store, clock)
    text = _markdown(store, worked.incident_id)
    masked = _mask_head(text)
    if os.environ.get("CALMREPLY_UPDATE_SNAPSHOTS"):
        with open(SNAPSHOT, "w", encoding="utf-8") as fh:
            fh.write(masked)
    with open(SNAPSHOT, encoding="utf-8") as fh:
        expected = fh.read()
    assert masked == expected, (
        "The Markdown incident log of the demo outage differs from the snapshot. If the "
        "change is intended (the export's layout, the demo feed, the escalation rules, or "
        "a retrained/replaced classifier under models/ changed the verdicts), regenerate "
        f"it with\n    {REGENERATE}\nand review the diff of {SNAPSHOT} before committing.")
    # the masked chain head is the real one at the close, and it verifies
    cut = close_cut(store.conn, worked.incident_id)
    assert cut is not None and cut.summarised
    assert f"--head {cut.seq}:{cut.hash}" in text
    ro = sqlite3.connect(f"file:{store.path.resolve()}?mode=ro", uri=True)
    try:
        assert verify(ro, cut.head).ok
    finally:
        ro.close()


def test_demo_outage_log_is_final_once_closed(surge_store):
    store, clock = surge_store
    worked = work_the_outage(store, clock)
    first = _markdown(store, worked.incident_id)
    clock.at(11, 0)
    store.approve(worked.ids["press"], "dana")
    store.transition(worked.ids["press"], "sent", "dana")
    assert _markdown(store, worked.incident_id) == first
    assert get_incident(store.conn, worked.incident_id).phase == "resolved"
