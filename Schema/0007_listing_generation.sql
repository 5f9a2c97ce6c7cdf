-- The generation of what a listing search can show: one counter, raised in the same transaction
-- as every statement that changes listings, participants (an institution's name is in each
-- listing) or regions (a region filter takes in its sub-regions). A search page computed at
-- generation n is still exactly right while the counter reads n, so the API may answer a repeated
-- public search from the page it encoded before, after one read of this row, and every server
-- against this database sees a change the moment it commits.
--
-- The price: writers of those tables queue on this one row until they commit. They are
-- institutions editing listings and admins adding participants, a few a minute, not a
-- hot path; searches only read the row and never wait.
CREATE TABLE listing_generation (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    generation bigint NOT NULL
);
INSERT INTO listing_generation (generation) VALUES (1);

CREATE FUNCTION listing_generation_advance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE listing_generation SET generation = generation + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER listings_advance_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON listings
    FOR EACH STATEMENT EXECUTE FUNCTION listing_generation_advance();
CREATE TRIGGER parties_advance_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON parties
    FOR EACH STATEMENT EXECUTE FUNCTION listing_generation_advance();
CREATE TRIGGER regions_advance_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON regions
    FOR EACH STATEMENT EXECUTE FUNCTION listing_generation_advance();
