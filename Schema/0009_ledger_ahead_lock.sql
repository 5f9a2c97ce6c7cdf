-- Group commit's ahead path (docs/ledger.md, "Group commit"). A process that wrote an account
-- last knows its chain head, so it can work out its next batch's entries before it locks anything
-- and send the lock and the writes as one unit, with no round trip between them. The lock
-- statement (`PostgresLedgerStore.aheadStatements`) takes the accounts in ascending id order, as
-- every path does, counts those still at the sequence and head hash the batch was worked out from,
-- and calls this function when that is not all of them: it refuses with SQLSTATE 40001, so
-- nothing of the unit is written and the caller takes the locked-first path. The sequence and head
-- hash stand for the whole account: every change to a balance is an entry, and every entry moves
-- the sequence and the head.
CREATE FUNCTION ledger_accounts_moved_on(expected integer, at_head integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger accounts moved on since the batch was worked out (% of % still at the expected head)',
        at_head, expected USING ERRCODE = 'serialization_failure';
END;
$$;
