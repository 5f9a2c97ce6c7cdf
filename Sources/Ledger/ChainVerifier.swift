/// Where an entry sits: its position in the verified stream and its keys.
public struct EntryLocation: Hashable, Sendable, CustomStringConvertible {
    /// Its 0-based position in the stream fed to the verifier.
    public var index: Int
    /// The transfer that made it.
    public var transferID: TransferID
    /// What it did.
    public var kind: EntryKind
    /// Its debit account.
    public var debitAccountID: AccountID
    /// Its place in the debit account's chain.
    public var debitSequence: UInt64
    /// Its credit account.
    public var creditAccountID: AccountID
    /// Its place in the credit account's chain.
    public var creditSequence: UInt64

    /// Locates `entry` at `index`.
    public init(_ entry: Entry, index: Int) {
        self.index = index
        self.transferID = entry.transferID
        self.kind = entry.kind
        self.debitAccountID = entry.debitAccountID
        self.debitSequence = entry.debitSequence
        self.creditAccountID = entry.creditAccountID
        self.creditSequence = entry.creditSequence
    }

    /// `entry #12 (transfer#7 post; debit account#3 #5, credit account#4 #2)`.
    public var description: String {
        "entry #\(index) (\(transferID) \(kind); debit \(debitAccountID) #\(debitSequence), credit \(creditAccountID) #\(creditSequence))"
    }
}

/// What is wrong with an entry's own fields.
public enum EntryDefect: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The reference is longer than the limit, so the entry has no canonical encoding.
    case referenceTooLong = "reference_too_long"
    /// Debit and credit account are the same.
    case accountsNotDifferent = "accounts_not_different"
    /// The amount is not positive or is above the limit (or, for a void or expiry, differs from the amount released).
    case amountOutOfRange = "amount_out_of_range"
    /// The released amount does not fit the kind (non-zero for posted or pending, below the amount posted).
    case releasedInconsistent = "released_inconsistent"
    /// The pending id does not fit the kind.
    case pendingIDInconsistent = "pending_id_inconsistent"
    /// The expiry time does not fit the kind, or is not after the entry's time.
    case expiryInconsistent = "expiry_inconsistent"
    /// The entry's ledger is not its accounts'.
    case ledgerMismatch = "ledger_mismatch"

    /// The snake_case name.
    public var description: String { rawValue }
}

/// What is wrong with how an entry resolves a pending transfer.
public enum PendingDefect: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// A pending entry reuses the id of a transfer still held.
    case duplicatePending = "duplicate_pending"
    /// It resolves a transfer not held at that point: never seen, or already posted, voided or expired.
    case notHeld = "not_held"
    /// Its accounts, ledger or code differ from the pending transfer's.
    case differentTransfer = "different_transfer"
    /// The amount released differs from the pending amount, or more is posted than was held.
    case differentAmount = "different_amount"
    /// Posted or voided at or after the pending transfer's timeout.
    case resolvedAfterTimeout = "resolved_after_timeout"
    /// Expired before the pending transfer's timeout, or with another expiry time.
    case expiredBeforeTimeout = "expired_before_timeout"

    /// The snake_case name.
    public var description: String { rawValue }
}

/// One thing verification found wrong, with where it is.
public enum VerificationFault: Hashable, Sendable, CustomStringConvertible {
    /// The entry's fields are not what its stored hash was computed over: the entry was edited.
    case hashMismatch(EntryLocation, computed: EntryHash)
    /// The entry's own fields are inconsistent.
    case malformed(EntryLocation, EntryDefect)
    /// The entry names an account the verifier was not given.
    case unknownAccount(EntryLocation, accountID: AccountID)
    /// The entry's sequence number in `accountID`'s chain is not the next one: an entry was deleted, inserted or moved.
    case sequenceGap(EntryLocation, accountID: AccountID, expectedSequence: UInt64, previousIndex: Int?)
    /// The entry's previous hash for `accountID` is not the hash of that account's previous entry (or its genesis):
    /// the previous entry was rewritten with a recomputed hash, or the account's opening attributes changed.
    case brokenLink(EntryLocation, accountID: AccountID, previousIndex: Int?)
    /// The entry resolves a pending transfer wrongly.
    case pending(EntryLocation, PendingDefect)
    /// The entry takes one of the account's totals past `Int64.max`.
    case overflow(EntryLocation, accountID: AccountID)
    /// After the entry, the account breaks its balance limit.
    case limitExceeded(EntryLocation, accountID: AccountID)
    /// The stored chain head (sequence and hash) is not the one the entries end at: entries were deleted from or added at the end.
    case headMismatch(AccountID, storedSequence: UInt64, entriesSequence: UInt64)
    /// The stored balances differ from the sum of the account's entries.
    case balanceMismatch(AccountID, stored: Balances, fromEntries: Balances)
    /// The stored balances break the account's limit.
    case storedLimitExceeded(AccountID, stored: Balances)
    /// Total debits differ from total credits over all accounts.
    case totalsUnbalanced(LedgerTotals)
    /// A checkpoint names an account whose chain does not reach that sequence (nil: an account the verifier was not given).
    case checkpointNotReached(AccountID, checkpointSequence: UInt64, entriesSequence: UInt64?)

