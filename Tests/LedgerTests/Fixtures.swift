import Ledger
import LedgerTestSupport


/// Account codes the tests use.
enum TestCode {
    static let source: UInt16 = 1
    static let wallet: UInt16 = 2
    static let escrow: UInt16 = 3
}

/// A plain transfer in CNY.
func plain(_ id: UInt64, from debit: UInt64, to credit: UInt64, _ amountFen: Int64, code: UInt16 = 10, flags: TransferFlags = [], reference: String = "") -> Transfer {
    Transfer(id: tid(id), debitAccountID: aid(debit), creditAccountID: aid(credit), amountFen: amountFen, code: code, flags: flags, reference: reference)
}

/// A pending transfer in CNY.
func hold(_ id: UInt64, from debit: UInt64, to credit: UInt64, _ amountFen: Int64, timeoutMs: Int64 = 0, flags: TransferFlags = []) -> Transfer {
    Transfer(
        id: tid(id), debitAccountID: aid(debit), creditAccountID: aid(credit), amountFen: amountFen, timeoutMs: timeoutMs,
        code: 20, flags: flags.union(.pending))
}

/// A ledger with a source account 1 (no limit), wallets 2 and 3 that cannot overdraw, and account 4 that may not hold more credits than debits.
func sampleLedger(fundingFen: Int64 = 100_000) -> LedgerState {
    var ledger = LedgerState()
    precondition(ledger.createAccount(Account(id: aid(1), code: TestCode.source)) == .ok)
    precondition(ledger.createAccount(Account(id: aid(2), code: TestCode.wallet, flags: .debitsMustNotExceedCredits)) == .ok)
    precondition(ledger.createAccount(Account(id: aid(3), code: TestCode.wallet, flags: .debitsMustNotExceedCredits)) == .ok)
    precondition(ledger.createAccount(Account(id: aid(4), code: TestCode.escrow, flags: .creditsMustNotExceedDebits)) == .ok)
    if fundingFen > 0 {
        let results = ledger.apply([plain(1_000_001, from: 1, to: 2, fundingFen), plain(1_000_002, from: 1, to: 3, fundingFen)], atMs: 1_000)
        precondition(results == [.ok, .ok])
    }
    return ledger
}

/// Runs every check of the verifier over a ledger in memory.
func verify(_ accounts: some Collection<Account>, _ entries: [Entry], atMs: Int64 = .max, checkpoint: [AccountID: UInt64] = [:]) -> VerificationReport {
    var verifier = ChainVerifier(checkpoint: checkpoint)
    for account in accounts.sorted(by: { $0.id < $1.id }) { verifier.register(account) }
    for entry in entries { verifier.feed(entry) }
    return verifier.finish(atMs: atMs)
}

/// Verifies a whole in-memory ledger.
func verify(_ ledger: LedgerState, atMs: Int64 = .max) -> VerificationReport {
    verify(ledger.accounts.values, ledger.entries, atMs: atMs)
}
