import Ledger
import LedgerTestSupport
import Testing

@Suite struct TransferCheckTests {
    static let good = plain(1, from: 1, to: 2, 100)

    @Test("a well-formed transfer passes the checks that need no row")
    func wellFormed() {
        #expect(LedgerRules.check(Self.good) == nil)
        #expect(LedgerRules.check(hold(1, from: 1, to: 2, 5, timeoutMs: LedgerLimits.timeoutMsMax)) == nil)
        #expect(LedgerRules.check(.void(id: tid(2), pendingID: tid(1))) == nil)
    }

    @Test("ids: zero is refused, and only posts and voids carry a pending id")
    func ids() {
        var t = Self.good
        t.id = .zero
        #expect(LedgerRules.check(t) == .idMustNotBeZero)
        t = Self.good
        t.pendingID = tid(9)
        #expect(LedgerRules.check(t) == .pendingIDMustBeZero)
    }

    @Test("amounts: zero, negative and past the limit are refused; the limit itself passes")
    func amounts() {
        var t = Self.good
        t.amountFen = 0
        #expect(LedgerRules.check(t) == .amountZero)
        t.amountFen = -1
        #expect(LedgerRules.check(t) == .amountOutOfRange)
        t.amountFen = LedgerLimits.transferAmountFenMax + 1
        #expect(LedgerRules.check(t) == .amountOutOfRange)
        t.amountFen = LedgerLimits.transferAmountFenMax
        #expect(LedgerRules.check(t) == nil)
    }

    @Test("accounts, ledger, code, flags, timeout and reference")
    func otherFields() {
        var t = Self.good
        t.debitAccountID = .zero
        #expect(LedgerRules.check(t) == .debitAccountIDMustNotBeZero)
        t = Self.good
        t.creditAccountID = .zero
        #expect(LedgerRules.check(t) == .creditAccountIDMustNotBeZero)
        t = Self.good
        t.creditAccountID = t.debitAccountID
        #expect(LedgerRules.check(t) == .accountsMustBeDifferent)
        t = Self.good
        t.ledger = 0
        #expect(LedgerRules.check(t) == .ledgerMustNotBeZero)
        t = Self.good
        t.code = 0
        #expect(LedgerRules.check(t) == .codeMustNotBeZero)
        t = Self.good
        t.flags = [.pending, .postPending]
        #expect(LedgerRules.check(t) == .flagsAreMutuallyExclusive)
        t.flags = TransferFlags(rawValue: 0x40)
        #expect(LedgerRules.check(t) == .flagsUnknown)
        t = Self.good
        t.timeoutMs = 5
        #expect(LedgerRules.check(t) == .timeoutReservedForPendingTransfer)
        t.flags = .pending
        t.timeoutMs = LedgerLimits.timeoutMsMax + 1
        #expect(LedgerRules.check(t) == .timeoutOutOfRange)
        t = Self.good
        t.reference = String(repeating: "码", count: 22)
        #expect(LedgerRules.check(t) == .referenceTooLong)
        t.reference = String(repeating: "码", count: 21)
        #expect(LedgerRules.check(t) == nil)
        var post = Transfer.post(id: tid(2), pendingID: .zero, amountFen: 1)
        #expect(LedgerRules.check(post) == .pendingIDMustNotBeZero)
        post.pendingID = tid(1)
        post.timeoutMs = 1
        #expect(LedgerRules.check(post) == .timeoutReservedForPendingTransfer)
    }

    @Test("a batch past the limit is refused whole")
    func batchLimit() {
        var ledger = sampleLedger()
        let batch = (0...UInt64(LedgerLimits.batchSizeMax)).map { plain($0 + 1, from: 1, to: 2, 1) }
        let results = ledger.apply(batch, atMs: 2_000)
        #expect(results.count == batch.count && results.allSatisfy { $0 == .refused(.batchTooLarge) })
    }

    @Test("refusal names are stable snake_case")
    func names() {
        #expect(TransferError.exceedsCredits.description == "exceeds_credits")
        #expect(TransferResult.refused(.linkedEventFailed).description == "linked_event_failed")
        #expect(Set(TransferError.allCases.map(\.rawValue)).count == TransferError.allCases.count)
    }
}
