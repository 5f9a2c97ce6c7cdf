-- Relevance in two tiers without ranking every match: listings whose title, keywords or IP
-- assets match (the A and B weights of `search`) come before those that match only in the
-- summary, benefit or institution, newest first within each. The head vector is small and
-- stays in the row, so checking it while walking the newest-first index is cheap, and a search
-- of a common word stops after one page.
ALTER TABLE listings
    ADD COLUMN search_head tsvector GENERATED ALWAYS AS (ts_filter(search, '{a,b}')) STORED;
CREATE INDEX listings_search_head ON listings USING gin (search_head) WHERE status = 'published';

-- Price orders put negotiable listings (no price) last in both directions; these indexes give
-- both orders without sorting.
DROP INDEX listings_published_price;
CREATE INDEX listings_published_price_asc ON listings (asking_price_fen ASC NULLS LAST, id ASC) WHERE status = 'published';
CREATE INDEX listings_published_price_desc ON listings (asking_price_fen DESC NULLS LAST, id DESC) WHERE status = 'published';
