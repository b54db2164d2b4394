"""Make untrusted mention text inert.

Mention text comes from strangers.  Before it is shown in a terminal it must not be
able to change colours, move the cursor, open hyperlinks (OSC 8), reorder text with
bidi controls or smuggle Rich markup.  We strip escape sequences and control
characters here; the UI additionally renders text as plain `rich.text.Text`, never
as markup, so `[bold red]` stays literal.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

# CSI, OSC (terminated by BEL or ST), and other two-byte ESC sequences.
_ANSI = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]          # CSI ... final byte
  | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)? # OSC ... BEL / ST (e.g. OSC 8 hyperlinks)
  | \x1b[PX^_][^\x1b]*(?:\x1b\\)?      # DCS / SOS / PM / APC strings
  | \x1b[@-Z\\-_]                     # 7-bit C1 escapes
  | \x9b[0-?]*[ -/]*[@-~]             # 8-bit CSI
    """,
    re.VERBOSE,
)
# Bidi embedding/override/isolate controls (Trojan-source style reordering).
_BIDI = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
)


def strip_controls(text: str, keep_newlines: bool = True) -> str:
    """Remove escape sequences, bidi controls and C0/C1 control characters."""
    text = _ANSI.sub("", text)
    text = text.translate(_BIDI)
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) == "Cc":
            continue
        else:
            out.append(ch)
    return "".join(out)


def one_line(text: str, width: int | None = None) -> str:
    """The first line of a text, stripped, for table cells."""
    first = strip_controls(text).strip().split("\n", 1)[0]
    if width is not None and len(first) > width:
        first = first[: max(0, width - 1)] + "…"
    return first


def html_to_text(markup: str) -> str:
    """Turn post HTML (Mastodon `content`) into plain text keeping breaks and link text."""
    parts: list[str] = []

    class _Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):  # noqa: D401 - parser callback
            if tag == "br":
                parts.append("\n")
            elif tag == "p" and parts and not "".join(parts).endswith("\n\n"):
                parts.append("\n\n")

        def handle_endtag(self, tag):
            pass

        def handle_data(self, data):
            parts.append(data)

    parser = _Parser(convert_charrefs=True)
    parser.feed(markup)
    parser.close()
    text = "".join(parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return text.strip()
