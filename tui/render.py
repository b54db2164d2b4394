"""Turn untrusted mention fields into Rich Text that cannot style the screen.

Everything from a post goes through `literal()`: escape sequences and control
characters are stripped, and the result is a `Text` object, which Rich never parses
for markup, so `[bold red]` or `[@click=app.quit]` are shown exactly as typed.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from triage.safe_text import one_line, strip_controls
from triage.timeutil import utcnow


def literal(text: str, style: str = "") -> Text:
    return Text(strip_controls(text), style=style, no_wrap=False)


def cell(text: str, width: int | None = None, style: str = "") -> Text:
    return Text(one_line(text, width), style=style, no_wrap=True, overflow="ellipsis")


def age(when: datetime, now: datetime | None = None) -> str:
    seconds = max(0, int(((now or utcnow()) - when).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def reach(followers: int) -> str:
    if followers >= 1_000_000:
        return f"{followers / 1_000_000:.1f}M"
    if followers >= 1_000:
        return f"{followers / 1_000:.0f}k" if followers >= 10_000 else f"{followers / 1000:.1f}k"
    return str(followers)


def key_hint(*pairs: tuple[str, str]) -> Text:
    """A row of `key  what` hints (our own text, never a post's)."""
    out = Text()
    for key, what in pairs:
        out.append(f" {key} ", "reverse")
        out.append(f" {what}  ")
    return out
