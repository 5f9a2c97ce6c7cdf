import Foundation

/// Demo offers (Fixtures/offers.json): sale terms and offers on demo listings, with the moves
/// that take them to every state (filled at the ask and by negotiation, open, countered,
/// rejected, withdrawn, expired by another firm's purchase, waiting in an offer window), loaded
/// through the same use cases as the API.
public struct OfferFixture: Sendable, Decodable {
    public struct TermsRow: Sendable, Decodable {
        /// The listing's reference.
        public var listing: String
        public var licenceSeats: Int?
        /// An offer window closing this many days after the load.
        public var offerWindowDays: Int?
    }

    /// One move after the offer: `["counter", priceFen, terms?]` (the institution),
    /// `["counter_back", priceFen]` (the firm), `["accept"]` (whoever's turn it is),
    /// `["reject", reason]`, `["withdraw"]`.
    public enum Move: Sendable, Decodable, Equatable {
        case counter(priceFen: Int64, terms: String?)
        case counterBack(priceFen: Int64)
        case accept
        case reject(reason: String)
        case withdraw

        public init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            switch try container.decode(String.self) {
            case "counter": self = .counter(priceFen: try container.decode(Int64.self), terms: try container.decodeIfPresent(String.self))
            case "counter_back": self = .counterBack(priceFen: try container.decode(Int64.self))
            case "accept": self = .accept
            case "reject": self = .reject(reason: try container.decode(String.self))
            case "withdraw": self = .withdraw
            case let other:
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown move \(other)")
            }
        }
    }

    public struct OfferRow: Sendable, Decodable {
        public var listing: String
        /// The firm's handle.
        public var firm: String
        public var mode: TransferMode
        public var priceFen: Int64
        public var terms: String
        public var moves: [Move]?
    }

    public var saleTerms: [TermsRow]
    public var offers: [OfferRow]

    public static func load(from directory: URL) throws -> OfferFixture {
        try FixtureError.read("offers.json", in: directory)
    }

    /// How long a demo offer stays valid.
    public static let validityDays = 30
}
