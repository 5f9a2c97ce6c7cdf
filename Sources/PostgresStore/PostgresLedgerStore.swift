import Foundation
import Ledger
import Market
import Postgres
import Synchronization

/// The PostgreSQL adapter of the ledger: the rules of `LedgerRules` run on rows locked in one
/// fixed order — the pending transfer first, then the accounts by ascending id — so concurrent
/// transfers never deadlock each other, never overdraw a limited account, and transfers between
/// unrelated accounts share no row. Each entry is inserted while both its accounts are locked, so
/// `entry_id` order is a valid order for the verifier.
public final class PostgresLedgerStore: LedgerStore {
    public let pool: PostgresPool
    /// Attempts of one chain when two submissions of the same new id race.
    static let duplicateRaceRetryCountMax = 5
    /// Holds the sweeper releases per transaction, so that a long backlog never holds locks for long.
    static let expiryBatchSizeMax = 500

    /// Group commit of lone plain transfers (see `TransferBatcher`).
    let batcher = TransferBatcher()
    /// The batcher's ahead path, on one connection, in order.
    let aheadWriter: PostgresPipelineWriter

    public init(pool: PostgresPool) {
        self.pool = pool
        aheadWriter = PostgresPipelineWriter(pool: pool)
    }

    /// How this store's group-commit batches went so far.
    public func groupCommitCounts() async -> GroupCommitCounts { await batcher.counts }

    public func createAccounts(_ accounts: [LabelledAccount]) async throws -> [AccountResult] {
        try await pool.withTransaction(retry: .onConflict) { connection in
            try accounts.map { labelled in try Self.createAccount(labelled, on: connection) }
        }
    }

    public func submit(_ transfers: [Transfer], atMs timestampMs: Int64) async throws -> [TransferResult] {
        if transfers.count > LedgerLimits.batchSizeMax {
            return Array(repeating: .refused(.batchTooLarge), count: transfers.count)
        }
        if transfers.count == 1, let transfer = transfers.first, !transfer.flags.contains(.linked), !transfer.resolvesPending {
            // What the transfer alone decides needs no batch (and no lookup: its refusal comes
            // before `exists`, as in `apply`).
            if let error = LedgerRules.check(transfer) { return [.refused(error)] }
            return [try await batcher.submit(transfer, atMs: timestampMs, store: self)]
        }
        var results: [TransferResult] = []
        results.reserveCapacity(transfers.count)
        var start = 0
        while start < transfers.count {
            var end = start
            while end < transfers.count && transfers[end].flags.contains(.linked) { end += 1 }
            if end == transfers.count {
                // The batch ends inside a chain: the whole chain fails without being tried.
                for index in start..<transfers.count {
                    results.append(.refused(index == transfers.count - 1 ? .linkedEventChainOpen : .linkedEventFailed))
                }
                break
            }
            results += try await submitChain(Array(transfers[start...end]), atMs: timestampMs)
            start = end + 1
        }
        // What the batcher remembers of these accounts is behind now. (A post or void names
        // its accounts only through its hold: if the batcher remembers those, its next batch on
        // them is refused at the lock once and goes the locked way.)
        await batcher.forget(transfers.flatMap { [$0.debitAccountID, $0.creditAccountID] })
        return results
    }

    /// One transfer in a transaction of its own: the batcher's fallback.
    func submitAlone(_ transfer: Transfer, atMs timestampMs: Int64) async throws -> TransferResult {
        try await submitChain([transfer], atMs: timestampMs)[0]
    }

    /// One chain (or one lone transfer) in one transaction: all of it, or none of it.
    private func submitChain(_ chain: [Transfer], atMs timestampMs: Int64) async throws -> [TransferResult] {
        var attempt = 0
        while true {
            do {
                return try await pool.withTransaction(retry: .onConflict) { connection in
                    var results: [TransferResult] = []
                    for (index, transfer) in chain.enumerated() {
                        let result = try Self.apply(transfer, atMs: timestampMs, on: connection)
                        results.append(result)
                        if case .refused = result, chain.count > 1 {
                            throw ChainFailed(results: chain.indices.map { $0 == index ? result : .refused(.linkedEventFailed) })
                        }
                    }
                    return results
                }
            } catch let failed as ChainFailed {
                return failed.results  // rolled back
            } catch let error as PostgresError where error.isUniqueViolation && attempt < Self.duplicateRaceRetryCountMax {
                // Another submission of the same id committed first; the next attempt answers `exists`.
                attempt += 1
            }
        }
    }

