"""The streams a team config asks for, each source with its own HTTP client.

Kept apart from the watch loop so that a fetch process (`triage.ingest.fetch_process`)
can build them without importing the classifier.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from triage.ingest import bluesky, mastodon
from triage.ingest.config import TeamConfig
from triage.ingest.http import HttpClient, Redactor
from triage.ingest.source import Stream


def build_streams(cfg: TeamConfig, sleep: Callable[[float], None] = time.sleep,
                  redact: Redactor | None = None) -> dict[str, list[Stream]]:
    """Streams per source name, each source with its own HTTP client.

    All clients share one Redactor, so a session token one of them learns is
    scrubbed from every message, whichever source produced it.
    """
    redact = redact or Redactor(cfg.secrets())
    out: dict[str, list[Stream]] = {}
    for src in cfg.sources:
        client = HttpClient(policy=cfg.http, redact=redact, sleep=sleep)
        module = mastodon if src.kind == "mastodon" else bluesky
        out[src.name] = list(module.streams(src, client))
    return out
