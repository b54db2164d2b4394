-- version 2: richer triage, drafts and workflow; hash-chained audit; corrections,
-- incidents, claims, mutes, ingest cursors and quarantine.
ALTER TABLE mentions ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE mentions ADD COLUMN author_created_at TEXT;
ALTER TABLE mentions ADD COLUMN dismiss_reason TEXT;
-- denormalised from triage/flags so the queue can be ordered and paged by index
ALTER TABLE mentions ADD COLUMN label TEXT;
ALTER TABLE mentions ADD COLUMN confidence REAL;
ALTER TABLE mentions ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mentions ADD COLUMN flag_kinds TEXT NOT NULL DEFAULT '';
ALTER TABLE mentions ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mentions ADD COLUMN priority REAL NOT NULL DEFAULT 0;

CREATE INDEX mentions_queue ON mentions (escalated DESC, priority DESC, id DESC);
CREATE INDEX mentions_created ON mentions (created_at);
CREATE INDEX mentions_author ON mentions (platform, author_handle, created_at);
CREATE INDEX mentions_state ON mentions (state);
CREATE INDEX mentions_label ON mentions (label);

ALTER TABLE triage ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0;
ALTER TABLE triage ADD COLUMN explanation TEXT NOT NULL DEFAULT '[]';

CREATE INDEX flags_kind ON flags (kind, mention_id);

ALTER TABLE drafts ADD COLUMN variant TEXT NOT NULL DEFAULT '';
ALTER TABLE drafts ADD COLUMN findings TEXT NOT NULL DEFAULT '[]';
ALTER TABLE drafts ADD COLUMN override_reason TEXT;
CREATE INDEX drafts_mention ON drafts (mention_id, id);

ALTER TABLE audit ADD COLUMN detail TEXT;
ALTER TABLE audit ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_mention ON audit (mention_id, seq);

-- The audit log is append-only: the database itself refuses edits and deletes.  The
-- only update allowed is sealing a row written before hashing existed (hash = '').
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit WHEN OLD.hash != ''
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE corrections (
    id         INTEGER PRIMARY KEY,
    mention_id INTEGER NOT NULL REFERENCES mentions(id),
    text       TEXT NOT NULL,
    old_label  TEXT,
    new_label  TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL
);

CREATE TABLE incidents (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,
    title     TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    closed_at TEXT,
    summary   TEXT,
    phase     TEXT NOT NULL DEFAULT 'acknowledge'
);
CREATE TABLE incident_mentions (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    mention_id  INTEGER NOT NULL REFERENCES mentions(id),
    PRIMARY KEY (incident_id, mention_id)
);
CREATE INDEX incident_mentions_mention ON incident_mentions (mention_id);

CREATE TABLE claims (
    mention_id INTEGER PRIMARY KEY REFERENCES mentions(id),
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE muted_authors (
    platform TEXT NOT NULL,
    handle   TEXT NOT NULL,
    actor    TEXT NOT NULL,
    at       TEXT NOT NULL,
    PRIMARY KEY (platform, handle)
);

CREATE TABLE cursors (
    source     TEXT PRIMARY KEY,
    cursor     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE quarantine (
    id     INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    raw    TEXT NOT NULL,
    error  TEXT NOT NULL,
    at     TEXT NOT NULL
);