    private struct ChainFailed: Error {
        var results: [TransferResult]
    }

    public func expirePending(atMs timestampMs: Int64) async throws -> Int {
        var expired = 0
        while true {
            let count = try await pool.withTransaction(retry: .onConflict) { connection -> Int in
                let due = try connection.query(
                    """
                    SELECT \(Self.transferColumns) FROM ledger_transfers
                    WHERE pending_status = 1 AND expires_at_ms <> 0 AND expires_at_ms <= $1
                    ORDER BY expires_at_ms, id_high, id_low LIMIT $2 FOR UPDATE SKIP LOCKED
                    """, timestampMs, Self.expiryBatchSizeMax
                ).map(Self.transferRecord)
                for pending in due {
                    let accounts = try Self.lockAccounts([pending.debitAccountID, pending.creditAccountID], on: connection)
                    guard let debit = accounts[pending.debitAccountID], let credit = accounts[pending.creditAccountID],
                        let outcome = LedgerRules.expire(pending, debit: debit, credit: credit, atMs: timestampMs)
                    else { continue }
                    try Self.write(
                        record: nil, resolving: outcome.pending, debit: outcome.debit, credit: outcome.credit,
                        entry: outcome.entry, on: connection)
                }
                return due.count
            }
            expired += count
            if count < Self.expiryBatchSizeMax { return expired }
        }
    }

    public func account(_ id: AccountID) async throws -> Account? {
        try await pool.withConnection { connection in
            try connection.query("SELECT \(Self.accountColumns) FROM ledger_accounts WHERE id = $1", Int64(bitPattern: id.rawValue))
                .first.map(Self.account)
        }
    }

    public func transfer(_ id: TransferID) async throws -> TransferRecord? {
        try await pool.withConnection { connection in
            try Self.findTransfer(id, lock: false, on: connection)
        }
    }

    // MARK: - One transfer, inside the caller's transaction

    /// Locks what `transfer` moves, then validates and writes it (see `apply(_:locked:…)`).
    static func apply(_ transfer: Transfer, atMs timestampMs: Int64, on connection: PostgresConnection) throws -> TransferResult {
        try apply(transfer, locked: try connection.queries(lockStatements(for: transfer))[...], atMs: timestampMs, on: connection)
    }

    /// The statements that lock what `transfer` moves and read it, in one round trip: the caller
    /// may send them after statements of its own (`connection.queries(mine + these)`) and pass
    /// their rows to `apply(_:locked:…)`. Locks in the one order every path uses: a pending
    /// transfer before its accounts, accounts by ascending id.
    static func lockStatements(for transfer: Transfer) -> [PostgresStatement] {
        guard LedgerRules.check(transfer) == nil else { return [] }
        guard transfer.resolvesPending else {
            // The common case: lock both accounts and learn whether the id is taken. A retry of
            // a known id locks its accounts for a moment, which is harmless.
            return [lockAccountsStatement([transfer.debitAccountID, transfer.creditAccountID], checking: transfer.id)]
        }
        // Whether it was applied already, the pending transfer it resolves, and that one's accounts.
        let pending = [bits(transfer.pendingID.high), bits(transfer.pendingID.low)] as [any PostgresEncodable]
        return [
            PostgresStatement(findTransferSQL(lock: false), bits(transfer.id.high), bits(transfer.id.low)),
            PostgresStatement(findTransferSQL(lock: true), parameters: pending),
            PostgresStatement(
                """
                SELECT \(accountColumns) FROM ledger_accounts WHERE id IN (
                    SELECT unnest(ARRAY[debit_account_id, credit_account_id]) FROM ledger_transfers WHERE id_high = $1 AND id_low = $2)
                ORDER BY id FOR UPDATE
                """,
                parameters: pending),
        ]
    }

