"""Read a TOML file and point back at lines in it.

`tomllib` returns plain dicts with no positions, but a comms officer fixing a policy or
playbook needs "playbook.toml:42: ..." rather than "somewhere in drafts.complaint".
These helpers recover the line of a table, a key or a string value by scanning the
source, which is cheap and good enough for hand-written files.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_AT_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


class SourceError(ValueError):
    """A problem in a TOML file; `str()` is "file:line: message"."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}: {message}")


@dataclass
class TomlSource:
    path: Path
    data: dict[str, Any]
    lines: list[str]

    @classmethod
    def read(cls, path: Path | str) -> TomlSource:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SourceError(path, 0, f"cannot read the file ({exc.strerror or exc})") from exc
        return cls.parse(path, text)

    @classmethod
    def parse(cls, path: Path | str, text: str) -> TomlSource:
        lines = text.splitlines()
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            msg = str(exc)
            m = _AT_LINE.search(msg)
            line = int(m.group(1)) if m else max(1, len(lines))
            raise SourceError(path, line, f"not valid TOML: {_AT_LINE.sub('', msg).strip()}"
                              ) from exc
        return cls(Path(path), data, lines)

    def error(self, line: int, message: str) -> SourceError:
        return SourceError(self.path, line, message)

    def table_line(self, dotted: str) -> int:
        """Line of ``[dotted]`` / ``[[dotted]]`` (or of its first key if written inline)."""
        pat = re.compile(r"^\s*\[\[?\s*" + r"\s*\.\s*".join(
            re.escape(p) if re.fullmatch(r"[A-Za-z0-9_-]+", p) else
            r'"?' + re.escape(p) + r'"?' for p in dotted.split(".")) + r"\s*\]\]?")
        for i, line in enumerate(self.lines, 1):
            if pat.match(line):
                return i
        last = dotted.split(".")[-1]
        return self.key_line(last) or 1

    def key_line(self, key: str, after: int = 0) -> int:
        """First line at or after `after` that assigns `key` (0 if none)."""
        pat = re.compile(r'^\s*"?' + re.escape(key) + r'"?\s*=')
        for i, line in enumerate(self.lines[after:], after + 1):
            if pat.match(line):
                return i
        return 0

    def key_in_table(self, dotted: str, key: str) -> int:
        start = self.table_line(dotted)
        return self.key_line(key, start - 1) or start

    def value_line(self, value: str, after: int = 0) -> int:
        """Line where a string value starts (0 if it cannot be found)."""
        probe = json.dumps(value, ensure_ascii=False)[1:-1][:40]
        raw = value.splitlines()[0][:40] if value else ""
        for i, line in enumerate(self.lines[after:], after + 1):
            if (probe and probe in line) or (raw and raw in line):
                return i
        return 0
