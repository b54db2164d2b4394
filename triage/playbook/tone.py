"""The calm-tone check: what in a draft could make a reply read as defensive or heated.

Every finding names its kind, explains itself in one sentence and points at the words
(`start`/`end` into the draft), so the TUI can underline them while the officer types.
A draft with findings can still go for approval, but only with an explicit override
reason, which the store records with the draft and the audit log.

Kinds: defensive, blame, sarcasm, argue, all-caps, exclamation, emoji, forbidden
(promises the policy forbids: liability, guaranteed refunds), amount (a money figure),
private-data, length, placeholder (an unfilled ``{name}``), voice (a word the
speaker's voice profile avoids).  Phrase lists live in ``[tone]`` of the policy.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from triage.escalate.policy import Policy
from triage.escalate.rules import ADDRESS, EMAIL, PHONE
from triage.playbook.playbook import DEFAULT_LIMITS, PLACEHOLDER, Playbook
from triage.playbook.voice import EMOJI, VoiceProfile

_CAPS = re.compile(r"\b[A-Z][A-Z']{2,}\b")
_ACRONYMS = frozenset({"CEO", "ORR", "ICO", "GDPR", "FAQ", "URL", "ETA", "API", "NHS", "UK",
                       "USA", "EU", "PDF", "SMS", "ID", "ATM", "BBC", "ITV", "ASAP", "TFL",
                       "OK", "AM", "PM", "WIFI", "QR", "NW"})
_BANGS = re.compile(r"!{2,}|\?!+|!\?+")
_AMOUNT = re.compile(r"(?:[£$€]\s?\d[\d,]*(?:\.\d{1,2})?|\b\d[\d,]*(?:\.\d{1,2})?\s?"
                     r"(?:pounds|quid|dollars|euros|gbp|usd|eur)\b)", re.I)

_MESSAGES = {
    "defensive": "'{w}' sounds defensive; state the facts and what happens next without it",
    "blame": "'{w}' puts the blame on the customer; say what we will do instead",
    "sarcasm": "'{w}' can read as sarcasm; keep the reply literal and warm",
    "argue": "'{w}' argues the point; with a troll that feeds the thread, and with "
             "anyone it escalates — point to the facts instead",
    "forbidden": "'{w}' is a promise or admission the policy does not allow in public; "
                 "leave it to the refunds or legal team",
    "voice": "'{w}' is on {voice}'s list of words to avoid",
}


@dataclass(frozen=True)
class Finding:
    """One problem in a draft, pointing at `text[start:end]`."""

    kind: str
    message: str
    start: int
    end: int
    words: str

    def to_dict(self) -> dict:
        return asdict(self)


def _phrase_pattern(phrase: str) -> str:
    """Case-insensitive phrase; apostrophes optional ("youre" finds "you're")."""
    words = phrase.split()
    parts = []
    for word in words:
        letters = word.replace("'", "").replace("’", "")
        parts.append("['’]?".join(re.escape(c) for c in letters))
    body = r"\s+".join(parts)
    start = r"(?<!\w)" if phrase[:1].isalnum() else ""
    end = r"(?!\w)" if phrase[-1:].isalnum() else ""
    return start + body + end


@lru_cache(maxsize=64)
def _compile(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    cleaned = sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    return re.compile("|".join(_phrase_pattern(p) for p in cleaned), re.I)


@lru_cache(maxsize=1)
def _default_policy() -> Policy:
    return Policy.load()


@lru_cache(maxsize=1)
def _default_playbook() -> Playbook:
    return Playbook.load()


def check_tone(text: str, channel: str | None = None, voice: VoiceProfile | str | None = None,
               policy: Policy | None = None, *, label: str | None = None,
               limit: int | None = None, playbook: Playbook | None = None) -> list[Finding]:
    """Review a draft; returns findings in text order (empty means calm).

    `channel` sets the length limit (Mastodon 500, Bluesky 300, or the playbook's);
    `voice` is a profile or a leader's name/handle; `label` is the mention's class
    (arguing is called out more firmly for trolls).
    """
    policy = policy or _default_policy()
    tone = policy.tone
    if isinstance(voice, str):
        voice = (playbook or _default_playbook()).voice(voice)
    findings: list[Finding] = []

    def add(kind: str, m: re.Match[str], message: str) -> None:
        findings.append(Finding(kind, message, m.start(), m.end(), m.group(0)))

    for kind in ("defensive", "blame", "sarcasm", "argue", "forbidden"):
        regex = _compile(tuple(tone.get(kind, ())))
        if regex is None:
            continue
        for m in regex.finditer(text):
            msg = _MESSAGES[kind].format(w=m.group(0))
            if kind == "argue" and label == "troll":
                msg = f"'{m.group(0)}' argues with a troll; do not debate, point to the facts"
            add(kind, m, msg)
    if voice is not None and voice.avoid:
        regex = _compile(tuple(voice.avoid))
        for m in regex.finditer(text) if regex else ():
            add("voice", m, _MESSAGES["voice"].format(w=m.group(0), voice=voice.name))
    for m in _CAPS.finditer(text):
        if m.group(0).replace("'", "") not in _ACRONYMS:
            add("all-caps", m, f"'{m.group(0)}' in capitals reads as shouting; use normal case")
    max_bangs = int(tone.get("max_exclamations", 1))
    if voice is not None and not voice.exclamations:
        max_bangs = 0
    bangs = list(re.finditer(r"!", text))
    runs = list(_BANGS.finditer(text))
    for m in runs:
        add("exclamation", m, f"'{m.group(0)}' is an exclamation run; one calm full stop "
                              "reads better")
    if len(bangs) > max_bangs and not runs:
        who = f"{voice.name}'s voice uses none" if voice is not None and not \
            voice.exclamations else f"the policy allows {max_bangs}"
        for m in bangs[max_bangs:]:
            add("exclamation", m, f"an exclamation mark here; {who}")
    if voice is not None and not voice.emoji:
        for m in EMOJI.finditer(text):
            add("emoji", m, f"emoji '{m.group(0)}': {voice.name}'s voice does not use emoji")
    if tone.get("forbid_amounts", True):
        for m in _AMOUNT.finditer(text):
            add("amount", m, f"'{m.group(0)}' names a money amount; refunds and compensation "
                             "are never promised in a public reply")
    own = policy.own_domains
    for m in EMAIL.finditer(text):
        domain = m.group(1).lower()
        if not any(domain == d or domain.endswith("." + d) for d in own):
            add("private-data", m, f"'{m.group(0)}' is an email address; never post personal "
                                   "contact details — ask them to message privately")
    for regex, what in ((PHONE, "a phone number"), (ADDRESS, "a street address")):
        for m in regex.finditer(text):
            add("private-data", m, f"'{m.group(0)}' looks like {what}; keep personal details "
                                   "out of public replies")
    for m in PLACEHOLDER.finditer(text):
        add("placeholder", m, f"{m.group(0)} is not filled in; replace it before sending")
    if limit is None and channel:
        limits = (playbook.channels if playbook else DEFAULT_LIMITS)
        limit = limits.get(channel)
    if limit is not None and len(text) > limit:
        findings.append(Finding("length", f"{len(text)} characters, over the {channel or ''} "
                                f"limit of {limit}; cut {len(text) - limit}".replace("  ", " "),
                                limit, len(text), text[limit:]))
    findings.sort(key=lambda f: (f.start, f.end, f.kind))
    return findings
