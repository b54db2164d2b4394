"""The pre-agreed response playbook: calm drafts per class and topic, ready to fill.

Files in ``responses/`` (see its README): ``playbook.toml`` (drafts, topic rules,
channel limits, values), ``voices.toml`` (voice profiles) and ``holding.toml``
(versioned holding statements per incident phase).  `calmreply playbook check`
validates them with file and line; `Playbook.load` refuses only files it cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from triage.escalate.textmatch import Document, phrase_regex
from triage.escalate.tomlsource import SourceError, TomlSource
from triage.mention import Mention
from triage.paths import responses_dir
from triage.playbook.voice import BRAND, VoiceProfile
from triage.verdict import Flag, Verdict

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
KNOWN_PLACEHOLDERS = ("author", "support_url", "case_ref", "leader_name", "status_url",
                      "next_update")
DEFAULT_TOPIC = {"complaint": "other", "engagement": "other", "troll": "default"}
REQUIRED_TOPICS = {
    "complaint": ("billing", "delay", "outage", "product", "staff", "privacy", "other"),
    "engagement": ("praise", "question", "suggestion", "other"),
    "troll": ("default",),
}
DEFAULT_LIMITS = {"mastodon": 500, "bluesky": 300}
PHASES = ("acknowledge", "investigating", "resolved")
CARE_TEXT = {
    "distress": "(Do not send a brand reply. A trained person should reach out privately, "
                "with care; follow the crisis guidance.)",
    "threat": "(Do not reply. Record it, tell security and follow the threat procedure.)",
}


class PlaybookError(ValueError):
    """The playbook files cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Draft:
    """A filled-in draft; `missing` lists placeholders the officer still has to fill.

    Unfilled placeholders stay in `text` as ``{name}`` so the officer sees them, and the
    calm-tone check refuses to let such a draft go for approval.
    """

    key: str
    text: str
    missing: tuple[str, ...] = ()
    engage: bool = True
    topic: str = ""
    channel: str = ""
    limit: int | None = None
    voice: str = "brand"
    version: int = 0

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and len(self.text) > self.limit


@dataclass(frozen=True)
class DraftSet:
    """The variants for one class and topic."""

    label: str
    topic: str
    variants: tuple[str, ...]
    engage: bool = True
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class HoldingStatement:
    kind: str
    phase: str
    version: int
    text: str
    approved_by: str = ""