    /// Validates and writes `transfer` on what its `lockStatements` returned, in their order.
    /// With `committing`, an applied transfer's write is sent with COMMIT in one round trip
    /// (`queryThenCommit`), ending the caller's transaction: for a transfer that is the last thing
    /// its transaction does, so that its accounts are held from their lock to COMMIT only. A
    /// transfer answered otherwise leaves the transaction open.
    static func apply(
        _ transfer: Transfer, locked: ArraySlice<PostgresRows>, atMs timestampMs: Int64, committing: Bool = false,
        on connection: PostgresConnection
    ) throws -> TransferResult {
        let result = try work(transfer, locked: locked, atMs: timestampMs, committing: committing, on: connection)
        LedgerMetrics.count(result)
        return result
    }

    private static func work(
        _ transfer: Transfer, locked: ArraySlice<PostgresRows>, atMs timestampMs: Int64, committing: Bool,
        on connection: PostgresConnection
    ) throws -> TransferResult {
        if let error = LedgerRules.check(transfer) { return .refused(error) }
        precondition(locked.count == (transfer.resolvesPending ? 3 : 1), "the rows of lockStatements(for:) of this transfer, all of them")
        let locked = Array(locked)  // indexed from 0 in lockStatements' order
        var pending: TransferRecord?
        var accountIDs = [transfer.debitAccountID, transfer.creditAccountID]
        let accounts: [AccountID: Account]
        if transfer.resolvesPending {
            if let existing = try locked[0].first.map(transferRecord) {
                return LedgerRules.compare(transfer, with: existing)
            }
            pending = try locked[1].first.map(transferRecord)
            if let pending { accountIDs = [pending.debitAccountID, pending.creditAccountID] }
            accounts = try lockedAccounts(locked[2])
        } else {
            let rows = locked[0]
            let taken = try rows.first?.decode("transfer_exists", as: Bool.self) ?? false
            if taken || rows.isEmpty, let existing = try findTransfer(transfer.id, lock: false, on: connection) {
                return LedgerRules.compare(transfer, with: existing)
            }
            accounts = try lockedAccounts(rows)
        }
        let debit = accounts[accountIDs[0]]
        let credit = accounts[accountIDs[1]]
        switch LedgerRules.validate(transfer, debit: debit, credit: credit, pending: pending, atMs: timestampMs) {
        case .failure(let error):
            return .refused(error)
        case .success(let outcome):
            try write(
                record: outcome.record, resolving: outcome.pending, debit: outcome.debit, credit: outcome.credit,
                entry: outcome.entry, committing: committing, on: connection)
            return .ok
        }
    }

    static func createAccount(_ labelled: LabelledAccount, on connection: PostgresConnection) throws -> AccountResult {
        let account = labelled.account
        if let error = LedgerRules.check(newAccount: account) { return .refused(error) }
        let inserted = try connection.query(
            """
            INSERT INTO ledger_accounts (id, ledger, code, flags, name, head_hash) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (id) DO NOTHING
            """,
            Int64(bitPattern: account.id.rawValue), Int64(account.ledger), Int32(account.code), Int32(account.flags.rawValue),
            labelled.name, PostgresBytes(account.headHash.bytes)
        ).affectedRowCount
        if inserted == 1 { return .ok }
        guard let existing = try connection.query(
            "SELECT \(accountColumns) FROM ledger_accounts WHERE id = $1", Int64(bitPattern: account.id.rawValue)
        ).first.map(Self.account) else { return .refused(.idMustNotBeZero) }
        return LedgerRules.compare(account, with: existing)
    }

    // MARK: - Rows

    static let accountColumns = """
        id, ledger, code, flags, debits_pending_fen, debits_posted_fen, credits_pending_fen, credits_posted_fen, sequence, head_hash
        """

    static let transferColumns = """
        id_high, id_low, debit_account_id, credit_account_id, amount_fen, pending_id_high, pending_id_low, timeout_ms,
        ledger, code, flags, reference, resolved_debit_account_id, resolved_credit_account_id, resolved_ledger,
        resolved_code, resolved_amount_fen, timestamp_ms, expires_at_ms, pending_status
        """

