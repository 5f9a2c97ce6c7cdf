-- The server keeps the callers of API keys it has seen (PostgresStore's KeyCache) and drops them
-- all when told that keys changed: every statement that writes api_keys, or moves a party to
-- another region (a caller's region comes from its party), says so on this channel at commit.
CREATE FUNCTION notify_api_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('techmarket_api_keys', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION notify_api_keys_changed();
CREATE TRIGGER parties_region_changed AFTER UPDATE OF region_code ON parties
    FOR EACH STATEMENT EXECUTE FUNCTION notify_api_keys_changed();
