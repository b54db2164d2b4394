"""Per-mention flag rules: keywords, leaders, press handles, personal data and reach.

Each rule is compiled once from the policy (one alternation regex per flag kind) and
then answers for a `Document` in a single regex pass; negation and quoting are only
examined when something matched.  Most posts match no phrase at all, so one combined
prefilter over a cheaply normalised copy of the text (`loose_words`) decides first
whether building the `Document` is worth it: it finds every post any phrase rule could
match, look-alikes and spacing tricks included.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from triage.escalate.policy import KEYWORD_KINDS, FlagPolicy, Policy
from triage.escalate.prefilter import Prefilter
from triage.escalate.textmatch import Document, fold, phrase_regex
from triage.mention import Mention
from triage.verdict import Flag


def followers_text(n: int) -> str:
    """182000 -> '182k', 1250000 -> '1.2M' (how officers talk about reach)."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M".replace(".0M", "M")
    if n >= 10_000:
        return f"{n // 1000}k"
    return f"{n:,}"


def handle_regex(handles: list[str]) -> re.Pattern[str] | None:
    """Handles such as '@danaokafor' or 'dana.bsky.social', matched on folded text."""
    alts = sorted({fold(h).lstrip("@") for h in handles if h.strip()}, key=len, reverse=True)
    if not alts:
        return None
    return re.compile(r"(?<![\w.])@?(?:" + "|".join(map(re.escape, alts)) + r")(?![\w])")


@dataclass
class KeywordRule:
    """A phrase list for one flag kind, with its negation and quoting settings."""

    policy: FlagPolicy
    regex: re.Pattern[str] | None
    negation_window: int
    exceptions: re.Pattern[str] | None = None

    @classmethod
    def build(cls, policy: FlagPolicy, negation_window: int) -> KeywordRule:
        return cls(policy, phrase_regex(list(policy.phrases)),
                   negation_window if policy.negatable else 0,
                   phrase_regex(list(policy.params.get("except", []))))

    def check(self, doc: Document) -> Flag | None:
        if self.regex is None:
            return None
        spans: list[tuple[int, int]] | None = None
        for m in self.regex.finditer(doc.text):
            if self.exceptions is not None:
                if spans is None:
                    spans = [e.span() for e in self.exceptions.finditer(doc.text)]
                if any(a <= m.start() and m.end() <= b for a, b in spans):
                    continue
            hit = doc.hit(m, self.negation_window)
            if hit.negated or (hit.quoted and self.policy.quoted == "ignore"):
                continue
            return Flag(self.policy.kind,
                        f"matched '{hit.phrase}'" + (" (inside a quotation)" if hit.quoted else ""))
        return None


# not preceded by "@": "@name@instance.social" is a fediverse handle, not an email
EMAIL = re.compile(r"(?<![@\w.+-])[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_EMAIL_OBFUSCATED = re.compile(
    r"\b[\w.+-]+\s*[\[(]\s*at\s*[\])]\s*[\w-]+\s*(?:[\[(]\s*dot\s*[\])]|\bdot\b|\.)\s*\w+", re.I)
PHONE = re.compile(r"(?<![\w+])\+?\d(?:[\s().-]{0,2}\d){8,14}(?!\w)")
ADDRESS = re.compile(
    r"\b\d{1,4}[a-z]?,?\s+(?:[a-z][a-z'-]+\s+){1,3}(?:street|st|road|rd|avenue|ave|lane|ln|"
    r"drive|dr|close|way|crescent|terrace|place|gardens|grove|square|mews|court)\b", re.I)


@dataclass
class PersonalDataRule:
    """Doxxing: contact details or a home address next to a person or a doxxing cue.

    A customer who gives their own number ("call me on ...") is not flagged; a number
    posted beside a leader's name or "her number is" is.
    """

    cues: re.Pattern[str] | None
    own_domains: tuple[str, ...]

    def check(self, raw: str, doc: Document | None, leader_hit: str | None) -> Flag | None:
        """`doc` is None when the prefilter already ruled out every cue."""
        # the context decides first: most posts have no cue and no leader, so the
        # contact-detail patterns never run for them
        cue = self.cues.search(doc.text) if self.cues and doc is not None else None
        if cue is None and not leader_hit:
            return None
        found = self.contact_details(raw)
        if found is None:
            return None
        if cue:
            return Flag("personal-data", f"{found} posted with '{cue.group(0)}'")
        return Flag("personal-data", f"{found} posted next to {leader_hit}")

    def contact_details(self, raw: str) -> str | None:
        """What kind of contact detail the text contains (brand addresses excepted)."""
        text = unicodedata.normalize("NFKC", raw)
        if "@" in text:
            for m in EMAIL.finditer(text):
                domain = m.group(1).lower()
                if not any(domain == d or domain.endswith("." + d) for d in self.own_domains):
                    return "an email address"
        if ("[" in text or "(" in text) and _EMAIL_OBFUSCATED.search(text):
            return "an email address"
        if PHONE.search(text):
            return "a phone number"
        if ADDRESS.search(text):
            return "a street address"
        return None


