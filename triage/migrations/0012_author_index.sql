-- version 12: one index fewer to write per mention.
--
-- mentions_author (platform, author_handle, created_at) answered only "this author's
-- other mentions" (`Store.mentions_by_author`); mentions_author_nocase (version 9,
-- platform, lower(author_handle), created_at) answers it too, with the exact handle
-- checked on the rows it finds.  Each stored mention paid a B-tree insert for both.
DROP INDEX IF EXISTS mentions_author;
