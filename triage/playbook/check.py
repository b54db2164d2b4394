"""`calmreply playbook check`: every problem in the playbook files, with file and line.

Checks: the TOML parses; every placeholder is known; every class and topic the
playbook needs (and every topic a rule can choose) has a draft; every draft fits its
channels' length limits when its placeholders are filled with values of their declared
maximum length; voice profiles and holding statements are well formed.
"""

from __future__ import annotations

from pathlib import Path

from triage.escalate.tomlsource import SourceError, TomlSource
from triage.paths import responses_dir
from triage.playbook.playbook import (
    KNOWN_PLACEHOLDERS,
    PHASES,
    PLACEHOLDER,
    REQUIRED_TOPICS,
    Playbook,
    PlaybookError,
)
from triage.playbook.voice import VOICE_KEYS

_SAMPLE_LEN = 24  # a placeholder without a declared length is assumed this long


def check_folder(folder: Path | str | None = None) -> list[SourceError]:
    """All problems found, in file order; an empty list means the playbook is fine."""
    folder = Path(folder) if folder else responses_dir()
    problems: list[SourceError] = []
    sources: dict[str, TomlSource | None] = {}
    for name in ("playbook.toml", "voices.toml", "holding.toml"):
        path = folder / name
        if not path.is_file():
            if name == "playbook.toml":
                problems.append(SourceError(path, 0, "missing; every playbook needs one"))
            sources[name] = None
            continue
        try:
            sources[name] = TomlSource.read(path)
        except SourceError as exc:
            problems.append(exc)
            sources[name] = None
    main = sources["playbook.toml"]
    if main is None:
        return problems
    try:
        book = Playbook.from_sources(main, sources["voices.toml"], sources["holding.toml"])
    except PlaybookError as exc:
        problems.append(SourceError(main.path, _line_of(str(exc)), str(exc).split(": ", 1)[-1]))
        return problems
    known = set(KNOWN_PLACEHOLDERS) | set(book.values) | set(book.placeholder_lengths)
    problems += _check_drafts(main, book, known)
    problems += _check_topics(main, book)
    if sources["voices.toml"] is not None:
        problems += _check_voices(sources["voices.toml"])
    if sources["holding.toml"] is not None:
        problems += _check_holding(sources["holding.toml"], book, known)
    return sorted(problems, key=lambda p: (str(p.path), p.line))


def _line_of(message: str) -> int:
    parts = message.split(":")
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0


def _sample_length(book: Playbook, template: str) -> int:
    """Length of a template with every placeholder at its longest expected value."""
    total = len(PLACEHOLDER.sub("", template))
    for name in PLACEHOLDER.findall(template):
        if name in book.placeholder_lengths:
            total += book.placeholder_lengths[name]
        elif name in book.values:
            total += len(book.values[name])
        else:
            total += _SAMPLE_LEN
    return total


def _check_drafts(src: TomlSource, book: Playbook, known: set[str]) -> list[SourceError]:
    out = []
    for label, topics in book.drafts.items():
        for topic, ds in topics.items():
            table_line = src.table_line(f"drafts.{label}.{topic}")
            if not ds.variants:
                out.append(src.error(table_line, f"drafts.{label}.{topic} has no variants"))
            channels = ds.channels or tuple(book.channels)
            for ch in channels:
                if ch not in book.channels:
                    out.append(src.error(src.key_in_table(f"drafts.{label}.{topic}", "channels"),
                                         f"drafts.{label}.{topic}: unknown channel {ch!r}; "
                                         f"known: {', '.join(book.channels)}"))
            for template in ds.variants:
                line = src.value_line(template, table_line - 1) or table_line
                for name in PLACEHOLDER.findall(template):
                    if name not in known:
                        out.append(src.error(line, f"unknown placeholder {{{name}}} in "
                                             f"drafts.{label}.{topic}; known: "
                                             f"{', '.join(sorted(known))}"))
                if not ds.engage:
                    continue
                size = _sample_length(book, template)
                for ch in channels:
                    limit = book.channels.get(ch)
                    if limit is not None and size > limit:
                        out.append(src.error(line, f"drafts.{label}.{topic}: a variant can "
                                             f"reach {size} characters, over the {ch} limit "
                                             f"of {limit}; shorten it"))
    return out


