import Ledger
import LedgerTestSupport
import Testing

@Suite struct BalanceLimitTests {
    @Test("an account that may not overdraw can spend exactly its credits, not a fen more")
    func debitsMustNotExceedCredits() {
        var ledger = sampleLedger(fundingFen: 1_000)
        #expect(ledger.apply([plain(1, from: 2, to: 3, 1_001)], atMs: 2_000) == [.refused(.exceedsCredits)])
        #expect(ledger.apply([plain(2, from: 2, to: 3, 1_000)], atMs: 2_000) == [.ok])
        #expect(ledger.apply([plain(3, from: 2, to: 3, 1)], atMs: 2_000) == [.refused(.exceedsCredits)])
    }

    @Test("an account whose credits may not exceed its debits refuses credits beyond them, pending included")
    func creditsMustNotExceedDebits() {
        var ledger = sampleLedger(fundingFen: 1_000)
        #expect(ledger.apply([plain(1, from: 1, to: 4, 1)], atMs: 2_000) == [.refused(.exceedsDebits)])
        #expect(ledger.apply([plain(2, from: 4, to: 1, 300)], atMs: 2_000) == [.ok])
        #expect(ledger.apply([hold(3, from: 1, to: 4, 200)], atMs: 2_000) == [.ok])
        #expect(ledger.apply([plain(4, from: 1, to: 4, 101)], atMs: 2_000) == [.refused(.exceedsDebits)])
        #expect(ledger.apply([plain(5, from: 1, to: 4, 100)], atMs: 2_000) == [.ok])
    }

    @Test("totals past Int64.max are refused as overflows, never wrapped")
    func overflow() throws {
        let max = LedgerLimits.transferAmountFenMax
        var source = Account(id: aid(1), code: 1)
        let sink = Account(id: aid(2), code: 1)
        source.balances.debitsPostedFen = Int64.max - max + 1
        let result = LedgerRules.validate(plain(1, from: 1, to: 2, max), debit: source, credit: sink, pending: nil, atMs: 0)
        #expect(result.failure == .overflowsDebits)
        var full = sink
        full.balances.creditsPendingFen = Int64.max - 10
        let held = LedgerRules.validate(hold(2, from: 1, to: 2, 5), debit: Account(id: aid(1), code: 1), credit: full, pending: nil, atMs: 0)
        #expect(held.failure == nil)
        let over = LedgerRules.validate(hold(3, from: 1, to: 2, 11), debit: Account(id: aid(1), code: 1), credit: full, pending: nil, atMs: 0)
        #expect(over.failure == .overflowsCredits)
        let late = LedgerRules.validate(hold(4, from: 1, to: 2, 5, timeoutMs: 10), debit: Account(id: aid(1), code: 1), credit: sink, pending: nil, atMs: Int64.max - 5)
        #expect(late.failure == .overflowsTimeout)
    }

    @Test("accounts in different ledgers never meet")
    func ledgers() {
        var ledger = sampleLedger()
        _ = ledger.createAccount(Account(id: aid(9), ledger: 840, code: 1))
        #expect(ledger.apply([plain(1, from: 1, to: 9, 5)], atMs: 2_000) == [.refused(.accountsMustHaveTheSameLedger)])
        var t = plain(2, from: 1, to: 2, 5)
        t.ledger = 840
        #expect(ledger.apply([t], atMs: 2_000) == [.refused(.transferMustHaveTheSameLedgerAsAccounts)])
        #expect(ledger.apply([plain(3, from: 1, to: 77, 5)], atMs: 2_000) == [.refused(.creditAccountNotFound)])
        #expect(ledger.apply([plain(4, from: 77, to: 1, 5)], atMs: 2_000) == [.refused(.debitAccountNotFound)])
    }
}
