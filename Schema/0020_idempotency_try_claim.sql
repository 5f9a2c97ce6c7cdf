-- Claims an Idempotency-Key as idempotency_claim did, but answers instead of raising: the bids
-- of one lot that wait together go to PostgreSQL as one transaction (docs/auctions.md, "Bids
-- that wait together"), and a key that is held or answered must leave its own bid out of that
-- transaction, not abort the others'. Returns 'claimed' (the lock is held until the
-- transaction ends), 'running' or 'done'.
CREATE FUNCTION idempotency_try_claim(p_api_key_id bigint, p_key text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    found_state text;
BEGIN
    IF NOT pg_try_advisory_xact_lock(idempotency_lock(p_api_key_id, p_key)) THEN
        RETURN 'running';
    END IF;
    SELECT state INTO found_state FROM idempotency_keys WHERE api_key_id = p_api_key_id AND key = p_key;
    IF found_state = 'running' THEN
        BEGIN
            SELECT state INTO found_state FROM idempotency_keys WHERE api_key_id = p_api_key_id AND key = p_key FOR UPDATE NOWAIT;
        EXCEPTION WHEN lock_not_available THEN
            RETURN 'running';
        END;
    END IF;
    IF found_state = 'done' THEN
        RETURN 'done';
    END IF;
    RETURN 'claimed';
END;
$$;

-- The claim that fails is now the one that answers, raising on its answer: one rule for both.
CREATE OR REPLACE FUNCTION idempotency_claim(p_api_key_id bigint, p_key text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    claim text := idempotency_try_claim(p_api_key_id, p_key);
BEGIN
    IF claim = 'running' THEN
        RAISE EXCEPTION 'the first request with this Idempotency-Key is still running' USING ERRCODE = 'TK409';
    ELSIF claim = 'done' THEN
        RAISE EXCEPTION 'this Idempotency-Key has been answered' USING ERRCODE = 'TK200';
    END IF;
END;
$$;
