"""Read what a running app shows, as plain text lines (for assertions in pilot tests)."""

from __future__ import annotations


def screen_text(app) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)
