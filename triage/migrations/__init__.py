"""Numbered SQL migrations, applied in order on open (see `triage.store`)."""
