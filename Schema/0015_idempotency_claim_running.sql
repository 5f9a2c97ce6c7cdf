-- idempotency_claim (Schema/0014), a row left 'running' by an earlier version read under its
-- lock: that version's transaction may answer it between a plain read and the lock, and the
-- lock then follows the row to its answer, which must stop the claim (TK200), not let the use
-- case run again.
CREATE OR REPLACE FUNCTION idempotency_claim(p_api_key_id bigint, p_key text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    found_state text;
BEGIN
    IF NOT pg_try_advisory_xact_lock(idempotency_lock(p_api_key_id, p_key)) THEN
        RAISE EXCEPTION 'the first request with this Idempotency-Key is still running' USING ERRCODE = 'TK409';
    END IF;
    -- Each statement here reads with a snapshot of its own (READ COMMITTED, as every use case
    -- runs), so this one sees what the lock's last holder committed.
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
