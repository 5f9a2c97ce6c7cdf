import Ledger
import LedgerTestSupport
import Testing

@Suite struct ReferenceModelAgreementTests {
    @Test("every reply matches the naive model, balances agree after each batch, and the chain verifies",
          arguments: Seeds.list(count: 24, salt: 0x1ED6E2))
    func agreesWithModel(seed: UInt64) {
        var workload = Workload(seed: seed)
        var engine = LedgerState()
        var model = ReferenceModel()
        for account in workload.accounts() {
            #expect(engine.createAccount(account) == .ok, "seed \(seed)")
            model.open(account.id, ledger: account.ledger, code: account.code, flags: account.flags)
        }
        var outcomes: [TransferResult: Int] = [:]
        for batchNumber in 0..<400 {
            let (batch, atMs) = workload.batch()
            let predicted = model.apply(batch, atMs: atMs)
            let actual = engine.apply(batch, atMs: atMs)
            guard actual == predicted else {
                let firstDifference = zip(actual, predicted).enumerated().first { $0.element.0 != $0.element.1 }
                Issue.record("seed \(seed), batch \(batchNumber): engine \(actual) vs model \(predicted); first difference at \(String(describing: firstDifference)); batch \(batch)")
                return
            }
            for result in actual { outcomes[result, default: 0] += 1 }
            for id in engine.accounts.keys.sorted() {
                let balances = engine.accounts[id]?.balances
                guard balances == model.balances(of: id) else {
                    Issue.record("seed \(seed), batch \(batchNumber): \(id) engine \(String(describing: balances)) vs model \(model.balances(of: id))")
                    return
                }
            }
        }
        let report = verify(engine, atMs: workload.nowMs)
        #expect(report.isClean, "seed \(seed): \(report.faults.map(\.description))")
        #expect(report.heldPendingCount == model.heldPendingCount, "seed \(seed)")
        #expect(report.entryCount == engine.entries.count)
        #expect(report.digest == engine.digest, "seed \(seed)")
        // The workload must reach the interesting answers, or agreement proves little.
        for expected: TransferResult in [
            .ok, .exists, .refused(.exceedsCredits), .refused(.exceedsPendingAmount), .refused(.linkedEventFailed),
            .refused(.pendingTransferAlreadyPosted), .refused(.amountZero), .refused(.debitAccountNotFound),
        ] {
            #expect(outcomes[expected, default: 0] > 0, "seed \(seed): the workload never produced \(expected)")
        }
        let kinds = Set(engine.entries.map(\.kind))
        #expect(kinds == Set(EntryKind.allCases), "seed \(seed): entries of kinds \(kinds) only")
        let differentContent = outcomes.filter { $0.key.description.hasPrefix("exists_with_different") }.values.reduce(0, +)
        #expect(differentContent > 0, "seed \(seed): the workload never retried an id with different content")
    }
}
