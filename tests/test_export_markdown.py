"""The Markdown incident log on a hand-built outage: reproducible once closed, inert
untrusted text.  (The snapshot of the demo's real outage is in
``test_export_demo_incident.py``.)
"""

from __future__ import annotations

import io
import re

from tests.test_export_support import build_outage, clock  # noqa: F401
from triage.export import ExportFilter, export
from triage.export.markdown import md
from triage.incidents import close_incident

SUMMARY = ("Login and card payments failed for about 70 minutes after a faulty database "
           "failover. We acknowledged publicly within 20 minutes, answered affected "
           "customers individually and did not engage with trolls. Legal is reviewing one "
           "threat of action; the press enquiry awaits approval.")


def _markdown(store, incident_id: int) -> str:
    buf = io.StringIO()
    export(store, buf, "markdown", flt=ExportFilter(incident_id=incident_id))
    return buf.getvalue()


def test_closed_incident_export_is_reproducible_byte_for_byte(store, clock):  # noqa: F811
    outage = build_outage(store, clock)
    clock.at(9, 30)
    close_incident(store, outage.incident_id, SUMMARY, "dana")
    first = {fmt: _export(store, outage.incident_id, fmt) for fmt in ("markdown", "csv",
                                                                     "jsonl")}
    # life goes on after the close: a reply goes out, more is audited
    clock.at(11, 0)
    store.transition(outage.id_at(18), "sent", "bob")
    store.mute_author("mastodon", "@someone", "alice")
    for fmt, text in first.items():
        assert _export(store, outage.incident_id, fmt) == text, fmt
    assert "Generated" not in first["markdown"] and "generated_at" not in first["jsonl"]


def test_open_incident_export_says_when_it_was_generated(store, clock):  # noqa: F811
    outage = build_outage(store, clock)
    text = _markdown(store, outage.incident_id)
    assert "**Generated:**" in text and "still open" in text


def _export(store, incident_id, fmt):
    buf = io.StringIO()
    export(store, buf, fmt, flt=ExportFilter(incident_id=incident_id))
    return buf.getvalue()


def test_untrusted_text_cannot_add_markdown():
    out = md("[click](http://x) | cell <img src=x> `code`\n# heading \x1b[31mred")
    assert re.search(r"(?<!\\)[\[\]|<>`#]", out) is None  # every special escaped
    assert "\n" not in out and "\x1b" not in out
    assert out.startswith("\\[click\\]\\(http://x\\) \\| cell \\<img")
