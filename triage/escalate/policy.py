"""The escalation policy: which flags exist, what they match, and how much they weigh.

Defaults ship in ``responses/policy.toml``.  A team's own file is laid over the
defaults key by key (tables merge, lists and values replace), so an override can be a
three-line file that only adds a leader or raises the reach threshold.  Every problem
is reported as "file:line: what is wrong and what to do" (`calmreply policy check`).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.escalate.tomlsource import SourceError, TomlSource
from triage.paths import responses_dir

FLAG_KINDS = ("threat", "legal", "safety", "press", "leader", "personal-data", "distress",
              "reach", "repeat", "surge", "brigade")
KEYWORD_KINDS = ("threat", "legal", "safety", "press", "distress")
_COMMON_KEYS = {"escalate", "no_auto_draft", "weight"}
_FLAG_KEYS = {
    **{k: {"negatable", "quoted", "phrases", "except"} for k in KEYWORD_KINDS},
    "press": {"negatable", "quoted", "phrases", "except", "handles"},
    "distress": {"negatable", "quoted", "phrases", "except", "guidance"},
    "leader": set(),
    "personal-data": {"cues"},
    "reach": {"threshold"},
    "repeat": {"count", "window_hours"},
    "surge": {"window_minutes", "baseline_hours", "min_count", "ratio", "baseline_floor",
              "min_baseline_hours", "merge_gap_minutes"},
    "brigade": {"window_minutes", "min_accounts", "max_account_age_days", "max_followers",
                "similarity", "merge_gap_minutes"},
}
_NUMBERS = {"weight", "threshold", "count", "window_hours", "window_minutes",
            "baseline_hours", "min_count", "ratio", "baseline_floor", "merge_gap_minutes",
            "min_baseline_hours",
            "min_accounts", "max_account_age_days", "max_followers", "similarity"}
_TOP_KEYS = {"version", "negation_window", "leaders", "brand", "flags", "priority", "tone"}
_TONE_LISTS = ("defensive", "blame", "sarcasm", "argue", "forbidden")


class PolicyError(SourceError):
    """The policy file is wrong; the message names the file and line."""


def default_policy_path() -> Path:
    return responses_dir() / "policy.toml"


class FromParams:
    """Mixin for a detector's settings dataclass: build it from the flag's `params`
    table, ignoring keys it does not know and keeping its defaults for missing ones."""

    @classmethod
    def from_params(cls, params: dict):
        fields = cls.__dataclass_fields__  # type: ignore[attr-defined]
        return cls(**{k: params[k] for k in fields if k in params})


@dataclass(frozen=True)
class Leader:
    name: str
    role: str = ""
    handles: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlagPolicy:
    """One flag kind's settings; `params` holds its thresholds (see policy.toml)."""

    kind: str
    escalate: bool = False
    no_auto_draft: bool = False
    weight: float = 1.0
    negatable: bool = True
    quoted: str = "ignore"
    phrases: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    def num(self, key: str) -> float:
        return float(self.params[key])


@dataclass
class Policy:
    """The whole policy, validated.  Build it with `Policy.load`."""

    leaders: tuple[Leader, ...]
    brand_names: tuple[str, ...]
    brand_handles: tuple[str, ...]
    own_domains: tuple[str, ...]
    flags: dict[str, FlagPolicy]
    label_weight: dict[str, float]
    reach_factor: float
    reach_cap: float
    tone: dict[str, Any]
    negation_window: int = 4
    sources: tuple[Path, ...] = ()

    @classmethod
    def load(cls, path: Path | str | None = None) -> Policy:
        """The shipped defaults, with the team's file laid over them.

        The team's file is `path`, else `$CALMREPLY_POLICY` (so import, watch and the
        queue all follow the same team policy without a flag on every command).
        """
        if path is None:
            path = os.environ.get("CALMREPLY_POLICY") or None
        base = _read(default_policy_path())
        data = copy.deepcopy(base.data)
        sources = [base]
        if path is not None and Path(path).resolve() != default_policy_path().resolve():
            override = _read(path)
            _check_shape(override)
            _merge(data, override.data)
            sources.append(override)
        _check_shape(base)
        return cls._build(data, sources)

    @classmethod
    def _build(cls, data: dict[str, Any], sources: list[TomlSource]) -> Policy:
        src = sources[-1]
        leaders = []
        for i, entry in enumerate(data.get("leaders", [])):
            if not isinstance(entry, dict) or not str(entry.get("name", "")).strip():
                raise PolicyError(src.path, src.table_line("leaders"),
                                  f"leader #{i + 1} needs a name = \"...\"")
            leaders.append(Leader(str(entry["name"]), str(entry.get("role", "")),
                                  tuple(map(str, entry.get("handles", []))),
                                  tuple(map(str, entry.get("aliases", [])))))
        flags: dict[str, FlagPolicy] = {}
        for kind in FLAG_KINDS:
            raw = dict(data.get("flags", {}).get(kind, {}))
            quoted = str(raw.pop("quoted", "ignore"))
            if quoted not in ("ignore", "flag"):
                raise PolicyError(src.path, src.key_in_table(f"flags.{kind}", "quoted"),
                                  f"flags.{kind}.quoted must be \"ignore\" or \"flag\"")
            flags[kind] = FlagPolicy(
                kind=kind, escalate=bool(raw.pop("escalate", False)),
                no_auto_draft=bool(raw.pop("no_auto_draft", False)),
                weight=float(raw.pop("weight", 1.0)),
                negatable=bool(raw.pop("negatable", True)), quoted=quoted,
                phrases=tuple(map(str, raw.pop("phrases", []))),
                handles=tuple(map(str, raw.pop("handles", []))),
                params=raw)
        pr = data.get("priority", {})
        brand = data.get("brand", {})
        return cls(
            leaders=tuple(leaders), brand_names=tuple(brand.get("names", [])),
            brand_handles=tuple(brand.get("handles", [])),
            own_domains=tuple(d.lower() for d in brand.get("own_domains", [])),
            flags=flags,
            label_weight={k: float(v) for k, v in pr.get("label_weight", {}).items()},
            reach_factor=float(pr.get("reach_factor", 0.5)),
            reach_cap=float(pr.get("reach_cap", 3.0)),
            tone=dict(data.get("tone", {})),
            negation_window=int(data.get("negation_window", 4)),
            sources=tuple(s.path for s in sources))

    def leader_named(self, name: str | None) -> Leader | None:
        if not name:
            return None
        key = name.lower().lstrip("@")
        for leader in self.leaders:
            if key in (leader.name.lower(), *(h.lower().lstrip("@") for h in leader.handles)):
                return leader
        return None


