"""Drafting steps shared by the queue's one-key submit and the drafting screen."""

from __future__ import annotations

from typing import Any

from triage.draft_support import DraftSession
from triage.store import Store
from tui.messages import DraftSubmitted


def save_and_submit(app: Any, store: Store, mention_id: int, text: str, variant: str,
                    findings: list[dict[str, Any]], override_reason: str | None) -> int:
    """Save the draft, submit it for approval, release the claim; posts DraftSubmitted."""
    with store.write():
        draft_id = store.add_draft(mention_id, text, app.user, variant=variant,
                                   findings=findings, override_reason=override_reason)
        store.submit_for_approval(mention_id, app.user, override_reason=override_reason)
        store.release(mention_id, app.user)
    app.post_message(DraftSubmitted(mention_id, app.user, draft_id))
    return draft_id


def submit_suggested(app: Any, mention_id: int) -> str | None:
    """Submit the playbook's first draft as is; returns why not, or None when done."""
    store = app.store
    holder = store.claim(mention_id, app.user)
    if holder != app.user:
        return f"{holder} is drafting this mention; wait for them or pick another"
    session = DraftSession.open(store, app.playbook, mention_id)
    if session.care_kind or not session.engage:
        store.release(mention_id, app.user)
        return ("The playbook says not to reply here (press enter for its guidance)."
                if session.care_kind else "The playbook says not to engage here; dismiss "
                "instead.")
    text = session.text
    needs = [f"fill {{{m}}}" for m in session.missing] + [
        f.kind for f in session.findings() if f.kind != "placeholder"]
    if needs:
        store.release(mention_id, app.user)
        return "This draft needs editing first (press enter): " + ", ".join(needs)
    try:
        save_and_submit(app, store, mention_id, text, session.variant.key, [], None)
    except Exception:
        store.release(mention_id, app.user)
        raise
    app.notify("Draft sent for a leader's approval.")
    return None