def fill(template: str, values: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """Substitute known values; unknown ones stay visible and are listed as missing."""
    missing = tuple(sorted({p for p in PLACEHOLDER.findall(template) if not values.get(p)}))
    text = PLACEHOLDER.sub(lambda m: str(values.get(m.group(1)) or m.group(0)), template)
    return text, missing


def display_handle(handle: str) -> str:
    if not handle:
        return "there"
    return handle if handle.startswith("@") else f"@{handle}"


@dataclass
class Playbook:
    """The loaded playbook; `drafts` maps label -> topic -> DraftSet."""

    drafts: dict[str, dict[str, DraftSet]]
    values: dict[str, str] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    topic_rules: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    voices: dict[str, VoiceProfile] = field(default_factory=dict)
    holding: dict[tuple[str, str], list[HoldingStatement]] = field(default_factory=dict)
    troll_reply_min_followers: int = 10_000
    version: int = 0
    placeholder_lengths: dict[str, int] = field(default_factory=dict)

    # ---- loading -----------------------------------------------------------------
    @classmethod
    def load(cls, folder: Path | None = None) -> Playbook:
        folder = Path(folder) if folder else responses_dir()
        try:
            main = TomlSource.read(folder / "playbook.toml")
            voices = _optional(folder / "voices.toml")
            holding = _optional(folder / "holding.toml")
        except SourceError as exc:
            raise PlaybookError(str(exc)) from exc
        return cls.from_sources(main, voices, holding)

    @classmethod
    def from_sources(cls, main: TomlSource, voices: TomlSource | None = None,
                     holding: TomlSource | None = None) -> Playbook:
        data = main.data
        drafts: dict[str, dict[str, DraftSet]] = {}
        for label, table in _table(main, data, "drafts").items():
            if not isinstance(table, dict):
                raise PlaybookError(f"{main.path}:{main.key_line(label)}: drafts.{label} "
                                    "must be a table")
            topics = {DEFAULT_TOPIC.get(label, "other"): table} if "variants" in table else table
            drafts[label] = {}
            for topic, entry in topics.items():
                if not isinstance(entry, dict) or not isinstance(entry.get("variants"), list):
                    line = main.table_line(f"drafts.{label}.{topic}")
                    raise PlaybookError(f"{main.path}:{line}: drafts.{label}.{topic} needs "
                                        "variants = [\"...\"]")
                drafts[label][topic] = DraftSet(
                    label, topic, tuple(map(str, entry["variants"])),
                    engage=bool(entry.get("engage", label != "troll" or topic != "default")),
                    channels=tuple(map(str, entry.get("channels", []))))
        rules: dict[str, list[tuple[str, Any]]] = {}
        for label, table in _table(main, data, "topics").items():
            rules[label] = [(topic, phrase_regex(list(map(str, phrases))))
                            for topic, phrases in table.items() if isinstance(phrases, list)]
        channels = dict(DEFAULT_LIMITS)
        channels.update({k: int(v) for k, v in data.get("channels", {}).items()
                         if isinstance(v, int) and not isinstance(v, bool)})
        profiles = {}
        if voices is not None:
            for key, table in voices.data.items():
                if isinstance(table, dict):
                    profiles[key] = VoiceProfile.from_table(key, table)
        statements: dict[tuple[str, str], list[HoldingStatement]] = {}
        if holding is not None:
            for kind, phases in holding.data.items():
                for phase, entries in (phases.items() if isinstance(phases, dict) else ()):
                    for e in entries if isinstance(entries, list) else ():
                        if isinstance(e, dict) and "text" in e:
                            statements.setdefault((kind, phase), []).append(HoldingStatement(
                                kind, phase, int(e.get("version", 1)), str(e["text"]),
                                str(e.get("approved_by", ""))))
        for entries in statements.values():
            entries.sort(key=lambda s: s.version)
        troll = data.get("troll", {})
        return cls(drafts=drafts, values={k: str(v) for k, v in data.get("values", {}).items()},
                   channels=channels, topic_rules=rules, voices=profiles, holding=statements,
                   troll_reply_min_followers=int(troll.get("reply_min_followers", 10_000)),
                   version=int(data.get("version", 0)),
                   placeholder_lengths={k: int(v) for k, v in data.get("placeholders", {}).items()
                                        if isinstance(v, int)})

    # ---- choosing ----------------------------------------------------------------
    def topic_for(self, label: str, text: str) -> str:
        """The first topic rule of this class that matches, else the class's default."""
        rules = self.topic_rules.get(label, [])
        if rules:
            doc = Document(text)
            for topic, regex in rules:
                if regex is not None and regex.search(doc.text):
                    return topic
        return DEFAULT_TOPIC.get(label, "other")

    def voice(self, name: str | None) -> VoiceProfile:
        if name:
            for profile in self.voices.values():
                if profile.matches(name):
                    return profile
        return self.voices.get("brand", BRAND)

    def limit_for(self, channel: str | None) -> int | None:
        return self.channels.get(channel or "")

    # ---- drafting ----------------------------------------------------------------
    def drafts_for(self, mention: Mention, verdict: Verdict | None, *,
                   topic: str | None = None, channel: str | None = None,
                   voice: str | None = None, values: Mapping[str, str] | None = None,
                   flags: Iterable[Flag | str] | None = None) -> list[Draft]:
        """Drafts for one mention, best first.

        Threat and distress get a single do-not-reply instruction (engage=False) and no
        template.  Trolls get "do not engage" first; a calm one-liner is offered only
        when the topic is a falsehood and the author's reach is over the threshold.
        Variants are rotated by mention id so neighbouring replies differ.  When the
        caller does not pass the mention's flags, the default policy's rules are run on
        the text, so a threat never gets a template by omission.
        """
        if flags is None:
            flags = _default_rules().check(mention)
        kinds = {f.kind if isinstance(f, Flag) else str(f) for f in flags}
        for kind in ("threat", "distress"):
            if kind in kinds:
                return [Draft(f"{kind}.care", CARE_TEXT[kind], engage=False, topic=kind,
                              version=self.version)]
        label = verdict.label if verdict else "complaint"
        chosen = topic or self.topic_for(label, mention.text)
        channel = channel or mention.platform
        limit = self.limit_for(channel)
        profile = self.voice(voice)
        vals = {"author": display_handle(mention.author_handle),
                **({"leader_name": profile.name} if profile.leader else {}),
                **self.values, **(values or {})}
        sets: list[DraftSet] = []
        by_topic = self.drafts.get(label, {})
        if label == "troll":
            sets.append(by_topic.get("default") or DraftSet(label, "default", (
                "(Do not engage. Monitor the thread; no reply is the reply.)",), engage=False))
            if chosen != "default" and chosen in by_topic and \
                    mention.author_followers >= self.troll_reply_min_followers:
                sets.append(by_topic[chosen])
        else:
            found = by_topic.get(chosen) or by_topic.get(DEFAULT_TOPIC.get(label, "other"))
            if found:
                sets.append(found)
        out: list[Draft] = []
        for ds in sets:
            variants = list(ds.variants)
            if variants and mention.id:
                k = mention.id % len(variants)
                variants = variants[k:] + variants[:k]
            for template in variants:
                i = ds.variants.index(template) + 1
                text, missing = fill(template, vals)
                if ds.engage:
                    text = profile.apply(text, limit)
                out.append(Draft(f"{label}.{ds.topic}.{i}", text, missing, ds.engage, ds.topic,
                                 channel, limit, profile.key, self.version))
        return out

    def holding_statement(self, phase: str, kind: str = "surge", *,
                          version: int | None = None, channel: str | None = None,
                          voice: str | None = None,
                          values: Mapping[str, str] | None = None) -> Draft | None:
        """The holding statement for an incident phase (latest version unless asked)."""
        entries = self.holding.get((kind, phase), [])
        if version is not None:
            entries = [s for s in entries if s.version == version]
        if not entries:
            return None
        st = entries[-1]
        profile = self.voice(voice)
        limit = self.limit_for(channel)
        text, missing = fill(st.text, {**self.values, **(values or {})})
        engage = not text.startswith("(")
        if engage:
            text = profile.apply(text, limit)
        return Draft(f"holding.{kind}.{phase}.v{st.version}", text, missing, engage, phase,
                     channel or "", limit, profile.key, st.version)


@lru_cache(maxsize=1)
def _default_rules():
    from triage.escalate.policy import Policy
    from triage.escalate.rules import Rules

    return Rules.build(Policy.load())


def _optional(path: Path) -> TomlSource | None:
    return TomlSource.read(path) if path.is_file() else None


def _table(src: TomlSource, data: dict, key: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise PlaybookError(f"{src.path}:{src.key_line(key)}: {key} must be a table")
    return value


def placeholders(templates: Sequence[str]) -> set[str]:
    return {p for t in templates for p in PLACEHOLDER.findall(t)}
