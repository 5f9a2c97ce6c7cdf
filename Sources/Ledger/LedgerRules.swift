/// What a transfer changes, for the storage adapter to write in the same database transaction.
public struct TransferOutcome: Hashable, Sendable {
    /// The new transfer row to insert.
    public var record: TransferRecord
    /// For a post or void: the pending transfer's row, now posted or voided, to update.
    public var pending: TransferRecord?
    /// The debit account's new row: balances and chain head.
    public var debit: Account
    /// The credit account's new row: balances and chain head.
    public var credit: Account
    /// The entry to append.
    public var entry: Entry
}

/// What an expiry changes: the pending transfer's row, both accounts, and one entry.
public struct ExpiryOutcome: Hashable, Sendable {
    /// The pending transfer's row, now expired, to update.
    public var pending: TransferRecord
    /// The debit account's new row.
    public var debit: Account
    /// The credit account's new row.
    public var credit: Account
    /// The entry to append.
    public var entry: Entry
}

/// The ledger's rules as pure functions over the rows a caller has locked; `LedgerState` and the
/// PostgreSQL adapter both apply transfers through them, so both give the same answers.
///
/// The adapter's order for one transfer: `check(_:)` (no database); look the id up and, if it
/// exists, answer `compare(_:with:)`; otherwise lock the pending transfer's row (post or void),
/// then both accounts in ascending id order, and call `validate`; write what it returns.
public enum LedgerRules {
    /// Refusals that need no stored row, in the order they are checked; nil when the transfer is well-formed.
    public static func check(_ transfer: Transfer) -> TransferError? {
        if transfer.id == .zero { return .idMustNotBeZero }
        if !TransferFlags.known.isSuperset(of: transfer.flags) { return .flagsUnknown }
        if transfer.flags.intersection([.pending, .postPending, .voidPending]).rawValue.nonzeroBitCount > 1 {
            return .flagsAreMutuallyExclusive
        }
        if transfer.reference.utf8.count > LedgerLimits.referenceLengthMax { return .referenceTooLong }
        let amountRange: ClosedRange<Int64> = 0...LedgerLimits.transferAmountFenMax
        if transfer.resolvesPending {
            if transfer.pendingID == .zero { return .pendingIDMustNotBeZero }
            if transfer.pendingID == transfer.id { return .pendingIDMustBeDifferent }
            if transfer.timeoutMs != 0 { return .timeoutReservedForPendingTransfer }
            if transfer.debitAccountID != .zero && transfer.debitAccountID == transfer.creditAccountID {
                return .accountsMustBeDifferent
            }
            if transfer.flags.contains(.postPending) && transfer.amountFen == 0 { return .amountZero }
            if !amountRange.contains(transfer.amountFen) { return .amountOutOfRange }
            return nil
        }
        if transfer.pendingID != .zero { return .pendingIDMustBeZero }
        if transfer.timeoutMs != 0 && !transfer.flags.contains(.pending) { return .timeoutReservedForPendingTransfer }
        if !(0...LedgerLimits.timeoutMsMax).contains(transfer.timeoutMs) { return .timeoutOutOfRange }
        if transfer.debitAccountID == .zero { return .debitAccountIDMustNotBeZero }
        if transfer.creditAccountID == .zero { return .creditAccountIDMustNotBeZero }
        if transfer.debitAccountID == transfer.creditAccountID { return .accountsMustBeDifferent }
        if transfer.ledger == 0 { return .ledgerMustNotBeZero }
        if transfer.code == 0 { return .codeMustNotBeZero }
        if transfer.amountFen == 0 { return .amountZero }
        if !amountRange.contains(transfer.amountFen) { return .amountOutOfRange }
        return nil
    }

    /// The answer to a transfer whose id is already taken by `existing`: `.exists` if it is the same request, else which field differs.
    ///
    /// The reference is compared byte for byte, not by Unicode equivalence, since the bytes are what is hashed.
    public static func compare(_ transfer: Transfer, with existing: TransferRecord) -> TransferResult {
        let original = existing.transfer
        precondition(original.id == transfer.id, "compare was given the record of another transfer")
        if transfer.flags != original.flags { return .refused(.existsWithDifferentFlags) }
        if transfer.debitAccountID != original.debitAccountID { return .refused(.existsWithDifferentDebitAccountID) }
        if transfer.creditAccountID != original.creditAccountID { return .refused(.existsWithDifferentCreditAccountID) }
        if transfer.pendingID != original.pendingID { return .refused(.existsWithDifferentPendingID) }
        if transfer.amountFen != original.amountFen { return .refused(.existsWithDifferentAmount) }
        if transfer.timeoutMs != original.timeoutMs { return .refused(.existsWithDifferentTimeout) }
        if transfer.ledger != original.ledger { return .refused(.existsWithDifferentLedger) }
        if transfer.code != original.code { return .refused(.existsWithDifferentCode) }
        if !transfer.reference.utf8.elementsEqual(original.reference.utf8) { return .refused(.existsWithDifferentReference) }
        return .exists
    }

