"""What the drafting screen asks while the officer types: variants, tone, limits.

This is a thin adapter over the playbook package so the UI does not depend on how the
playbook is organised: it uses the playbook's own `check_tone` and channel limits when
they exist and a small conservative fallback otherwise.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from triage.mention import Mention
from triage.verdict import Verdict

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
DEFAULT_LIMITS = {"mastodon": 500, "bluesky": 300, "twitter": 280}
FALLBACK_LIMIT = 500


@dataclass(frozen=True, slots=True)
class ToneFinding:
    """One thing in a draft that is not calm, with a reason an officer can read."""

    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


def verdict_of(triage: dict[str, Any] | None) -> Verdict | None:
    if not triage:
        return None
    return Verdict(triage["label"], triage["probabilities"], triage["model_version"],
                   bool(triage.get("uncertain")), tuple(triage.get("explanation") or ()))


def variants(playbook: Any, mention: Mention, triage: dict[str, Any] | None,
             flags: list[Any] | None = None) -> list[Any]:
    """The playbook's drafts for this mention (objects with .key, .text, .engage).

    Flags are passed when the playbook takes them (threat and distress get no template).
    """
    verdict = verdict_of(triage)
    if flags:
        try:
            return list(playbook.drafts_for(mention, verdict, flags=flags))
        except TypeError:
            pass
    return list(playbook.drafts_for(mention, verdict))


def missing_placeholders(text: str) -> list[str]:
    return sorted(set(_PLACEHOLDER.findall(text)))


def fill_placeholder(text: str, name: str, value: str) -> str:
    return text.replace("{" + name + "}", value)


def channel_limit(playbook: Any, platform: str) -> int:
    for attr in ("channel_limit", "limit_for"):
        fn = getattr(playbook, attr, None)
        if callable(fn):
            try:
                value = fn(platform)
            except Exception:  # noqa: BLE001 - unknown channel: use our defaults
                break
            if value:
                return int(value)
            break
    limits = getattr(playbook, "channel_limits", None)
    if isinstance(limits, dict) and platform in limits:
        return int(limits[platform])
    return DEFAULT_LIMITS.get(platform, FALLBACK_LIMIT)


def _as_finding(obj: Any) -> ToneFinding:
    if isinstance(obj, ToneFinding):
        return obj
    if dataclasses.is_dataclass(obj):
        data = dataclasses.asdict(obj)  # type: ignore[arg-type]
    elif isinstance(obj, dict):
        data = obj
    else:
        return ToneFinding("tone", str(obj))
    code = str(data.get("kind") or data.get("code") or data.get("rule") or "tone")
    message = str(data.get("message") or data.get("reason") or data.get("explanation")
                  or code)
    return ToneFinding(code, message)


def check_tone(text: str, mention: Mention | None = None, label: str | None = None,
               playbook: Any = None) -> list[ToneFinding]:
    """Calm-tone findings for a draft, from the playbook's checker when it exists.

    The length limit is left to the caller (the drafting screen shows it separately).
    """
    try:
        from triage.playbook import check_tone as playbook_check  # type: ignore[attr-defined]
    except ImportError:
        return _fallback_tone(text)
    channel = mention.platform if mention is not None else None
    try:
        found = playbook_check(text, channel, label=label,
                               playbook=playbook if hasattr(playbook, "voice") else None)
    except TypeError:
        found = playbook_check(text)
    return [_as_finding(f) for f in found]


_HEATED = re.compile(r"\b(calm down|obviously|actually|you people|wrong|lies|liar|"
                     r"ridiculous|nonsense)\b", re.IGNORECASE)


def _fallback_tone(text: str) -> list[ToneFinding]:
    found: list[ToneFinding] = []
    if "!!" in text or text.count("!") > 1:
        found.append(ToneFinding("exclamation", "more than one exclamation mark reads as"
                                                " agitated"))
    shouting = [w for w in re.findall(r"\b[A-Z]{4,}\b", text)]
    if shouting:
        found.append(ToneFinding("shouting", f"capitals read as shouting: {shouting[0]}"))
    hit = _HEATED.search(text)
    if hit:
        found.append(ToneFinding("heated", f"'{hit.group(0)}' can sound dismissive or"
                                           " combative"))
    return found
