"""Drafting steps shared by the queue's one-key submit and the drafting screen."""

from __future__ import annotations

from typing import Any

from triage import draft_support
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
    mention = store.get_mention(mention_id)
    drafts = draft_support.variants(app.playbook, mention, store.triage_of(mention_id))
    if not drafts or not drafts[0].engage:
        store.release(mention_id, app.user)
        return "The playbook says not to engage here; dismiss instead."
    text = drafts[0].text
    missing = draft_support.missing_placeholders(text)
    findings = [f.to_dict() for f in draft_support.check_tone(text, mention)]
    if missing or findings:
        store.release(mention_id, app.user)
        return ("This draft needs editing first (press enter): "
                + ", ".join([f"fill {{{m}}}" for m in missing] + [f["code"] for f in findings]))
    try:
        save_and_submit(app, store, mention_id, text, drafts[0].key, [], None)
    except Exception:
        store.release(mention_id, app.user)
        raise
    app.notify("Draft sent for a leader's approval.")
    return None
