/// A firm taking part in matching: a bidder in an auction or a buyer on a listing (企业).
public struct PartyID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The storage layer's numeric id for the party.
    public var rawValue: UInt64

    /// Wraps a numeric party id.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Wraps a numeric party id.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Orders ids by their numeric value.
    public static func < (lhs: PartyID, rhs: PartyID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The id as `party#N`.
    public var description: String { "party#\(rawValue)" }
}

/// An offer on a listing, chosen by the client so that a retry can be recognised.
public struct OfferID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The client-chosen numeric id.
    public var rawValue: UInt64

    /// Wraps a numeric offer id.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Wraps a numeric offer id.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Orders ids by their numeric value.
    public static func < (lhs: OfferID, rhs: OfferID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The id as `offer#N`.
    public var description: String { "offer#\(rawValue)" }
}

/// A command's position in its engine's command log; ids must strictly increase.
///
/// An id that is not above the last one the engine saw is a repeat and has no effect, so a
/// command log can be re-delivered at least once without changing the outcome.
public struct CommandID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The log sequence number.
    public var rawValue: UInt64

    /// Wraps a log sequence number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Wraps a log sequence number.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Orders ids by their sequence number.
    public static func < (lhs: CommandID, rhs: CommandID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The id as `cmd#N`.
    public var description: String { "cmd#\(rawValue)" }
}

/// Limits shared by every engine in this module; configurations past them are refused.
public enum MatchingLimits {
    /// The largest price any engine accepts: ¥10 trillion, far above any real deal, far below overflow.
    public static let priceFenMax: Int64 = 1_000_000_000_000_000
    /// The latest instant any engine accepts (about the year 2255), so that time arithmetic never overflows.
    public static let timeMsMax: Int64 = 9_000_000_000_000
    /// The longest anti-sniping window (延时): one day.
    public static let extensionWindowMsMax: Int64 = 86_400_000
    /// The largest cap on anti-sniping extensions.
    public static let extensionCountMaxLimit: Int32 = 10_000
    /// The most bidders one auction can register.
    public static let bidderCountMax: Int = 1_000_000
    /// The most offers one listing book can hold over its life.
    public static let offerCountMax: Int = 4_000_000
    /// The most seats (non-exclusive licences) one listing book can sell.
    public static let seatCountMax: Int = 100_000
}
