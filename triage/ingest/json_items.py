"""Decode an API page and keep each item's own JSON text, as the server sent it.

The store keeps every mention's raw API item.  Decoding a page with `json.loads`
and encoding each item again costs as much as the decoding, for text the page
already holds: here the page's list of items is walked item by item (each decoded
by the standard library's C scanner) and each item's text is a slice of the body.
Anything that is not the expected shape is decoded as `json.loads` would, without
item texts, so callers report malformed pages as before.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring
from typing import Any

_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")


def decode_with_items(body: str, key: str | None = None
                      ) -> tuple[Any, list[str] | None]:
    """`json.loads(body)`, plus the source text of each item of the page's list: the
    top-level array (`key` None) or the array member `key` of the top-level object.
    The texts are None when the body does not have that shape.  Raises ValueError
    (`json.JSONDecodeError`) for anything `json.loads` would refuse."""
    i = _skip(body, 0)
    if key is None and body.startswith("[", i):
        items, texts, end = _array(body, i)
        _end_of(body, end)
        return items, texts
    if key is not None and body.startswith("{", i):
        return _object(body, i, key)
    return json.loads(body), None


def item_text(texts: list[str] | None, n: int, item: Any) -> str:
    """Item `n`'s JSON text as sent (from `decode_with_items`), or encoded when the page
    gave no texts."""
    return texts[n] if texts is not None else json.dumps(item, ensure_ascii=False)


def _skip(s: str, i: int) -> int:
    return _WS.match(s, i).end()


def _fail(s: str, i: int, what: str) -> json.JSONDecodeError:
    return json.JSONDecodeError(what, s, i)


def _end_of(s: str, i: int) -> None:
    i = _skip(s, i)
    if i != len(s):
        raise _fail(s, i, "Extra data")


def _array(s: str, i: int) -> tuple[list[Any], list[str], int]:
    """The array at s[i] ("["): its items, their texts, and the index after it."""
    items: list[Any] = []
    texts: list[str] = []
    i = _skip(s, i + 1)
    if s.startswith("]", i):
        return items, texts, i + 1
    while True:
        item, end = _DECODER.raw_decode(s, i)
        items.append(item)
        texts.append(s[i:end])
        i = _skip(s, end)
        if s.startswith(",", i):
            i = _skip(s, i + 1)
        elif s.startswith("]", i):
            return items, texts, i + 1
        else:
            raise _fail(s, i, "Expecting ',' delimiter")


def _object(s: str, i: int, key: str) -> tuple[dict[str, Any], list[str] | None]:
    obj: dict[str, Any] = {}
    texts: list[str] | None = None
    i = _skip(s, i + 1)
    if s.startswith("}", i):
        _end_of(s, i + 1)
        return obj, None
    while True:
        if not s.startswith('"', i):
            raise _fail(s, i, "Expecting property name enclosed in double quotes")
        name, i = scanstring(s, i + 1)
        i = _skip(s, i)
        if not s.startswith(":", i):
            raise _fail(s, i, "Expecting ':' delimiter")
        i = _skip(s, i + 1)
        if name == key and s.startswith("[", i):
            value, item_texts, i = _array(s, i)
        else:
            (value, i), item_texts = _DECODER.raw_decode(s, i), None
        if name == key:
            texts = item_texts   # a repeated member: the last one wins, as in json.loads
        obj[name] = value
        i = _skip(s, i)
        if s.startswith(",", i):
            i = _skip(s, i + 1)
        elif s.startswith("}", i):
            _end_of(s, i + 1)
            return obj, texts
        else:
            raise _fail(s, i, "Expecting ',' delimiter")
