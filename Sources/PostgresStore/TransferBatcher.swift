import Foundation
import Ledger
import Postgres

/// Group commit for lone transfers. Concurrent submissions of single plain transfers (not
/// linked, not resolving a hold) queue here and go to PostgreSQL together, as one transaction that
/// locks every account of the batch at once (ascending ids, the ledger's one lock order), applies
/// `LedgerRules` to each transfer in turn against the accounts as the earlier ones left them,
/// writes them all in one statement, and commits once. A hot account is then locked once per batch
/// instead of once per transfer, and the commits of many transfers are one. Results are exactly
/// those of submitting the transfers one by one in queue order.
///
/// A batch goes one of two ways:
/// - **Ahead**, when this process knows every account of the batch as its last batch left them:
///   the batch is worked out here first, and the lock (`lockAtHeads`, which refuses unless every
///   account is still at the chain head the batch was worked out from) and the
///   writes go as one unit to `PostgresPipelineWriter`, which runs this store's units on one
///   connection, in order, each sent without waiting for the one before. The accounts are then
///   held only while PostgreSQL runs those two statements and commits, never across a round trip
///   to this process, and the next batch is worked out on top of this one while it is in flight.
/// - **Locked first** otherwise, or when the ahead attempt was refused or failed: lock and read
///   the accounts, work the batch out, write, commit. If that transaction fails too, each transfer
///   is retried alone.
actor TransferBatcher {
    struct Waiting {
        var transfer: Transfer
        var atMs: Int64
        var continuation: CheckedContinuation<TransferResult, any Error>
    }

    /// Transfers per transaction: enough to amortise the lock and the commit, few enough that
    /// a batch holds its locks briefly.
    static let batchSizeMax = 64

    /// Batches in flight at once: one fills while others commit. Their locks take accounts in
    /// ascending order, so they never deadlock each other.
    static let drainCountMax = 3

    /// Accounts remembered for the ahead path; past this the memory starts again empty.
    static let knownAccountCountMax = 4_096

    /// Batches by the way they went, since this store was made.
    private(set) var counts = GroupCommitCounts()
    private var queue: [Waiting] = []
    private var drainCount = 0
    /// Accounts as this process's latest batch leaves them, committed or still in flight. Only a
    /// guess about the database: the lock checks it, and a wrong guess costs one refused attempt.
    private var known: [AccountID: Account] = [:]

    func submit(_ transfer: Transfer, atMs: Int64, store: PostgresLedgerStore) async throws -> TransferResult {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Waiting(transfer: transfer, atMs: atMs, continuation: continuation))
            if drainCount < Self.drainCountMax {
                drainCount += 1
                Task { await self.drain(store) }
            }
        }
    }

    /// Drops what this process remembers of accounts that another path (a linked chain, a post
    /// or void) has just changed, so the next batch on them locks first. Only a saving: a path
    /// that does not call this (an expiry, a voucher's transaction, another server) costs the
    /// next batch on those accounts one refused attempt, since the lock checks the heads.
    func forget(_ ids: some Sequence<AccountID>) {
        for id in ids { known[id] = nil }
    }

    /// Runs batches until the queue is empty; new submissions join while a batch is in flight.
    private func drain(_ store: PostgresLedgerStore) async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(Self.batchSizeMax))
            queue.removeFirst(batch.count)
            let items = batch.map { ($0.transfer, $0.atMs) }
            LedgerMetrics.batch(size: batch.count)
            let started = ContinuousClock.now
            if let results = await writeAhead(items, store: store) {
                LedgerMetrics.committed(way: "ahead", since: started)
                for (waiting, result) in zip(batch, results) {
                    LedgerMetrics.count(result)
                    waiting.continuation.resume(returning: result)
                }
                continue
            }
            await enter(.lockedFirst)
            counts.lockedFirst += 1
            do {
                let lockedStarted = ContinuousClock.now
                let plan = try await store.applyBatch(items)
                LedgerMetrics.committed(way: "locked_first", since: lockedStarted)
                for result in plan.results { LedgerMetrics.count(result) }
                remember(plan.accounts.values)
                leave(.lockedFirst)
                for (waiting, result) in zip(batch, plan.results) { waiting.continuation.resume(returning: result) }
            } catch {
                leave(.lockedFirst)
                // Alone, outside the batcher's view: what it remembers of these accounts is behind.
                forget(batch.flatMap { [$0.transfer.debitAccountID, $0.transfer.creditAccountID] })
                for waiting in batch {
                    do {
                        waiting.continuation.resume(returning: try await store.submitAlone(waiting.transfer, atMs: waiting.atMs))
                    } catch {
                        waiting.continuation.resume(throwing: error)
                    }
                }
            }
        }
        drainCount -= 1
    }

    /// The ahead path: nil when an account of the batch is not known here, or when the database
    /// refused or failed the attempt (nothing of it was written).
    private func writeAhead(_ items: [(transfer: Transfer, atMs: Int64)], store: PostgresLedgerStore) async -> [TransferResult]? {
        let ids = Set(items.flatMap { [$0.transfer.debitAccountID, $0.transfer.creditAccountID] })
        guard knownAccounts(ids) != nil else { return nil }
        await enter(.ahead)
        defer { leave(.ahead) }
        // Known still? A locked-first batch that ran meanwhile may have made this process forget.
        guard let accounts = knownAccounts(ids) else { return nil }
        let expected = Array(accounts.values)
        // Ids already taken are not looked for: inserting one fails the attempt, and the locked
        // path then answers it. A refusal is left to the locked path too, since a retry of a
        // transfer that was applied must be answered `exists`, whatever the balances say now.
        let plan = BatchPlan(items, accounts: accounts, existing: { _ in nil })
        if plan.refusedByBalances { return nil }
        for account in plan.accounts.values { known[account.id] = account }  // the next batch builds on this one
        let statements = PostgresLedgerStore.aheadStatements(plan, expected: expected)
        do {
            // Submitted before this actor moves on, so units reach the writer in plan order.
            try await withCheckedThrowingContinuation { store.aheadWriter.submit(statements, answer: $0) }
            counts.ahead += 1
            return plan.results
        } catch {
            counts.aheadFailed += 1
            forget(plan.accounts.keys)
            return nil
        }
    }

    /// The accounts as this process last left them, if it knows every one.
    private func knownAccounts(_ ids: Set<AccountID>) -> [AccountID: Account]? {
        var accounts: [AccountID: Account] = [:]
        for id in ids {
            guard let account = known[id] else { return nil }
            accounts[id] = account
        }
        return accounts
    }

    // MARK: - One way at a time

    /// The two ways never run at once: a locked-first batch changes accounts behind the back of
    /// the ahead batches in flight (which the lock would then refuse, and their retries would
    /// race the next ahead batches), so each way waits until the other has none in flight.
    /// Waiters are let in in arrival order, so neither way starves the other.
    enum Way { case ahead, lockedFirst }
    private var inFlight: [Way: Int] = [.ahead: 0, .lockedFirst: 0]
    private var waitingToEnter: [(way: Way, continuation: CheckedContinuation<Void, Never>)] = []

    private func opposite(_ way: Way) -> Way { way == .ahead ? .lockedFirst : .ahead }

    private func enter(_ way: Way) async {
        if waitingToEnter.isEmpty && inFlight[opposite(way)] == 0 {
            inFlight[way, default: 0] += 1
            return
        }
        await withCheckedContinuation { waitingToEnter.append((way, $0)) }  // counted in by `leave`
    }

    private func leave(_ way: Way) {
        inFlight[way, default: 0] -= 1
        while let first = waitingToEnter.first, inFlight[opposite(first.way)] == 0 {
            waitingToEnter.removeFirst()
            inFlight[first.way, default: 0] += 1
            first.continuation.resume()
        }
    }

    /// Remembers accounts as a committed batch left them, unless a later state is known already.
    private func remember(_ accounts: some Sequence<Account>) {
        if known.count > Self.knownAccountCountMax { known.removeAll() }
        for account in accounts where (known[account.id]?.sequence ?? 0) <= account.sequence {
            known[account.id] = account
        }
    }
}

