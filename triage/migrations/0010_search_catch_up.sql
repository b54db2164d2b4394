-- version 10: what keeps ingest fast (see benchmarks/ingest_throughput.py).
--
-- 1. queue_counts are added up per batch by `Store.add_mentions` (one upsert per
--    group instead of a trigger run per row, which cost half the insert).  Updates and
--    deletes keep their triggers.  Code that inserts mentions with its own SQL must
--    call `Store.recount()` afterwards.
DROP TRIGGER IF EXISTS queue_counts_insert;

-- 2. The search index catches up after ingest instead of inside it.
--
-- A trigram index entry costs about 100 µs per mention, more than everything else
-- the store does on arrival.  Ingest now stores mentions without indexing them, and
-- `Store.index_search` (run by a background thread of `watch`, after an import, and by
-- the queue UI) indexes the rows above `search_state.indexed_upto` in short chunks.
-- Search stays exact meanwhile: the queue filter takes the index's matches up to that
-- mark and tests every row above it directly (see triage/queue_query.py).
DROP TRIGGER IF EXISTS mentions_fts_insert;
DROP TRIGGER IF EXISTS mentions_fts_delete;
DROP TRIGGER IF EXISTS mentions_fts_update;

CREATE TABLE IF NOT EXISTS search_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_upto INTEGER NOT NULL           -- every mention with id <= this is indexed
);
INSERT OR IGNORE INTO search_state (id, indexed_upto)
SELECT 1, COALESCE(MAX(id), 0) FROM mentions;

-- An external-content index must only be told to delete what it holds: rows above the
-- mark were never indexed, so edits and deletes of those leave the index alone.
CREATE TRIGGER IF NOT EXISTS mentions_fts_delete AFTER DELETE ON mentions
WHEN old.id <= (SELECT indexed_upto FROM search_state WHERE id = 1)
BEGIN
    INSERT INTO mentions_fts (mentions_fts, rowid, text, author_handle)
    VALUES ('delete', old.id, old.text, old.author_handle);
END;

CREATE TRIGGER IF NOT EXISTS mentions_fts_update AFTER UPDATE OF text, author_handle ON mentions
WHEN old.id <= (SELECT indexed_upto FROM search_state WHERE id = 1)
BEGIN
    INSERT INTO mentions_fts (mentions_fts, rowid, text, author_handle)
    VALUES ('delete', old.id, old.text, old.author_handle);
    INSERT INTO mentions_fts (rowid, text, author_handle)
    VALUES (new.id, new.text, new.author_handle);
END;

-- 3. Two indexes that only repeated the first column of migration 0008's queue indexes
--    (label, state): every insert paid for them, no query needed them.
DROP INDEX IF EXISTS mentions_label;
DROP INDEX IF EXISTS mentions_state;
