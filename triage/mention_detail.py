"""Everything the detail pane shows about one mention, gathered in one call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from triage.approval import return_comment
from triage.mention import Mention
from triage.queue_query import incidents_of, replied_to
from triage.store import Store
from triage.verdict import Flag


@dataclass
class MentionDetail:
    mention: Mention
    state: str
    triage: dict[str, Any] | None
    flags: list[Flag]
    draft: dict[str, Any] | None
    claim_holder: str | None
    parent: Mention | None
    earlier: list[Mention] = field(default_factory=list)
    muted: bool = False
    returned: tuple[str, str] | None = None
    incidents: list[int] = field(default_factory=list)
    dismiss_reason: str | None = None

    @classmethod
    def load(cls, store: Store, mention_id: int, earlier_limit: int = 5) -> MentionDetail:
        """Primary-key and index lookups only, so it is cheap on every cursor move."""
        mention = store.get_mention(mention_id)
        state = store.state_of(mention_id).value
        reason = None
        if state == "dismissed":
            rows = store.query("SELECT dismiss_reason FROM mentions WHERE id = ?",
                               (mention_id,))
            reason = rows[0][0] if rows else None
        return cls(
            mention=mention, state=state, triage=store.triage_of(mention_id),
            flags=store.flags_of(mention_id), draft=store.latest_draft(mention_id),
            claim_holder=store.claim_holder(mention_id), parent=replied_to(store, mention),
            earlier=store.mentions_by_author(mention.platform, mention.author_handle,
                                             limit=earlier_limit, exclude_id=mention_id),
            muted=store.is_muted(mention.platform, mention.author_handle),
            returned=return_comment(store, mention_id) if state == "drafted" else None,
            incidents=incidents_of(store, mention_id), dismiss_reason=reason,
        )
