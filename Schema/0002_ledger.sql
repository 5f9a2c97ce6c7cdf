-- The double-entry ledger (docs/ledger.md). Ids are unsigned in the Ledger module and stored as
-- bigint bit patterns; transfer ids (128 bits) as two bigints.

CREATE TABLE ledger_accounts (
    id                  bigint PRIMARY KEY CHECK (id <> 0),
    ledger              integer NOT NULL,
    code                integer NOT NULL CHECK (code BETWEEN 1 AND 65535),
    flags               integer NOT NULL CHECK (flags BETWEEN 0 AND 65535),
    -- A label for people: statements and the trial balance show it.
    name                text NOT NULL DEFAULT '' CHECK (length(name) <= 128),
    debits_pending_fen  bigint NOT NULL DEFAULT 0 CHECK (debits_pending_fen >= 0),
    debits_posted_fen   bigint NOT NULL DEFAULT 0 CHECK (debits_posted_fen >= 0),
    credits_pending_fen bigint NOT NULL DEFAULT 0 CHECK (credits_pending_fen >= 0),
    credits_posted_fen  bigint NOT NULL DEFAULT 0 CHECK (credits_posted_fen >= 0),
    -- The account's hash chain: how many entries it has and the hash of the last.
    sequence            bigint NOT NULL DEFAULT 0,
    head_hash           bytea NOT NULL CHECK (length(head_hash) = 32),
    created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ledger_transfers (
    id_high           bigint NOT NULL,
    id_low            bigint NOT NULL,
    -- As submitted.
    debit_account_id  bigint NOT NULL,
    credit_account_id bigint NOT NULL,
    amount_fen        bigint NOT NULL,
    pending_id_high   bigint NOT NULL,
    pending_id_low    bigint NOT NULL,
    timeout_ms        bigint NOT NULL,
    ledger            integer NOT NULL,
    code              integer NOT NULL,
    flags             integer NOT NULL,
    reference         text NOT NULL,
    -- As resolved (a post or void takes its accounts, ledger, code and amount from its pending transfer).
    resolved_debit_account_id  bigint NOT NULL,
    resolved_credit_account_id bigint NOT NULL,
    resolved_ledger            integer NOT NULL,
    resolved_code              integer NOT NULL,
    resolved_amount_fen        bigint NOT NULL,
    timestamp_ms      bigint NOT NULL,
    expires_at_ms     bigint NOT NULL,
    -- 0 none, 1 pending, 2 posted, 3 voided, 4 expired.
    pending_status    smallint NOT NULL,
    PRIMARY KEY (id_high, id_low)
);
-- The sweeper finds holds past their timeout.
CREATE INDEX ledger_transfers_pending_expiry ON ledger_transfers (expires_at_ms)
    WHERE pending_status = 1 AND expires_at_ms <> 0;

CREATE TABLE ledger_entries (
    entry_id               bigserial PRIMARY KEY,
    kind                   smallint NOT NULL,
    transfer_id_high       bigint NOT NULL,
    transfer_id_low        bigint NOT NULL,
    pending_id_high        bigint NOT NULL,
    pending_id_low         bigint NOT NULL,
    debit_account_id       bigint NOT NULL REFERENCES ledger_accounts (id),
    debit_sequence         bigint NOT NULL,
    debit_previous_hash    bytea NOT NULL,
    credit_account_id      bigint NOT NULL REFERENCES ledger_accounts (id),
    credit_sequence        bigint NOT NULL,
    credit_previous_hash   bytea NOT NULL,
    ledger                 integer NOT NULL,
    code                   integer NOT NULL,
    amount_fen             bigint NOT NULL,
    released_fen           bigint NOT NULL,
    timestamp_ms           bigint NOT NULL,
    expires_at_ms          bigint NOT NULL,
    reference              text NOT NULL,
    hash                   bytea NOT NULL,
    UNIQUE (debit_account_id, debit_sequence),
    UNIQUE (credit_account_id, credit_sequence),
    UNIQUE (transfer_id_high, transfer_id_low, kind)
);
CREATE INDEX ledger_entries_credit_account ON ledger_entries (credit_account_id, entry_id);
CREATE INDEX ledger_entries_debit_account ON ledger_entries (debit_account_id, entry_id);
CREATE INDEX ledger_entries_timestamp ON ledger_entries (timestamp_ms);

-- History is never rewritten, not even by the application: entries refuse UPDATE, DELETE and
-- TRUNCATE. (A superuser can still disable the trigger; the hash chains catch what they do then.)
CREATE FUNCTION ledger_entries_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER ledger_entries_no_update_or_delete BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_are_append_only();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_are_append_only();

-- A cut of the chains, taken when `techmarket ledger head` prints a digest: each account's
-- sequence at that moment, so that the digest can be recomputed later from a grown ledger.
CREATE TABLE ledger_checkpoints (
    id            bigserial PRIMARY KEY,
    taken_at      timestamptz NOT NULL DEFAULT now(),
    digest        bytea NOT NULL,
    account_ids   bigint[] NOT NULL,
    sequences     bigint[] NOT NULL,
    entry_count   bigint NOT NULL
);
