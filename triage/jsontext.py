"""JSON text from a C encoder built once.

`json.JSONEncoder.encode` builds a fresh C encoder object on every call, which is
about half the cost of encoding a small dict.  Ingest encodes four small values per
mention (the verdict's probabilities and reasons, the audit entry's detail and the
body its hash covers), so the hot paths use `encoder`, which gives the same text as
`JSONEncoder(...).encode` with the same options (a test checks it), from one encoder
made up front.  Values must not contain themselves: the circular-reference check is
what the reuse leaves out (ours are built fresh from plain data).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json import encoder as _json_encoder
from typing import Any


def encoder(*, ensure_ascii: bool = True, sort_keys: bool = False,
            separators: tuple[str, str] = (", ", ": "),
            default: Callable[[Any], Any] | None = None) -> Callable[[Any], str]:
    """A function giving `JSONEncoder(...).encode(value)` for these options."""
    plain = json.JSONEncoder(ensure_ascii=ensure_ascii, sort_keys=sort_keys,
                             separators=separators, default=default)
    make = getattr(_json_encoder, "c_make_encoder", None)
    if make is None:   # no C accelerator (another Python): the ordinary way
        return plain.encode
    strings = (_json_encoder.encode_basestring_ascii if ensure_ascii
               else _json_encoder.encode_basestring)
    item_sep, key_sep = separators
    chunks = make(None, plain.default, strings, None, key_sep, item_sep, sort_keys,
                  False, True)

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return strings(value)
        return "".join(chunks(value, 0))

    return encode
