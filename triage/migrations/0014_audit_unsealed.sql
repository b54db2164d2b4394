-- version 14: opening a store no longer reads the whole audit log.
--
-- Every `Store` open seals audit rows written before the hash chain existed
-- (hash = '', `Store._seal_audit`); finding them read every entry -- a million of them
-- (one per triaged mention) cost 0.2 s and 300 MB of reading per open, and the queue
-- opens a store for each background count.  This index holds only unsealed rows, so
-- it is empty once they are sealed, and rows written with their hash never enter it.
CREATE INDEX IF NOT EXISTS audit_unsealed ON audit (seq) WHERE hash = '';
