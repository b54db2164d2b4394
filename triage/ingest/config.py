"""The team config (TOML): which sources to watch, for which terms, with which secrets.

Secrets come from environment variables (``token_env = "NAME"``) or sit in the file
itself, which must then be readable by its owner only (mode 0600): a team config that
others can read is refused, with the command that fixes it.  Secret values are wrapped
in :class:`Secret` so printing a config, a source or an error never shows them.

Settings: ``[[sources]]`` (what to watch), ``[watch]`` (interval, batch_size), ``[http]``
(retries, timeouts), ``[posting]`` (enabled, source, visibility), and
``approvers = ["name", ...]``: who may approve replies (empty: anyone but the drafter).
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from triage.ingest.http import RetryPolicy

KINDS = ("mastodon", "bluesky")
VISIBILITIES = ("public", "unlisted", "private", "direct")


class ConfigError(ValueError):
    """The team config is wrong; the message names the file, the key and the fix."""


class Secret:
    """A credential: usable via :meth:`reveal`, never shown by str/repr/format."""

    __slots__ = ("_value", "origin")

    def __init__(self, value: str, origin: str) -> None:
        self._value = value
        self.origin = origin  # "env CALMREPLY_TOKEN" or "file team.toml"

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret(from {self.origin})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass
class SourceConfig:
    name: str
    kind: str
    url: str  # Mastodon instance or Bluesky service (PDS / entryway)
    terms: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    notifications: bool = False  # Mastodon: the team account's mentions (needs a token)
    handle: str = ""  # Bluesky login handle
    token: Secret | None = None  # Mastodon access token
    app_password: Secret | None = None  # Bluesky app password
    lookback_hours: float = 24.0  # how far back the very first poll reaches
    page_limit: int = 40
    max_pages: int = 50  # per stream per poll, so one busy term cannot starve the rest
    missing_secret: str = ""  # set when a *_env variable is named but not set

    def secrets(self) -> list[str]:
        return [s.reveal() for s in (self.token, self.app_password) if s is not None]


@dataclass
class PostingConfig:
    enabled: bool = False
    source: str = ""  # name of the Mastodon source whose account posts
    visibility: str = "unlisted"


@dataclass
class TeamConfig:
    path: Path | None
    sources: list[SourceConfig] = field(default_factory=list)
    posting: PostingConfig = field(default_factory=PostingConfig)
    http: RetryPolicy = field(default_factory=RetryPolicy)
    interval: float = 60.0  # seconds between polls
    batch_size: int = 1000  # mentions committed per transaction
    approvers: tuple[str, ...] = ()  # who may approve replies; empty: anyone but the drafter

    def source(self, name: str) -> SourceConfig:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"{self.path}: no source named {name!r} (sources: {known})")

    def secrets(self) -> list[str]:
        return [v for s in self.sources for v in s.secrets()]

    def may_approve(self, user: str) -> bool:
        """Four-eyes is enforced by the store; this says who else may approve at all."""
        return not self.approvers or user in self.approvers


def default_config_path() -> Path:
    env = os.environ.get("CALMREPLY_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir("calmreply", appauthor=False)) / "team.toml"


_SECRET_KEYS = {"token": "token_env", "app_password": "app_password_env"}


def _secret(table: dict[str, Any], key: str, where: str, path: Path,
            inline_ok: bool) -> tuple[Secret | None, str]:
    env_key = _SECRET_KEYS[key]
    if env_key in table:
        var = str(table[env_key])
        value = os.environ.get(var)
        if not value:
            return None, f"environment variable {var} (named by {env_key} in {where}) is not set"
        return Secret(value, f"env {var}"), ""
    if key in table:
        if not inline_ok:
            raise ConfigError(
                f"{path} holds secrets ({where}.{key}) but other users can read it; "
                f"run `chmod 600 {path}` or move the secret to an environment variable "
                f"with {env_key} = \"NAME\"")
        value = table[key]
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{path}: {where}.{key} must be a non-empty string")
        return Secret(value, f"file {path.name}"), ""
    return None, ""


def _private(path: Path) -> bool:
    mode = path.stat().st_mode
    return not (mode & (stat.S_IRWXG | stat.S_IRWXO))


def _number(table: dict[str, Any], key: str, default: float, where: str, path: Path,
            minimum: float = 0.0) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ConfigError(f"{path}: {where}.{key} must be a number >= {minimum:g}, "
                          f"not {value!r}")
    return float(value)


def _strings(table: dict[str, Any], key: str, where: str, path: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                               for v in value):
        raise ConfigError(f"{path}: {where}.{key} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def parse_config(data: dict[str, Any], path: Path, *, inline_secrets_ok: bool) -> TeamConfig:
    watch = data.get("watch", {})
    http = data.get("http", {})
    policy = RetryPolicy(
        attempts=int(_number(http, "attempts", 5, "http", path, 1)),
        backoff_base=_number(http, "backoff_base", 0.5, "http", path),
        backoff_max=_number(http, "backoff_max", 30.0, "http", path),
        timeout=_number(http, "timeout", 15.0, "http", path, 0.001),
        connect_timeout=_number(http, "connect_timeout", 5.0, "http", path, 0.001),
        max_wait=_number(http, "max_wait", 300.0, "http", path),
    )
    cfg = TeamConfig(path=path, http=policy,
                     interval=_number(watch, "interval", 60.0, "watch", path),
                     batch_size=int(_number(watch, "batch_size", 1000, "watch", path, 1)))
    names: set[str] = set()
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        raise ConfigError(f"{path}: use [[sources]] tables, one per source")
    for i, table in enumerate(raw_sources, start=1):
        where = f"sources[{i}]"
        kind = str(table.get("kind", "")).lower()
        if kind not in KINDS:
            raise ConfigError(f"{path}: {where}.kind must be one of {', '.join(KINDS)}, "
                              f"not {table.get('kind')!r}")
        name = str(table.get("name") or kind)
        if name in names:
            raise ConfigError(f"{path}: two sources are named {name!r}; give each a name")
        names.add(name)
        url = str(table.get("instance") or table.get("service") or
                  ("https://bsky.social" if kind == "bluesky" else "")).rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"{path}: {where} ({name}) needs instance = \"https://...\"")
        token, missing_t = _secret(table, "token", where, path, inline_secrets_ok)
        password, missing_p = _secret(table, "app_password", where, path, inline_secrets_ok)
        src = SourceConfig(
            name=name, kind=kind, url=url,
            terms=_strings(table, "terms", where, path),
            hashtags=tuple(h.lstrip("#") for h in _strings(table, "hashtags", where, path)),
            notifications=bool(table.get("notifications", False)),
            handle=str(table.get("handle", "")),
            token=token, app_password=password,
            lookback_hours=_number(table, "lookback_hours", 24.0, where, path),
            page_limit=int(_number(table, "page_limit", 40 if kind == "mastodon" else 100,
                                   where, path, 1)),
            max_pages=int(_number(table, "max_pages", 50, where, path, 1)),
            missing_secret=missing_t or missing_p,
        )
        if kind == "bluesky" and not src.handle:
            raise ConfigError(f"{path}: {where} ({name}) needs handle = \"you.bsky.social\"")
        if kind == "bluesky" and not src.terms:
            raise ConfigError(f"{path}: {where} ({name}) needs terms = [\"...\"] to search")
        if kind == "mastodon" and not (src.terms or src.hashtags or src.notifications):
            raise ConfigError(f"{path}: {where} ({name}) watches nothing; set terms, "
                              "hashtags or notifications = true")
        cfg.sources.append(src)
    approvers = data.get("approvers", [])
    if not isinstance(approvers, list) or not all(isinstance(a, str) and a.strip()
                                                  for a in approvers):
        raise ConfigError(f"{path}: approvers must be a list of names, e.g. "
                          "approvers = [\"dana\", \"sam\"]")
    cfg.approvers = tuple(a.strip() for a in approvers)
    posting = data.get("posting", {})
    cfg.posting = PostingConfig(
        enabled=bool(posting.get("enabled", False)),
        source=str(posting.get("source", "")),
        visibility=str(posting.get("visibility", "unlisted")),
    )
    if cfg.posting.visibility not in VISIBILITIES:
        raise ConfigError(f"{path}: posting.visibility must be one of "
                          f"{', '.join(VISIBILITIES)}")
    if cfg.posting.enabled:
        src = cfg.source(cfg.posting.source) if cfg.posting.source else None
        if src is None or src.kind != "mastodon":
            raise ConfigError(f"{path}: posting.source must name a mastodon source")
    return cfg


def load_config(path: str | Path | None = None) -> TeamConfig:
    p = Path(path).expanduser() if path else default_config_path()
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"no team config at {p}; write one (see the README, 'Sources') "
                          "or pass --config PATH") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML ({exc})") from exc
    return parse_config(data, p, inline_secrets_ok=_private(p))


def load_config_or_default(path: str | Path | None = None) -> TeamConfig:
    """The team config, or an empty one (no sources, posting off, no approver list)
    when no file exists at the default location; a file that exists but is wrong still
    raises, so a typo never silently loosens who may approve."""
    p = Path(path).expanduser() if path else default_config_path()
    if not path and not p.is_file():
        return TeamConfig(path=None)
    return load_config(p)
