import Ledger
import LedgerTestSupport
import Testing

/// Drives `LedgerRules` the way the PostgreSQL adapter will: only the rows it locked, one transfer
/// at a time, writing back what the rules return; the result must equal `LedgerState`'s.
@Suite struct StorageAdapterFlowTests {
    /// Tables as the adapter keeps them.
    struct Tables {
        var accounts: [AccountID: Account] = [:]
        var transfers: [TransferID: TransferRecord] = [:]
        var entries: [Entry] = []

        mutating func submit(_ transfer: Transfer, atMs: Int64) -> TransferResult {
            if let error = LedgerRules.check(transfer) { return .refused(error) }
            if let existing = transfers[transfer.id] { return LedgerRules.compare(transfer, with: existing) }
            // Lock the pending transfer's row first (post or void), then both accounts in ascending id order.
            let pending = transfer.resolvesPending ? transfers[transfer.pendingID] : nil
            let debitID = pending?.debitAccountID ?? transfer.debitAccountID
            let creditID = pending?.creditAccountID ?? transfer.creditAccountID
            let lockOrder = [debitID, creditID].sorted()
            #expect(lockOrder[0] <= lockOrder[1])
            switch LedgerRules.validate(transfer, debit: accounts[debitID], credit: accounts[creditID], pending: pending, atMs: atMs) {
            case .failure(let error):
                return .refused(error)
            case .success(let outcome):
                accounts[outcome.debit.id] = outcome.debit
                accounts[outcome.credit.id] = outcome.credit
                if let updated = outcome.pending { transfers[updated.id] = updated }
                transfers[outcome.record.id] = outcome.record
                entries.append(outcome.entry)
                return .ok
            }
        }

        mutating func sweep(atMs: Int64) {
            for pending in transfers.values.sorted(by: { ($0.expiresAtMs, $0.id) < ($1.expiresAtMs, $1.id) }) {
                guard let debit = accounts[pending.debitAccountID], let credit = accounts[pending.creditAccountID],
                    let outcome = LedgerRules.expire(pending, debit: debit, credit: credit, atMs: atMs)
                else { continue }
                accounts[debit.id] = outcome.debit
                accounts[credit.id] = outcome.credit
                transfers[pending.id] = outcome.pending
                entries.append(outcome.entry)
            }
        }
    }

    @Test("transfer by transfer through the rules gives the state machine's rows, entries and answers",
          arguments: Seeds.list(count: 6, salt: 0xADA9))
    func sameAsStateMachine(seed: UInt64) {
        var workload = Workload(seed: seed)
        var engine = LedgerState()
        var tables = Tables()
        for account in workload.accounts() {
            _ = engine.createAccount(account)
            tables.accounts[account.id] = account
        }
        for _ in 0..<200 {
            var (batch, atMs) = workload.batch()
            // The adapter submits transfers one by one, so chains are not used here.
            batch = batch.map { var t = $0; t.flags.remove(.linked); return t }
            tables.sweep(atMs: atMs)
            let expected = engine.apply(batch, atMs: atMs)
            let actual = batch.map { tables.submit($0, atMs: atMs) }
            #expect(actual == expected, "seed \(seed)")
        }
        #expect(tables.accounts == engine.accounts, "seed \(seed)")
        #expect(tables.transfers == engine.transfers, "seed \(seed)")
        #expect(tables.entries == engine.entries, "seed \(seed)")
    }
}