    static let entryColumns = """
        entry_id, kind, transfer_id_high, transfer_id_low, pending_id_high, pending_id_low, debit_account_id, debit_sequence,
        debit_previous_hash, credit_account_id, credit_sequence, credit_previous_hash, ledger, code, amount_fen,
        released_fen, timestamp_ms, expires_at_ms, reference, hash
        """

    /// `lockAccounts`' statement, also saying whether a transfer with `id` exists.
    static func lockAccountsStatement(_ ids: [AccountID], checking id: TransferID) -> PostgresStatement {
        PostgresStatement(
            """
            SELECT \(accountColumns),
                   EXISTS (SELECT 1 FROM ledger_transfers WHERE id_high = $2 AND id_low = $3) AS transfer_exists
            FROM ledger_accounts WHERE id = ANY (string_to_array($1, ',')::bigint[]) ORDER BY id FOR UPDATE
            """,
            idList(ids), bits(id.high), bits(id.low))
    }

    static func lockedAccounts(_ rows: PostgresRows) throws -> [AccountID: Account] {
        var accounts: [AccountID: Account] = [:]
        for row in rows {
            let account = try Self.account(row)
            accounts[account.id] = account
        }
        return accounts
    }

    /// Locks the accounts in ascending id order (the one order every path uses) and returns them.
    /// One statement: the rows are locked as they leave the sort, so in id order.
    static func lockAccounts(_ ids: [AccountID], on connection: PostgresConnection) throws -> [AccountID: Account] {
        try lockedAccounts(connection.query(
            "SELECT \(accountColumns) FROM ledger_accounts WHERE id = ANY (string_to_array($1, ',')::bigint[]) ORDER BY id FOR UPDATE",
            idList(ids)))
    }

    /// Account ids as the comma list the lock statements split.
    static func idList(_ ids: [AccountID]) -> String {
        Set(ids).map { String(Int64(bitPattern: $0.rawValue)) }.joined(separator: ",")
    }

    /// An unsigned id or sequence as the bigint bit pattern it is stored as.
    static func bits(_ value: UInt64) -> Int64 { Int64(bitPattern: value) }

    /// The 20 columns of a transfer row, in `transferColumns` order.
    static func transferParameters(_ record: TransferRecord) -> [any PostgresEncodable] {
        let t = record.transfer
        return [
            bits(t.id.high), bits(t.id.low), bits(t.debitAccountID.rawValue), bits(t.creditAccountID.rawValue), t.amountFen,
            bits(t.pendingID.high), bits(t.pendingID.low), t.timeoutMs, Int64(t.ledger), Int64(t.code), Int64(t.flags.rawValue),
            t.reference, bits(record.debitAccountID.rawValue), bits(record.creditAccountID.rawValue), Int64(record.ledger),
            Int64(record.code), record.amountFen, record.timestampMs, record.expiresAtMs, Int64(record.pendingStatus.rawValue),
        ]
    }

    /// The 19 columns of an entry row, in `entryInsertColumns` order.
    static func entryParameters(_ e: Entry) -> [any PostgresEncodable] {
        [
            Int64(e.kind.rawValue), bits(e.transferID.high), bits(e.transferID.low), bits(e.pendingID.high), bits(e.pendingID.low),
            bits(e.debitAccountID.rawValue), bits(e.debitSequence), PostgresBytes(e.debitPreviousHash.bytes),
            bits(e.creditAccountID.rawValue), bits(e.creditSequence), PostgresBytes(e.creditPreviousHash.bytes), Int64(e.ledger),
            Int64(e.code), e.amountFen, e.releasedFen, e.timestampMs, e.expiresAtMs, e.reference, PostgresBytes(e.hash.bytes),
        ]
    }

    /// An account's balances and chain head, as written back.
    static func accountParameters(_ account: Account) -> [any PostgresEncodable] {
        let b = account.balances
        return [
            bits(account.id.rawValue), b.debitsPendingFen, b.debitsPostedFen, b.creditsPendingFen, b.creditsPostedFen,
            bits(account.sequence), PostgresBytes(account.headHash.bytes),
        ]
    }

