/// The whole ledger in memory: a pure state machine that applies batches of transfers.
///
/// It is the reference for the storage adapter (both go through `LedgerRules`), the engine the
/// model tests drive, and a way to build test ledgers. Nothing here does I/O.
public struct LedgerState: Sendable {
    /// Every account, by id.
    public private(set) var accounts: [AccountID: Account] = [:]
    /// Every accepted transfer, by id.
    public private(set) var transfers: [TransferID: TransferRecord] = [:]
    /// Every entry, in the order appended (an order consistent with every account's chain).
    public private(set) var entries: [Entry] = []
    /// Pending transfers that are still held and have a timeout.
    private var timedPendings: Set<TransferID> = []

    /// An empty ledger.
    public init() {}

    /// Opens an account, or answers `.exists` / a refusal; see `LedgerRules.check(newAccount:)`.
    public mutating func createAccount(_ account: Account) -> AccountResult {
        if let error = LedgerRules.check(newAccount: account) { return .refused(error) }
        if let existing = accounts[account.id] { return LedgerRules.compare(account, with: existing) }
        accounts[account.id] = account
        return .ok
    }

    /// Applies a batch at `timestampMs`: first expires every pending transfer due by then, then
    /// applies the transfers in order, a linked chain all or nothing; one result per transfer.
    ///
    /// A chain is a run of transfers flagged `linked` plus the first one after it without the flag.
    /// If one fails, it keeps its own refusal, the others of its chain get `linkedEventFailed`, and
    /// the chain's effects are undone. `exists` does not break a chain: a retried chain answers
    /// `exists` for each transfer it already applied.
    public mutating func apply(_ batch: [Transfer], atMs timestampMs: Int64) -> [TransferResult] {
        if batch.count > LedgerLimits.batchSizeMax { return Array(repeating: .refused(.batchTooLarge), count: batch.count) }
        expire(atMs: timestampMs)
        var results: [TransferResult] = []
        results.reserveCapacity(batch.count)
        var start = 0
        while start < batch.count {
            var end = start
            while end < batch.count && batch[end].flags.contains(.linked) { end += 1 }
            if end == batch.count {
                // The batch ends inside a chain: the whole chain fails without being tried.
                for index in start..<batch.count {
                    results.append(.refused(index == batch.count - 1 ? .linkedEventChainOpen : .linkedEventFailed))
                }
                break
            }
            var undo = Undo(entryCount: entries.count)
            var failed: Int?
            for index in start...end {
                let result = applyOne(batch[index], atMs: timestampMs, undo: &undo)
                results.append(result)
                if case .refused = result, start < end {
                    failed = index
                    break
                }
            }
            if let failed {
                rollBack(undo)
                for index in start...end where index != failed {
                    if index < results.count { results[index] = .refused(.linkedEventFailed) } else { results.append(.refused(.linkedEventFailed)) }
                }
            }
            start = end + 1
        }
        assert(results.count == batch.count)
        return results
    }

    /// Expires every held pending transfer whose timeout is at or before `timestampMs`, earliest first; returns how many.
    @discardableResult
    public mutating func expire(atMs timestampMs: Int64) -> Int {
        let due = timedPendings.compactMap { id -> TransferRecord? in
            guard let record = transfers[id], record.expiresAtMs <= timestampMs else { return nil }
            return record
        }.sorted { ($0.expiresAtMs, $0.id) < ($1.expiresAtMs, $1.id) }
        for pending in due {
            guard let debit = accounts[pending.debitAccountID], let credit = accounts[pending.creditAccountID],
                let outcome = LedgerRules.expire(pending, debit: debit, credit: credit, atMs: timestampMs)
            else { preconditionFailure("a timed pending transfer could not expire") }
            accounts[debit.id] = outcome.debit
            accounts[credit.id] = outcome.credit
            transfers[pending.id] = outcome.pending
            timedPendings.remove(pending.id)
            entries.append(outcome.entry)
        }
        return due.count
    }

    /// The heads of every account's chain, as they enter the ledger digest.
    public var digest: ChainDigest { ChainDigest.of(accounts.values.map(\.head)) }

    /// What to restore if a linked chain fails.
    private struct Undo {
        var entryCount: Int
        var accounts: [Account] = []
        var insertedTransfers: [TransferID] = []
        var replacedTransfers: [TransferRecord] = []
        var timedAdded: [TransferID] = []
        var timedRemoved: [TransferID] = []
    }

    private mutating func applyOne(_ transfer: Transfer, atMs timestampMs: Int64, undo: inout Undo) -> TransferResult {
        if let error = LedgerRules.check(transfer) { return .refused(error) }
        if let existing = transfers[transfer.id] { return LedgerRules.compare(transfer, with: existing) }
        var pending: TransferRecord?
        var debit: Account?, credit: Account?
        if transfer.resolvesPending {
            pending = transfers[transfer.pendingID]
            if let pending {
                debit = accounts[pending.debitAccountID]
                credit = accounts[pending.creditAccountID]
            }
        } else {
            debit = accounts[transfer.debitAccountID]
            credit = accounts[transfer.creditAccountID]
        }
        switch LedgerRules.validate(transfer, debit: debit, credit: credit, pending: pending, atMs: timestampMs) {
        case .failure(let error):
            return .refused(error)
        case .success(let outcome):
            if let debit, let credit { undo.accounts += [debit, credit] }
            accounts[outcome.debit.id] = outcome.debit
            accounts[outcome.credit.id] = outcome.credit
            if let pending, let updated = outcome.pending {
                undo.replacedTransfers.append(pending)
                transfers[updated.id] = updated
                if timedPendings.remove(updated.id) != nil { undo.timedRemoved.append(updated.id) }
            }
            transfers[outcome.record.id] = outcome.record
            undo.insertedTransfers.append(outcome.record.id)
            if outcome.record.pendingStatus == .pending && outcome.record.expiresAtMs != 0 {
                timedPendings.insert(outcome.record.id)
                undo.timedAdded.append(outcome.record.id)
            }
            entries.append(outcome.entry)
            return .ok
        }
    }

    private mutating func rollBack(_ undo: Undo) {
        // Restore what existed before, then drop what the chain created (a chain may create a
        // pending transfer and resolve it too).
        for account in undo.accounts.reversed() { accounts[account.id] = account }
        for record in undo.replacedTransfers.reversed() { transfers[record.id] = record }
        for id in undo.insertedTransfers { transfers[id] = nil }
        for id in undo.timedRemoved { timedPendings.insert(id) }
        for id in undo.timedAdded { timedPendings.remove(id) }
        entries.removeSubrange(undo.entryCount...)
    }
}