    /// One line saying what and where.
    public var description: String {
        switch self {
        case .hashMismatch(let at, let computed):
            "\(at): content does not match its stored hash (content hashes to \(computed.shortHex)…): the entry was edited"
        case .malformed(let at, let defect):
            "\(at): malformed: \(defect)"
        case .unknownAccount(let at, let account):
            "\(at): \(account) is not in the accounts table"
        case .sequenceGap(let at, let account, let expected, _):
            "\(at): expected sequence \(expected) in \(account)'s chain: an entry was deleted, inserted or moved"
        case .brokenLink(let at, let account, _):
            "\(at): previous hash for \(account) does not match its entry #\(Self.previousSequence(at, account)): that entry was rewritten"
        case .pending(let at, let defect):
            "\(at): pending transfer resolved wrongly: \(defect)"
        case .overflow(let at, let account):
            "\(at): \(account)'s totals pass Int64.max"
        case .limitExceeded(let at, let account):
            "\(at): \(account) breaks its balance limit"
        case .headMismatch(let account, let stored, let entries):
            "\(account): stored chain head is at sequence \(stored) but its entries end at \(entries) (or with another hash)"
        case .balanceMismatch(let account, let stored, let entries):
            "\(account): stored balances (\(stored)) differ from its entries (\(entries))"
        case .storedLimitExceeded(let account, let stored):
            "\(account): stored balances break its limit (\(stored))"
        case .totalsUnbalanced(let totals):
            "total debits differ from total credits: \(totals)"
        case .checkpointNotReached(let account, let checkpoint, let entries):
            if let entries {
                "\(account): the checkpoint is at sequence \(checkpoint) but its entries end at \(entries)"
            } else {
                "\(account): named by the checkpoint but not in the accounts table"
            }
        }
    }

    private static func previousSequence(_ at: EntryLocation, _ account: AccountID) -> UInt64 {
        let sequence = account == at.debitAccountID ? at.debitSequence : at.creditSequence
        return sequence &- 1
    }
}

/// Totals over every account, wide enough never to overflow.
public struct LedgerTotals: Hashable, Sendable, CustomStringConvertible {
    /// Σ debits pending.
    public var debitsPendingFen: Int128 = 0
    /// Σ debits posted.
    public var debitsPostedFen: Int128 = 0
    /// Σ credits pending.
    public var creditsPendingFen: Int128 = 0
    /// Σ credits posted.
    public var creditsPostedFen: Int128 = 0

    /// Whether debits equal credits, pending and posted.
    public var balanced: Bool { debitsPendingFen == creditsPendingFen && debitsPostedFen == creditsPostedFen }

    /// The totals in yuan.
    public var description: String {
        "debits pending \(MoneyFormat.yuan(debitsPendingFen)) posted \(MoneyFormat.yuan(debitsPostedFen)), "
            + "credits pending \(MoneyFormat.yuan(creditsPendingFen)) posted \(MoneyFormat.yuan(creditsPostedFen))"
    }
}

/// A pending transfer still held when verification ended with its timeout passed (the expiry sweep is behind).
public struct OverduePending: Hashable, Sendable {
    /// The pending transfer.
    public var transferID: TransferID
    /// Its debit account.
    public var debitAccountID: AccountID
    /// Its credit account.
    public var creditAccountID: AccountID
    /// The amount held.
    public var amountFen: Int64
    /// When it should have expired.
    public var expiresAtMs: Int64
}

