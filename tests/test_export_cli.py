"""The CLI: export by suffix and filters, incident list/show/close, progress on stderr."""

from __future__ import annotations

import csv

from tests.test_export_support import build_outage, clock  # noqa: F401
from triage.cli import main
from triage.store import Store


def test_incident_close_then_export_markdown_and_csv(tmp_path, clock, capsys):  # noqa: F811
    db = tmp_path / "c.db"
    with Store(db) as store:
        outage = build_outage(store, clock)
        drafted = outage.id_at(10)
    args = ["--db", str(db)]
    assert main([*args, "incident", "list"]) == 0
    assert "Login and payments outage" in capsys.readouterr().out
    assert main([*args, "incident", "close", str(outage.incident_id), "--summary",
                 "Failover fault; answered within 20 minutes.", "--as", "dana"]) == 0
    out = capsys.readouterr().out
    assert "closed incident" in out and "calmreply audit verify --head" in out
    assert main([*args, "incident", "close", str(outage.incident_id), "--summary", "x"]) == 1
    assert "already closed" in capsys.readouterr().err
    assert main([*args, "incident", "show", str(outage.incident_id)]) == 0
    assert "Failover fault" in capsys.readouterr().out

    md_path, csv_path = tmp_path / "log.md", tmp_path / "log.csv"
    assert main([*args, "export", "--incident", str(outage.incident_id), "-o",
                 str(md_path)]) == 0
    err = capsys.readouterr().err
    assert "exported 12 mentions" in err and "(markdown)" in err
    assert md_path.read_text(encoding="utf-8").startswith("# Incident log: Login and")
    assert main([*args, "export", "--incident", str(outage.incident_id), "--leader",
                 "-o", str(csv_path)]) == 0
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# calmreply export") and "audit verify --head" in lines[0]
    rows = list(csv.DictReader(lines[1:]))
    assert len(rows) == 1 and rows[0]["flags"] == "leader;legal"
    assert rows[0]["drafter"] == "alice" and rows[0]["approver"] == "bob"
    assert rows[0]["author_handle"].startswith("'@")  # formula-safe for spreadsheets

    assert main([*args, "export", "--state", "sent", "--format", "csv", "-q"]) == 0
    sent = list(csv.DictReader(capsys.readouterr().out.splitlines()[1:]))
    first = next(r for r in sent if int(r["id"]) == drafted)
    assert first["minutes_to_first_reply"] == "11.0" and first["final_reply"].startswith(
        "Sorry @maria_k")


def test_redacted_cli_export_reuses_its_key(tmp_path, clock, capsys):  # noqa: F811
    db = tmp_path / "r.db"
    with Store(db) as store:
        build_outage(store, clock)
    outs = []
    for name in ("a.jsonl", "b.jsonl"):
        assert main(["--db", str(db), "export", "--redact", "-q", "-o",
                     str(tmp_path / name)]) == 0
        outs.append((tmp_path / name).read_text(encoding="utf-8").split("\n", 1)[1])
    assert outs[0] == outs[1] and "maria_k" not in outs[0]
    assert (tmp_path / "r.db.redact-key").stat().st_mode & 0o077 == 0
