"""`calmreply playbook check`: each kind of error, with file and line."""

import shutil
from pathlib import Path

import pytest

from triage.cli import main
from triage.paths import responses_dir
from triage.playbook import Playbook, PlaybookError, check_folder


@pytest.fixture
def folder(tmp_path):
    for name in ("playbook.toml", "voices.toml", "holding.toml"):
        shutil.copy(responses_dir() / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> int:
    """Replace text once; returns the 1-based line where the new text starts."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text[:text.index(new)].count("\n") + 1


def test_shipped_playbook_is_clean():
    assert check_folder() == []
    assert main(["playbook", "check"]) == 0


def test_bad_toml(folder, capsys):
    line = edit(folder / "playbook.toml", "[drafts.complaint.staff]", "[drafts.complaint.staff")
    problems = check_folder(folder)
    assert [(p.path.name, p.line) for p in problems] == [("playbook.toml", line)]
    assert "not valid TOML" in problems[0].message
    assert main(["playbook", "check", str(folder)]) == 1
    assert f"playbook.toml:{line}:" in capsys.readouterr().err
    with pytest.raises(PlaybookError, match=rf"playbook.toml:{line}"):
        Playbook.load(folder)


def test_unknown_placeholder(folder):
    line = edit(folder / "playbook.toml", "Thanks {author}, good to hear from you.",
                "Thanks {author}, good to hear from you, {costumer_name}.")
    problems = check_folder(folder)
    assert len(problems) == 1
    assert problems[0].line == line and "unknown placeholder {costumer_name}" in str(problems[0])


def test_topic_rule_without_a_draft(folder):
    line = edit(folder / "playbook.toml", "[topics.troll]\n",
                '[topics.troll]\nparody = ["parody"]\n') + 1
    problems = check_folder(folder)
    assert [p.line for p in problems] == [line]
    assert "topic rule troll.parody has no draft" in problems[0].message


def test_required_topic_without_a_draft(folder):
    path = folder / "playbook.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[drafts.complaint.staff]")
    end = text.index("[drafts.complaint.privacy]")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    problems = check_folder(folder)
    assert len(problems) == 1
    rule_line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1)
                     if ln.startswith("staff ="))
    assert problems[0].line == rule_line
    assert "class 'complaint' has no draft for topic 'staff'" in problems[0].message


def test_missing_class(folder):
    path = folder / "playbook.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("# ---- trolls")], encoding="utf-8")
    msgs = [p.message for p in check_folder(folder)]
    assert any("class 'troll' has no draft for topic 'default'" in m for m in msgs)


@pytest.mark.parametrize("channel, limit", [("bluesky", 300), ("mastodon", 500)])
def test_draft_over_its_channel_limit(folder, channel, limit):
    long = "Sorry {author}. " + "We hear you and we are working on it. " * (limit // 38)
    line = edit(folder / "playbook.toml", '  "Thanks {author}, good to hear from you.",',
                f'  "{long.strip()}",')
    problems = [p for p in check_folder(folder) if channel in p.message]
    assert [p.line for p in problems] == [line]
    assert f"over the {channel} limit of {limit}" in problems[0].message


def test_draft_limited_to_one_channel_is_checked_only_there(folder):
    long = "Sorry {author}. " + "We hear you and we are working on it. " * 9
    edit(folder / "playbook.toml", '[drafts.engagement.other]\nvariants = [',
         f'[drafts.engagement.other]\nchannels = ["mastodon"]\nvariants = [\n  "{long}",')
    assert check_folder(folder) == []


def test_voice_and_holding_problems(folder):
    vline = edit(folder / "voices.toml", "emoji = false", 'emoji = "sometimes"')
    hline = edit(folder / "holding.toml", "[[surge.resolved]]", "[[surge.recovering]]")
    problems = check_folder(folder)
    where = {(p.path.name, p.line) for p in problems}
    assert ("voices.toml", vline) in where and ("holding.toml", hline) in where
    assert any("unknown phase 'recovering'" in p.message for p in problems)


def test_holding_statement_with_unknown_placeholder_and_duplicate_version(folder):
    edit(folder / "holding.toml", "version = 2\n", "version = 1\n")
    line = edit(folder / "holding.toml", "Services are running again.",
                "Services are running again at {station}.")
    problems = check_folder(folder)
    assert any("unique whole-number version" in p.message for p in problems)
    assert any(p.line == line and "unknown placeholder {station}" in p.message
               for p in problems)
    assert all(p.path.name == "holding.toml" for p in problems)