/// How group commit's batches went (see `TransferBatcher`): for tests and metrics.
public struct GroupCommitCounts: Sendable, Equatable {
    /// Batches worked out ahead and committed.
    public var ahead = 0
    /// Batches worked out ahead that the database refused (an account had moved on) or failed;
    /// each then went locked first.
    public var aheadFailed = 0
    /// Batches that went locked first.
    public var lockedFirst = 0
}

/// What a batch of plain transfers does, worked out by `LedgerRules` in queue order from the
/// accounts as they stand before it.
struct BatchPlan: Sendable {
    var results: [TransferResult]
    var outcomes: [TransferOutcome]
    /// Every account the batch's transfers name, as the batch leaves them.
    var accounts: [AccountID: Account]
    /// The accounts the outcomes change, as the last of them leaves each, by ascending id.
    var written: [Account]
    /// Whether a transfer was refused on what the accounts hold (a limit, a missing account): an
    /// answer that stands only if its id is new, which the ahead path does not look up.
    var refusedByBalances: Bool

    /// `existing` answers, for an id the database may already hold, that transfer.
    init(
        _ items: [(transfer: Transfer, atMs: Int64)], accounts before: [AccountID: Account],
        existing: (TransferID) throws -> TransferRecord?
    ) rethrows {
        // `LedgerRules.check` has passed for each (the store refuses the others before batching).
        var results: [TransferResult?] = Array(repeating: nil, count: items.count)
        var accounts = before
        var records: [TransferID: TransferRecord] = [:]
        var outcomes: [TransferOutcome] = []
        var refusedByBalances = false
        for index in items.indices {
            let (transfer, atMs) = items[index]
            if let record = records[transfer.id] {
                results[index] = LedgerRules.compare(transfer, with: record)
                continue
            }
            if let record = try existing(transfer.id) {
                results[index] = LedgerRules.compare(transfer, with: record)
                continue
            }
            switch LedgerRules.validate(
                transfer, debit: accounts[transfer.debitAccountID], credit: accounts[transfer.creditAccountID], pending: nil, atMs: atMs)
            {
            case .failure(let error):
                results[index] = .refused(error)
                refusedByBalances = true
            case .success(let outcome):
                outcomes.append(outcome)
                accounts[outcome.debit.id] = outcome.debit
                accounts[outcome.credit.id] = outcome.credit
                records[transfer.id] = outcome.record
                results[index] = .ok
            }
        }
        self.results = results.map { $0! }
        self.refusedByBalances = refusedByBalances
        self.outcomes = outcomes
        self.accounts = accounts
        self.written = Set(outcomes.flatMap { [$0.debit.id, $0.credit.id] }).sorted().compactMap { accounts[$0] }
    }
}

