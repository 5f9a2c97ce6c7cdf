import Ledger
import LedgerTestSupport
import Testing

@Suite struct PendingTransferTests {
    @Test("a hold counts against the limit, a partial post posts part and releases the rest")
    func partialPost() throws {
        var ledger = sampleLedger(fundingFen: 1_000)
        #expect(ledger.apply([hold(1, from: 2, to: 3, 800)], atMs: 2_000) == [.ok])
        #expect(ledger.apply([plain(2, from: 2, to: 3, 300)], atMs: 2_000) == [.refused(.exceedsCredits)])
        #expect(ledger.apply([.post(id: tid(3), pendingID: tid(1), amountFen: 500)], atMs: 2_500) == [.ok])
        let wallet = try #require(ledger.accounts[aid(2)])
        #expect(wallet.balances == Balances(debitsPendingFen: 0, debitsPostedFen: 500, creditsPendingFen: 0, creditsPostedFen: 1_000))
        #expect(ledger.transfers[tid(1)]?.pendingStatus == .posted)
        #expect(ledger.transfers[tid(3)]?.amountFen == 500)
        #expect(ledger.transfers[tid(3)]?.debitAccountID == aid(2))
        let entry = try #require(ledger.entries.last)
        #expect(entry.kind == .postPending && entry.amountFen == 500 && entry.releasedFen == 800 && entry.pendingID == tid(1))
        #expect(ledger.apply([plain(2, from: 2, to: 3, 300)], atMs: 2_600) == [.ok])
        #expect(verify(ledger).isClean)
    }

    @Test("a void releases the whole hold; a pending transfer resolves at most once")
    func voidOnce() {
        var ledger = sampleLedger(fundingFen: 1_000)
        #expect(ledger.apply([hold(1, from: 2, to: 3, 800)], atMs: 2_000) == [.ok])
        #expect(ledger.apply([.void(id: tid(2), pendingID: tid(1))], atMs: 2_100) == [.ok])
        #expect(ledger.accounts[aid(2)]?.balances.debitsPendingFen == 0)
        #expect(ledger.accounts[aid(3)]?.balances.creditsPendingFen == 0)
        #expect(ledger.apply([.void(id: tid(3), pendingID: tid(1))], atMs: 2_200) == [.refused(.pendingTransferAlreadyVoided)])
        #expect(ledger.apply([.post(id: tid(4), pendingID: tid(1), amountFen: 1)], atMs: 2_200) == [.refused(.pendingTransferAlreadyVoided)])
        #expect(verify(ledger).isClean)
    }

    @Test("posts and voids are checked against their pending transfer")
    func resolveRefusals() {
        var ledger = sampleLedger(fundingFen: 1_000)
        #expect(ledger.apply([hold(1, from: 2, to: 3, 800), plain(2, from: 2, to: 3, 1)], atMs: 2_000) == [.ok, .ok])
        #expect(ledger.apply([.post(id: tid(10), pendingID: tid(1), amountFen: 801)], atMs: 2_100) == [.refused(.exceedsPendingAmount)])
        var void = Transfer.void(id: tid(11), pendingID: tid(1))
        void.amountFen = 799
        #expect(ledger.apply([void], atMs: 2_100) == [.refused(.pendingTransferHasDifferentAmount)])
        #expect(ledger.apply([.post(id: tid(12), pendingID: tid(99), amountFen: 1)], atMs: 2_100) == [.refused(.pendingTransferNotFound)])
        #expect(ledger.apply([.post(id: tid(13), pendingID: tid(2), amountFen: 1)], atMs: 2_100) == [.refused(.pendingTransferNotPending)])
        var wrongDebit = Transfer.post(id: tid(14), pendingID: tid(1), amountFen: 1)
        wrongDebit.debitAccountID = aid(1)
        #expect(ledger.apply([wrongDebit], atMs: 2_100) == [.refused(.pendingTransferHasDifferentDebitAccountID)])
        var rightDebit = wrongDebit
        rightDebit.id = tid(15)
        rightDebit.debitAccountID = aid(2)
        rightDebit.code = 20
        #expect(ledger.apply([rightDebit], atMs: 2_100) == [.ok])
        #expect(ledger.apply([.post(id: tid(16), pendingID: tid(16), amountFen: 1)], atMs: 2_100) == [.refused(.pendingIDMustBeDifferent)])
        #expect(ledger.apply([.post(id: tid(17), pendingID: tid(1), amountFen: 0)], atMs: 2_100) == [.refused(.amountZero)])
    }

    @Test("a hold expires at its timeout: released, and a later post or void is refused")
    func expiry() throws {
        var ledger = sampleLedger(fundingFen: 1_000)
        #expect(ledger.apply([hold(1, from: 2, to: 3, 800, timeoutMs: 5_000)], atMs: 2_000) == [.ok])
        #expect(ledger.transfers[tid(1)]?.expiresAtMs == 7_000)
        #expect(ledger.expire(atMs: 6_999) == 0)
        #expect(ledger.apply([.post(id: tid(2), pendingID: tid(1), amountFen: 800)], atMs: 7_000) == [.refused(.pendingTransferExpired)])
        #expect(ledger.transfers[tid(1)]?.pendingStatus == .expired)
        #expect(ledger.accounts[aid(2)]?.balances.debitsPendingFen == 0)
        let entry = try #require(ledger.entries.last)
        #expect(entry.kind == .expirePending && entry.transferID == tid(1) && entry.timestampMs == 7_000 && entry.expiresAtMs == 7_000)
        #expect(ledger.apply([.void(id: tid(3), pendingID: tid(1))], atMs: 8_000) == [.refused(.pendingTransferExpired)])
        #expect(verify(ledger).isClean)
    }

    @Test("validate treats a hold past its timeout as expired even before the sweep")
    func unsweptExpiry() throws {
        var ledger = sampleLedger(fundingFen: 1_000)
        #expect(ledger.apply([hold(1, from: 2, to: 3, 800, timeoutMs: 5_000)], atMs: 2_000) == [.ok])
        let pending = try #require(ledger.transfers[tid(1)])
        let result = LedgerRules.validate(
            .post(id: tid(2), pendingID: tid(1), amountFen: 1), debit: ledger.accounts[aid(2)], credit: ledger.accounts[aid(3)],
            pending: pending, atMs: 7_000)
        #expect(result.failure == .pendingTransferExpired)
        #expect(LedgerRules.expire(pending, debit: try #require(ledger.accounts[aid(2)]), credit: try #require(ledger.accounts[aid(3)]), atMs: 6_999) == nil)
    }

    @Test("the verifier lists holds past their timeout that no sweep released")
    func overdueListed() {
        var ledger = sampleLedger(fundingFen: 1_000)
        #expect(ledger.apply([hold(1, from: 2, to: 3, 800, timeoutMs: 5_000), hold(2, from: 2, to: 3, 100)], atMs: 2_000) == [.ok, .ok])
        let report = verify(ledger, atMs: 9_000)
        #expect(report.isClean)
        #expect(report.heldPendingCount == 2)
        #expect(report.overduePendings.map(\.transferID) == [tid(1)])
        #expect(verify(ledger, atMs: 6_000).overduePendingCount == 0)
    }
}

extension Result {
    /// The error, if any.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
