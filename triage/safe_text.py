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
from html import unescape
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
    """Turn post HTML (Mastodon `content`) into plain text keeping breaks and link text.

    Servers send sanitised HTML made of a few tags (p, br, a, span), which a regular
    expression walks several times faster than `HTMLParser`; anything else (comments,
    other tags, a stray ``<``) takes the parser, and both give the same text.
    """
    parts: list[str] = []
    pos = 0
    for m in _SIMPLE_TAG.finditer(markup):
        if m.start() > pos:
            chunk = markup[pos:m.start()]
            if "<" in chunk:
                return _html_to_text_parsed(markup)
            parts.append(unescape(chunk) if "&" in chunk else chunk)
        if not m.group(1):  # a start tag; end tags add nothing
            name = m.group(2).lower()
            if name == "br":
                parts.append("\n")
            elif name == "p" and parts and not "".join(parts).endswith("\n\n"):
                parts.append("\n\n")
        pos = m.end()
    tail = markup[pos:]
    if "<" in tail:
        return _html_to_text_parsed(markup)
    if tail:
        parts.append(unescape(tail) if "&" in tail else tail)
    return _tidy("".join(parts))


# the tags Mastodon's sanitiser emits; attribute values may hold '>' inside quotes
_SIMPLE_TAG = re.compile(
    r"""<(/?)(p|br|a|span)((?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?)/?>""", re.IGNORECASE)
_SPACE_BEFORE_BREAK = re.compile(r"[ \t]+\n")


def _tidy(text: str) -> str:
    return _SPACE_BEFORE_BREAK.sub("\n", text).strip()


def _html_to_text_parsed(markup: str) -> str:
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
    return _tidy("".join(parts))
