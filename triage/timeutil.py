"""One timestamp format for the whole store, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


# to_db's recent answers, by time: ingest formats each post's time twice (flagging,
# then storing) and an author's account time once per post; a look-up costs a
# thirtieth of formatting.  Aware times only (equal instants give equal text).
_TEXT: dict[datetime, str] = {}
_TEXT_LIMIT = 32_768


def to_db(dt: datetime) -> str:
    """Fixed-width UTC ISO-8601 with microseconds: sorts lexicographically.

    (`isoformat` rather than `strftime`: a third of the cost, on every stored time.)
    """
    if dt.tzinfo is None:   # local time, as `astimezone` reads a naive one
        return _format(dt.astimezone(UTC))
    text = _TEXT.get(dt)
    if text is None:
        if len(_TEXT) >= _TEXT_LIMIT:
            _TEXT.clear()
        text = _TEXT[dt] = _format(dt if dt.tzinfo is UTC else dt.astimezone(UTC))
    return text


def _format(dt: datetime) -> str:
    return dt.isoformat(timespec="microseconds")[:-6] + "Z"   # "+00:00" -> "Z"


def from_db(text: str | None) -> datetime | None:
    if not text:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text).astimezone(UTC)
