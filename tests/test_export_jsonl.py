"""JSONL export: a round trip loses nothing, and filters select the right mentions."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from tests.test_export_support import TOKEN, WINDOW, build_outage, clock  # noqa: F401
from triage.audit_chain import entry_hash
from triage.export import ExportFilter, export
from triage.export.jsonl import ExportFormatError, read_jsonl
from triage.export.redact import SECRET_PLACEHOLDER
from triage.mention import Mention


def _export(store, tmp_path, flt=None, name="out.jsonl"):
    path = tmp_path / name
    with open(path, "w", encoding="utf-8") as out:
        n = export(store, out, "jsonl", flt=flt)
    return path, n




def test_round_trip_loses_nothing(store, clock, tmp_path):  # noqa: F811
    outage = build_outage(store, clock)
    path, n = _export(store, tmp_path)
    assert TOKEN not in path.read_text(encoding="utf-8")
    back = read_jsonl(path)
    assert n == len(outage.ids) == len(back.mentions)

    for rec in back.mentions:
        mid = rec["mention"]["id"]
        original = store.get_mention(mid)
        restored = Mention.from_record(rec["mention"])
        restored.id = rec["mention"]["id"]
        expected = original.to_record()
        # secrets never leave, in any mode: the planted token is the only difference
        expected["raw"].pop("access_token")
        expected["text"] = expected["text"].replace(f"token={TOKEN}", SECRET_PLACEHOLDER)
        assert restored.to_record() == expected
        row = store.query("SELECT * FROM mentions WHERE id = ?", (mid,))[0]
        for key in ("state", "label", "confidence", "dismiss_reason", "priority",
                    "ingested_at"):
            assert rec[key] == row[key], key
        assert rec["escalated"] == bool(row["escalated"])
        triage = store.triage_of(mid)
        triage["explanation"] = [list(e) for e in triage["explanation"]]
        triage["uncertain"] = bool(triage["uncertain"])
        triage.pop("mention_id")
        assert rec["triage"] == triage
        assert [(f["kind"], f["reason"]) for f in rec["flags"]] == [
            (f.kind, f.reason) for f in store.flags_of(mid)]
        drafts = [dict(r) for r in store.query(
            "SELECT * FROM drafts WHERE mention_id = ? ORDER BY id", (mid,))]
        for d in drafts:
            d.pop("mention_id")
            d["findings"] = json.loads(d["findings"])
        assert rec["drafts"] == drafts
        assert rec["audit"] == store.audit_entries(mid)

    # the whole audit trail is in the export, and every entry's hash recomputes
    entries = back.all_audit()
    assert entries == store.audit_entries()
    prev = "0" * 64
    for e in entries:
        assert e["prev_hash"] == prev and entry_hash(prev, e) == e["hash"]
        prev = e["hash"]
    assert back.header["chain_head"] == {"seq": entries[-1]["seq"], "hash": prev}
    assert back.header["verify"] == f"calmreply audit verify --head {entries[-1]['seq']}:{prev}"


def test_truncated_export_is_refused(store, clock, tmp_path):  # noqa: F811
    build_outage(store, clock)
    path, _ = _export(store, tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-3]), encoding="utf-8")
    try:
        read_jsonl(path)
    except ExportFormatError as exc:
        assert "truncated" in str(exc)
    else:  # pragma: no cover - the assertion is the test
        raise AssertionError("a truncated export was accepted")


def _ids(store, flt):
    buf = io.StringIO()
    export(store, buf, "jsonl", flt=flt)
    return sorted(json.loads(line)["mention"]["id"] for line in buf.getvalue().splitlines()
                  if json.loads(line)["type"] == "mention")


def test_filters_select_the_right_mentions(store, clock):  # noqa: F811
    outage = build_outage(store, clock)
    every = [store.get_mention(i) for i in outage.ids]
    flags = {i: {f.kind for f in store.flags_of(i)} for i in outage.ids}
    states = {i: store.state_of(i).value for i in outage.ids}
    labels = {i: store.triage_of(i)["label"] for i in outage.ids}

    in_window = sorted(m.id for m in every if WINDOW[0] <= m.created_at < WINDOW[1])
    assert _ids(store, ExportFilter(incident_id=outage.incident_id)) == in_window
    assert len(in_window) == len(outage.ids) - 1
    since = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    assert _ids(store, ExportFilter(since=since, until=WINDOW[1])) == sorted(
        m.id for m in every if since <= m.created_at < WINDOW[1])
    assert _ids(store, ExportFilter(state="dismissed")) == sorted(
        i for i, s in states.items() if s == "dismissed")
    assert _ids(store, ExportFilter(flag="legal")) == sorted(
        i for i, f in flags.items() if "legal" in f)
    assert _ids(store, ExportFilter(label="troll")) == sorted(
        i for i, lab in labels.items() if lab == "troll")
    leader = sorted(i for i, f in flags.items() if "leader" in f)
    assert leader and _ids(store, ExportFilter(leader=True)) == leader
    combined = ExportFilter(incident_id=outage.incident_id, label="complaint", state="sent")
    assert _ids(store, combined) == sorted(
        i for i in in_window if labels[i] == "complaint" and states[i] == "sent")
