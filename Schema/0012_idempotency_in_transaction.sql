-- An Idempotency-Key is claimed inside the transaction of its use case, by the transaction's
-- first statement, so that a key sent before stops the transaction there and then: the
-- statements sent after it in the same round trip are skipped, take no locks, and cannot be
-- committed. The key's row is written once, 'done', with the response and the money in the
-- same commit. (Rows in state 'running', with a token, came from the claim of earlier versions,
-- committed before the use case began.)

-- The advisory lock a request holds on its key until its transaction ends.
CREATE FUNCTION idempotency_lock(api_key_id bigint, key text) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT hashtextextended(api_key_id::text || ' ' || key, 1066) $$;

-- Raises TK409 while another transaction holds the key (its lock, or — for a row left 'running'
-- by an earlier version — the row), TK200 once the key is answered (the caller reads the answer
-- after rolling back); returns when the use case may go on, holding the key's lock.
CREATE FUNCTION idempotency_claim(p_api_key_id bigint, p_key text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    found_state text;
BEGIN
    IF NOT pg_try_advisory_xact_lock(idempotency_lock(p_api_key_id, p_key)) THEN
        RAISE EXCEPTION 'the first request with this Idempotency-Key is still running' USING ERRCODE = 'TK409';
    END IF;
    -- Each statement here reads with a snapshot of its own (READ COMMITTED, as every use case
    -- runs), so this one sees what the lock's last holder committed. A row left 'running' is
    -- read again under its lock: its version's transaction may answer it in between.
    SELECT state INTO found_state FROM idempotency_keys WHERE api_key_id = p_api_key_id AND key = p_key;
    IF found_state = 'running' THEN
        BEGIN
            SELECT state INTO found_state FROM idempotency_keys WHERE api_key_id = p_api_key_id AND key = p_key FOR UPDATE NOWAIT;
        EXCEPTION WHEN lock_not_available THEN
            RAISE EXCEPTION 'the first request with this Idempotency-Key is still running' USING ERRCODE = 'TK409';
        END;
    END IF;
    IF found_state = 'done' THEN
        RAISE EXCEPTION 'this Idempotency-Key has been answered' USING ERRCODE = 'TK200';
    END IF;
END;
$$;