/// What verification found.
public struct VerificationReport: Hashable, Sendable {
    /// How many entries were fed.
    public var entryCount: Int
    /// How many accounts were registered.
    public var accountCount: Int
    /// Everything found wrong: the first is the first fault in the stream. Empty when all holds.
    public var faults: [VerificationFault]
    /// Totals over every account, recomputed from the entries.
    public var totals: LedgerTotals
    /// The ledger digest over the chain heads the entries end at; equal to the stored heads' digest when clean.
    public var digest: ChainDigest
    /// The digest of the heads at the checkpoint given to the verifier, to compare with the one kept outside.
    public var checkpointDigest: ChainDigest?
    /// How many pending transfers are still held.
    public var heldPendingCount: Int
    /// How many held pending transfers are past their timeout.
    public var overduePendingCount: Int
    /// The overdue pending transfers, earliest first, at most `LedgerLimits.overduePendingsListedMax`.
    public var overduePendings: [OverduePending]

    /// Whether every check held.
    public var isClean: Bool { faults.isEmpty }
}

/// Streams a ledger's entries through every check an auditor makes, in one pass and one core.
///
/// Register every stored account first (`register`), then `feed` the entries in an order
/// consistent with every account's chain (the order they were appended, e.g. `ORDER BY entry_id`
/// for a serial assigned while the account rows were locked), then `finish`. For each entry it
/// checks the stored hash against the content, the sequence and previous hash of both chains,
/// the entry's own consistency, pending transfers resolved exactly once and consistently, and
/// each account's limit; at the end, the stored heads and balances against the entries, and the
/// totals. It stops checking entries at the first fault, since later links depend on it.
public struct ChainVerifier: Sendable {
    private struct Tally: Sendable {
        var stored: Account
        var sequence: UInt64
        var head: EntryHash
        var balances: Balances = .zero
        var lastIndex: Int?
        var checkpointSequence: UInt64?
        var checkpointHash: EntryHash?
    }

    private struct Held: Sendable {
        var debitAccountID: AccountID
        var creditAccountID: AccountID
        var ledger: UInt32
        var code: UInt16
        var amountFen: Int64
        var expiresAtMs: Int64
    }

    private var tallies: [AccountID: Tally] = [:]
    private var held: [TransferID: Held] = [:]
    private var checkpoint: [AccountID: UInt64]
    private var firstFault: VerificationFault?
    private var index = 0

    /// Starts a verification; `checkpoint` (account → sequence, from a printed head) makes `finish` recompute that head's digest.
    public init(checkpoint: [AccountID: UInt64] = [:]) {
        self.checkpoint = checkpoint
    }

    /// Whether no fault has been found so far.
    public var isClean: Bool { firstFault == nil }

    /// The first fault found so far.
    public var fault: VerificationFault? { firstFault }

    /// How many entries have been fed.
    public var entryCount: Int { index }

    /// Registers a stored account row, before any entry; its chain starts at its genesis hash.
    public mutating func register(_ account: Account) {
        precondition(index == 0, "register every account before feeding entries")
        precondition(tallies[account.id] == nil, "an account registered twice")
        let genesis = account.genesisHash
        var tally = Tally(stored: account, sequence: 0, head: genesis)
        if let sequence = checkpoint[account.id] {
            tally.checkpointSequence = sequence
            if sequence == 0 { tally.checkpointHash = genesis }
        }
        tallies[account.id] = tally
    }

    /// Checks the next entry; returns false once a fault has been found (this entry's or an earlier one's).
    @discardableResult
    public mutating func feed(_ entry: Entry) -> Bool {
        defer { index += 1 }
        guard firstFault == nil else { return false }
        if let fault = check(entry) {
            firstFault = fault
            return false
        }
        return true
    }

