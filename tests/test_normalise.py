"""Normalisation folds surface variation that does not change what a post means."""

from __future__ import annotations

import pytest

from triage.features import content_of
from triage.normalise import normalise


@pytest.mark.parametrize("raw, expected", [
    ("Sooooo baaaad!!!!!", "Soo baad!!"),
    ("Fish &amp; chips &lt;b&gt;", "Fish & chips <b>"),
    ("see https://t.co/AbC123 and www.example.com/x now", "see _url_ and _url_ now"),
    ("@Delta_Air @bob@mastodon.social hi", "_user_ _user_ hi"),
    ("@ayesha-nurse.bsky.social she is ok, thanks @bob.", "_user_ she is ok, thanks _user_ ."),
    ("waited 45 minutes, £30.50 charge", "waited _num_ minutes, _num_ charge"),
    ("what a clown 🤡🤡", "what a clown _emo_clown_face_ _emo_clown_face_"),
    ("thumbs 👍🏽", "thumbs _emo_thumbs_up_sign_"),
    ("you are an іdіоt", "you are an idiot"),          # Cyrillic і and о
    ("ｙｏｕ ａｒｅ 𝐬𝐭𝐮𝐩𝐢𝐝", "you are stupid"),            # fullwidth, maths bold
    ("i\u200bd\u200bi\u200bo\u200bt", "idiot"),          # zero-width joiners
    ("z̶a̶l̶g̶o text", "zalgo text"),                       # combining strike-through
])
def test_normalise_folds_variation(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_real_non_latin_text_is_left_alone() -> None:
    assert normalise("привет мир") == "привет мир"
    assert normalise("Ελλάδα") == "Ελλαδα"  # accents (combining marks) go, letters stay


def test_email_is_not_a_handle_and_case_is_kept() -> None:
    assert normalise("mail ME at x@gmail.com") == "mail ME at x@gmail.com"


def test_model_ignores_handles_and_links() -> None:
    assert content_of(normalise("@brand your app is down https://x.io/a")) == "your app is down"


def test_letter_runs_can_be_left_for_the_features() -> None:
    assert normalise("Sooooo baaaad!!!!!", elongated=False) == "Sooooo baaaad!!"
    assert normalise("the 3 URLs http://a.io/x &amp; @bob", elongated=False) == \
        "the _num_ URLs _url_ & _user_"


def test_times_parse_to_utc_and_bad_ones_fail_every_time():
    """parse_time caches strings (account times recur): the cache must not change
    answers, and must not remember a failure as a success."""
    from datetime import UTC, datetime

    import pytest

    from triage.mention import MentionError, parse_time
    from triage.timeutil import to_db

    assert parse_time("2026-03-01T10:00:00.250Z") == datetime(2026, 3, 1, 10, 0, 0, 250000,
                                                                tzinfo=UTC)
    assert parse_time("2026-03-01T12:00:00+02:00").tzinfo is UTC
    assert parse_time("2026-03-01T10:00:00") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert parse_time("2026-03-01T10:00:00Z") is parse_time("2026-03-01T10:00:00Z")
    assert to_db(parse_time("2026-03-01T12:00:00+02:00")) == "2026-03-01T10:00:00.000000Z"
    for _ in range(2):
        with pytest.raises(MentionError, match="not an ISO-8601 time"):
            parse_time("yesterday-ish")
