import Ledger

/// The auction area's ledger layout (docs/auctions.md): account codes, and the transfer of each
/// money step with an id made from its business object (a receipt, a registration, a lot).
///
/// A firm's deposit account (limited: it never pays out more than it received) is credited by
/// the bank receipt; registering moves the deposit into the lot's escrow; at the close the
/// losers' deposits go back, and the winner's is applied: first to the buyer's commission
/// (the operator's), the rest toward the price (the lot's proceeds, the seller's). A default
/// forfeits the proceeds part: to the seller's compensation and the operator, as the session says.
public enum AuctionLedger {
    /// The operator's bank: deposits received (its debits grow with every receipt).
    public static let bankCode: UInt16 = 60
    public static let depositCode: UInt16 = 61
    public static let escrowCode: UInt16 = 62
    public static let proceedsCode: UInt16 = 63
    public static let commissionCode: UInt16 = 64
    public static let compensationCode: UInt16 = 65
    public static let forfeitCode: UInt16 = 66

    public enum Step: UInt64, Sendable, CaseIterable {
        case receive = 1, escrow, release, commission, apply, compensate, forfeit
        /// The winner's payment: the rest of the price into the lot's proceeds, the rest of the
        /// buyer's commission to the operator, and the seller's commission out of the proceeds.
        case pay, payCommission, sellerCommission

        public var code: UInt16 { UInt16(200 + rawValue) }
        /// The high half of this step's ids: "AU" and the step, apart from every other id.
        public var high: UInt64 { 0x4155_0000_0000_0000 | rawValue }
        public func id(_ object: Int64) -> TransferID { TransferID(high: high, low: UInt64(object)) }
    }

    /// The accounts the store maps from a business key, opened on first use.
    public enum Holder: Sendable, Hashable {
        case bank
        case deposit(PartyID)
        case escrow(LotID)
        case proceeds(LotID)
        case commission
        case compensation(PartyID)
        case forfeits

        public var kind: String {
            switch self {
            case .bank: return "bank"
            case .deposit: return "deposit"
            case .escrow: return "escrow"
            case .proceeds: return "proceeds"
            case .commission: return "commission"
            case .compensation: return "compensation"
            case .forfeits: return "forfeits"
            }
        }

        public var owner: Int64 {
            switch self {
            case .bank, .commission, .forfeits: return 0
            case .deposit(let party), .compensation(let party): return party.value
            case .escrow(let lot), .proceeds(let lot): return lot.value
            }
        }

        public var code: UInt16 {
            switch self {
            case .bank: return AuctionLedger.bankCode
            case .deposit: return AuctionLedger.depositCode
            case .escrow: return AuctionLedger.escrowCode
            case .proceeds: return AuctionLedger.proceedsCode
            case .commission: return AuctionLedger.commissionCode
            case .compensation: return AuctionLedger.compensationCode
            case .forfeits: return AuctionLedger.forfeitCode
            }
        }

        /// Accounts that hold money for someone never pay out more than they received.
        public var isLimited: Bool { self != .bank }

        public var name: String {
            switch self {
            case .bank: return "auction deposits received at the bank"
            case .deposit(let party): return "auction deposit of firm \(party)"
            case .escrow(let lot): return "escrow of lot \(lot)"
            case .proceeds(let lot): return "proceeds of lot \(lot)"
            case .commission: return "auction commissions"
            case .compensation(let party): return "auction compensation to \(party)"
            case .forfeits: return "auction deposits forfeited to the operator"
            }
        }
    }

    /// A share of an amount in basis points, rounded down (the rest stays with the other side).
    public static func share(_ amountFen: Int64, basisPoints: Int) -> Int64 {
        precondition(amountFen >= 0 && (0...10_000).contains(basisPoints))
        return amountFen.multipliedReportingOverflow(by: Int64(basisPoints)).overflow
            ? amountFen / 10_000 * Int64(basisPoints) : amountFen * Int64(basisPoints) / 10_000
    }
}
