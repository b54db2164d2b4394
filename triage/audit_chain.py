"""The hash chain that makes the audit log tamper-evident.

Each entry's hash covers its own fields and the previous entry's hash, so an edited,
deleted or reordered row breaks the chain at a place `calmreply audit verify` can name.
"""

from __future__ import annotations

import hashlib
from typing import Any

from triage.jsontext import encoder

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor", "mention_id", "action", "before", "after", "detail")


# one encoder, made once (`triage.jsontext`)
_BODY = encoder(ensure_ascii=False, separators=(",", ":"))


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    return entry_hash_of(prev_hash, tuple(entry.get(f) for f in FIELDS))


def entry_hash_of(prev_hash: str, values: tuple[Any, ...]) -> str:
    """`entry_hash` of an entry given as its FIELDS' values, in order."""
    body = _BODY((prev_hash, *values))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
