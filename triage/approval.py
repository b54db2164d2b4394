"""The leader's side of a controlled reply: approve, edit-and-approve, return, send.

Every function goes through `Store`'s workflow so the four-eyes rule and the audit
log cannot be bypassed from the UI.  Who may approve comes from the team config
(`TeamConfig.approvers` in `triage.ingest.config`); posting an approved reply is
`triage.ingest.posting.post_reply`, and `mark_sent` records one copied by hand.
"""

from __future__ import annotations

import json
from typing import Any

from triage.store import Store, StoreError
from triage.timeutil import to_db, utcnow
from triage.workflow import State


class ApprovalError(StoreError):
    pass


def edit_and_approve(store: Store, mention_id: int, approver: str, text: str,
                     findings: list[dict[str, Any]] | None = None) -> int:
    """A leader corrects the draft and approves it in one audited step.

    The officer stays the draft's author of record (so four-eyes still means the
    drafter cannot approve); the leader is named as editor on the draft row and in
    the audit log, with the text before and after.
    """
    with store.write() as conn:
        if store.latest_draft(mention_id) is None:
            raise ApprovalError(f"mention {mention_id} has no draft to edit")
        draft = store.draft_for_approval(mention_id, approver)
        if store.state_of(mention_id) != State.AWAITING_APPROVAL:
            raise ApprovalError(f"mention {mention_id} is not awaiting approval")
        cur = conn.execute(
            "INSERT INTO drafts (mention_id, text, author, created_at, variant, findings,"
            " override_reason, edited_by) VALUES (?,?,?,?,?,?,?,?)",
            (mention_id, text, draft["author"], to_db(utcnow()), draft["variant"],
             json.dumps(findings if findings is not None else draft["findings"],
                        ensure_ascii=False),
             draft["override_reason"], approver))
        new_id = int(cur.lastrowid or 0)
        store.audit(approver, "leader_edit", mention_id, None, None,
                    {"draft_id": new_id, "based_on": draft["id"],
                     "before": draft["text"], "after": text})
        store.approve(mention_id, approver)
        return new_id


def return_with_comment(store: Store, mention_id: int, approver: str, comment: str) -> None:
    """Send the draft back to its drafter; the comment is kept in the audit log."""
    comment = comment.strip()
    if not comment:
        raise ValueError("returning a draft needs a comment saying what to change")
    store.transition(mention_id, State.DRAFTED, approver,
                     detail={"returned": True, "comment": comment})


def return_comment(store: Store, mention_id: int) -> tuple[str, str] | None:
    """(leader, comment) of the last return, if the draft was returned and not resubmitted."""
    for entry in reversed(store.audit_entries(mention_id)):
        if entry["action"] != "transition":
            continue
        detail = json.loads(entry["detail"] or "{}")
        if entry["before"] == State.AWAITING_APPROVAL and entry["after"] == State.DRAFTED \
                and detail.get("returned"):
            return entry["actor"], str(detail.get("comment", ""))
        if entry["after"] in (State.AWAITING_APPROVAL, State.APPROVED, State.SENT):
            return None
    return None


def mark_sent(store: Store, mention_id: int, actor: str, via: str = "copied") -> None:
    """Record that an approved reply went out (posted by calmreply or copied by hand)."""
    store.transition(mention_id, State.SENT, actor, detail={"via": via})
