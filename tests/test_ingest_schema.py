"""The documented JSON schema: its example imports, and JSON arrays are read."""

from __future__ import annotations

import json
from importlib import resources

from triage.ingest.files import BadRecord, read_mentions
from triage.mention import Mention


def schema() -> dict:
    return json.loads(resources.files("triage.ingest").joinpath("mention.schema.json")
                      .read_text(encoding="utf-8"))


def test_the_schema_example_imports_with_every_documented_field(tmp_path):
    doc = schema()
    example = doc["examples"][0]
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps(example) + "\n", encoding="utf-8")
    [m] = list(read_mentions(path))
    assert isinstance(m, Mention)
    assert (m.platform, m.platform_id, m.author_followers) == ("mastodon", "110123", 312)
    assert m.author_created_at is not None
    # every field the schema documents is one Mention.from_record understands
    rec = m.to_record()
    for field in set(doc["properties"]) - {"id", "html", "author"}:
        assert field in rec, field


def test_a_json_array_file_imports_and_names_bad_items_by_index(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([
        {"id": 1, "text": "ok", "created_at": "2026-11-20T07:00:00Z"},
        {"id": 2, "text": "no time"},
        {"id": 3, "html": "<p>a<br>b</p>", "created_at": 1763622000},
    ]), encoding="utf-8")
    items = list(read_mentions(path))
    good = [i for i in items if isinstance(i, Mention)]
    bad = [i for i in items if isinstance(i, BadRecord)]
    assert [m.platform_id for m in good] == ["1", "3"] and good[1].text == "a\nb"
    assert [b.where for b in bad] == [f"{path}:[1]"]


def test_a_truncated_json_array_is_one_bad_record(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text('[{"id": 1, "text": "ok", "created_at": "2026-11-20T07:00:00Z"}, {"id"',
                    encoding="utf-8")
    [bad] = list(read_mentions(path))
    assert isinstance(bad, BadRecord) and "not valid JSON" in bad.error
