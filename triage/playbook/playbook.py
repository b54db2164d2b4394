"""First-cut playbook: calm drafts per class from responses/playbook.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from triage.mention import Mention
from triage.paths import responses_dir
from triage.verdict import Verdict

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class PlaybookError(ValueError):
    pass


@dataclass(frozen=True)
class Draft:
    """A filled-in draft; `missing` lists placeholders the officer still has to fill."""

    key: str
    text: str
    missing: tuple[str, ...] = ()
    engage: bool = True


@dataclass
class Playbook:
    drafts: dict[str, list[str]]
    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path | None = None) -> Playbook:
        path = (folder or responses_dir()) / "playbook.toml"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise PlaybookError(f"{path}: {exc}") from exc
        return cls(drafts={k: list(v["variants"]) for k, v in data["drafts"].items()},
                   values=dict(data.get("values", {})))

    def drafts_for(self, mention: Mention, verdict: Verdict | None) -> list[Draft]:
        label = verdict.label if verdict else "complaint"
        out = []
        values = {"author": mention.author_handle, **self.values}
        for i, template in enumerate(self.drafts.get(label, [])):
            missing = tuple(sorted({p for p in _PLACEHOLDER.findall(template)
                                    if p not in values}))
            text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
            out.append(Draft(f"{label}.{i + 1}", text, missing, engage=label != "troll"))
        return out