    private mutating func check(_ entry: Entry) -> VerificationFault? {
        let index = self.index
        func at() -> EntryLocation { EntryLocation(entry, index: index) }
        if entry.reference.utf8.count > LedgerLimits.referenceLengthMax { return .malformed(at(), .referenceTooLong) }
        if entry.computedHash != entry.hash { return .hashMismatch(at(), computed: entry.computedHash) }
        if entry.debitAccountID == entry.creditAccountID { return .malformed(at(), .accountsNotDifferent) }
        guard let d = tallies.index(forKey: entry.debitAccountID) else { return .unknownAccount(at(), accountID: entry.debitAccountID) }
        guard let c = tallies.index(forKey: entry.creditAccountID) else { return .unknownAccount(at(), accountID: entry.creditAccountID) }

        // The two chains.
        let debit = tallies.values[d], credit = tallies.values[c]
        if entry.debitSequence != debit.sequence &+ 1 {
            return .sequenceGap(at(), accountID: debit.stored.id, expectedSequence: debit.sequence &+ 1, previousIndex: debit.lastIndex)
        }
        if entry.debitPreviousHash != debit.head { return .brokenLink(at(), accountID: debit.stored.id, previousIndex: debit.lastIndex) }
        if entry.creditSequence != credit.sequence &+ 1 {
            return .sequenceGap(at(), accountID: credit.stored.id, expectedSequence: credit.sequence &+ 1, previousIndex: credit.lastIndex)
        }
        if entry.creditPreviousHash != credit.head { return .brokenLink(at(), accountID: credit.stored.id, previousIndex: credit.lastIndex) }

        // The entry's own consistency.
        if let defect = Self.defect(of: entry, ledger: debit.stored.ledger, creditLedger: credit.stored.ledger) { return .malformed(at(), defect) }

        // Pending transfers: held once, resolved at most once, consistently.
        switch entry.kind {
        case .posted:
            break
        case .pending:
            if held[entry.transferID] != nil { return .pending(at(), .duplicatePending) }
            held[entry.transferID] = Held(
                debitAccountID: entry.debitAccountID, creditAccountID: entry.creditAccountID, ledger: entry.ledger,
                code: entry.code, amountFen: entry.amountFen, expiresAtMs: entry.expiresAtMs)
        case .postPending, .voidPending, .expirePending:
            guard let pending = held[entry.pendingID] else { return .pending(at(), .notHeld) }
            if pending.debitAccountID != entry.debitAccountID || pending.creditAccountID != entry.creditAccountID
                || pending.ledger != entry.ledger || pending.code != entry.code {
                return .pending(at(), .differentTransfer)
            }
            if pending.amountFen != entry.releasedFen { return .pending(at(), .differentAmount) }
            if entry.kind == .expirePending {
                if pending.expiresAtMs == 0 || entry.expiresAtMs != pending.expiresAtMs || entry.timestampMs < pending.expiresAtMs {
                    return .pending(at(), .expiredBeforeTimeout)
                }
            } else if pending.expiresAtMs != 0 && entry.timestampMs >= pending.expiresAtMs {
                return .pending(at(), .resolvedAfterTimeout)
            }
            held[entry.pendingID] = nil
        }

        // Balances, overflow and limits.
        var debitBalances = debit.balances, creditBalances = credit.balances
        let pendingDelta = entry.pendingDeltaFen, postedDelta = entry.postedDeltaFen
        guard Self.add(&debitBalances.debitsPendingFen, pendingDelta), Self.add(&debitBalances.debitsPostedFen, postedDelta),
            debitBalances.debitsPendingFen >= 0,
            Int128(debitBalances.debitsPendingFen) + Int128(debitBalances.debitsPostedFen) <= Int128(Int64.max)
        else { return .overflow(at(), accountID: debit.stored.id) }
        guard Self.add(&creditBalances.creditsPendingFen, pendingDelta), Self.add(&creditBalances.creditsPostedFen, postedDelta),
            creditBalances.creditsPendingFen >= 0,
            Int128(creditBalances.creditsPendingFen) + Int128(creditBalances.creditsPostedFen) <= Int128(Int64.max)
        else { return .overflow(at(), accountID: credit.stored.id) }
        if !debitBalances.satisfies(debit.stored.flags) { return .limitExceeded(at(), accountID: debit.stored.id) }
        if !creditBalances.satisfies(credit.stored.flags) { return .limitExceeded(at(), accountID: credit.stored.id) }

        Self.advance(&tallies.values[d], sequence: entry.debitSequence, hash: entry.hash, balances: debitBalances, index: index)
        Self.advance(&tallies.values[c], sequence: entry.creditSequence, hash: entry.hash, balances: creditBalances, index: index)
        return nil
    }

    private static func advance(_ tally: inout Tally, sequence: UInt64, hash: EntryHash, balances: Balances, index: Int) {
        tally.sequence = sequence
        tally.head = hash
        tally.balances = balances
        tally.lastIndex = index
        if tally.checkpointSequence == sequence { tally.checkpointHash = hash }
    }

    private static func add(_ value: inout Int64, _ delta: Int64) -> Bool {
        let (sum, overflow) = value.addingReportingOverflow(delta)
        value = sum
        return !overflow
    }

