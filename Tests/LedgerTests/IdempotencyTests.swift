import Ledger
import LedgerTestSupport
import Testing

@Suite struct IdempotencyTests {
    @Test("the same id with the same content answers exists and changes nothing")
    func sameContent() {
        var ledger = sampleLedger()
        let transfer = plain(1, from: 2, to: 3, 500, reference: "voucher:1")
        #expect(ledger.apply([transfer], atMs: 2_000) == [.ok])
        let before = ledger
        #expect(ledger.apply([transfer], atMs: 3_000) == [.exists])
        #expect(ledger.accounts == before.accounts)
        #expect(ledger.entries == before.entries)
        #expect(ledger.transfers == before.transfers)
    }

    @Test("the same id with different content is refused, naming the first field that differs")
    func differentContent() {
        var ledger = sampleLedger()
        let original = plain(1, from: 2, to: 3, 500, code: 10, reference: "voucher:1")
        #expect(ledger.apply([original], atMs: 2_000) == [.ok])
        let before = ledger
        var t = original
        t.amountFen = 501
        #expect(ledger.apply([t], atMs: 3_000) == [.refused(.existsWithDifferentAmount)])
        t = original
        t.debitAccountID = aid(1)
        #expect(ledger.apply([t], atMs: 3_000) == [.refused(.existsWithDifferentDebitAccountID)])
        t = original
        t.creditAccountID = aid(1)
        #expect(ledger.apply([t], atMs: 3_000) == [.refused(.existsWithDifferentCreditAccountID)])
        t = original
        t.code = 11
        #expect(ledger.apply([t], atMs: 3_000) == [.refused(.existsWithDifferentCode)])
        t = original
        t.reference = "voucher:2"
        #expect(ledger.apply([t], atMs: 3_000) == [.refused(.existsWithDifferentReference)])
        t = original
        t.flags = .pending
        #expect(ledger.apply([t], atMs: 3_000) == [.refused(.existsWithDifferentFlags)])
        #expect(ledger.accounts == before.accounts)
        #expect(ledger.entries == before.entries)
    }

    @Test("references are compared byte for byte, not by Unicode equivalence")
    func referenceBytes() {
        var ledger = sampleLedger()
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(composed == decomposed)
        #expect(ledger.apply([plain(1, from: 2, to: 3, 5, reference: composed)], atMs: 2_000) == [.ok])
        #expect(ledger.apply([plain(1, from: 2, to: 3, 5, reference: decomposed)], atMs: 2_000) == [.refused(.existsWithDifferentReference)])
    }

    @Test("a refused transfer does not take its id: the corrected retry succeeds")
    func refusedDoesNotReserve() {
        var ledger = sampleLedger(fundingFen: 100)
        #expect(ledger.apply([plain(1, from: 2, to: 3, 500)], atMs: 2_000) == [.refused(.exceedsCredits)])
        #expect(ledger.apply([plain(1, from: 2, to: 3, 50)], atMs: 2_000) == [.ok])
    }

    @Test("a retried post answers exists, not already posted")
    func retriedPost() {
        var ledger = sampleLedger()
        #expect(ledger.apply([hold(1, from: 2, to: 3, 500)], atMs: 2_000) == [.ok])
        let post = Transfer.post(id: tid(2), pendingID: tid(1), amountFen: 500)
        #expect(ledger.apply([post], atMs: 2_100) == [.ok])
        #expect(ledger.apply([post], atMs: 2_200) == [.exists])
        #expect(ledger.apply([.post(id: tid(3), pendingID: tid(1), amountFen: 500)], atMs: 2_300) == [.refused(.pendingTransferAlreadyPosted)])
    }

    @Test("accounts: reopening with the same attributes is exists, with others refused")
    func accounts() {
        var ledger = sampleLedger()
        #expect(ledger.createAccount(Account(id: aid(2), code: TestCode.wallet, flags: .debitsMustNotExceedCredits)) == .exists)
        #expect(ledger.createAccount(Account(id: aid(2), code: TestCode.wallet)) == .refused(.existsWithDifferentFlags))
        #expect(ledger.createAccount(Account(id: aid(2), code: TestCode.escrow, flags: .debitsMustNotExceedCredits)) == .refused(.existsWithDifferentCode))
        #expect(ledger.createAccount(Account(id: aid(2), ledger: 840, code: TestCode.wallet, flags: .debitsMustNotExceedCredits)) == .refused(.existsWithDifferentLedger))
        #expect(ledger.createAccount(Account(id: .zero, code: 1)) == .refused(.idMustNotBeZero))
        #expect(ledger.createAccount(Account(id: aid(9), code: 0)) == .refused(.codeMustNotBeZero))
        #expect(ledger.createAccount(Account(id: aid(9), ledger: 0, code: 1)) == .refused(.ledgerMustNotBeZero))
        #expect(ledger.createAccount(Account(id: aid(9), code: 1, flags: .known)) == .refused(.flagsAreMutuallyExclusive))
        #expect(ledger.createAccount(Account(id: aid(9), code: 1, flags: AccountFlags(rawValue: 8))) == .refused(.flagsUnknown))
        var used = Account(id: aid(9), code: 1)
        used.balances.creditsPostedFen = 5
        #expect(ledger.createAccount(used) == .refused(.mustStartEmpty))
    }
}
