-- An Idempotency-Key is claimed inside the transaction of its use case: the transaction holds
-- this advisory lock on the key until it ends, so a second request with the key while the first
-- runs is told so at once, and the key's row is written once, 'done', with the response and the
-- money in the same commit. (Rows in state 'running', with a token, came from the claim that
-- committed before the use case began; a row left so is taken over by the next request.)
CREATE FUNCTION idempotency_lock(api_key_id bigint, key text) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT hashtextextended(api_key_id::text || ' ' || key, 1066) $$;
