"""The ingest commands in-process: sources check, quarantine, post."""

from __future__ import annotations

import pytest

from tests.fakeapis import FakeBluesky, FakeMastodon, TeamFiles, make_triager, write_config
from triage.cli import main
from triage.ingest.watch import Watcher

TOKEN = "cli-token-0a1b2c"


@pytest.fixture
def masto():
    with FakeMastodon(token=TOKEN) as m:
        yield m


def test_sources_check_says_what_is_wrong(tmp_path, masto, capsys):
    with FakeBluesky() as sky:
        good = TeamFiles(masto, sky).toml()
        bad_token = good.replace(f'token = "{TOKEN}"', 'token = "wrong-token"')
        wrong_kind = bad_token.replace(f'instance = "{masto.url}"', f'instance = "{sky.url}"')
        no_net = good.replace(f'instance = "{masto.url}"', 'instance = "http://127.0.0.1:9"')
        for name, text in (("good", good), ("bad", bad_token), ("kind", wrong_kind),
                           ("net", no_net)):
            write_config(tmp_path / f"{name}.toml", text)
        assert main(["sources", "check", "--config", str(tmp_path / "good.toml")]) == 0
        out = capsys.readouterr().out
        assert "ok    masto: Mastodon 4.3.2" in out and "ok    sky: Bluesky" in out
        assert main(["sources", "check", "--config", str(tmp_path / "bad.toml")]) == 1
        assert "FAIL  masto: masto: the access token was refused" in capsys.readouterr().out
        assert main(["sources", "check", "--config", str(tmp_path / "kind.toml")]) == 1
        assert "is not a Mastodon instance" in capsys.readouterr().out
        assert main(["sources", "check", "--config", str(tmp_path / "net.toml")]) == 1
        assert "cannot connect" in capsys.readouterr().out


def test_world_readable_config_is_refused_by_the_commands(tmp_path, masto, capsys):
    path = tmp_path / "team.toml"
    path.write_text(TeamFiles(masto).toml())
    path.chmod(0o644)
    assert main(["sources", "check", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert "chmod 600" in err and TOKEN not in err


def test_quarantine_lists_items_without_letting_them_style_the_terminal(tmp_path, masto,
                                                                        capsys):
    db = tmp_path / "q.db"
    from triage.store import Store

    masto.add_raw({"content": "<p>acme \x1b[31mred</p>", "created_at": "bad"})
    cfg = write_config(tmp_path / "team.toml", TeamFiles(masto).toml())
    with Store(db) as store:
        Watcher.from_config(cfg, make_triager(store)).run_once()
    assert main(["--db", str(db), "quarantine", "--raw"]) == 0
    out = capsys.readouterr().out
    assert "masto:search:acme" in out and "missing field 'uri'" in out
    assert "\x1b" not in out


def test_post_command_posts_an_approved_reply(tmp_path, masto, capsys):
    db = tmp_path / "p.db"
    from triage.store import Store

    masto.add_status("acme where is my parcel")
    cfg = write_config(tmp_path / "team.toml", TeamFiles(masto).toml(posting=True))
    with Store(db) as store:
        Watcher.from_config(cfg, make_triager(store)).run_once()
        store.add_draft(1, "We're checking now.", "officer")
        store.submit_for_approval(1, "officer")
        store.approve(1, "leader")
    assert main(["--db", str(db), "post", "1", "--config", str(tmp_path / "team.toml"),
                 "--as", "leader"]) == 0
    assert "posted reply to mention 1: status" in capsys.readouterr().out
    assert main(["--db", str(db), "post", "1", "--config", str(tmp_path / "team.toml")]) == 1
    assert "only approved replies are posted" in capsys.readouterr().err
    assert len(masto.seen("/api/v1/statuses")) == 1
