"""Post an approved reply to Mastodon, once.

Only a mention in state ``approved`` is posted, with exactly the approved draft's
text.  The ``Idempotency-Key`` is derived from the mention and the draft, so a retry
(after a timeout, or after a crash between posting and recording) gets the status
Mastodon already made instead of a second one.  The new status's id and url go into
the audit log with the move to ``sent``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from triage.ingest.config import ConfigError, TeamConfig
from triage.ingest.http import HttpClient, Redactor, SourceError
from triage.store import Store, StoreError
from triage.workflow import State


class PostingError(RuntimeError):
    """The reply cannot be posted; the message says why and what to do instead."""


@dataclass(frozen=True)
class Posted:
    status_id: str
    url: str
    idempotency_key: str


def idempotency_key(mention_id: int, draft_id: int) -> str:
    return hashlib.sha256(f"calmreply-reply:{mention_id}:{draft_id}".encode()).hexdigest()[:40]


def _local_status_id(store: Store, mention_id: int, cfg: TeamConfig, client: HttpClient,
                     auth: dict[str, str]) -> str:
    """The status id on the posting instance (ids are per instance; uris are global)."""
    src = cfg.source(cfg.posting.source)
    mention = store.get_mention(mention_id)
    raw = mention.raw if isinstance(mention.raw, dict) else {}
    same_instance = mention.source.split(":", 1)[0] == src.name or (
        raw.get("url") and urlsplit(str(raw.get("url"))).netloc == urlsplit(src.url).netloc)
    if same_instance and raw.get("id"):
        return str(raw["id"])
    body = client.get(f"{src.url}/api/v2/search", headers=auth,
                      params={"q": mention.platform_id, "type": "statuses",
                              "resolve": "true", "limit": 1}).json()
    statuses = body.get("statuses") if isinstance(body, dict) else None
    if not statuses:
        raise PostingError(f"mention {mention_id}: {src.url} cannot find the post "
                           f"{mention.platform_id}; reply from its own instance")
    return str(statuses[0]["id"])


def post_reply(store: Store, cfg: TeamConfig, mention_id: int, actor: str,
               client: HttpClient | None = None) -> Posted:
    if not cfg.posting.enabled:
        raise PostingError(
            f"posting is off in {cfg.path}; set [posting] enabled = true to post from "
            "calmreply, or copy the approved reply (it is in the export)")
    mention = store.get_mention(mention_id)
    state = store.state_of(mention_id)
    if state != State.APPROVED:
        raise PostingError(f"mention {mention_id} is '{state}', not 'approved'; only "
                           "approved replies are posted")
    if mention.platform != "mastodon":
        raise PostingError(f"mention {mention_id} is on {mention.platform}; calmreply posts "
                           "to Mastodon only — copy the approved reply instead")
    draft = store.latest_draft(mention_id)
    if draft is None:
        raise StoreError(f"mention {mention_id} has no draft")
    try:
        src = cfg.source(cfg.posting.source)
    except ConfigError as exc:
        raise PostingError(str(exc)) from exc
    if src.token is None:
        raise PostingError(f"{src.name}: posting needs an access token with write:statuses; "
                           f"{src.missing_secret or 'set token_env'}")
    client = client or HttpClient(policy=cfg.http, redact=Redactor(cfg.secrets()))
    auth = {"Authorization": f"Bearer {src.token.reveal()}"}
    key = idempotency_key(mention_id, int(draft["id"]))
    reply_to = _local_status_id(store, mention_id, cfg, client, auth)
    payload = {"status": draft["text"], "in_reply_to_id": reply_to,
               "visibility": cfg.posting.visibility}
    if mention.language:
        payload["language"] = mention.language
    try:
        resp = client.post(f"{src.url}/api/v1/statuses", json=payload,
                           headers={**auth, "Idempotency-Key": key})
        body = resp.json()
        posted = Posted(str(body["id"]), str(body.get("url") or body.get("uri") or ""), key)
    except SourceError as exc:
        raise PostingError(f"mention {mention_id}: posting failed ({exc}); it is still "
                           "approved — run the same command again (it will not double-post)"
                           ) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise PostingError(f"mention {mention_id}: {src.url} answered without a status id; "
                           "check the account on the instance before posting again") from exc
    store.transition(mention_id, State.SENT, actor, detail={
        "status_id": posted.status_id, "url": posted.url, "draft_id": draft["id"],
        "source": src.name, "in_reply_to_id": reply_to, "visibility": cfg.posting.visibility,
        "idempotency_key": key})
    return posted
