"""The pre-agreed response playbook and its drafts (see `Playbook`)."""

from triage.playbook.playbook import Draft, Playbook, PlaybookError

__all__ = ["Draft", "Playbook", "PlaybookError"]
