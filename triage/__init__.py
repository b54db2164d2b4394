"""calmreply's core: triage, escalation, playbook, store, ingest and export.

Nothing here imports the terminal UI, so every part can be scripted, tested and
run headless (a test enforces this).
"""

__version__ = "0.1.0"
