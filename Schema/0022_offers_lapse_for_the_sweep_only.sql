-- The sweep's index of live offers by valid-until, made unusable for anything but a bound on
-- valid_until (docs/offers.md, "Speed"). A firm's live offer on a listing and mode is looked up
-- before every new offer, and offers_one_live answers that in one index entry. But offers_lapse
-- had the same predicate, so on statistics gathered while few offers were live (a growing book,
-- until autovacuum analyzes again) PostgreSQL took it for the cheaper scan and read every live
-- offer of the market: 0.9-1.7 ms a lookup beside a hot listing's 2,500 resting offers, against
-- about 0.04 through offers_one_live. `valid_until IS NOT NULL` is always true (the column is NOT
-- NULL); in the predicate, it is implied only by a condition on valid_until (the sweep's
-- `valid_until <= $1`), never by the lookup's, so the planner may no longer choose this index for
-- the lookup, whatever the statistics say.
DROP INDEX offers_lapse;
CREATE INDEX offers_lapse ON offers (valid_until) WHERE status IN ('open', 'countered') AND valid_until IS NOT NULL;
