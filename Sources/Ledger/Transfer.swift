/// How a transfer behaves; at most one of `pending`, `postPending`, `voidPending` may be set.
public struct TransferFlags: OptionSet, Hashable, Sendable {
    /// The flags as stored (a `smallint` column).
    public let rawValue: UInt16

    /// Wraps stored flags.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Succeeds or fails together with the next transfer of the batch (a chain ends at the first transfer without it).
    public static let linked = TransferFlags(rawValue: 1 << 0)
    /// 冻结: holds the amount as pending until posted, voided or expired.
    public static let pending = TransferFlags(rawValue: 1 << 1)
    /// 入账: posts all or part of the pending transfer `pendingID`; the rest is released.
    public static let postPending = TransferFlags(rawValue: 1 << 2)
    /// 撤销: releases the whole pending transfer `pendingID`.
    public static let voidPending = TransferFlags(rawValue: 1 << 3)

    /// Every flag this version knows; any other bit is refused.
    public static let known: TransferFlags = [.linked, .pending, .postPending, .voidPending]
}

/// A request to move money (转账): debit one account, credit another, by the same positive amount.
///
/// For a post or void, the accounts, ledger and code may be left zero: they come from the pending
/// transfer, and when given they must match it.
public struct Transfer: Hashable, Sendable {
    /// The client-chosen id; a retry with the same id and content has no second effect.
    public var id: TransferID
    /// The account debited (借方).
    public var debitAccountID: AccountID
    /// The account credited (贷方).
    public var creditAccountID: AccountID
    /// The amount in fen: > 0 and ≤ `LedgerLimits.transferAmountFenMax`; for a void, 0 or the pending amount.
    public var amountFen: Int64
    /// For a post or void: the pending transfer it resolves; zero otherwise.
    public var pendingID: TransferID
    /// For a pending transfer: how long it may be held before it expires (0 = never); zero otherwise.
    public var timeoutMs: Int64
    /// The currency ledger (`LedgerCode.cny`).
    public var ledger: UInt32
    /// What the transfer is (issuance, redemption hold, deposit …), chosen by the market; never zero.
    public var code: UInt16
    /// The flags.
    public var flags: TransferFlags
    /// The business object it belongs to (a voucher number, a lot, a contract), at most `LedgerLimits.referenceLengthMax` UTF-8 bytes.
    public var reference: String

    /// Builds a transfer; defaults make a plain, immediately posted transfer in CNY.
    public init(
        id: TransferID, debitAccountID: AccountID, creditAccountID: AccountID, amountFen: Int64,
        pendingID: TransferID = .zero, timeoutMs: Int64 = 0, ledger: UInt32 = LedgerCode.cny, code: UInt16,
        flags: TransferFlags = [], reference: String = ""
    ) {
        self.id = id
        self.debitAccountID = debitAccountID
        self.creditAccountID = creditAccountID
        self.amountFen = amountFen
        self.pendingID = pendingID
        self.timeoutMs = timeoutMs
        self.ledger = ledger
        self.code = code
        self.flags = flags
        self.reference = reference
    }

    /// A post of `amountFen` (all or part) of the pending transfer `pendingID`; accounts, ledger and code come from it.
    public static func post(id: TransferID, pendingID: TransferID, amountFen: Int64, reference: String = "", flags: TransferFlags = []) -> Transfer {
        Transfer(
            id: id, debitAccountID: .zero, creditAccountID: .zero, amountFen: amountFen, pendingID: pendingID,
            ledger: 0, code: 0, flags: flags.union(.postPending), reference: reference)
    }

    /// A void of the pending transfer `pendingID`: its whole amount is released.
    public static func void(id: TransferID, pendingID: TransferID, reference: String = "", flags: TransferFlags = []) -> Transfer {
        Transfer(
            id: id, debitAccountID: .zero, creditAccountID: .zero, amountFen: 0, pendingID: pendingID,
            ledger: 0, code: 0, flags: flags.union(.voidPending), reference: reference)
    }

    /// Whether it resolves a pending transfer (post or void).
    public var resolvesPending: Bool { !flags.isDisjoint(with: [.postPending, .voidPending]) }
}

/// Where a pending transfer stands; `none` for every other transfer.
public enum PendingStatus: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Not a pending transfer.
    case none = 0
    /// Held, awaiting a post, a void or its timeout.
    case pending = 1
    /// Posted (in full or in part) by a later transfer.
    case posted = 2
    /// Voided by a later transfer.
    case voided = 3
    /// Released at its timeout.
    case expired = 4

    /// The status in words.
    public var description: String {
        switch self {
        case .none: "none"
        case .pending: "pending"
        case .posted: "posted"
        case .voided: "voided"
        case .expired: "expired"
        }
    }
}

/// An accepted transfer as the ledger keeps it: the request as submitted, plus what it resolved to.
///
/// The storage adapter keeps one row per record (primary key `transfer.id`); a retry is answered
/// by `LedgerRules.compare(_:with:)` against it, and a post or void locks and updates its pending record.
public struct TransferRecord: Hashable, Sendable {
    /// The request exactly as submitted; idempotency compares retries with it.
    public var transfer: Transfer
    /// The account debited (for a post or void: the pending transfer's).
    public var debitAccountID: AccountID
    /// The account credited (for a post or void: the pending transfer's).
    public var creditAccountID: AccountID
    /// The currency ledger it moved in.
    public var ledger: UInt32
    /// What it is (for a post or void: the pending transfer's code).
    public var code: UInt16
    /// The amount it moved: held (pending), posted, or released (void).
    public var amountFen: Int64
    /// When it was applied, in ms since the Unix epoch.
    public var timestampMs: Int64
    /// For a pending transfer with a timeout: when it expires (0 = never).
    public var expiresAtMs: Int64
    /// For a pending transfer: whether it is still held or how it ended.
    public var pendingStatus: PendingStatus

    /// Builds a record (from a stored row, for example).
    public init(
        transfer: Transfer, debitAccountID: AccountID, creditAccountID: AccountID, ledger: UInt32, code: UInt16,
        amountFen: Int64, timestampMs: Int64, expiresAtMs: Int64, pendingStatus: PendingStatus
    ) {
        self.transfer = transfer
        self.debitAccountID = debitAccountID
        self.creditAccountID = creditAccountID
        self.ledger = ledger
        self.code = code
        self.amountFen = amountFen
        self.timestampMs = timestampMs
        self.expiresAtMs = expiresAtMs
        self.pendingStatus = pendingStatus
    }

    /// The transfer's id.
    public var id: TransferID { transfer.id }
}