    static let entryInsertColumns = """
        kind, transfer_id_high, transfer_id_low, pending_id_high, pending_id_low, debit_account_id, debit_sequence,
        debit_previous_hash, credit_account_id, credit_sequence, credit_previous_hash, ledger, code, amount_fen, released_fen,
        timestamp_ms, expires_at_ms, reference, hash
        """

    /// The one statement that writes a batch of new plain transfers: their rows, their entries
    /// (in order, so `entry_id` order is chain order), and the final balances and heads of every
    /// account they touched. Nil when there is nothing to write.
    static func writeBatchStatement(
        _ outcomes: [TransferOutcome], accounts: [Account]
    ) -> (sql: String, parameters: [any PostgresEncodable])? {
        guard !outcomes.isEmpty else { return nil }
        var parameters: [any PostgresEncodable] = []
        for outcome in outcomes { parameters += transferParameters(outcome.record) }
        for outcome in outcomes { parameters += entryParameters(outcome.entry) }
        for account in accounts { parameters += accountParameters(account) }
        return (writeBatchSQL(transfers: outcomes.count, accounts: accounts.count), parameters)
    }

    /// Batch shapes whose statement text is kept: one per transfer count and account count seen,
    /// up to `writeBatchTextCountMax` (past it, texts are built and not kept).
    private static let writeBatchTexts = Mutex<[Int: String]>([:])
    static let writeBatchTextCountMax = 256

    /// The text of `writeBatchStatement` for a shape; built once per shape (a batch of 16 is
    /// about 10 KB of text, and the connection looks its prepared statement up by that text).
    static func writeBatchSQL(transfers: Int, accounts: Int) -> String {
        let key = transfers << 16 | accounts
        if let text = writeBatchTexts.withLock({ $0[key] }) { return text }
        let transferTypes = [
            "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "integer", "integer", "integer", "text",
            "bigint", "bigint", "integer", "integer", "bigint", "bigint", "bigint", "smallint",
        ]
        let entryTypes = [
            "smallint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bytea", "bigint", "bigint", "bytea", "integer",
            "integer", "bigint", "bigint", "bigint", "bigint", "text", "bytea",
        ]
        let accountTypes = ["bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bytea"]
        var next = 1
        func rows(_ count: Int, _ types: [String]) -> String {
            (0..<count).map { _ in
                defer { next += types.count }
                return "(" + types.enumerated().map { "$\(next + $0.offset)::\($0.element)" }.joined(separator: ", ") + ")"
            }.joined(separator: ",\n")
        }
        let transferRows = rows(transfers, transferTypes)
        let entryRows = rows(transfers, entryTypes)
        let accountRows = rows(accounts, accountTypes)
        let text = """
            WITH new_transfers AS (
                INSERT INTO ledger_transfers (\(transferColumns)) VALUES \(transferRows)
            ), new_entries AS (
                INSERT INTO ledger_entries (\(entryInsertColumns)) VALUES \(entryRows)
            )
            \(accountUpdate(values: accountRows))
            """
        writeBatchTexts.withLock { texts in
            if texts.count < writeBatchTextCountMax { texts[key] = text }
        }
        return text
    }

    /// Writes what the rules decided in one round trip: the new transfer row (none for an
    /// expiry), its entry, the pending transfer it resolves, and both accounts' balances and chain
    /// heads. Fewer round trips while the accounts are locked lets a hot account take more.
    static func write(
        record: TransferRecord?, resolving resolved: TransferRecord?, debit: Account, credit: Account, entry e: Entry,
        committing: Bool = false, on connection: PostgresConnection
    ) throws {
        // $1…$20: the transfer.
        var parameters = record.map(transferParameters) ?? Array(repeating: Int64(0), count: 20)
        // $21…$39: the entry.
        parameters += entryParameters(e)
        // $40…$43: the pending transfer it resolves, if any.
        parameters += [
            resolved != nil, bits(resolved?.id.high ?? 0), bits(resolved?.id.low ?? 0), Int64(resolved?.pendingStatus.rawValue ?? 0),
        ]
        // $44…$57: both accounts.
        parameters += accountParameters(debit) + accountParameters(credit)
        parameters.append(record != nil)  // $58
        if committing {
            try connection.queryThenCommit(writeSQL, parameters: parameters)
        } else {
            try connection.query(writeSQL, parameters: parameters)
        }
    }

