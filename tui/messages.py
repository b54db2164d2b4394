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
