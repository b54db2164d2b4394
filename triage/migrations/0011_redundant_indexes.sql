-- version 11: two indexes fewer to write per mention.
--
-- mentions_label (label) and mentions_state (state) are prefixes of
-- mentions_label_queue and mentions_state_queue (version 8), which answer every lookup
-- they did; each still cost a B-tree insert per stored mention and per state change.
DROP INDEX IF EXISTS mentions_label;
DROP INDEX IF EXISTS mentions_state;
