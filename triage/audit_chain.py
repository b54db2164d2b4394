"""The hash chain that makes the audit log tamper-evident.

Each entry's hash covers its own fields and the previous entry's hash, so an edited,
deleted or reordered row breaks the chain at a place `calmreply audit verify` can name.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor", "mention_id", "action", "before", "after", "detail")


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    body = json.dumps([prev_hash] + [entry.get(f) for f in FIELDS], ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