    /// `write`'s statement: $1…$20 the transfer, $21…$39 the entry, $40…$43 the pending
    /// transfer it resolves, $44…$57 both accounts, $58 whether there is a new transfer row.
    static let writeSQL = """
            WITH new_transfer AS (
                INSERT INTO ledger_transfers (\(transferColumns))
                SELECT $1::bigint, $2::bigint, $3::bigint, $4::bigint, $5::bigint, $6::bigint, $7::bigint, $8::bigint,
                    $9::integer, $10::integer, $11::integer, $12::text, $13::bigint, $14::bigint, $15::integer, $16::integer,
                    $17::bigint, $18::bigint, $19::bigint, $20::smallint
                WHERE $58::boolean
            ), new_entry AS (
                INSERT INTO ledger_entries (\(entryInsertColumns))
                VALUES ($21::smallint, $22::bigint, $23::bigint, $24::bigint, $25::bigint, $26::bigint, $27::bigint, $28::bytea,
                    $29::bigint, $30::bigint, $31::bytea, $32::integer, $33::integer, $34::bigint, $35::bigint, $36::bigint,
                    $37::bigint, $38::text, $39::bytea)
            ), resolved AS (
                UPDATE ledger_transfers SET pending_status = $43::smallint
                WHERE $40::boolean AND id_high = $41::bigint AND id_low = $42::bigint
            )
            \(accountUpdate(values: """
                ($44::bigint, $45::bigint, $46::bigint, $47::bigint, $48::bigint, $49::bigint, $50::bytea),
                ($51::bigint, $52::bigint, $53::bigint, $54::bigint, $55::bigint, $56::bigint, $57::bytea)
                """))
            """

    /// The UPDATE that writes accounts' balances and chain heads back from `values`, rows of
    /// (id, debits pending, debits posted, credits pending, credits posted, sequence, head hash).
    static func accountUpdate(values: String) -> String {
        """
        UPDATE ledger_accounts a SET debits_pending_fen = v.dp, debits_posted_fen = v.dpo, credits_pending_fen = v.cp,
            credits_posted_fen = v.cpo, sequence = v.seq, head_hash = v.head
        FROM (VALUES \(values)) AS v(id, dp, dpo, cp, cpo, seq, head)
        WHERE a.id = v.id
        """
    }

    static func findTransfer(_ id: TransferID, lock: Bool, on connection: PostgresConnection) throws -> TransferRecord? {
        try connection.query(findTransferSQL(lock: lock), bits(id.high), bits(id.low)).first.map(Self.transferRecord)
    }

    static func findTransferSQL(lock: Bool) -> String {
        "SELECT \(transferColumns) FROM ledger_transfers WHERE id_high = $1 AND id_low = $2\(lock ? " FOR UPDATE" : "")"
    }

    static func account(_ row: PostgresRow) throws -> Account {
        Account(
            id: AccountID(UInt64(bitPattern: try row.decode("id"))), ledger: UInt32(truncatingIfNeeded: try row.decode("ledger", as: Int64.self)),
            code: UInt16(truncatingIfNeeded: try row.decode("code", as: Int64.self)),
            flags: AccountFlags(rawValue: UInt16(truncatingIfNeeded: try row.decode("flags", as: Int64.self))),
            balances: Balances(
                debitsPendingFen: try row.decode("debits_pending_fen"), debitsPostedFen: try row.decode("debits_posted_fen"),
                creditsPendingFen: try row.decode("credits_pending_fen"), creditsPostedFen: try row.decode("credits_posted_fen")),
            sequence: UInt64(bitPattern: try row.decode("sequence")), headHash: try hash(row, "head_hash"))
    }

