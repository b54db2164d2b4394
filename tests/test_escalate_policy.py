"""The policy file: defaults, per-team overrides, and errors with file and line."""

import pytest

from triage.cli import main
from triage.escalate import FLAG_KINDS, Policy, PolicyError


def write(tmp_path, text):
    path = tmp_path / "team.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_define_every_flag_kind():
    policy = Policy.load()
    assert set(policy.flags) == set(FLAG_KINDS)
    assert [leader.name for leader in policy.leaders] == ["Dana Okafor"]
    assert "@danaokafor" in policy.leaders[0].handles
    assert policy.flags["threat"].escalate and policy.flags["threat"].no_auto_draft
    assert policy.flags["distress"].no_auto_draft
    assert not policy.flags["leader"].escalate


def test_override_merges_key_by_key(tmp_path):
    policy = Policy.load(write(tmp_path, "[flags.reach]\nthreshold = 5000\n"))
    assert policy.flags["reach"].params["threshold"] == 5000
    assert policy.flags["reach"].escalate             # kept from the defaults
    assert policy.flags["legal"].phrases              # untouched table kept


@pytest.mark.parametrize("text, line, words", [
    ("version = 1\n[flags.reach\nthreshold = 1\n", 2, "not valid TOML"),
    ("\n[flags.legel]\nphrases = []\n", 2, "unknown flag kind 'legel'"),
    ("[flags.reach]\n\nthreshold = \"lots\"\n", 3, "must be a non-negative number"),
    ("[flags.legal]\nescalate = true\nquoted = \"maybe\"\n", 3, "quoted must be"),
    ("[flags.brigade]\nsimilarity = 3\n", 2, "between 0 and 1"),
    ("[flags.threat]\nphrases = [1, 2]\n", 2, "list of strings"),
    ("colour = \"red\"\n", 1, "unknown setting 'colour'"),
    ("[flags.surge]\nwindow = 60\n", 2, "has no setting 'window'"),
    ("[[leaders]]\nrole = \"CFO\"\n", 1, "needs a name"),
])
def test_errors_name_file_and_line(tmp_path, capsys, text, line, words):
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        Policy.load(path)
    assert info.value.line == line and words in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}:")
    assert main(["policy", "check", str(path)]) == 1
    assert f"team.toml:{line}:" in capsys.readouterr().err


def test_policy_check_cli_accepts_a_good_file(tmp_path, capsys):
    assert main(["policy", "check"]) == 0
    path = write(tmp_path, '[[leaders]]\nname = "Sam Lee"\nhandles = ["@samlee"]\n')
    assert main(["policy", "check", str(path)]) == 0
    assert "Sam Lee" in capsys.readouterr().out


def test_team_policy_from_the_environment_is_used_by_the_pipeline(tmp_path, monkeypatch):
    from datetime import UTC, datetime

    from triage.escalate import Escalator
    from triage.mention import Mention
    from triage.verdict import Verdict

    team = tmp_path / "team-policy.toml"
    team.write_text("[flags.reach]\nthreshold = 5000\n", encoding="utf-8")
    m = Mention("mastodon", "1", "The app is down again", datetime(2026, 11, 20, tzinfo=UTC),
                author_handle="@big@example.social", author_followers=8000)
    v = Verdict("complaint", {"troll": 0.1, "complaint": 0.8, "engagement": 0.1}, "t")
    assert "reach" not in {f.kind for f in Escalator.load().assess(m, v).flags}
    monkeypatch.setenv("CALMREPLY_POLICY", str(team))
    assert "reach" in {f.kind for f in Escalator.load().assess(m, v).flags}
