import Foundation

/// Demo auctions (Fixtures/auctions.json): sessions (专场) with lots of every format in every
/// state — noticed, open, extended, closed sold, closed unsold — with registered firms, their
/// deposits and bids, loaded through the same use cases as the API on a clock set to each step's
/// time. Every time is in minutes from the load (negative: before it), so the states hold
/// whenever the demo is loaded.
public struct AuctionFixture: Sendable, Decodable {
    public struct SessionRow: Sendable, Decodable {
        public var title: String
        public var noticeMinutes: Int
        public var startMinutes: Int
        public var buyerCommissionBasisPoints: Int
        public var sellerCommissionBasisPoints: Int
        /// A live session (`AuctionSession.live`): its open English lots may be hammered.
        public var live: Bool?
        public var lots: [LotRow]
    }

    public struct LotRow: Sendable, Decodable {
        /// The listing's reference.
        public var listing: String
        public var mode: TransferMode
        public var format: LotFormat
        public var openingPriceFen: Int64
        public var reserveFen: Int64
        public var incrementFen: Int64
        public var startMinutes: Int
        public var endMinutes: Int
        public var extensionWindowSeconds: Int?
        public var dutchIntervalSeconds: Int?
        /// The handles of the firms that pay the deposit and register, in paddle order.
        public var firms: [String]
        public var bids: [BidRow]?
    }

    /// One bid: exactly one of `amountFen`, `maxFen` (a proxy) or `accept` (Dutch).
    public struct BidRow: Sendable, Decodable {
        public var firm: String
        public var atMinutes: Int
        public var amountFen: Int64?
        public var maxFen: Int64?
        public var accept: Bool?

        public var request: BidRequest? {
            switch (amountFen, maxFen, accept) {
            case (let amount?, nil, nil): return .amount(amount)
            case (nil, let max?, nil): return .proxy(maxFen: max)
            case (nil, nil, true): return .accept
            default: return nil
            }
        }
    }

    public var sessions: [SessionRow]

    public static func load(from directory: URL) throws -> AuctionFixture {
        try FixtureError.read("auctions.json", in: directory)
    }
}
