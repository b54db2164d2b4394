-- version 9: what keeps escalation's history queries cheap (see triage/escalate/history.py).
-- 1. Surge counts stored negative mentions in time windows: a partial index holding only
--    the negative, non-brigade mentions answers COUNT(*) over a day without table reads.
CREATE INDEX IF NOT EXISTS mentions_negative ON mentions (created_at)
    WHERE label IN ('complaint', 'troll') AND instr(flag_kinds, 'brigade') = 0;
-- 2. Repeat matches an author's handle case-insensitively ("@Gavin" is "@gavin").
CREATE INDEX IF NOT EXISTS mentions_author_nocase
    ON mentions (platform, lower(author_handle), created_at);
