import Foundation
import Ledger
import Postgres

/// Group commit for lone transfers. Concurrent submissions of single plain transfers (not
/// linked, not resolving a hold) queue here and go to PostgreSQL together: one transaction locks
/// every account of the batch at once (ascending ids, the ledger's one lock order), applies
/// `LedgerRules` to each transfer in turn against the rows as the earlier ones left them, writes
/// them all in one statement, and commits once. A hot account is then locked once per batch instead of once per
/// transfer, and the commits of many transfers are one. Results are exactly those of submitting
/// the transfers one by one in queue order; if the batch's transaction fails, each transfer is
/// retried alone.
actor TransferBatcher {
    struct Waiting {
        var transfer: Transfer
        var atMs: Int64
        var continuation: CheckedContinuation<TransferResult, any Error>
    }

    /// Transfers per transaction: enough to amortise the lock and the commit, few enough that
    /// a batch holds its locks briefly.
    static let batchSizeMax = 64

    /// Batches in flight at once: one fills while another commits. Their lock statements take
    /// accounts in ascending order, so they never deadlock each other.
    static let drainCountMax = 2

    private var queue: [Waiting] = []
    private var drainCount = 0

    func submit(_ transfer: Transfer, atMs: Int64, store: PostgresLedgerStore) async throws -> TransferResult {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Waiting(transfer: transfer, atMs: atMs, continuation: continuation))
            if drainCount < Self.drainCountMax {
                drainCount += 1
                Task { await self.drain(store) }
            }
        }
    }

    /// Runs batches until the queue is empty; new submissions join while a batch is in flight.
    private func drain(_ store: PostgresLedgerStore) async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(Self.batchSizeMax))
            queue.removeFirst(batch.count)
            do {
                let results = try await store.applyBatch(batch.map { ($0.transfer, $0.atMs) })
                for (waiting, result) in zip(batch, results) { waiting.continuation.resume(returning: result) }
            } catch {
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
}

extension PostgresLedgerStore {
    /// One transaction for a batch of plain transfers, in order (see `TransferBatcher`).
    func applyBatch(_ items: [(transfer: Transfer, atMs: Int64)]) async throws -> [TransferResult] {
        try await pool.withTransaction(retry: .onConflict) { connection in
            var results = items.map { LedgerRules.check($0.transfer).map(TransferResult.refused) }
            let live = items.indices.filter { results[$0] == nil }
            let locked = try Self.lockAccounts(
                live.flatMap { [items[$0].transfer.debitAccountID, items[$0].transfer.creditAccountID] },
                checking: live.map { items[$0].transfer.id }, on: connection)
            var accounts = locked.accounts
            let taken = locked.taken
            var written: [TransferID: TransferRecord] = [:]
            var outcomes: [TransferOutcome] = []
            for index in live {
                let (transfer, atMs) = items[index]
                if let record = written[transfer.id] {
                    results[index] = LedgerRules.compare(transfer, with: record)
                    continue
                }
                if taken.contains(transfer.id), let existing = try Self.findTransfer(transfer.id, lock: false, on: connection) {
                    results[index] = LedgerRules.compare(transfer, with: existing)
                    continue
                }
                switch LedgerRules.validate(
                    transfer, debit: accounts[transfer.debitAccountID], credit: accounts[transfer.creditAccountID], pending: nil, atMs: atMs)
                {
                case .failure(let error):
                    results[index] = .refused(error)
                case .success(let outcome):
                    outcomes.append(outcome)
                    accounts[outcome.debit.id] = outcome.debit
                    accounts[outcome.credit.id] = outcome.credit
                    written[transfer.id] = outcome.record
                    results[index] = .ok
                }
            }
            // Every row in one statement; the accounts as the last transfer left them.
            let touched = Set(outcomes.flatMap { [$0.debit.id, $0.credit.id] })
            try Self.writeBatch(outcomes, accounts: touched.sorted().compactMap { accounts[$0] }, on: connection)
            return results.map { $0! }
        }
    }

    /// Locks the accounts (ascending ids) and, in the same statement, finds which of `ids` are
    /// already transfers: one round trip while the batch holds its locks.
    static func lockAccounts(
        _ accountIDs: [AccountID], checking ids: [TransferID], on connection: PostgresConnection
    ) throws -> (accounts: [AccountID: Account], taken: Set<TransferID>) {
        // Numbers only, written into the statement so that each id is an index lookup.
        let accountList = Set(accountIDs).map { String(Int64(bitPattern: $0.rawValue)) }.joined(separator: ",")
        let pairs = ids.map { "(\(Int64(bitPattern: $0.high)),\(Int64(bitPattern: $0.low)))" }.joined(separator: ",")
        var accounts: [AccountID: Account] = [:]
        var takenText = ""
        for row in try connection.query(
            """
            SELECT \(accountColumns),
                   (SELECT coalesce(string_agg(id_high || ':' || id_low, ','), '') FROM ledger_transfers
                    WHERE (id_high, id_low) IN (\(pairs.isEmpty ? "(0,0)" : pairs))) AS taken
            FROM ledger_accounts WHERE id IN (\(accountList.isEmpty ? "0" : accountList)) ORDER BY id FOR UPDATE
            """,
            parameters: [], prepared: false)
        {
            let account = try Self.account(row)
            accounts[account.id] = account
            takenText = try row.decode("taken")
        }
        if accounts.isEmpty && !ids.isEmpty {
            // No account row to carry the answer: ask on its own.
            takenText = try connection.query(
                "SELECT coalesce(string_agg(id_high || ':' || id_low, ','), '') AS taken FROM ledger_transfers WHERE (id_high, id_low) IN (\(pairs))",
                parameters: [], prepared: false)[0].decode("taken")
        }
        let taken = takenText.split(separator: ",").compactMap { pair -> TransferID? in
            let parts = pair.split(separator: ":")
            guard parts.count == 2, let high = Int64(parts[0]), let low = Int64(parts[1]) else { return nil }
            return TransferID(high: UInt64(bitPattern: high), low: UInt64(bitPattern: low))
        }
        return (accounts, Set(taken))
    }
}
