import Foundation

/// Why an offer use case refused, with the numbers behind it (docs/offers.md).
public enum OfferRefusal: Refusal, Equatable {
    /// Offers are made on published listings.
    case listingNotOpen(listing: ListingID, status: ListingStatus)
    case modeNotOffered(mode: TransferMode, offered: [TransferMode])
    /// The firm has a live offer on this listing and mode: one negotiation at a time.
    case openOfferExists(offer: OfferID)
    /// The firm already bought this listing in this mode.
    case holdsSeat(listing: ListingID, mode: TransferMode)
    /// Every seat of the mode is sold, or the listing was sold or withdrawn.
    case soldOut(listing: ListingID, mode: TransferMode, seatCount: Int)
    /// An exclusive or sole licence cannot follow non-exclusive licences already sold.
    case licencesAlreadySold(listing: ListingID, seatsSold: Int)
    case offerNotLive(offer: OfferID, status: OfferStatus)
    /// It is the other side's move.
    case notYourTurn(offer: OfferID, awaiting: OfferSide)
    case offerExpired(offer: OfferID, validUntil: Date)
    /// A counter is below the ask: at the ask the firm can simply offer.
    case counterAtOrAboveAsk(askFen: Int64, priceFen: Int64)
    /// An offer at or above the ask in an offer window fills by priority when the window closes.
    case matchesAtWindowClose(askFen: Int64, priceFen: Int64, closesAt: Date)
    /// Offers at or above the ask are waiting: they come first (price-time priority).
    case offersAtAskWaiting(askFen: Int64)
    case roundsExhausted(roundsMax: Int)
    case bookFull(offersMax: Int)
    /// The seats or the window of a mode are fixed once the mode has taken offers.
    case termsFixed(field: String, mode: TransferMode)

    public var kind: RefusalKind {
        switch self {
        case .modeNotOffered, .counterAtOrAboveAsk, .roundsExhausted: return .rule
        default: return .conflict
        }
    }

    public var title: String { "Refused by the offer rules" }

    public var code: String {
        switch self {
        case .listingNotOpen: return "listing_not_open"
        case .modeNotOffered: return "mode_not_offered"
        case .openOfferExists: return "open_offer_exists"
        case .holdsSeat: return "holds_seat"
        case .soldOut: return "sold_out"
        case .licencesAlreadySold: return "licences_already_sold"
        case .offerNotLive: return "offer_not_live"
        case .notYourTurn: return "not_your_turn"
        case .offerExpired: return "offer_expired"
        case .counterAtOrAboveAsk: return "counter_at_or_above_ask"
        case .matchesAtWindowClose: return "matches_at_window_close"
        case .offersAtAskWaiting: return "offers_at_ask_waiting"
        case .roundsExhausted: return "rounds_exhausted"
        case .bookFull: return "book_full"
        case .termsFixed: return "terms_fixed"
        }
    }

    public var detail: String {
        switch self {
        case .listingNotOpen(let listing, let status): return "listing \(listing) is \(status.rawValue); offers are made on published listings"
        case .modeNotOffered(let mode, let offered):
            return "the listing does not offer \(mode.rawValue); it offers \(offered.map(\.rawValue).joined(separator: ", "))"
        case .openOfferExists(let offer): return "the firm's offer \(offer) on this listing and mode is still open; withdraw it first"
        case .holdsSeat(let listing, let mode): return "the firm already bought listing \(listing) as \(mode.rawValue)"
        case .soldOut(let listing, let mode, let seats):
            return "listing \(listing) can no longer be bought as \(mode.rawValue) (\(seats) seat\(seats == 1 ? "" : "s"), sold or withdrawn)"
        case .licencesAlreadySold(let listing, let sold):
            return "listing \(listing) has \(sold) non-exclusive licence\(sold == 1 ? "" : "s") sold; an exclusive or sole licence can no longer be granted"
        case .offerNotLive(let offer, let status): return "offer \(offer) is \(status.rawValue)"
        case .notYourTurn(let offer, let awaiting): return "offer \(offer) awaits the \(awaiting.rawValue)"
        case .offerExpired(let offer, let validUntil): return "offer \(offer) was valid until \(ISO8601DateFormatter().string(from: validUntil))"
        case .counterAtOrAboveAsk(let ask, let price):
            return "a counter of \(MoneyText.yuan(price)) is not below the ask of \(MoneyText.yuan(ask)); at the ask the firm can offer directly"
        case .matchesAtWindowClose(let ask, let price, let closesAt):
            return "an offer of \(MoneyText.yuan(price)) meets the ask of \(MoneyText.yuan(ask)) and fills by priority when the offer window closes at \(ISO8601DateFormatter().string(from: closesAt))"
        case .offersAtAskWaiting(let ask): return "offers at or above the ask of \(MoneyText.yuan(ask)) are waiting and come first"
        case .roundsExhausted(let max): return "an offer takes at most \(max) prices from the firm"
        case .bookFull(let max): return "the listing took its most offers (\(max)) in this mode"
        case .termsFixed(let field, let mode): return "\(field) is fixed once \(mode.rawValue) has taken offers"
        }
    }

    public var fieldIssues: [FieldIssue] {
        switch self {
        case .modeNotOffered: return [FieldIssue("mode", "is not offered by the listing")]
        case .counterAtOrAboveAsk: return [FieldIssue("priceFen", "must be below the ask")]
        case .termsFixed(let field, _): return [FieldIssue(field, "is fixed once the mode has taken offers")]
        default: return []
        }
    }

    public var values: [String: Int64] {
        switch self {
        case .openOfferExists(let offer): return ["offerId": offer.value]
        case .soldOut(_, _, let seats): return ["seatCount": Int64(seats)]
        case .licencesAlreadySold(_, let sold): return ["seatsSold": Int64(sold)]
        case .counterAtOrAboveAsk(let ask, let price), .matchesAtWindowClose(let ask, let price, _):
            return ["askFen": ask, "priceFen": price]
        case .offersAtAskWaiting(let ask): return ["askFen": ask]
        case .roundsExhausted(let max): return ["roundsMax": Int64(max)]
        case .bookFull(let max): return ["offersMax": Int64(max)]
        default: return [:]
        }
    }

    /// Refusals about the state of the listing or the offer: a retry may be answered otherwise.
    public var clearsOnRetry: Bool { kind == .conflict }
}

/// The stored books and offers disagree with what the engine says (a bug, never the client's
/// fault): the use case stops and nothing is written.
public struct OfferBookInconsistent: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
