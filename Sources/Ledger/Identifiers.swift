/// An account in the ledger (账户), chosen by the market; zero is never a valid id.
public struct AccountID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The storage layer's numeric id for the account.
    public var rawValue: UInt64

    /// Wraps a numeric account id.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Wraps a numeric account id.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// The absent account, used where a post or void leaves the accounts to its pending transfer.
    public static let zero = AccountID(0)

    /// Orders ids by their numeric value; the storage adapter locks accounts in this order.
    public static func < (lhs: AccountID, rhs: AccountID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The id as `account#N`.
    public var description: String { "account#\(rawValue)" }
}

/// A transfer's client-chosen id (128 bits, like TigerBeetle's); it is also the idempotency key.
public struct TransferID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 128-bit id.
    public var rawValue: UInt128

    /// Wraps a 128-bit id.
    public init(rawValue: UInt128) { self.rawValue = rawValue }

    /// Wraps a 128-bit id.
    public init(_ rawValue: UInt128) { self.rawValue = rawValue }

    /// Builds an id from its high and low 64 bits (two `bigint` columns in storage, for example).
    public init(high: UInt64, low: UInt64) { self.rawValue = UInt128(high) << 64 | UInt128(low) }

    /// The absent transfer: no transfer may have it, and `pendingID` is zero when unused.
    public static let zero = TransferID(0)

    /// The high 64 bits.
    public var high: UInt64 { UInt64(truncatingIfNeeded: rawValue >> 64) }

    /// The low 64 bits.
    public var low: UInt64 { UInt64(truncatingIfNeeded: rawValue) }

    /// Orders ids by their numeric value.
    public static func < (lhs: TransferID, rhs: TransferID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The id as `transfer#N` in decimal.
    public var description: String { "transfer#\(rawValue)" }
}

/// Ledger codes: which currency a set of accounts counts in; accounts of different ledgers never meet.
public enum LedgerCode {
    /// 人民币, ISO 4217 numeric code 156: the market's only currency today.
    public static let cny: UInt32 = 156
}

/// The ledger's limits; input past them is refused, never truncated.
public enum LedgerLimits {
    /// The largest amount one transfer may move: ¥100 billion, far above any deal, far below overflow.
    public static let transferAmountFenMax: Int64 = 10_000_000_000_000
    /// The longest business-object reference, in UTF-8 bytes (e.g. `voucher:330521-2025-000123`).
    public static let referenceLengthMax = 64
    /// The longest time a pending transfer may be held before it expires: 400 days.
    public static let timeoutMsMax: Int64 = 400 * 24 * 3_600_000
    /// The most transfers one call to `LedgerState.apply` accepts.
    public static let batchSizeMax = 8_190
    /// The most faults a verification report lists after the first.
    public static let verificationFaultsMax = 100
    /// The most overdue pending transfers a verification report lists.
    public static let overduePendingsListedMax = 1_000
}
