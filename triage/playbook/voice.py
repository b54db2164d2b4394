"""Voice profiles: how a reply sounds for the brand account and for each leader.

A leader's words carry more personal weight than the brand's, so each leader gets a
profile (tone, words to avoid, sign-off, emoji and exclamation policy) that drafts
follow and the calm-tone check enforces.  Profiles live in ``responses/voices.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f1e6-\U0001f1ff]+")
VOICE_KEYS = {"name", "leader", "handles", "tone", "avoid", "sign_off", "emoji", "exclamations"}


@dataclass(frozen=True)
class VoiceProfile:
    key: str
    name: str
    leader: bool = False
    handles: tuple[str, ...] = ()
    tone: str = ""
    avoid: tuple[str, ...] = ()
    sign_off: str = ""
    emoji: bool = False
    exclamations: bool = False

    @classmethod
    def from_table(cls, key: str, table: dict) -> VoiceProfile:
        return cls(key=key, name=str(table.get("name", key)), leader=bool(table.get("leader")),
                   handles=tuple(map(str, table.get("handles", []))),
                   tone=str(table.get("tone", "")),
                   avoid=tuple(map(str, table.get("avoid", []))),
                   sign_off=str(table.get("sign_off", "")),
                   emoji=bool(table.get("emoji", False)),
                   exclamations=bool(table.get("exclamations", False)))

    def matches(self, name: str) -> bool:
        key = name.lower().lstrip("@")
        return key in (self.key.lower(), self.name.lower(),
                       *(h.lower().lstrip("@") for h in self.handles))

    def apply(self, text: str, limit: int | None = None) -> str:
        """Make a template follow this voice: emoji, exclamations, sign-off."""
        if not self.emoji:
            text = re.sub(r"\s{2,}", " ", EMOJI.sub("", text)).strip()
        if not self.exclamations:
            text = re.sub(r"!+", ".", text).replace("..", ".")
        if self.sign_off and not text.endswith(self.sign_off):
            signed = f"{text} {self.sign_off}"
            if limit is None or len(signed) <= limit:
                text = signed
        return text


BRAND = VoiceProfile("brand", "brand")
