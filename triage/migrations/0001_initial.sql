-- calmreply schema, version 1.
CREATE TABLE mentions (
    id               INTEGER PRIMARY KEY,
    platform         TEXT NOT NULL,
    platform_id      TEXT NOT NULL,
    url              TEXT NOT NULL DEFAULT '',
    author_handle    TEXT NOT NULL DEFAULT '',
    author_name      TEXT NOT NULL DEFAULT '',
    author_followers INTEGER NOT NULL DEFAULT 0,
    text             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    in_reply_to_id   TEXT,
    language         TEXT,
    raw              TEXT NOT NULL DEFAULT '{}',
    ingested_at      TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'new',
    UNIQUE (platform, platform_id)
);

CREATE TABLE triage (
    mention_id    INTEGER PRIMARY KEY REFERENCES mentions(id),
    label         TEXT NOT NULL,
    probabilities TEXT NOT NULL,
    model_version TEXT NOT NULL,
    triaged_at    TEXT NOT NULL
);

CREATE TABLE flags (
    id         INTEGER PRIMARY KEY,
    mention_id INTEGER NOT NULL REFERENCES mentions(id),
    kind       TEXT NOT NULL,
    reason     TEXT NOT NULL,
    UNIQUE (mention_id, kind)
);

CREATE TABLE drafts (
    id         INTEGER PRIMARY KEY,
    mention_id INTEGER NOT NULL REFERENCES mentions(id),
    text       TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    mention_id INTEGER,
    action     TEXT NOT NULL,
    before     TEXT,
    after      TEXT
);