extension PostgresLedgerStore {
    /// The locked-first path of a batch (see `TransferBatcher`): one transaction.
    func applyBatch(_ items: [(transfer: Transfer, atMs: Int64)]) async throws -> BatchPlan {
        try await pool.withTransaction(retry: .onConflict) { connection in
            let transfers = items.map(\.transfer)
            let locked = try Self.lockAccounts(
                transfers.flatMap { [$0.debitAccountID, $0.creditAccountID] }, checking: transfers.map(\.id), on: connection)
            let plan = BatchPlan(items, accounts: locked.accounts) { locked.taken[$0] }
            if let write = Self.writeBatchStatement(plan.outcomes, accounts: plan.written) {
                try connection.query(write.sql, parameters: write.parameters)
            }
            return plan
        }
    }

    /// The ahead path's one unit (see `TransferBatcher`): the lock at the expected heads, then
    /// the writes; committed together by `aheadWriter`, or not at all. The lock reads each account
    /// as FOR UPDATE leaves it: after waiting for a writer that held it, the row that writer
    /// committed (a WHERE on the head would be judged on the row as it was before the wait).
    static let lockAtHeads = """
        SELECT ledger_accounts_moved_on(cardinality($1::bigint[]), at_head) FROM (
            SELECT count(*) FILTER (WHERE locked.at_head)::integer AS at_head FROM (
                SELECT a.sequence = expected.sequence AND a.head_hash = expected.head AS at_head
                FROM ledger_accounts a
                JOIN unnest($1::bigint[], $2::bigint[], $3::bytea[]) AS expected(id, sequence, head) ON expected.id = a.id
                ORDER BY a.id FOR UPDATE OF a) AS locked) AS counted
        WHERE at_head <> cardinality($1::bigint[])
        """

    static func aheadStatements(_ plan: BatchPlan, expected: [Account]) -> [PostgresPipelineWriter.Statement] {
        var statements: [PostgresPipelineWriter.Statement] = [(
            lockAtHeads,
            [
                "{" + expected.map { String(bits($0.id.rawValue)) }.joined(separator: ",") + "}",
                "{" + expected.map { String(bits($0.sequence)) }.joined(separator: ",") + "}",
                "{" + expected.map { "\"\\\\x\($0.headHash.hex)\"" }.joined(separator: ",") + "}",
            ]
        )]
        if let write = writeBatchStatement(plan.outcomes, accounts: plan.written) { statements.append(write) }
        return statements
    }

    /// Locks the accounts (ascending ids) and, in the same statement, reads which of `ids` are
    /// already transfers: one round trip while the batch holds its locks.
    static func lockAccounts(
        _ accountIDs: [AccountID], checking ids: [TransferID], on connection: PostgresConnection
    ) throws -> (accounts: [AccountID: Account], taken: [TransferID: TransferRecord]) {
        // Numbers only, written into the statements so that each id is an index lookup.
        let accountList = idList(accountIDs)
        let takenSQL = "SELECT \(transferColumns) FROM ledger_transfers WHERE (id_high, id_low) IN (\(transferIDList(ids)))"
        let rows = try connection.query(
            """
            SELECT \(accountColumns), EXISTS (\(takenSQL)) AS any_taken
            FROM ledger_accounts WHERE id IN (\(accountList.isEmpty ? "0" : accountList)) ORDER BY id FOR UPDATE
            """,
            parameters: [], prepared: false)
        let accounts = try lockedAccounts(rows)
        // The accounts' row says whether any id is taken; only then are the transfers read, and
        // when no account came back there is no row to say it.
        let anyTaken = try rows.first?.decode("any_taken", as: Bool.self) ?? !ids.isEmpty
        var taken: [TransferID: TransferRecord] = [:]
        if anyTaken {
            for row in try connection.query(takenSQL, parameters: [], prepared: false) {
                let record = try transferRecord(row)
                taken[record.id] = record
            }
        }
        return (accounts, taken)
    }

    /// Transfer ids as the `(high, low), …` list of a row comparison; `(0,0)`, which is no id, for none.
    static func transferIDList(_ ids: [TransferID]) -> String {
        ids.isEmpty ? "(0,0)" : ids.map { "(\(bits($0.high)),\(bits($0.low)))" }.joined(separator: ",")
    }
}
