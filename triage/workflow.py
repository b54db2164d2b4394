"""The reply workflow: which state a mention may move to next, and why not.

A leader's reply must pass through drafting and approval; the table below is the
only place that decides which moves exist, so the store, the CLI and the UI cannot
disagree about it.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    DRAFTED = "drafted"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    SENT = "sent"
    DISMISSED = "dismissed"
    ESCALATED = "escalated"


class DismissReason(StrEnum):
    NOT_ENGAGED = "not_engaged"  # a troll: deliberately not fed
    DUPLICATE = "duplicate"
    IRRELEVANT = "irrelevant"


S = State
TRANSITIONS: dict[State, frozenset[State]] = {
    S.NEW: frozenset({S.TRIAGED, S.DISMISSED, S.ESCALATED}),
    S.TRIAGED: frozenset({S.DRAFTED, S.DISMISSED, S.ESCALATED}),
    S.DRAFTED: frozenset({S.AWAITING_APPROVAL, S.DISMISSED, S.ESCALATED, S.DRAFTED}),
    # a leader approves, or returns the draft to the drafter with a comment
    S.AWAITING_APPROVAL: frozenset({S.APPROVED, S.DRAFTED}),
    S.APPROVED: frozenset({S.SENT, S.DRAFTED}),
    S.SENT: frozenset(),
    # reopening a dismissal is allowed, and audited like everything else
    S.DISMISSED: frozenset({S.TRIAGED}),
    S.ESCALATED: frozenset({S.DRAFTED, S.DISMISSED, S.TRIAGED}),
}


class IllegalTransition(ValueError):
    """Raised for a move the workflow does not allow; says what is allowed instead."""

    def __init__(self, mention_id: int, current: State, target: State) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing (final state)"
        super().__init__(
            f"mention {mention_id}: cannot go from '{current}' to '{target}'; "
            f"from '{current}' it can go to: {allowed}"
        )
        self.mention_id = mention_id
        self.current = current
        self.target = target


def check_transition(mention_id: int, current: State | str, target: State | str) -> None:
    current, target = State(current), State(target)
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(mention_id, current, target)