    /// Refusals for a new account that need no stored row; nil when it may be opened.
    public static func check(newAccount account: Account) -> AccountError? {
        if account.id == .zero { return .idMustNotBeZero }
        if account.ledger == 0 { return .ledgerMustNotBeZero }
        if account.code == 0 { return .codeMustNotBeZero }
        if !AccountFlags.known.isSuperset(of: account.flags) { return .flagsUnknown }
        if account.flags.isSuperset(of: AccountFlags.known) { return .flagsAreMutuallyExclusive }
        if account.balances != .zero || account.sequence != 0 || account.headHash != account.genesisHash { return .mustStartEmpty }
        return nil
    }

    /// The answer to opening an account whose id is already taken by `existing`.
    public static func compare(_ account: Account, with existing: Account) -> AccountResult {
        precondition(account.id == existing.id, "compare was given another account")
        if account.ledger != existing.ledger { return .refused(.existsWithDifferentLedger) }
        if account.code != existing.code { return .refused(.existsWithDifferentCode) }
        if account.flags != existing.flags { return .refused(.existsWithDifferentFlags) }
        return .exists
    }

    /// Applies one new transfer to the rows the caller locked, or says why not; nothing is changed on refusal.
    ///
    /// - For a plain or pending transfer: `debit` and `credit` are the rows of `transfer.debitAccountID`
    ///   and `transfer.creditAccountID` (nil when no such row), and `pending` is nil.
    /// - For a post or void: `pending` is the row of `transfer.pendingID` (nil when none), and `debit`
    ///   and `credit` are the rows of *its* accounts (nil if `pending` is nil).
    ///
    /// The caller has already answered an existing id with `compare(_:with:)`. `timestampMs` is the
    /// time of the transfer; a pending transfer whose timeout has passed counts as expired even if no
    /// sweep has released it yet.
    public static func validate(
        _ transfer: Transfer, debit: Account?, credit: Account?, pending: TransferRecord?, atMs timestampMs: Int64
    ) -> Result<TransferOutcome, TransferError> {
        if let error = check(transfer) { return .failure(error) }
        if transfer.resolvesPending {
            return resolve(transfer, debit: debit, credit: credit, pending: pending, atMs: timestampMs)
        }
        precondition(pending == nil, "validate was given a pending row for a transfer that resolves none")
        guard var debit else { return .failure(.debitAccountNotFound) }
        guard var credit else { return .failure(.creditAccountNotFound) }
        precondition(debit.id == transfer.debitAccountID && credit.id == transfer.creditAccountID, "validate was given the wrong account rows")
        if debit.ledger != credit.ledger { return .failure(.accountsMustHaveTheSameLedger) }
        if transfer.ledger != debit.ledger { return .failure(.transferMustHaveTheSameLedgerAsAccounts) }

        let isPending = transfer.flags.contains(.pending)
        let amount = transfer.amountFen
        let pendingDelta = isPending ? amount : 0
        let postedDelta = isPending ? 0 : amount
        let d = debit.balances, c = credit.balances
        if !fits(d.debitsPendingFen, pendingDelta, d.debitsPostedFen, postedDelta) { return .failure(.overflowsDebits) }
        if !fits(c.creditsPendingFen, pendingDelta, c.creditsPostedFen, postedDelta) { return .failure(.overflowsCredits) }
        var expiresAtMs: Int64 = 0
        if isPending && transfer.timeoutMs > 0 {
            let (sum, overflow) = timestampMs.addingReportingOverflow(transfer.timeoutMs)
            if overflow { return .failure(.overflowsTimeout) }
            expiresAtMs = sum
        }
        if debit.flags.contains(.debitsMustNotExceedCredits)
            && Int128(d.debitsPendingFen) + Int128(d.debitsPostedFen) + Int128(amount) > Int128(d.creditsPostedFen) {
            return .failure(.exceedsCredits)
        }
        if credit.flags.contains(.creditsMustNotExceedDebits)
            && Int128(c.creditsPendingFen) + Int128(c.creditsPostedFen) + Int128(amount) > Int128(c.debitsPostedFen) {
            return .failure(.exceedsDebits)
        }

        let entry = append(
            kind: isPending ? .pending : .posted, transferID: transfer.id, pendingID: .zero,
            debit: &debit, credit: &credit, ledger: transfer.ledger, code: transfer.code,
            amountFen: amount, releasedFen: 0, timestampMs: timestampMs, expiresAtMs: expiresAtMs, reference: transfer.reference)
        let record = TransferRecord(
            transfer: transfer, debitAccountID: debit.id, creditAccountID: credit.id, ledger: transfer.ledger,
            code: transfer.code, amountFen: amount, timestampMs: timestampMs, expiresAtMs: expiresAtMs,
            pendingStatus: isPending ? .pending : .none)
        return .success(TransferOutcome(record: record, pending: nil, debit: debit, credit: credit, entry: entry))
    }

