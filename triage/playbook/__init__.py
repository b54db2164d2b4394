"""The pre-agreed response playbook, its drafts, and the calm-tone check.

`Playbook` chooses and fills drafts; `check_folder` validates the files;
`check_tone` reviews any draft (above all an edited one) before approval.
"""

from triage.playbook.check import check_folder
from triage.playbook.playbook import Draft, HoldingStatement, Playbook, PlaybookError
from triage.playbook.tone import Finding, check_tone
from triage.playbook.voice import VoiceProfile

__all__ = ["Draft", "Finding", "HoldingStatement", "Playbook", "PlaybookError",
           "VoiceProfile", "check_folder", "check_tone"]
