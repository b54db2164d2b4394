-- version 13: the search index keeps row ids only.
--
-- Search asks the trigram index for candidate rows and LIKE decides (see
-- triage/search_match.py), so the index needs no token positions: `detail=none`
-- makes it a quarter of the size (160 MB -> 40 MB at a million mentions) and takes a
-- third less CPU per indexed mention, work that competes with ingest for the store.
--
-- The old index is dropped and `indexed_upto` goes back to 0: the search indexer
-- (`watch`, the queue, imports) rebuilds it in short chunks, and search stays exact
-- meanwhile by testing the rows above the mark directly (migration 0010).
-- The delete and update triggers of migration 0010 name the table, not its layout:
-- they keep working on the new one.
DROP TABLE IF EXISTS mentions_fts;

CREATE VIRTUAL TABLE mentions_fts USING fts5(
    text, author_handle, content='mentions', content_rowid='id', tokenize='trigram',
    detail=none
);

UPDATE search_state SET indexed_upto = 0;
