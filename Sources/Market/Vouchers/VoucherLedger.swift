import Ledger

/// The voucher scheme's ledger layout (docs/vouchers.md): account codes, the transfer of each
/// step with an id made from its business object, and the payable shards.
public enum VoucherLedger {
    public static let treasuryCode: UInt16 = 10
    public static let programCode: UInt16 = 20
    public static let voucherCode: UInt16 = 30
    public static let payableCode: UInt16 = 40
    public static let settledCode: UInt16 = 50

    public enum Step: UInt64, Sendable {
        case fund = 1, issue, hold, approve, release, settle

        public var code: UInt16 { UInt16(100 + rawValue) }
        /// The high half of the ids of this step: "VC" and the step, apart from every other id.
        public var high: UInt64 { 0x5643_0000_0000_0000 | rawValue }
        public func id(_ object: Int64) -> TransferID { TransferID(high: high, low: UInt64(object)) }
    }

    /// What an issuing region owes a provider is spread over this many payable accounts, so that
    /// redemptions at one provider do not all wait on one account (Schema/0011).
    public static let payableShardCount: Int64 = 8

    /// The shard of the payable accounts that a voucher's redemptions hold on.
    public static func payableShard(_ voucher: VoucherID) -> Int64 { voucher.value % payableShardCount }

    /// Digits of a voucher's serial within its region and year (`330521-2026-000123`).
    public static let voucherSerialDigits = 6

    /// The number after `lastSerial` in the issuer's year, or the refusal when every serial is used.
    public static func voucherNumber(issuer: RegionCode, year: Int, after lastSerial: Int) throws(VoucherRefusal) -> String {
        let digits = String(lastSerial + 1)
        guard digits.count <= voucherSerialDigits else { throw .voucherNumbersExhausted(issuer: issuer, year: year) }
        return "\(issuer.value)-\(year)-" + String(repeating: "0", count: voucherSerialDigits - digits.count) + digits
    }
}

/// The ledger refused a step that the rules had allowed: a bug, reported as a 500.
public struct LedgerStepFailed: Error, CustomStringConvertible {
    public var step: String
    public var reason: String

    public init(step: String, reason: String) {
        self.step = step
        self.reason = reason
    }

    public var description: String { "the ledger refused to \(step): \(reason)" }
}