def _read(path: Path | str) -> TomlSource:
    try:
        return TomlSource.read(path)
    except SourceError as exc:
        raise PolicyError(exc.path, exc.line, exc.message) from exc


def _merge(base: dict[str, Any], over: dict[str, Any]) -> None:
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


def _check_shape(src: TomlSource) -> None:
    """Unknown keys and wrong types, each reported at its line."""
    data = src.data
    for key in data:
        if key not in _TOP_KEYS:
            raise PolicyError(src.path, src.key_line(key) or src.table_line(key),
                              f"unknown setting {key!r}; known: {', '.join(sorted(_TOP_KEYS))}")
    if "leaders" in data and not isinstance(data["leaders"], list):
        raise PolicyError(src.path, src.key_line("leaders"),
                          "leaders must be a list of [[leaders]] tables")
    for kind, table in data.get("flags", {}).items():
        if kind not in _FLAG_KEYS:
            raise PolicyError(src.path, src.table_line(f"flags.{kind}"),
                              f"unknown flag kind {kind!r}; known: {', '.join(FLAG_KINDS)}")
        if not isinstance(table, dict):
            raise PolicyError(src.path, src.key_line(kind), f"flags.{kind} must be a table")
        allowed = _COMMON_KEYS | _FLAG_KEYS[kind]
        for key, value in table.items():
            line = src.key_in_table(f"flags.{kind}", key)
            if key not in allowed:
                raise PolicyError(src.path, line, f"flags.{kind} has no setting {key!r}; "
                                  f"known: {', '.join(sorted(allowed))}")
            if key in _NUMBERS and (isinstance(value, bool)
                                    or not isinstance(value, int | float) or value < 0):
                raise PolicyError(src.path, line,
                                  f"flags.{kind}.{key} must be a non-negative number")
            if key in ("escalate", "no_auto_draft", "negatable") and not isinstance(value, bool):
                raise PolicyError(src.path, line, f"flags.{kind}.{key} must be true or false")
            if key in ("phrases", "handles", "cues", "except") and not (
                    isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise PolicyError(src.path, line,
                                  f"flags.{kind}.{key} must be a list of strings")
        if kind == "brigade" and "similarity" in table and not 0 < table["similarity"] <= 1:
            raise PolicyError(src.path, src.key_in_table("flags.brigade", "similarity"),
                              "flags.brigade.similarity must be between 0 and 1")
    for key in _TONE_LISTS:
        value = data.get("tone", {}).get(key)
        if value is not None and not (isinstance(value, list)
                                      and all(isinstance(v, str) for v in value)):
            raise PolicyError(src.path, src.key_in_table("tone", key),
                              f"tone.{key} must be a list of strings")
    for label, value in data.get("priority", {}).get("label_weight", {}).items():
        if label not in ("troll", "complaint", "engagement") or isinstance(value, bool) or \
                not isinstance(value, int | float):
            raise PolicyError(src.path, src.key_in_table("priority.label_weight", label),
                              f"priority.label_weight.{label}: use troll/complaint/engagement "
                              "with a number")
