-- The claim of an Idempotency-Key, run by PostgreSQL as the first statement of its use case's
-- transaction, so that a key sent before stops the transaction there and then: the statements
-- sent after it in the same round trip are skipped, take no locks, and cannot be committed.
-- Raises TK409 while another transaction holds the key (its lock, or — for a claim of an
-- earlier version, committed apart as 'running' — its row), TK200 once the key is answered (the
-- caller reads the answer after rolling back); returns when the use case may go on, holding the
-- key's lock until its transaction ends.
CREATE FUNCTION idempotency_claim(p_api_key_id bigint, p_key text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    found_state text;
BEGIN
    IF NOT pg_try_advisory_xact_lock(idempotency_lock(p_api_key_id, p_key)) THEN
        RAISE EXCEPTION 'the first request with this Idempotency-Key is still running' USING ERRCODE = 'TK409';
    END IF;
    SELECT state INTO found_state FROM idempotency_keys WHERE api_key_id = p_api_key_id AND key = p_key;
    IF found_state = 'done' THEN
        RAISE EXCEPTION 'this Idempotency-Key has been answered' USING ERRCODE = 'TK200';
    ELSIF found_state = 'running' THEN
        BEGIN
            PERFORM 1 FROM idempotency_keys WHERE api_key_id = p_api_key_id AND key = p_key FOR UPDATE NOWAIT;
        EXCEPTION WHEN lock_not_available THEN
            RAISE EXCEPTION 'the first request with this Idempotency-Key is still running' USING ERRCODE = 'TK409';
        END;
    END IF;
END;
$$;
