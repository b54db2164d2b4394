-- version 6: what the queue UI needs.
-- The queue can be sorted by reach; the implicit rowid makes (author_followers, id)
-- keyset pages an index range scan.
CREATE INDEX IF NOT EXISTS mentions_reach ON mentions (author_followers);
-- A leader may edit a draft while approving it; the drafter stays the author of record
-- and the editor is named here (and in the audit log).
ALTER TABLE drafts ADD COLUMN edited_by TEXT;
