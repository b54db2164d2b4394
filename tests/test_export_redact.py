"""Redacted exports: no handle, payload, personal data or token; stable pseudonyms."""

from __future__ import annotations

import io
import json

import pytest

from tests.test_export_support import POSTS, RAW_MARKER, TOKEN, build_outage, clock  # noqa: F401
from triage.export import FORMATS, ExportFilter, Redactor, export

PERSONAL = ("jo.w@example.com", "7700 900123", "221B Baker Street", "Jo_W", "social.example")


def _run(store, fmt, key=b"k" * 32, flt=None) -> str:
    buf = io.StringIO()
    export(store, buf, fmt, flt=flt, redactor=Redactor(key) if key else None)
    # Markdown escapes special characters; look at what a reader sees
    return buf.getvalue().replace("\\", "") if fmt == "markdown" else buf.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
def test_redacted_export_has_no_handle_payload_personal_data_or_token(store, clock,  # noqa: F811
                                                                      fmt):
    build_outage(store, clock)
    text = _run(store, fmt)
    low = text.lower()
    for _m, handle, *_r in POSTS:
        assert handle.lower() not in low, handle
    assert RAW_MARKER not in text and TOKEN not in text
    for item in PERSONAL:
        assert item.lower() not in low, item
    assert "author-" in text  # pseudonyms stand in for the authors
    assert "[email]" in text and "[phone]" in text and "[address]" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_secrets_never_exported_even_unredacted(store, clock, fmt):  # noqa: F811
    build_outage(store, clock)
    text = _run(store, fmt, key=None)
    assert TOKEN not in text and "access_token" not in text
    assert "maria_k" in text  # unredacted: the comms team sees who wrote


def test_pseudonyms_are_consistent_keyed_and_reproducible(store, clock):  # noqa: F811
    build_outage(store, clock)
    records = [json.loads(line) for line in _run(store, "jsonl").splitlines()]
    authors = {}
    for r in records:
        if r["type"] == "mention":
            authors.setdefault(r["mention"]["author_handle"], []).append(r["mention"]["id"])
    repeat = [a for a, ids in authors.items() if len(ids) > 1]
    # maria_k, tom.h and xx_troll_xx each posted twice: one pseudonym each
    assert len(repeat) == 3 and all(a.startswith("author-") for a in repeat)
    again = _run(store, "jsonl")
    assert again.split("\n", 1)[1] == _run(store, "jsonl").split("\n", 1)[1]
    other_key = _run(store, "jsonl", key=b"another key of 32 bytes.........")
    assert not set(repeat) & {json.loads(line).get("mention", {}).get("author_handle")
                              for line in other_key.splitlines()}
    # an @mention of an author in someone's text gets the same pseudonym as the author
    r = Redactor(b"k" * 32)
    assert r.text("hi @Maria_K@social.example") == "hi @" + r.pseudonym("@maria_k@social.example")


def test_redacted_incident_markdown_keeps_the_story(store, clock):  # noqa: F811
    outage = build_outage(store, clock)
    md = _run(store, "markdown", flt=ExportFilter(incident_id=outage.incident_id))
    assert "approved by **bob**" in md and "Login and payments outage" in md
    assert "Redacted:" in md


def test_secret_prefilter_never_misses_what_the_scrubber_would_catch():
    """``may_hold_secret`` lets exports skip scrubbing; it must be a superset."""
    import random

    from triage.export.redact import _SECRET_KEY, _SECRET_TEXT, may_hold_secret

    pieces = ["token", "TOKEN", "To\u212aen", "\u017fecret", "AUTHOR\u0130SATION",
              "authori\u0131ation", "Bearer ", "api-key", "ApiKey", "passwd", "PassWord",
              "eyJ", "ghp_", "github_pat_", "xoxb-", "sk-", "AKIA", "=", ":", " ", ".",
              "abcdEFGH", "0123456789", "session", "cookie", "private_key", "é", "🙂", "\n"]
    rnd = random.Random(7)
    for _ in range(5000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 8)))
        if _SECRET_KEY.search(text) or _SECRET_TEXT.search(text):
            assert may_hold_secret(text), text
    assert not may_hold_secret("Can't log in since 7am, app just spins 🙃")
