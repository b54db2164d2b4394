"""audit verify recomputes the chain and names the edited, deleted or moved entry.

Tampering is done the way an insider would: drop the append-only triggers in the
database file, then UPDATE/DELETE with plain SQL.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import make_mention
from triage.audit_verify import ChainHead, verify
from triage.cli import main
from triage.store import Store


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "audit.db"
    with Store(path) as s:
        s.add_mentions([make_mention(i) for i in range(1, 4)])
        for i in range(1, 4):
            s.claim(i, "alice")
            s.mute_author("mastodon", f"@troll{i}", "bob")
        assert len(s.audit_entries()) == 7
    return path


def tamper(path, *statements):
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def check(path, head=None):
    conn = sqlite3.connect(path)
    try:
        return verify(conn, head)
    finally:
        conn.close()


def problems(path, head=None):
    return [(p.seq, p.kind) for p in check(path, head).problems]


def test_intact_chain_verifies(db, capsys):
    report = check(db)
    assert report.ok and report.entries == 7 and report.head.seq == 7
    assert main(["--db", str(db), "audit", "verify"]) == 0
    assert "intact: 7 entries" in capsys.readouterr().out


def test_edited_entry_is_named(db, capsys):
    tamper(db, "UPDATE audit SET actor = 'mallory' WHERE seq = 4")
    assert problems(db) == [(4, "edited")]
    assert main(["--db", str(db), "audit", "verify"]) == 1
    assert "seq 4: edited" in capsys.readouterr().out


def test_edit_with_recomputed_hash_is_named(db):
    from triage.audit_chain import entry_hash

    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    row = dict(conn.execute("SELECT * FROM audit WHERE seq = 3").fetchone())
    conn.close()
    row["actor"] = "mallory"
    forged = entry_hash(row["prev_hash"], row)
    tamper(db, f"UPDATE audit SET actor = 'mallory', hash = '{forged}' WHERE seq = 3")
    assert problems(db) == [(3, "edited")]


def test_deleted_entry_is_named(db, capsys):
    tamper(db, "DELETE FROM audit WHERE seq = 5")
    assert problems(db) == [(5, "deleted")]
    assert main(["--db", str(db), "audit", "verify"]) == 1
    assert "seq 5: deleted" in capsys.readouterr().out


def test_deleted_first_entry_is_named(db):
    tamper(db, "DELETE FROM audit WHERE seq = 1")
    assert problems(db) == [(1, "deleted")]


def test_swapped_contents_are_named(db):
    cols = "at, actor, mention_id, action, before, after, detail"
    sets = ", ".join(f"{c} = (SELECT {c} FROM audit WHERE seq = CASE WHEN a.seq = 2 THEN 6"
                     f" ELSE 2 END)" for c in cols.split(", "))
    tamper(db, "CREATE TABLE a AS SELECT * FROM audit",
           f"UPDATE audit SET {sets.replace('FROM audit WHERE', 'FROM a WHERE').replace('a.seq', 'audit.seq')} WHERE seq IN (2, 6)")  # noqa: E501
    assert problems(db) == [(2, "swapped"), (6, "swapped")]


def test_reordered_rows_are_named(db):
    # swap the seq numbers of two whole rows (content, links and hashes move with them)
    tamper(db, "UPDATE audit SET seq = -1 WHERE seq = 3",
           "UPDATE audit SET seq = 3 WHERE seq = 4",
           "UPDATE audit SET seq = 4 WHERE seq = -1")
    found = problems(db)
    assert found == [(3, "reordered"), (4, "reordered")]
    assert "written as seq 4" in check(db).problems[0].message


def test_deleted_tail_is_caught_against_an_exports_head(db, capsys):
    head = check(db).head
    tamper(db, "DELETE FROM audit WHERE seq = 7")
    assert check(db).ok  # the database alone cannot tell the last entry is gone...
    assert problems(db, head) == [(7, "deleted")]  # ...but the export's head can
    assert main(["--db", str(db), "audit", "verify", "--head", f"{head.seq}:{head.hash}"]) == 1
    assert "seq 7: deleted" in capsys.readouterr().out


def test_bad_head_argument_says_what_to_pass():
    with pytest.raises(ValueError, match="SEQ:HASH"):
        ChainHead.parse("7:abc")