    /// Releases a pending transfer at its timeout (the sweeper's call), or nil when it is no longer pending or not yet due.
    ///
    /// `debit` and `credit` are the locked rows of the pending transfer's accounts.
    public static func expire(_ pending: TransferRecord, debit: Account, credit: Account, atMs timestampMs: Int64) -> ExpiryOutcome? {
        guard pending.pendingStatus == .pending, pending.expiresAtMs != 0, pending.expiresAtMs <= timestampMs else { return nil }
        precondition(debit.id == pending.debitAccountID && credit.id == pending.creditAccountID, "expire was given the wrong account rows")
        var debit = debit, credit = credit, pending = pending
        let released = pending.amountFen
        precondition(debit.balances.debitsPendingFen >= released && credit.balances.creditsPendingFen >= released, "pending balance below a pending transfer")
        let entry = append(
            kind: .expirePending, transferID: pending.id, pendingID: pending.id, debit: &debit, credit: &credit,
            ledger: pending.ledger, code: pending.code, amountFen: released, releasedFen: released,
            timestampMs: timestampMs, expiresAtMs: pending.expiresAtMs, reference: pending.transfer.reference)
        pending.pendingStatus = .expired
        return ExpiryOutcome(pending: pending, debit: debit, credit: credit, entry: entry)
    }

    /// A post or void, after `check`.
    private static func resolve(
        _ transfer: Transfer, debit: Account?, credit: Account?, pending: TransferRecord?, atMs timestampMs: Int64
    ) -> Result<TransferOutcome, TransferError> {
        guard var pending else { return .failure(.pendingTransferNotFound) }
        precondition(pending.id == transfer.pendingID, "validate was given the wrong pending row")
        if pending.pendingStatus == .none { return .failure(.pendingTransferNotPending) }
        if transfer.debitAccountID != .zero && transfer.debitAccountID != pending.debitAccountID {
            return .failure(.pendingTransferHasDifferentDebitAccountID)
        }
        if transfer.creditAccountID != .zero && transfer.creditAccountID != pending.creditAccountID {
            return .failure(.pendingTransferHasDifferentCreditAccountID)
        }
        if transfer.ledger != 0 && transfer.ledger != pending.ledger { return .failure(.pendingTransferHasDifferentLedger) }
        if transfer.code != 0 && transfer.code != pending.code { return .failure(.pendingTransferHasDifferentCode) }
        let isPost = transfer.flags.contains(.postPending)
        if isPost && transfer.amountFen > pending.amountFen { return .failure(.exceedsPendingAmount) }
        if !isPost && transfer.amountFen != 0 && transfer.amountFen != pending.amountFen {
            return .failure(.pendingTransferHasDifferentAmount)
        }
        switch pending.pendingStatus {
        case .posted: return .failure(.pendingTransferAlreadyPosted)
        case .voided: return .failure(.pendingTransferAlreadyVoided)
        case .expired: return .failure(.pendingTransferExpired)
        case .none, .pending: break
        }
        if pending.expiresAtMs != 0 && pending.expiresAtMs <= timestampMs { return .failure(.pendingTransferExpired) }
        guard var debit else { return .failure(.debitAccountNotFound) }
        guard var credit else { return .failure(.creditAccountNotFound) }
        precondition(debit.id == pending.debitAccountID && credit.id == pending.creditAccountID, "validate was given the wrong account rows")

        let released = pending.amountFen
        let posted = isPost ? transfer.amountFen : 0
        let d = debit.balances, c = credit.balances
        precondition(d.debitsPendingFen >= released && c.creditsPendingFen >= released, "pending balance below a pending transfer")
        if !fits(d.debitsPendingFen, -released, d.debitsPostedFen, posted) { return .failure(.overflowsDebits) }
        if !fits(c.creditsPendingFen, -released, c.creditsPostedFen, posted) { return .failure(.overflowsCredits) }

        let amount = isPost ? posted : released
        let entry = append(
            kind: isPost ? .postPending : .voidPending, transferID: transfer.id, pendingID: pending.id,
            debit: &debit, credit: &credit, ledger: pending.ledger, code: pending.code,
            amountFen: amount, releasedFen: released, timestampMs: timestampMs, expiresAtMs: 0, reference: transfer.reference)
        let record = TransferRecord(
            transfer: transfer, debitAccountID: debit.id, creditAccountID: credit.id, ledger: pending.ledger,
            code: pending.code, amountFen: amount, timestampMs: timestampMs, expiresAtMs: 0, pendingStatus: .none)
        pending.pendingStatus = isPost ? .posted : .voided
        return .success(TransferOutcome(record: record, pending: pending, debit: debit, credit: credit, entry: entry))
    }

