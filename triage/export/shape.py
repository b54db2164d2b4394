"""How one record looks on the way out: secrets always scrubbed, personal data when
redacting.  Every writer (Markdown, CSV, JSONL) goes through here, so no format can
forget a rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from triage.export.records import ExportRecord
from triage.export.redact import Redactor, scrub_secrets
from triage.mention import Mention


@dataclass(frozen=True, slots=True)
class Shaper:
    redactor: Redactor | None = None

    @property
    def redacting(self) -> bool:
        return self.redactor is not None

    def text(self, text: str | None) -> str:
        if not text:
            return text or ""
        text = scrub_secrets(text)
        return self.redactor.text(text) if self.redactor else text

    def value(self, value: Any) -> Any:
        value = scrub_secrets(value)
        return self.redactor.value(value) if self.redactor else value

    def handle(self, handle: str) -> str:
        return self.redactor.pseudonym(handle) if self.redactor else handle

    def mention(self, m: Mention) -> Mention:
        """The Mention to render (its own ``to_record`` does the rendering)."""
        m = replace(m, text=scrub_secrets(m.text), raw=scrub_secrets(m.raw))
        if self.redactor is None:
            return m
        r = self.redactor
        return m.redacted(handle=r.pseudonym, post=lambda v: r.pseudonym(v, "post"),
                          scrub=r.text)

    def mention_record(self, m: Mention) -> dict[str, Any]:
        return self.mention(m).to_record(include_raw=not self.redacting)

    def audit_entry(self, entry: dict[str, Any]) -> dict[str, Any]:
        out = dict(entry)
        if out.get("detail"):
            detail = json.loads(out["detail"])
            shaped = self.value(detail)
            if shaped != detail:
                out["detail"] = json.dumps(shaped, ensure_ascii=False, sort_keys=True)
        for key in ("before", "after"):
            if out.get(key):
                out[key] = self.text(out[key])
        return out

    def draft(self, d: dict[str, Any]) -> dict[str, Any]:
        out = {k: (self.text(v) if isinstance(v, str) and k in ("text", "override_reason")
                   else v) for k, v in d.items()}
        if "findings" in out:
            out["findings"] = self.value(out["findings"])
        return out

    def record(self, rec: ExportRecord) -> dict[str, Any]:
        """The full JSONL form of one mention (everything, including its audit trail)."""
        triage = dict(rec.triage) if rec.triage else None
        if triage and self.redacting:
            triage["explanation"] = self.value(triage["explanation"])
        return {
            "type": "mention",
            "mention": self.mention_record(rec.mention),
            "ingested_at": rec.ingested_at,
            "state": rec.state,
            "dismiss_reason": rec.dismiss_reason,
            "label": rec.label,
            "confidence": rec.confidence,
            "uncertain": rec.uncertain,
            "escalated": rec.escalated,
            "priority": rec.priority,
            "triage": triage,
            "flags": [{"kind": f.kind, "reason": self.text(f.reason)} for f in rec.flags],
            "drafts": [self.draft(d) for d in rec.drafts],
            "audit": [self.audit_entry(a) for a in rec.audit],
            "incidents": rec.incidents,
            "extra": self.value(rec.extra) if self.redacting else rec.extra,
        }
