"""calmreply's terminal UI.  It talks to `triage` (never to SQL directly)."""
