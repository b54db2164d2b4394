"""The team config: secrets from env or a private file, clear errors otherwise."""

from __future__ import annotations

import pytest

from tests.fakeapis import write_config
from triage.ingest.config import ConfigError, Secret, load_config

BASE = """
[[sources]]
name = "m"
kind = "mastodon"
instance = "https://mastodon.example"
terms = ["acme"]
"""


def test_world_readable_config_with_a_secret_is_refused(tmp_path):
    path = tmp_path / "team.toml"
    with pytest.raises(ConfigError) as info:
        write_config(path, BASE + 'token = "tok-secret-999"\n', mode=0o644)
    message = str(info.value)
    assert f"chmod 600 {path}" in message and "token_env" in message
    assert "tok-secret-999" not in message


def test_private_file_and_env_secrets_are_accepted_and_never_printed(tmp_path, monkeypatch):
    cfg = write_config(tmp_path / "a.toml", BASE + 'token = "tok-secret-999"\n', mode=0o600)
    assert cfg.sources[0].token.reveal() == "tok-secret-999"
    assert "tok-secret-999" not in repr(cfg) and "tok-secret-999" not in str(cfg.sources[0])
    monkeypatch.setenv("MY_TOKEN", "env-secret-777")
    cfg = write_config(tmp_path / "b.toml", BASE + 'token_env = "MY_TOKEN"\n', mode=0o644)
    assert cfg.sources[0].token == Secret("env-secret-777", "x")
    assert "env-secret-777" not in repr(cfg)


def test_a_named_but_unset_env_var_is_reported(tmp_path, monkeypatch):
    monkeypatch.delenv("NOPE_TOKEN", raising=False)
    cfg = write_config(tmp_path / "c.toml", BASE + 'token_env = "NOPE_TOKEN"\n')
    assert "NOPE_TOKEN" in cfg.sources[0].missing_secret


@pytest.mark.parametrize("extra, expected", [
    ('[[sources]]\nkind = "myspace"\n', "kind must be one of mastodon, bluesky"),
    ('[posting]\nenabled = true\nsource = "zz"\n', "no source named 'zz'"),
    ('[posting]\nvisibility = "everyone"\n', "posting.visibility"),
    ('[http]\ntimeout = -1\n', "http.timeout must be a number"),
])
def test_mistakes_name_the_file_and_key(tmp_path, extra, expected):
    with pytest.raises(ConfigError, match=expected) as info:
        write_config(tmp_path / "d.toml", BASE + extra)
    assert str(tmp_path / "d.toml") in str(info.value)


def test_a_missing_config_says_where_it_looked(tmp_path):
    with pytest.raises(ConfigError, match="no team config at"):
        load_config(tmp_path / "absent.toml")
