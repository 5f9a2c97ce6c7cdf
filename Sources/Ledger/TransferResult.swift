/// Why a transfer was refused: one case per reason, named as TigerBeetle names them where it has one.
///
/// The cases are listed in the order `LedgerRules` checks them, so the first that applies is the answer.
public enum TransferError: String, Error, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    // Checks on the transfer alone (`LedgerRules.check`), before any row is read.
    /// The batch passed to `LedgerState.apply` is longer than `LedgerLimits.batchSizeMax`.
    case batchTooLarge = "batch_too_large"
    /// Zero is reserved for "no transfer".
    case idMustNotBeZero = "id_must_not_be_zero"
    /// A flag bit this version does not know.
    case flagsUnknown = "flags_unknown"
    /// More than one of pending, post-pending and void-pending.
    case flagsAreMutuallyExclusive = "flags_are_mutually_exclusive"
    /// The reference is longer than `LedgerLimits.referenceLengthMax` UTF-8 bytes.
    case referenceTooLong = "reference_too_long"
    /// A post or void without the pending transfer it resolves.
    case pendingIDMustNotBeZero = "pending_id_must_not_be_zero"
    /// A post or void naming itself as its pending transfer.
    case pendingIDMustBeDifferent = "pending_id_must_be_different"
    /// A `pendingID` on a transfer that is not a post or void.
    case pendingIDMustBeZero = "pending_id_must_be_zero"
    /// A timeout on a transfer that is not pending.
    case timeoutReservedForPendingTransfer = "timeout_reserved_for_pending_transfer"
    /// A negative timeout, or one above `LedgerLimits.timeoutMsMax`.
    case timeoutOutOfRange = "timeout_out_of_range"
    /// No debit account given.
    case debitAccountIDMustNotBeZero = "debit_account_id_must_not_be_zero"
    /// No credit account given.
    case creditAccountIDMustNotBeZero = "credit_account_id_must_not_be_zero"
    /// The same account on both sides.
    case accountsMustBeDifferent = "accounts_must_be_different"
    /// No currency ledger given.
    case ledgerMustNotBeZero = "ledger_must_not_be_zero"
    /// No code given.
    case codeMustNotBeZero = "code_must_not_be_zero"
    /// An amount of zero (a void may leave it zero).
    case amountZero = "amount_zero"
    /// A negative amount, or one above `LedgerLimits.transferAmountFenMax`.
    case amountOutOfRange = "amount_out_of_range"

    // The id is taken (`LedgerRules.compare`).
    /// The id is taken by a transfer with other flags.
    case existsWithDifferentFlags = "exists_with_different_flags"
    /// The id is taken by a transfer with another debit account.
    case existsWithDifferentDebitAccountID = "exists_with_different_debit_account_id"
    /// The id is taken by a transfer with another credit account.
    case existsWithDifferentCreditAccountID = "exists_with_different_credit_account_id"
    /// The id is taken by a transfer with another amount.
    case existsWithDifferentAmount = "exists_with_different_amount"
    /// The id is taken by a transfer resolving another pending transfer.
    case existsWithDifferentPendingID = "exists_with_different_pending_id"
    /// The id is taken by a transfer with another timeout.
    case existsWithDifferentTimeout = "exists_with_different_timeout"
    /// The id is taken by a transfer in another ledger.
    case existsWithDifferentLedger = "exists_with_different_ledger"
    /// The id is taken by a transfer with another code.
    case existsWithDifferentCode = "exists_with_different_code"
    /// The id is taken by a transfer with another reference.
    case existsWithDifferentReference = "exists_with_different_reference"

    // Checks against the locked rows (`LedgerRules.validate`).
    /// The pending transfer to post or void does not exist.
    case pendingTransferNotFound = "pending_transfer_not_found"
    /// The transfer to post or void was not a pending transfer.
    case pendingTransferNotPending = "pending_transfer_not_pending"
    /// The post or void names another debit account than the pending transfer's.
    case pendingTransferHasDifferentDebitAccountID = "pending_transfer_has_different_debit_account_id"
    /// The post or void names another credit account than the pending transfer's.
    case pendingTransferHasDifferentCreditAccountID = "pending_transfer_has_different_credit_account_id"
    /// The post or void names another ledger than the pending transfer's.
    case pendingTransferHasDifferentLedger = "pending_transfer_has_different_ledger"
    /// The post or void names another code than the pending transfer's.
    case pendingTransferHasDifferentCode = "pending_transfer_has_different_code"
    /// A post of more than the pending amount.
    case exceedsPendingAmount = "exceeds_pending_transfer_amount"
    /// A void naming an amount other than the pending amount.
    case pendingTransferHasDifferentAmount = "pending_transfer_has_different_amount"
    /// The pending transfer was already posted: a pending transfer is resolved at most once.
    case pendingTransferAlreadyPosted = "pending_transfer_already_posted"
    /// The pending transfer was already voided.
    case pendingTransferAlreadyVoided = "pending_transfer_already_voided"
    /// The pending transfer reached its timeout (swept or not yet): it is void.
    case pendingTransferExpired = "pending_transfer_expired"
    /// The debit account does not exist.
    case debitAccountNotFound = "debit_account_not_found"
    /// The credit account does not exist.
    case creditAccountNotFound = "credit_account_not_found"
    /// The two accounts count in different currencies.
    case accountsMustHaveTheSameLedger = "accounts_must_have_the_same_ledger"
    /// The transfer's ledger is not its accounts'.
    case transferMustHaveTheSameLedgerAsAccounts = "transfer_must_have_the_same_ledger_as_accounts"
    /// A debit total (pending, posted, or both) would pass `Int64.max`.
    case overflowsDebits = "overflows_debits"
    /// A credit total (pending, posted, or both) would pass `Int64.max`.
    case overflowsCredits = "overflows_credits"
    /// The expiry time would pass `Int64.max`.
    case overflowsTimeout = "overflows_timeout"
    /// 余额不足: the debit account forbids debits above its credits.
    case exceedsCredits = "exceeds_credits"
    /// The credit account forbids credits above its debits.
    case exceedsDebits = "exceeds_debits"

    // Linked chains (`LedgerState.apply`).
    /// Another transfer of its linked chain failed, so this one did not happen.
    case linkedEventFailed = "linked_event_failed"
    /// The batch ended inside a linked chain (its last transfer has `linked`).
    case linkedEventChainOpen = "linked_event_chain_open"

    /// The snake_case name, stable for logs, the CLI and HTTP problem bodies.
    public var description: String { rawValue }
}

/// The answer to one transfer.
public enum TransferResult: Hashable, Sendable, CustomStringConvertible {
    /// Applied.
    case ok
    /// Applied before with the same content: nothing changed this time.
    case exists
    /// Refused, with the reason; nothing changed.
    case refused(TransferError)

    /// `ok`, `exists` or the refusal's name.
    public var description: String {
        switch self {
        case .ok: "ok"
        case .exists: "exists"
        case .refused(let error): error.rawValue
        }
    }
}
