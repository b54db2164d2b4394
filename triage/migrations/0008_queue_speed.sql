-- version 8: what keeps the queue fast at a million mentions.
--
-- 1. queue_counts: how many mentions there are per (platform, label, state, uncertain),
--    kept exact by triggers on every insert, update and delete of a mention.  The
--    queue's header counts, its scrollbar size and the total of any filter on label,
--    state, source or "open only" become a sum over a few dozen rows instead of a
--    COUNT(*) over a million.
CREATE TABLE IF NOT EXISTS queue_counts (
    platform  TEXT NOT NULL,
    label     TEXT NOT NULL,          -- '' for not yet triaged
    state     TEXT NOT NULL,
    uncertain INTEGER NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (platform, label, state, uncertain)
) WITHOUT ROWID;

INSERT INTO queue_counts (platform, label, state, uncertain, n)
SELECT platform, COALESCE(label, ''), state, uncertain, COUNT(*) FROM mentions
GROUP BY platform, COALESCE(label, ''), state, uncertain;

CREATE TRIGGER IF NOT EXISTS queue_counts_insert AFTER INSERT ON mentions BEGIN
    INSERT INTO queue_counts (platform, label, state, uncertain, n)
    VALUES (new.platform, COALESCE(new.label, ''), new.state, new.uncertain, 1)
    ON CONFLICT (platform, label, state, uncertain) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER IF NOT EXISTS queue_counts_delete AFTER DELETE ON mentions BEGIN
    UPDATE queue_counts SET n = n - 1
    WHERE platform = old.platform AND label = COALESCE(old.label, '')
      AND state = old.state AND uncertain = old.uncertain;
END;

CREATE TRIGGER IF NOT EXISTS queue_counts_update
AFTER UPDATE OF platform, label, state, uncertain ON mentions
WHEN old.platform IS NOT new.platform OR old.label IS NOT new.label
  OR old.state IS NOT new.state OR old.uncertain IS NOT new.uncertain
BEGIN
    UPDATE queue_counts SET n = n - 1
    WHERE platform = old.platform AND label = COALESCE(old.label, '')
      AND state = old.state AND uncertain = old.uncertain;
    INSERT INTO queue_counts (platform, label, state, uncertain, n)
    VALUES (new.platform, COALESCE(new.label, ''), new.state, new.uncertain, 1)
    ON CONFLICT (platform, label, state, uncertain) DO UPDATE SET n = n + 1;
END;

-- 2. mentions_fts: a trigram index over the text and the author's handle, so that the
--    free-text filter (a case-insensitive substring, like LIKE '%word%') finds its rows
--    without reading every mention.  External content: the text is stored once, in
--    mentions; the triggers keep the index in step with Store.add_mentions and any edit.
CREATE VIRTUAL TABLE IF NOT EXISTS mentions_fts USING fts5(
    text, author_handle, content='mentions', content_rowid='id', tokenize='trigram'
);

INSERT INTO mentions_fts (mentions_fts) VALUES ('rebuild');

CREATE TRIGGER IF NOT EXISTS mentions_fts_insert AFTER INSERT ON mentions BEGIN
    INSERT INTO mentions_fts (rowid, text, author_handle)
    VALUES (new.id, new.text, new.author_handle);
END;

CREATE TRIGGER IF NOT EXISTS mentions_fts_delete AFTER DELETE ON mentions BEGIN
    INSERT INTO mentions_fts (mentions_fts, rowid, text, author_handle)
    VALUES ('delete', old.id, old.text, old.author_handle);
END;

CREATE TRIGGER IF NOT EXISTS mentions_fts_update AFTER UPDATE OF text, author_handle ON mentions
BEGIN
    INSERT INTO mentions_fts (mentions_fts, rowid, text, author_handle)
    VALUES ('delete', old.id, old.text, old.author_handle);
    INSERT INTO mentions_fts (rowid, text, author_handle)
    VALUES (new.id, new.text, new.author_handle);
END;

-- 3. Filtering by label or by state is a range of one index already in queue order, so
--    a filtered page is a seek, not a walk past every row of the other labels.
CREATE INDEX IF NOT EXISTS mentions_label_queue
    ON mentions (label, escalated DESC, priority DESC, id DESC);
CREATE INDEX IF NOT EXISTS mentions_state_queue
    ON mentions (state, escalated DESC, priority DESC, id DESC);