@dataclass
class Rules:
    """Everything that can be decided from one mention alone."""

    keyword: list[KeywordRule]
    leader_names: re.Pattern[str] | None
    leader_lookup: dict[str, str]
    leader_handles: re.Pattern[str] | None
    press_handles: re.Pattern[str] | None
    personal: PersonalDataRule
    reach_threshold: int
    # which of the keyword kinds, "leader" (names) and "cue" could match a post
    prefilter: Prefilter | None = None
    press_handle_set: frozenset[str] = frozenset()
    handle_needles: tuple[str, ...] = ()

    @classmethod
    def build(cls, policy: Policy) -> Rules:
        lookup: dict[str, str] = {}
        names: list[str] = []
        handles: list[str] = []
        for leader in policy.leaders:
            label = leader.name + (f", {leader.role}" if leader.role else "")
            for n in (leader.name, *leader.aliases):
                names.append(n)
                lookup[" ".join(Document(n).text.split())] = label
            for h in leader.handles:
                handles.append(h)
                lookup[fold(h).lstrip("@")] = label
        pd = policy.flags["personal-data"]
        cues = list(pd.params.get("cues", []))
        return cls(
            keyword=[KeywordRule.build(policy.flags[k], policy.negation_window)
                     for k in KEYWORD_KINDS],
            leader_names=phrase_regex(names), leader_lookup=lookup,
            leader_handles=handle_regex(handles),
            press_handles=handle_regex(list(policy.flags["press"].handles)),
            personal=PersonalDataRule(phrase_regex(cues), policy.own_domains),
            reach_threshold=int(policy.flags["reach"].params.get("threshold", 100_000)),
            prefilter=Prefilter.build({**{k: policy.flags[k].phrases for k in KEYWORD_KINDS},
                                       "leader": names, "cue": cues}),
            press_handle_set=frozenset(fold(h).lstrip("@")
                                       for h in policy.flags["press"].handles if h.strip()),
            # a handle regex can only match where the handle's text occurs
            handle_needles=tuple({fold(h).lstrip("@") for h in
                                  (*handles, *policy.flags["press"].handles) if h.strip()}),
        )

    def check(self, mention: Mention) -> list[Flag]:
        text = mention.text
        folded = fold(text)
        groups, may_join = (self.prefilter.check(text, folded) if self.prefilter is not None
                            else (self.prefilter_everything, True))
        flags: dict[str, Flag] = {}
        doc = Document(text, may_join=may_join, folded=folded) if groups else None
        if doc is not None:
            for rule in self.keyword:
                if rule.policy.kind in groups:
                    flag = rule.check(doc)
                    if flag:
                        flags[flag.kind] = flag
        tagged = any(n in folded for n in self.handle_needles)
        if "press" not in flags and self.press_handles:
            m = self.press_handles.search(folded) if tagged else None
            if m:
                flags["press"] = Flag("press", f"tags press account '{m.group(0)}'")
            elif self._on_press_list(mention.author_handle):
                flags["press"] = Flag("press",
                                      f"author {mention.author_handle} is on the press list")
        leader_hit = None
        if self.leader_handles and tagged:
            m = self.leader_handles.search(folded)
            if m:
                who = self.leader_lookup.get(m.group(0).lstrip("@"), m.group(0))
                leader_hit = who
                flags["leader"] = Flag("leader", f"tags {m.group(0)} ({who})")
        if leader_hit is None and self.leader_names and doc is not None and "leader" in groups:
            m = self.leader_names.search(doc.text)
            if m:
                leader_hit = self.leader_lookup.get(m.group(0), m.group(0))
                said = m.group(0)
                flags["leader"] = Flag("leader", f"names {leader_hit}" + (
                    "" if leader_hit.lower().startswith(said) else f" (as '{said}')"))
        if leader_hit or "cue" in groups:
            pd = self.personal.check(text, doc if "cue" in groups else None, leader_hit)
            if pd:
                flags["personal-data"] = pd
        if mention.author_followers >= self.reach_threshold:
            flags["reach"] = Flag("reach", f"author has {followers_text(mention.author_followers)}"
                                  f" followers (threshold {followers_text(self.reach_threshold)})")
        return list(flags.values())

    @property
    def prefilter_everything(self) -> frozenset[str]:
        return frozenset((*KEYWORD_KINDS, "leader", "cue"))

    def _on_press_list(self, handle: str) -> bool:
        """`press_handles.fullmatch(fold(handle))`, without the regex for most authors."""
        if not handle or not self.press_handles:
            return False
        key = fold(handle)
        if key.lstrip("@") not in self.press_handle_set:
            return False
        return self.press_handles.fullmatch(key) is not None
