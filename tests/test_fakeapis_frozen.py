"""A frozen fake server (the benchmark's: each post encoded once) sends the same bytes."""

from __future__ import annotations

import pytest
import requests

from tests.fakeapis import FakeBluesky, FakeMastodon


def bodies(server, requests_to_make) -> list[bytes]:
    with requests.Session() as s:
        return [s.get(server.url + path, params=params, headers=headers).content
                for path, params, headers in requests_to_make]


def test_frozen_mastodon_sends_what_json_dumps_would() -> None:
    with FakeMastodon(token="t") as masto:
        for i in range(90):
            masto.add_status(f"acme café ☕ \"quoted\" {i}", author=i % 7, tags=("acme",))
        masto.add_raw({"content": "acme broken"})
        masto.add_notification(masto.statuses[3])
        calls = [("/api/v2/search", {"type": "statuses", "q": "acme", "limit": 40}, {}),
                 ("/api/v2/search", {"type": "statuses", "q": "acme", "limit": 40,
                                     "max_id": masto.statuses[50]["id"]}, {}),
                 ("/api/v1/timelines/tag/acme", {"limit": 40}, {}),
                 ("/api/v1/notifications", {}, {"Authorization": "Bearer t"})]
        before = bodies(masto, calls)
        masto.freeze()
        assert bodies(masto, calls) == before
        assert len(masto._encoded) == 92 and len(before[0]) > 1000
        with pytest.raises(RuntimeError, match="frozen"):
            masto.add_status("one more")


def test_frozen_bluesky_sends_what_json_dumps_would() -> None:
    with FakeBluesky() as sky:
        for i in range(150):
            sky.add_post(f"acme naïve “post” {i}", author=i % 9, followers=i)
        sky.add_raw({"uri": "at://broken"})
        with requests.Session() as s:
            login = s.post(sky.url + "/xrpc/com.atproto.server.createSession",
                           json={"identifier": sky.handle, "password": sky.password}).json()
        auth = {"Authorization": f"Bearer {login['accessJwt']}"}
        calls = [("/xrpc/app.bsky.feed.searchPosts", {"q": "acme", "limit": 100}, auth),
                 ("/xrpc/app.bsky.feed.searchPosts", {"q": "acme", "limit": 100,
                                                     "cursor": "100"}, auth),
                 ("/xrpc/app.bsky.actor.getProfiles",
                  {"actors": [f"did:plc:author{i:04d}" for i in range(5)]}, auth)]
        before = bodies(sky, calls)
        sky.freeze()
        assert bodies(sky, calls) == before
        with pytest.raises(RuntimeError, match="frozen"):
            sky.add_post("one more")