    /// Whether pending + pendingDelta, posted + postedDelta and their sum all stay within 0…Int64.max.
    private static func fits(_ pending: Int64, _ pendingDelta: Int64, _ posted: Int64, _ postedDelta: Int64) -> Bool {
        let newPending = Int128(pending) + Int128(pendingDelta)
        let newPosted = Int128(posted) + Int128(postedDelta)
        let max = Int128(Int64.max)
        return newPending >= 0 && newPosted >= 0 && newPending <= max && newPosted <= max && newPending + newPosted <= max
    }

    /// Makes the entry, links it into both accounts' chains, and moves both accounts' balances by it.
    private static func append(
        kind: EntryKind, transferID: TransferID, pendingID: TransferID, debit: inout Account, credit: inout Account,
        ledger: UInt32, code: UInt16, amountFen: Int64, releasedFen: Int64, timestampMs: Int64, expiresAtMs: Int64,
        reference: String
    ) -> Entry {
        precondition(debit.id != credit.id, "an entry needs two different accounts")
        var entry = Entry(
            kind: kind, transferID: transferID, pendingID: pendingID,
            debitAccountID: debit.id, debitSequence: debit.sequence + 1, debitPreviousHash: debit.headHash,
            creditAccountID: credit.id, creditSequence: credit.sequence + 1, creditPreviousHash: credit.headHash,
            ledger: ledger, code: code, amountFen: amountFen, releasedFen: releasedFen,
            timestampMs: timestampMs, expiresAtMs: expiresAtMs, reference: reference, hash: .zero)
        entry.hash = entry.computedHash
        let debitBefore = debit.balances, creditBefore = credit.balances
        debit.sequence = entry.debitSequence
        debit.headHash = entry.hash
        debit.balances.debitsPendingFen += entry.pendingDeltaFen
        debit.balances.debitsPostedFen += entry.postedDeltaFen
        credit.sequence = entry.creditSequence
        credit.headHash = entry.hash
        credit.balances.creditsPendingFen += entry.pendingDeltaFen
        credit.balances.creditsPostedFen += entry.postedDeltaFen
        // Double entry: what the debit side gained, the credit side gained too.
        precondition(
            debit.balances.debitsPendingFen - debitBefore.debitsPendingFen == credit.balances.creditsPendingFen - creditBefore.creditsPendingFen
                && debit.balances.debitsPostedFen - debitBefore.debitsPostedFen == credit.balances.creditsPostedFen - creditBefore.creditsPostedFen,
            "an entry's debits differ from its credits")
        precondition(!debitBefore.satisfies(debit.flags) || debit.balances.satisfies(debit.flags), "a transfer broke the debit account's limit")
        precondition(!creditBefore.satisfies(credit.flags) || credit.balances.satisfies(credit.flags), "a transfer broke the credit account's limit")
        return entry
    }
}
