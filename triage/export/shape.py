"""How one record looks on the way out: secrets always scrubbed, personal data when
redacting.  Every writer (Markdown, CSV, JSONL) goes through here, so no format can
forget a rule.

Works on the stored row (a dict) rather than a ``Mention``: the output is exactly
``Mention.to_record`` (or ``Mention.redacted(...).to_record``), without building and
deep-copying an object per mention.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from triage.export.records import ExportRecord, iso_from_db
from triage.export.redact import Redactor, may_hold_secret, scrub_secrets


def _raw(text: str | None) -> Any:
    """The stored raw payload, decoded, with secrets scrubbed (skipped when none can be)."""
    raw = json.loads(text or "{}")
    return scrub_secrets(raw) if text and may_hold_secret(text) else raw


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

    def mention_record(self, row: dict[str, Any]) -> dict[str, Any]:
        """The mention as ``Mention.to_record`` writes it (redacted: no raw payload)."""
        r = self.redactor
        if r is None:
            return {
                "platform": row["platform"], "platform_id": row["platform_id"],
                "text": scrub_secrets(row["text"]),
                "created_at": iso_from_db(row["created_at"]),
                "author_handle": row["author_handle"], "author_name": row["author_name"],
                "author_followers": row["author_followers"], "url": row["url"],
                "in_reply_to_id": row["in_reply_to_id"], "language": row["language"],
                "raw": _raw(row["raw"]), "source": row.get("source") or "",
                "author_created_at": iso_from_db(row.get("author_created_at")),
                "id": row["id"],
            }
        platform, reply_to = row["platform"], row["in_reply_to_id"]
        return {
            "platform": platform,
            "platform_id": r.pseudonym(f"{platform}:{row['platform_id']}", "post"),
            "text": r.text(scrub_secrets(row["text"])),
            "created_at": iso_from_db(row["created_at"]),
            "author_handle": r.pseudonym(row["author_handle"]) if row["author_handle"]
            else "",
            "author_name": "", "author_followers": row["author_followers"], "url": "",
            "in_reply_to_id": r.pseudonym(f"{platform}:{reply_to}", "post") if reply_to
            else None,
            "language": row["language"], "source": "", "author_created_at": None,
            "id": row["id"],
        }

    def audit_entry(self, entry: dict[str, Any]) -> dict[str, Any]:
        out = dict(entry)
        detail = out.get("detail")
        if detail and (self.redactor is not None or may_hold_secret(detail)):
            parsed = json.loads(detail)
            shaped = self.value(parsed)
            if shaped != parsed:
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
        triage = rec.triage
        if triage and self.redacting:
            triage = {**triage, "explanation": self.value(triage["explanation"])}
        row = rec.row
        return {
            "type": "mention",
            "mention": self.mention_record(row),
            "ingested_at": row["ingested_at"],
            "state": rec.state,
            "dismiss_reason": rec.dismiss_reason,
            "label": row["label"],
            "confidence": row["confidence"],
            "uncertain": bool(row["uncertain"]),
            "escalated": bool(row["escalated"]),
            "priority": row["priority"],
            "triage": triage,
            "flags": [{"kind": f.kind, "reason": self.text(f.reason)} for f in rec.flags],
            "drafts": [self.draft(d) for d in rec.drafts],
            "audit": [self.audit_entry(a) for a in rec.audit],
            "incidents": rec.incidents,
            "extra": self.value(rec.extra) if self.redacting else rec.extra,
        }
