-- Entries no longer check their accounts with foreign keys: each check was a lookup and a row lock
-- of the account per entry, about a quarter of a hot account's write time, and it proved nothing
-- the ledger's own rules do not already hold. Every path that writes an entry first locks both of
-- its accounts (the locked-first path reads them; the ahead path's lock refuses a missing one),
-- and `techmarket ledger verify` names any entry whose account does not exist. What the foreign
-- keys also did, refusing to delete an account that has entries, is kept by refusing to delete
-- accounts at all: an account, like its history, stays.
ALTER TABLE ledger_entries
    DROP CONSTRAINT ledger_entries_debit_account_id_fkey,
    DROP CONSTRAINT ledger_entries_credit_account_id_fkey;

CREATE FUNCTION ledger_accounts_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger accounts are never deleted: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
    FOR EACH ROW EXECUTE FUNCTION ledger_accounts_are_kept();
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_accounts_are_kept();