    private static func defect(of entry: Entry, ledger: UInt32, creditLedger: UInt32) -> EntryDefect? {
        if entry.ledger != ledger || entry.ledger != creditLedger { return .ledgerMismatch }
        if !(1...LedgerLimits.transferAmountFenMax).contains(entry.amountFen) { return .amountOutOfRange }
        switch entry.kind {
        case .posted, .pending:
            if entry.releasedFen != 0 { return .releasedInconsistent }
            if entry.pendingID != .zero { return .pendingIDInconsistent }
            if entry.kind == .posted && entry.expiresAtMs != 0 { return .expiryInconsistent }
            if entry.kind == .pending && entry.expiresAtMs != 0 && entry.expiresAtMs <= entry.timestampMs { return .expiryInconsistent }
        case .postPending:
            if entry.releasedFen < entry.amountFen { return .releasedInconsistent }
            if entry.pendingID == .zero || entry.pendingID == entry.transferID { return .pendingIDInconsistent }
            if entry.expiresAtMs != 0 { return .expiryInconsistent }
        case .voidPending:
            if entry.releasedFen != entry.amountFen { return .amountOutOfRange }
            if entry.pendingID == .zero || entry.pendingID == entry.transferID { return .pendingIDInconsistent }
            if entry.expiresAtMs != 0 { return .expiryInconsistent }
        case .expirePending:
            if entry.releasedFen != entry.amountFen { return .amountOutOfRange }
            if entry.pendingID != entry.transferID { return .pendingIDInconsistent }
        }
        return nil
    }

    /// Ends the verification at time `nowMs`: compares stored heads and balances with the entries, totals, and lists overdue pending transfers.
    public func finish(atMs nowMs: Int64) -> VerificationReport {
        var faults: [VerificationFault] = []
        if let firstFault { faults.append(firstFault) }
        var totals = LedgerTotals()
        var heads: [AccountHead] = []
        heads.reserveCapacity(tallies.count)
        var checkpointHeads: [AccountHead] = []
        for tally in tallies.values.sorted(by: { $0.stored.id < $1.stored.id }) {
            let id = tally.stored.id
            heads.append(AccountHead(accountID: id, sequence: tally.sequence, hash: tally.head))
            totals.debitsPendingFen += Int128(tally.balances.debitsPendingFen)
            totals.debitsPostedFen += Int128(tally.balances.debitsPostedFen)
            totals.creditsPendingFen += Int128(tally.balances.creditsPendingFen)
            totals.creditsPostedFen += Int128(tally.balances.creditsPostedFen)
            if let sequence = tally.checkpointSequence {
                if let hash = tally.checkpointHash {
                    checkpointHeads.append(AccountHead(accountID: id, sequence: sequence, hash: hash))
                } else if firstFault == nil {
                    faults.append(.checkpointNotReached(id, checkpointSequence: sequence, entriesSequence: tally.sequence))
                }
            }
            // After an entry fault the recomputed balances stop short, so comparing them would only add noise.
            guard firstFault == nil else { continue }
            if tally.stored.sequence != tally.sequence || tally.stored.headHash != tally.head {
                faults.append(.headMismatch(id, storedSequence: tally.stored.sequence, entriesSequence: tally.sequence))
            }
            if tally.stored.balances != tally.balances {
                faults.append(.balanceMismatch(id, stored: tally.stored.balances, fromEntries: tally.balances))
            }
            if !tally.stored.balances.satisfies(tally.stored.flags) {
                faults.append(.storedLimitExceeded(id, stored: tally.stored.balances))
            }
        }
        if firstFault == nil {
            for (id, sequence) in checkpoint.sorted(by: { $0.key < $1.key }) where tallies[id] == nil {
                faults.append(.checkpointNotReached(id, checkpointSequence: sequence, entriesSequence: nil))
            }
            if !totals.balanced { faults.append(.totalsUnbalanced(totals)) }
        }
        if faults.count > LedgerLimits.verificationFaultsMax + 1 { faults.removeSubrange((LedgerLimits.verificationFaultsMax + 1)...) }

        var digestBuilder = ChainDigest.Builder()
        for head in heads { digestBuilder.add(head) }
        let overdue = held.compactMap { id, pending -> OverduePending? in
            guard pending.expiresAtMs != 0, pending.expiresAtMs <= nowMs else { return nil }
            return OverduePending(
                transferID: id, debitAccountID: pending.debitAccountID, creditAccountID: pending.creditAccountID,
                amountFen: pending.amountFen, expiresAtMs: pending.expiresAtMs)
        }.sorted { ($0.expiresAtMs, $0.transferID) < ($1.expiresAtMs, $1.transferID) }
        return VerificationReport(
            entryCount: index, accountCount: tallies.count, faults: faults, totals: totals, digest: digestBuilder.finish(),
            checkpointDigest: checkpoint.isEmpty ? nil : ChainDigest.of(checkpointHeads),
            heldPendingCount: held.count, overduePendingCount: overdue.count,
            overduePendings: Array(overdue.prefix(LedgerLimits.overduePendingsListedMax)))
    }
}
