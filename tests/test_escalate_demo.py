"""The bundled demo feed: its threat, legal, press, high-reach, safety, personal-data,
distress and outage-surge posts come up flagged with readable reasons, the surge forms
one incident and the brigade another.

The escalation is exercised through the real pipeline and store; the classifier is a
small keyword stand-in so the test does not depend on a trained model (a second test
runs the real `import_file` path when a model is installed).
"""

import json
import re

import pytest

from tests.conftest import incident_members as incident_mention_ids
from tests.conftest import incidents_of as list_incidents
from triage.escalate import Escalator
from triage.ingest.files import BadRecord, read_mentions
from triage.paths import demo_feed
from triage.pipeline import Triager
from triage.store import Store
from triage.verdict import Verdict

pytestmark = pytest.mark.skipif(not demo_feed().is_file(), reason="demo feed not bundled yet")

_POSITIVE = re.compile(r"thank|brilliant|credit|shoutout|suggestion|question|lovely|smiled|"
                       r"peaceful|helped|decent|booked|\bcan i\b|\bis there\b", re.I)


class KeywordClassifier:
    def predict(self, texts):
        out = []
        for t in texts:
            label = "engagement" if _POSITIVE.search(t) else "complaint"
            out.append(Verdict(label, {label: 0.8}, "keywords"))
        return out


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("demo") / "demo.db")
    triager = Triager(store, KeywordClassifier(), Escalator.load())
    batch = []
    for item in read_mentions(demo_feed()):
        if isinstance(item, BadRecord):
            continue
        batch.append(item)
        if len(batch) == 500:
            triager.ingest(batch, actor="demo")
            batch = []
    if batch:
        triager.ingest(batch, actor="demo")
    yield store
    store.close()


def flags_of(store, needle):
    rows = store.query("SELECT f.kind, f.reason FROM flags f JOIN mentions m ON m.id ="
                       " f.mention_id WHERE m.text LIKE ?", (f"%{needle}%",))
    assert rows or store.query("SELECT 1 FROM mentions WHERE text LIKE ?", (f"%{needle}%",)), \
        f"demo feed has no post containing {needle!r}"
    return dict((r[0], r[1]) for r in rows)


@pytest.mark.parametrize("needle, kind, reason", [
    ("slash Okafor's tyres", "threat", "matched 'slash okafor tyres'"),
    ("See you in court", "legal", "matched 'see you in court'"),
    ("My solicitor will be in touch", "legal", "matched 'solicitor'"),
    ("to the regulator ORR", "legal", "matched 'regulator'"),
    ("Reporter at the Northern Evening Gazette", "press", "matched 'reporter'"),
    ("I'm a reporter at the Daily Courier", "press", "matched 'reporter'"),
    ("Missed the start of filming", "reach", "author has 412k followers (threshold 100k)"),
    ("stop every single train", "reach", "author has 268k followers (threshold 100k)"),
    ("smoke coming from under the seats", "safety", "matched 'smoke'"),
    ("personal mobile of the Elm Park", "personal-data",
     "a phone number posted with 'personal mobile'"),
    ("Found where that conductor lives", "personal-data",
     "a street address posted with 'found where'"),
    ("I can't take this anymore", "distress", "matched 'cant take this anymore'"),
])
def test_demo_posts_are_flagged_with_readable_reasons(demo_store, needle, kind, reason):
    assert flags_of(demo_store, needle).get(kind) == reason


def test_demo_negations_are_not_flagged(demo_store):
    assert "legal" not in flags_of(demo_store, "I'm not going to sue, I just want my refund")
    assert "legal" not in flags_of(demo_store, "I'm not taking legal action")
    assert "press" not in flags_of(demo_store, "Not a journalist, just a commuter")


def test_demo_outage_forms_one_surge_incident(demo_store):
    surges = [i for i in list_incidents(demo_store) if i.kind == "surge"]
    assert len(surges) == 1
    members = incident_mention_ids(demo_store, surges[0].id)
    rows = demo_store.query(
        f"SELECT created_at, text FROM mentions WHERE id IN ({','.join('?' * len(members))})",
        members)
    times = sorted(r[0] for r in rows)
    assert times[0] >= "2026-11-20T06" and times[-1] < "2026-11-20T09:30"
    assert any("signal" in r[1].lower() for r in rows)
    in_outage = demo_store.query(
        "SELECT COUNT(*) FROM mentions WHERE created_at BETWEEN '2026-11-20T07:10' AND"
        " '2026-11-20T08:20' AND label = 'complaint'")[0][0]
    assert len(members) >= in_outage
    surge_reasons = [r[0] for r in demo_store.query(
        "SELECT reason FROM flags WHERE kind = 'surge' AND reason NOT LIKE 'part of%'")]
    assert surge_reasons and all("negative mentions in the last 60 min" in r
                                 for r in surge_reasons)


def test_demo_brigade_forms_one_incident(demo_store):
    brigades = [i for i in list_incidents(demo_store) if i.kind == "brigade"]
    assert len(brigades) == 1
    rows = demo_store.query("SELECT m.text FROM mentions m JOIN flags f ON f.mention_id = m.id"
                            " WHERE f.kind = 'brigade'")
    assert len(rows) >= 10 and all("resign" in r[0].lower() for r in rows)
    assert not demo_store.query("SELECT 1 FROM flags WHERE kind = 'surge' AND mention_id IN"
                                " (SELECT mention_id FROM flags WHERE kind = 'brigade')")


def test_demo_escalated_mentions_lead_the_queue(demo_store):
    top = demo_store.query("SELECT text, flag_kinds FROM mentions ORDER BY escalated DESC,"
                           " priority DESC LIMIT 3")
    assert any("threat" in r[1] or "distress" in r[1] for r in top)


def test_demo_through_import_file_with_the_installed_model(tmp_path):
    from triage.classifier import Classifier, ModelError
    from triage.commands.core import import_file

    try:
        Classifier.load()
    except ModelError:
        pytest.skip("no trained model installed")
    with Store(tmp_path / "d.db") as store:
        report, _bad = import_file(store, demo_feed(), actor="demo")
        assert report.escalated > 0
        for needle, kind in (("See you in court", "legal"), ("slash Okafor", "threat"),
                             ("Reporter at the Northern", "press"),
                             ("Missed the start of filming", "reach")):
            assert kind in flags_of(store, needle), needle
        assert len([i for i in list_incidents(store) if i.kind == "surge"]) == 1
        json.dumps([i.title for i in list_incidents(store)])


def test_demo_incidents_open_when_they_began_and_in_time_order(demo_store):
    incidents = list_incidents(demo_store)
    assert [i.kind for i in incidents] == ["surge", "brigade"]   # the outage came first
    surge = incidents[0]
    # the outage begins at 07:10Z; the ordinary complaints of the hour before are not it
    assert "2026-11-20 07:10" <= surge.opened_at.strftime("%Y-%m-%d %H:%M") < "2026-11-20 07:30"
    first = demo_store.query(
        f"SELECT text FROM mentions WHERE id IN ({','.join('?' * surge.mentions)})"
        " ORDER BY created_at LIMIT 1", incident_mention_ids(demo_store, surge.id))[0][0]
    assert "signal failure" in first.lower()

