-- The search generation becomes a fresh random value at every change instead of the next
-- number: a page cache compares generations only for equality, and a counter can come back to
-- a value it had before (a database restored from a dump, reset, or re-seeded under a running
-- server), where an old page would then pass for current. A random 63-bit value does not repeat
-- in practice.
CREATE OR REPLACE FUNCTION listing_generation_advance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE listing_generation SET generation = (random() * 9.2e18)::bigint;
    RETURN NULL;
END;
$$;
UPDATE listing_generation SET generation = (random() * 9.2e18)::bigint;
