import Ledger
import LedgerTestSupport
import Testing

@Suite struct LinkedTransferTests {
    @Test("a linked chain applies all together")
    func allTogether() {
        var ledger = sampleLedger(fundingFen: 1_000)
        let results = ledger.apply(
            [plain(1, from: 2, to: 3, 100, flags: .linked), plain(2, from: 3, to: 2, 50, flags: .linked), plain(3, from: 1, to: 2, 5)],
            atMs: 2_000)
        #expect(results == [.ok, .ok, .ok])
        #expect(ledger.entries.count == 5)
    }

    @Test("one failure fails the whole chain and undoes it; other chains are untouched")
    func failsTogether() {
        var ledger = sampleLedger(fundingFen: 1_000)
        let before = ledger
        let results = ledger.apply(
            [
                plain(1, from: 2, to: 3, 100, flags: .linked), hold(2, from: 2, to: 3, 100, flags: .linked),
                .post(id: tid(3), pendingID: tid(2), amountFen: 100, flags: .linked), plain(4, from: 2, to: 3, 5_000),
                plain(5, from: 1, to: 2, 7),
            ],
            atMs: 2_000)
        #expect(results == [.refused(.linkedEventFailed), .refused(.linkedEventFailed), .refused(.linkedEventFailed), .refused(.exceedsCredits), .ok])
        #expect(ledger.transfers[tid(1)] == nil && ledger.transfers[tid(2)] == nil && ledger.transfers[tid(3)] == nil)
        #expect(ledger.accounts[aid(3)] == before.accounts[aid(3)])
        #expect(ledger.entries.count == before.entries.count + 1)
        #expect(verify(ledger).isClean)
        // The ids are free again.
        #expect(ledger.apply([plain(1, from: 2, to: 3, 100)], atMs: 2_100) == [.ok])
    }

    @Test("a failed chain that posted an older hold leaves that hold pending")
    func rollbackRestoresPending() {
        var ledger = sampleLedger(fundingFen: 1_000)
        #expect(ledger.apply([hold(1, from: 2, to: 3, 100, timeoutMs: 10_000)], atMs: 2_000) == [.ok])
        let results = ledger.apply([.post(id: tid(2), pendingID: tid(1), amountFen: 100, flags: .linked), plain(3, from: 2, to: 3, 0)], atMs: 2_100)
        #expect(results == [.refused(.linkedEventFailed), .refused(.amountZero)])
        #expect(ledger.transfers[tid(1)]?.pendingStatus == .pending)
        #expect(ledger.expire(atMs: 12_000) == 1)
        #expect(verify(ledger).isClean)
    }

    @Test("a batch ending inside a chain fails that chain")
    func chainOpen() {
        var ledger = sampleLedger(fundingFen: 1_000)
        let results = ledger.apply([plain(1, from: 1, to: 2, 1), plain(2, from: 2, to: 3, 1, flags: .linked), plain(3, from: 2, to: 3, 1, flags: .linked)], atMs: 2_000)
        #expect(results == [.ok, .refused(.linkedEventFailed), .refused(.linkedEventChainOpen)])
    }

    @Test("a retried chain answers exists for each transfer and changes nothing")
    func retriedChain() {
        var ledger = sampleLedger(fundingFen: 1_000)
        let chain = [plain(1, from: 2, to: 3, 100, flags: .linked), plain(2, from: 3, to: 2, 50)]
        #expect(ledger.apply(chain, atMs: 2_000) == [.ok, .ok])
        let before = ledger
        #expect(ledger.apply(chain, atMs: 2_100) == [.exists, .exists])
        #expect(ledger.entries == before.entries)
    }
}
