"""Typed messages the UI posts when the officer acts: tests and screens listen for them."""

from __future__ import annotations

from textual.message import Message


class MentionAction(Message):
    """Base for everything done to one mention."""

    def __init__(self, mention_id: int, actor: str) -> None:
        super().__init__()
        self.mention_id = mention_id
        self.actor = actor


class DraftSubmitted(MentionAction):
    def __init__(self, mention_id: int, actor: str, draft_id: int) -> None:
        super().__init__(mention_id, actor)
        self.draft_id = draft_id


class DraftApproved(MentionAction):
    pass


class MentionDismissed(MentionAction):
    def __init__(self, mention_id: int, actor: str, reason: str) -> None:
        super().__init__(mention_id, actor)
        self.reason = reason


class MentionRelabelled(MentionAction):
    def __init__(self, mention_id: int, actor: str, label: str) -> None:
        super().__init__(mention_id, actor)
        self.label = label


class ActionRefused(MentionAction):
    """The core refused an action (illegal transition, four-eyes); `reason` says why."""

    def __init__(self, mention_id: int, actor: str, reason: str) -> None:
        super().__init__(mention_id, actor)
        self.reason = reason


class DraftReturned(MentionAction):
    """A leader sent a draft back to its drafter with a comment."""

    def __init__(self, mention_id: int, actor: str, comment: str) -> None:
        super().__init__(mention_id, actor)
        self.comment = comment


class ReplySent(MentionAction):
    def __init__(self, mention_id: int, actor: str, via: str) -> None:
        super().__init__(mention_id, actor)
        self.via = via


class MentionClaimed(MentionAction):
    pass


class ClaimRefused(MentionAction):
    """Someone else holds the mention; `holder` says who."""

    def __init__(self, mention_id: int, actor: str, holder: str) -> None:
        super().__init__(mention_id, actor)
        self.holder = holder


class AuthorMuted(MentionAction):
    def __init__(self, mention_id: int, actor: str, handle: str) -> None:
        super().__init__(mention_id, actor)
        self.handle = handle


class MentionEscalated(MentionAction):
    pass


class BulkApplied(Message):
    """One bulk action (dismiss, relabel) applied to several mentions after confirmation."""

    def __init__(self, action: str, mention_ids: list[int], actor: str, value: str) -> None:
        super().__init__()
        self.action = action
        self.mention_ids = mention_ids
        self.actor = actor
        self.value = value


class QueueChanged(Message):
    """The queue was re-read: `new_mentions` arrived since the last read."""

    def __init__(self, new_mentions: int, total: int) -> None:
        super().__init__()
        self.new_mentions = new_mentions
        self.total = total


class FilterChanged(Message):
    def __init__(self, description: str, total: int) -> None:
        super().__init__()
        self.description = description
        self.total = total


class ToneChecked(MentionAction):
    """The live calm-tone check ran on the draft being edited; `kinds` of its findings."""

    def __init__(self, mention_id: int, actor: str, kinds: tuple[str, ...]) -> None:
        super().__init__(mention_id, actor)
        self.kinds = kinds


class ReplyPosted(MentionAction):
    """An approved reply was posted by calmreply; `url` is the new status."""

    def __init__(self, mention_id: int, actor: str, status_id: str, url: str) -> None:
        super().__init__(mention_id, actor)
        self.status_id = status_id
        self.url = url


class PostingFailed(MentionAction):
    """Posting an approved reply failed; it stays approved and `reason` says what to do."""

    def __init__(self, mention_id: int, actor: str, reason: str) -> None:
        super().__init__(mention_id, actor)
        self.reason = reason


class IncidentPhaseChanged(Message):
    """An officer moved an incident to its next phase (audited in the core)."""

    def __init__(self, incident_id: int, actor: str, before: str, after: str) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.actor = actor
        self.before = before
        self.after = after