def _check_topics(src: TomlSource, book: Playbook) -> list[SourceError]:
    out = []
    for label, required in REQUIRED_TOPICS.items():
        have = book.drafts.get(label, {})
        for topic in required:
            if topic not in have:
                line = (src.key_in_table(f"topics.{label}", topic)
                        if any(t == topic for t, _ in book.topic_rules.get(label, []))
                        else src.table_line(f"drafts.{label}")
                        if label in book.drafts else max(1, len(src.lines)))
                out.append(src.error(line, f"class {label!r} has no draft for topic "
                                     f"{topic!r}; add [drafts.{label}.{topic}]"))
    for label, rules in book.topic_rules.items():
        if label not in REQUIRED_TOPICS:
            out.append(src.error(src.table_line(f"topics.{label}"),
                                 f"unknown class {label!r}; use complaint, engagement or troll"))
            continue
        for topic, _regex in rules:
            if topic not in book.drafts.get(label, {}) and topic not in REQUIRED_TOPICS[label]:
                out.append(src.error(src.key_in_table(f"topics.{label}", topic),
                                     f"topic rule {label}.{topic} has no draft; add "
                                     f"[drafts.{label}.{topic}] or remove the rule"))
    for label in book.drafts:
        if label not in REQUIRED_TOPICS:
            out.append(src.error(src.table_line(f"drafts.{label}"),
                                 f"unknown class {label!r}; use complaint, engagement or troll"))
    return out


def _check_voices(src: TomlSource) -> list[SourceError]:
    out = []
    for key, table in src.data.items():
        if not isinstance(table, dict):
            out.append(src.error(src.key_line(key), f"voice {key!r} must be a table"))
            continue
        for field in table:
            if field not in VOICE_KEYS:
                out.append(src.error(src.key_in_table(key, field),
                                     f"voice {key!r} has no setting {field!r}; known: "
                                     f"{', '.join(sorted(VOICE_KEYS))}"))
        for field in ("emoji", "exclamations", "leader"):
            if field in table and not isinstance(table[field], bool):
                out.append(src.error(src.key_in_table(key, field),
                                     f"voice {key!r}: {field} must be true or false"))
        if "avoid" in table and not (isinstance(table["avoid"], list)
                                     and all(isinstance(w, str) for w in table["avoid"])):
            out.append(src.error(src.key_in_table(key, "avoid"),
                                 f"voice {key!r}: avoid must be a list of words"))
    return out


def _check_holding(src: TomlSource, book: Playbook, known: set[str]) -> list[SourceError]:
    out = []
    for kind, phases in src.data.items():
        if not isinstance(phases, dict):
            out.append(src.error(src.key_line(kind), f"{kind} must hold [[{kind}.<phase>]]"))
            continue
        for phase, entries in phases.items():
            line = src.table_line(f"{kind}.{phase}")
            if phase not in PHASES:
                out.append(src.error(line, f"unknown phase {phase!r}; use "
                                     f"{', '.join(PHASES)}"))
            if not isinstance(entries, list):
                out.append(src.error(line, f"write [[{kind}.{phase}]] entries"))
                continue
            versions: set[int] = set()
            for e in entries:
                text = str(e.get("text", ""))
                eline = src.value_line(text, line - 1) if text else line
                v = e.get("version")
                if not isinstance(v, int) or isinstance(v, bool) or v in versions:
                    out.append(src.error(eline or line, f"{kind}.{phase}: each statement "
                                         "needs a unique whole-number version"))
                else:
                    versions.add(v)
                if not text:
                    out.append(src.error(line, f"{kind}.{phase}: statement has no text"))
                for name in PLACEHOLDER.findall(text):
                    if name not in known:
                        out.append(src.error(eline or line, f"unknown placeholder {{{name}}} "
                                             f"in holding statement {kind}.{phase}"))
                size = _sample_length(book, text)
                for ch, limit in book.channels.items():
                    if size > limit:
                        out.append(src.error(eline or line, f"{kind}.{phase} v{v} can reach "
                                             f"{size} characters, over the {ch} limit of "
                                             f"{limit}"))
    return out