    static func transferRecord(_ row: PostgresRow) throws -> TransferRecord {
        func id(_ high: String, _ low: String) throws -> TransferID {
            TransferID(high: UInt64(bitPattern: try row.decode(high)), low: UInt64(bitPattern: try row.decode(low)))
        }
        func accountID(_ column: String) throws -> AccountID { AccountID(UInt64(bitPattern: try row.decode(column))) }
        func small(_ column: String) throws -> Int64 { try row.decode(column, as: Int64.self) }
        let transfer = Transfer(
            id: try id("id_high", "id_low"), debitAccountID: try accountID("debit_account_id"),
            creditAccountID: try accountID("credit_account_id"), amountFen: try row.decode("amount_fen"),
            pendingID: try id("pending_id_high", "pending_id_low"), timeoutMs: try row.decode("timeout_ms"),
            ledger: UInt32(truncatingIfNeeded: try small("ledger")), code: UInt16(truncatingIfNeeded: try small("code")),
            flags: TransferFlags(rawValue: UInt16(truncatingIfNeeded: try small("flags"))), reference: try row.decode("reference"))
        return TransferRecord(
            transfer: transfer, debitAccountID: try accountID("resolved_debit_account_id"),
            creditAccountID: try accountID("resolved_credit_account_id"),
            ledger: UInt32(truncatingIfNeeded: try small("resolved_ledger")), code: UInt16(truncatingIfNeeded: try small("resolved_code")),
            amountFen: try row.decode("resolved_amount_fen"), timestampMs: try row.decode("timestamp_ms"),
            expiresAtMs: try row.decode("expires_at_ms"),
            pendingStatus: PendingStatus(rawValue: UInt8(truncatingIfNeeded: try small("pending_status"))) ?? .none)
    }

    /// An entry row as stored, with its `entry_id`; the row's columns are `entryColumns`, in order
    /// (read by position: verification reads a million of them).
    public static func entry(_ row: PostgresRow) throws -> (entryID: Int64, entry: Entry) {
        try entry(
            int: { try row.int64(at: $0) },
            hash: { index in
                let value = try row.bytes(at: index)
                guard let hash = EntryHash(byteArray: value) else {
                    throw PostgresDecodingError.invalidValue(column: "hash", expected: "32-byte hash", text: "\(value.count) bytes")
                }
                return hash
            },
            text: { try row.decode(at: $0, as: String.self) })
    }

    /// An entry from its columns in `entryColumns` order, however they are read (a result row,
    /// a line of COPY).
    static func entry(
        int: (Int) throws -> Int64, hash: (Int) throws -> EntryHash, text: (Int) throws -> String
    ) throws -> (entryID: Int64, entry: Entry) {
        func id(_ high: Int) throws -> TransferID {
            TransferID(high: UInt64(bitPattern: try int(high)), low: UInt64(bitPattern: try int(high + 1)))
        }
        let entry = Entry(
            kind: EntryKind(rawValue: UInt8(truncatingIfNeeded: try int(1))) ?? .posted,
            transferID: try id(2), pendingID: try id(4),
            debitAccountID: AccountID(UInt64(bitPattern: try int(6))), debitSequence: UInt64(bitPattern: try int(7)),
            debitPreviousHash: try hash(8),
            creditAccountID: AccountID(UInt64(bitPattern: try int(9))), creditSequence: UInt64(bitPattern: try int(10)),
            creditPreviousHash: try hash(11), ledger: UInt32(truncatingIfNeeded: try int(12)),
            code: UInt16(truncatingIfNeeded: try int(13)), amountFen: try int(14), releasedFen: try int(15),
            timestampMs: try int(16), expiresAtMs: try int(17), reference: try text(18), hash: try hash(19))
        return (try int(0), entry)
    }


    static func hash(_ row: PostgresRow, _ column: String) throws -> EntryHash {
        let bytes = try row.decode(column, as: PostgresBytes.self).bytes
        guard let hash = EntryHash(bytes: bytes) else {
            throw PostgresDecodingError.invalidValue(column: column, expected: "32-byte hash", text: "\(bytes.count) bytes")
        }
        return hash
    }
}
