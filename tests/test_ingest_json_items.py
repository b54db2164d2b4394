"""Pages decoded item by item give exactly what json.loads gives, plus each item's
own text; anything json.loads refuses is refused too."""

import json
import random

import pytest

from triage.ingest.json_items import decode_with_items


def pages(rng: random.Random):
    for n in range(60):
        items = [{"id": str(i), "content": rng.choice(["<p>hi</p>", "é ü \"q\" \\ \n", "☃ 🎉"]),
                  "account": {"followers_count": rng.randint(0, 10**6), "bot": i % 2 == 0},
                  "tags": [{"name": "acme"}] * (i % 3), "x": None, "f": 1.5e3}
                 for i in range(n % 7)]
        yield items, n


@pytest.mark.parametrize("style", [{}, {"indent": 2}, {"separators": (",", ":")},
                                   {"ensure_ascii": False}])
def test_items_and_their_texts_match_json_loads(style):
    rng = random.Random(5)
    for items, n in pages(rng):
        body = json.dumps(items, **style)
        data, texts = decode_with_items(" \n" + body + "\n")
        assert data == json.loads(body)
        assert [json.loads(t) for t in texts] == items
        wrapped = json.dumps({"cursor": str(n), "posts": items, "hitsTotal": n}, **style)
        data, texts = decode_with_items(wrapped, "posts")
        assert data == json.loads(wrapped)
        assert [json.loads(t) for t in texts] == items


def test_other_shapes_decode_without_item_texts():
    assert decode_with_items('{"error": "nope"}') == ({"error": "nope"}, None)
    assert decode_with_items('[1, 2]', "posts") == ([1, 2], None)
    assert decode_with_items('{"posts": "x"}', "posts") == ({"posts": "x"}, None)
    assert decode_with_items('{}', "posts") == ({}, None)
    # a repeated member: the last wins, as in json.loads, and so do its texts
    data, texts = decode_with_items('{"posts": [1], "posts": [2, 3]}', "posts")
    assert data == {"posts": [2, 3]} and texts == ["2", "3"]


@pytest.mark.parametrize("body", ['[{"id": 1}, {"id": 2}', '[{"id": 1},]', '[1 2]',
                                  '[1] x', '{"posts": [1, 2], "cursor": "a"', '{"posts" [1]}',
                                  '{posts: [1]}', '{"posts": [1], }', "", "\ufeff[]"])
def test_what_json_loads_refuses_is_refused(body):
    with pytest.raises(ValueError):
        json.loads(body)
    with pytest.raises(ValueError):
        decode_with_items(body, "posts" if body.lstrip().startswith("{") else None)
