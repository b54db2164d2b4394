"""Importing JSONL and CSV: good lines kept, bad lines named by file and line."""

from __future__ import annotations

import io
import json

from triage.ingest.files import BadRecord, read_mentions
from triage.mention import Mention


def _split(items):
    good = [i for i in items if isinstance(i, Mention)]
    bad = [i for i in items if isinstance(i, BadRecord)]
    return good, bad


def test_jsonl_bad_lines_are_named_and_good_lines_kept(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": "1", "text": "first", "created_at": "2026-11-20T07:00:00Z"}),
        '{"id": "2", "text": "truncated',
        json.dumps({"id": "3", "text": "no time"}),
        "",
        json.dumps({"id": "4", "text": "bad time", "created_at": "yesterday"}),
        json.dumps({"id": "5", "html": "<p>hi <a href='x'>there</a></p>",
                    "created_at": "2026-11-20T08:00:00+01:00",
                    "author": {"handle": "@a", "followers": 5}}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    good, bad = _split(list(read_mentions(path)))
    assert [m.platform_id for m in good] == ["1", "5"]
    assert good[1].text == "hi there"
    assert good[1].created_at.isoformat() == "2026-11-20T07:00:00+00:00"
    assert [b.where for b in bad] == [f"{path}:2", f"{path}:3", f"{path}:5"]
    assert "not valid JSON" in bad[0].error
    assert "created_at" in bad[1].error and "created_at" in bad[2].error
    assert "fix or remove this line" in str(bad[0])


def test_csv_import_and_bad_row(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text(
        "id,text,created_at,author_handle,author_followers\n"
        '1,"hello, world",2026-11-20T07:00:00Z,@a,12\n'
        "2,,2026-11-20T07:00:00Z,@b,3\n"
        '3,"multi\nline",2026-11-20T07:05:00Z,@c,lots\n'
        '4,"fine",2026-11-20T07:06:00Z,@d,7\n', encoding="utf-8")
    good, bad = _split(list(read_mentions(path)))
    assert [m.platform_id for m in good] == ["1", "4"]
    assert good[0].author_followers == 12
    assert [b.where for b in bad] == [f"{path}:3", f"{path}:5"]
    assert "text" in bad[0].error and "author_followers" in bad[1].error


def test_stdin_is_read_with_dash():
    data = json.dumps({"id": "9", "text": "from a pipe", "created_at": "2026-11-20T07:00:00Z"})
    good, bad = _split(list(read_mentions("-", stdin=io.StringIO(data + "\n"))))
    assert [m.text for m in good] == ["from a pipe"] and not bad


def test_import_command_keeps_good_lines_and_quarantines_bad(tmp_path, capsys):
    from triage.cli import main
    from triage.ingest.quarantine import quarantined
    from triage.store import Store

    path = tmp_path / "feed.jsonl"
    path.write_text(
        json.dumps({"id": "1", "text": "Your app keeps crashing when I pay",
                    "created_at": "2026-11-20T07:00:00Z"}) + "\n{broken\n" +
        json.dumps({"id": "2", "text": "Thanks for the quick help!",
                    "created_at": "2026-11-20T07:01:00Z"}) + "\n", encoding="utf-8")
    db = tmp_path / "t.db"
    assert main(["--db", str(db), "import", str(path)]) == 2
    out = capsys.readouterr()
    assert f"{path}:2" in out.err and "imported 2 new" in out.out
    # importing again stores nothing twice
    assert main(["--db", str(db), "import", str(path)]) == 2
    assert "imported 0 new, 2 already stored" in capsys.readouterr().out
    with Store(db) as s:
        assert s.count() == 2
        assert all(s.triage_of(i) for i in (1, 2))
        q = quarantined(s)
        assert len(q) == 2 and q[0]["raw"] == "{broken"
