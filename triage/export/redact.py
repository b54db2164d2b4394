"""What may leave the building: secrets never, personal data only for the comms team.

Two jobs, both applied to every string an export writes:

* ``scrub_secrets`` runs in every mode.  Tokens and passwords have no business in an
  incident log, so keys that name a secret are dropped and token-shaped strings are
  replaced, whatever the export is for.
* ``Redactor`` runs only in redaction mode (exports that leave the comms team).  Author
  handles become keyed-hash pseudonyms -- the same handle always gives the same
  pseudonym for the same key, so an export stays readable ("author-1a2b... posted
  five times") and is reproducible, while someone without the key cannot hash a list
  of known handles to undo it.  E-mail addresses, phone numbers and street addresses
  in text are replaced by placeholders, and raw payloads are left out altogether.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

_SECRET_KEY = re.compile(
    r"(token|secret|passw(or)?d|authori[sz]ation|api[_-]?key|cookie|session|credential"
    r"|private[_-]?key|bearer)", re.IGNORECASE)
_SECRET_TEXT = re.compile(
    r"""(?ix)
      \bbearer\s+[a-z0-9._~+/=-]{8,}                      # Authorization: Bearer ...
    | \b(?:access_token|refresh_token|api_key|apikey|token|password|passwd|secret)
        \s*[=:]\s*[^\s&"',;]{4,}                          # key=value / key: value
    | \beyJ[a-z0-9_-]{5,}\.[a-z0-9_-]{5,}\.[a-z0-9_-]{5,}  # JWT
    | \b(?:gh[pousr]_[a-z0-9]{20,}|github_pat_[a-z0-9_]{20,}|xox[abprs]-[a-z0-9-]{10,}
        |sk-[a-z0-9_-]{20,}|AKIA[0-9A-Z]{16})\b            # well-known token formats
    """)
SECRET_PLACEHOLDER = "[secret removed]"
# Words that every match of the two patterns above contains, case-folded: text (or a
# JSON document) containing none of them needs no scrubbing -- the common case, found
# with a few substring tests instead of two slow case-insensitive regex scans.
_HINT_WORDS = ("token", "secret", "passw", "authoris", "authoriz", "apikey", "api_key",
               "api-key", "cookie", "session", "credential", "privatekey", "private_key",
               "private-key", "bearer", "eyj", "ghp_", "gho_", "ghu_", "ghs_", "ghr_",
               "github_pat_", "xox", "sk-", "akia")
# characters re.IGNORECASE equates with i that casefold() leaves alone or expands
_FOLD = {0x130: "i", 0x131: "i"}


def may_hold_secret(text: str) -> bool:
    """False when ``text`` (plain or a JSON document) certainly holds no secret."""
    low = text.casefold() if text.isascii() else text.translate(_FOLD).casefold()
    for word in _HINT_WORDS:
        if word in low:
            return True
    return False


def scrub_secrets(value: Any) -> Any:
    """``value`` with secret-named keys dropped and token-shaped strings replaced."""
    if isinstance(value, str):
        if not value or not may_hold_secret(value):
            return value
        return _SECRET_TEXT.sub(SECRET_PLACEHOLDER, value)
    if isinstance(value, dict):
        return {k: scrub_secrets(v) for k, v in value.items()
                if not (isinstance(k, str) and _SECRET_KEY.search(k))}
    if isinstance(value, list | tuple):
        return [scrub_secrets(v) for v in value]
    return value


_EMAIL = re.compile(r"(?<![@\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w@])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?"
                    r"\d{2,8}(?:[\s.-]\d{2,8}){0,4}(?!\w)")
_STREET = re.compile(
    r"\b\d{1,5}[a-z]?\s+(?:[A-Z][\w'-]*\s+){1,4}"
    r"(?:street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|drive|dr|court|ct|way"
    r"|place|pl|terrace|close|crescent|square|sq|gardens|row|hill|parkway|pkwy)\b\.?",
    re.IGNORECASE)
# @handle or @handle@instance (not e-mail: those are replaced first)
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_][\w.-]*(?:@[\w-]+(?:\.[\w-]+)+)?")


def _pseudonym(key: bytes, norm: str, prefix: str) -> str:
    digest = hmac.new(key, norm.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:12]}"


@lru_cache(maxsize=8192)  # bounded, so memory stays constant however many authors
def _author_pseudonym(key: bytes, norm: str) -> str:
    return _pseudonym(key, norm, "author")


_DIGIT = re.compile(r"\d")


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


@dataclass(frozen=True, slots=True)
class Redactor:
    """Keyed pseudonyms and personal-data scrubbing for exports that leave the team."""

    key: bytes

    def pseudonym(self, handle: str, prefix: str = "author") -> str:
        """A stable, keyed stand-in for ``handle`` (case- and '@'-insensitive)."""
        if not handle:
            return ""
        norm = handle.strip().lstrip("@").lower()
        if prefix == "author":  # authors repeat: cached; post ids never do
            return _author_pseudonym(self.key, norm)
        return _pseudonym(self.key, norm, prefix)

    def text(self, text: str) -> str:
        """Mention or reply text with personal data and handles replaced."""
        if not text:
            return text
        # e-mails and handles need an @, addresses and phone numbers a digit: most short
        # strings (states, reasons) have neither and skip all four patterns
        has_at, has_digit = "@" in text, _DIGIT.search(text) is not None
        if has_at:
            text = _EMAIL.sub("[email]", text)
        if has_digit:
            text = _STREET.sub("[address]", text)
            text = _PHONE.sub(
                lambda m: "[phone]" if _digits(m.group(0)) >= 7 else m.group(0), text)
        if has_at:
            text = _HANDLE.sub(lambda m: "@" + self.pseudonym(m.group(0)), text)
        return text

    def value(self, value: Any) -> Any:
        """Apply ``text`` to every string inside a JSON-like value."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value


def load_or_create_key(path: Path) -> bytes:
    """The installation's pseudonym key, created (mode 0600) on first use.

    Kept beside the database so the same database always yields the same pseudonyms
    (a closed incident's redacted export is reproducible), but never exported.
    """
    if path.is_file():
        key = path.read_bytes().strip()
        if len(key) < 16:
            raise ValueError(f"{path}: pseudonym key is too short; delete the file to make "
                             "a new one (pseudonyms in new exports will change)")
        return key
    key = secrets.token_hex(32).encode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    return key


def key_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".redact-key")
