"""One officer drafting one reply: the mention, the playbook's variants, the text so far.

`DraftSession` is what the drafting screen (and the queue's one-key submit) works on.
It asks the playbook for variants with the mention's flags, so threats and distress
get the playbook's do-not-reply guidance instead of a template, and with the leader's
voice when the mention is about a leader.  Limits, placeholders and tone findings all
come from `triage.playbook`, so the screen and `calmreply playbook check` agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from triage.escalate.policy import Policy
from triage.mention import Mention
from triage.playbook import Draft, Finding, Playbook, check_tone
from triage.playbook.playbook import PLACEHOLDER
from triage.playbook.voice import VoiceProfile
from triage.store import Store
from triage.verdict import Flag, Verdict

CARE_KINDS = ("threat", "distress")


@lru_cache(maxsize=1)
def _policy() -> Policy:
    return Policy.load()


def care_guidance(kind: str) -> str:
    """The policy's guidance for a flag kind (distress: how to reach out with care)."""
    flag = _policy().flags.get(kind)
    return str(flag.params.get("guidance", "")) if flag is not None else ""


def verdict_of(triage: dict | None) -> Verdict | None:
    """The stored triage row as a `Verdict` (None for an untriaged mention)."""
    if not triage:
        return None
    return Verdict(triage["label"], triage["probabilities"], triage["model_version"],
                   bool(triage.get("uncertain")), tuple(triage.get("explanation") or ()))


def leader_voice(playbook: Playbook, flags: list[Flag]) -> VoiceProfile | None:
    """The voice profile of the leader a `leader` flag names, if the playbook has one."""
    for flag in flags:
        if flag.kind != "leader":
            continue
        reason = flag.reason.lower()
        for profile in playbook.voices.values():
            if profile.leader and any(
                    n and n.lower().lstrip("@") in reason
                    for n in (profile.name, profile.key, *profile.handles)):
                return profile
    return None


@dataclass
class DraftSession:
    """A reply being drafted: variant choice, current text, and what it still needs."""

    mention: Mention
    playbook: Playbook
    variants: list[Draft]
    flags: list[Flag] = field(default_factory=list)
    label: str | None = None
    voice: VoiceProfile | None = None
    index: int = 0
    text: str = ""

    @classmethod
    def open(cls, store: Store, playbook: Playbook, mention_id: int,
             text: str | None = None) -> DraftSession:
        """Start from `text` (e.g. a returned draft) or the playbook's first variant."""
        mention = store.get_mention(mention_id)
        verdict = verdict_of(store.triage_of(mention_id))
        flags = store.flags_of(mention_id)
        voice = leader_voice(playbook, flags)
        variants = playbook.drafts_for(mention, verdict, flags=flags,
                                       voice=voice.key if voice else None)
        session = cls(mention, playbook, variants, flags,
                      verdict.label if verdict else None, voice)
        session.text = text if text is not None else session._start_text()
        return session

    def _start_text(self) -> str:
        """The variant's reply text; empty when the variant is an instruction not to
        engage (its text is guidance for the officer, never something to send)."""
        variant = self.variant
        return variant.text if variant is not None and variant.engage else ""

    # ---- what the playbook says -------------------------------------------------
    @property
    def variant(self) -> Draft | None:
        return self.variants[self.index] if self.variants else None

    @property
    def care_kind(self) -> str | None:
        """`threat` or `distress` when the playbook says: no brand reply at all."""
        kinds = {f.kind for f in self.flags}
        return next((k for k in CARE_KINDS if k in kinds), None)

    @property
    def guidance(self) -> list[str]:
        """What to do instead of replying: the playbook's instruction, then the policy's
        care guidance (for distress)."""
        kind = self.care_kind
        if kind is None:
            if self.variant is not None and not self.variant.engage:
                return [self.variant.text]  # e.g. a troll: "do not engage; monitor"
            return []
        lines = [self.variant.text] if self.variant is not None else []
        extra = care_guidance(kind)
        return lines + ([extra] if extra else [])

    @property
    def engage(self) -> bool:
        return self.variant is not None and self.variant.engage

    @property
    def limit(self) -> int | None:
        return self.playbook.limit_for(self.mention.platform)

    def next_variant(self) -> Draft | None:
        if not self.variants:
            return None
        self.index = (self.index + 1) % len(self.variants)
        self.text = self._start_text()
        return self.variant

    # ---- what the text still needs ----------------------------------------------
    @property
    def missing(self) -> list[str]:
        return sorted(set(PLACEHOLDER.findall(self.text)))

    def fill(self, name: str, value: str) -> None:
        self.text = self.text.replace("{" + name + "}", value)

    def findings(self, text: str | None = None) -> list[Finding]:
        """Calm-tone findings (length and unfilled placeholders included).

        Replying where the playbook advises not to engage (a troll) is itself a finding,
        so it can only go for approval with an override reason, which is audited.
        """
        body = self.text if text is None else text
        found = check_tone(body, self.mention.platform, self.voice, label=self.label,
                           limit=self.limit, playbook=self.playbook)
        if body.strip() and self.variants and not self.engage:
            found.insert(0, Finding(
                "do-not-engage", "the playbook advises not to engage here; a reply feeds "
                "the thread — give a reason to override", 0, 0, ""))
        return found

    def blockers(self) -> list[str]:
        """Why this text cannot go for approval at all (no override possible)."""
        text = self.text.strip()
        if self.care_kind:
            return [f"This mention is flagged {self.care_kind}: the playbook says no brand "
                    "reply; follow the guidance shown and escalate instead."]
        if not text:
            if self.variants and not self.engage:
                return ["The playbook advises not to engage: dismiss as not engaged (x)"
                        " instead, or write a reply and give a reason."]
            return ["The draft is empty."]
        if any(text == v.text.strip() for v in self.variants if not v.engage):
            return ["That is the playbook's instruction, not a reply."]
        out = []
        if self.missing:
            out.append("Fill the placeholders first (ctrl+f): " + ", ".join(self.missing))
        if self.limit is not None and len(text) > self.limit:
            out.append(f"The reply is {len(text) - self.limit} characters over the "
                       f"{self.mention.platform} limit of {self.limit}.")
        return out
