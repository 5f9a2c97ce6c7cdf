import Foundation

/// An offer's id.
public typealias OfferID = Identifier<Offer>

/// Where an offer stands. `open` and `countered` are live (at most one per firm, listing and
/// mode); the others are final.
public enum OfferStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for the institution, or for matching (an offer window).
    case open
    /// The institution countered; waiting for the firm.
    case countered
    /// A deal (成交): the firm holds a seat, and a contract was signed.
    case filled
    /// The institution rejected it.
    case rejected
    /// The firm withdrew it.
    case withdrawn
    /// Its valid-until time passed, or the listing sold out or was withdrawn while it was live.
    case expired

    public var isLive: Bool { self == .open || self == .countered }
}

/// Which side of an offer acts next.
public enum OfferSide: String, Sendable, Codable {
    case firm, institution
}

/// One recorded step of an offer's life, with its time and author.
public struct OfferStep: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The firm offered (the first step).
        case offered
        /// The institution countered.
        case countered
        /// The firm countered back.
        case counteredBack = "countered_back"
        /// The institution accepted the firm's price, or the firm the counter.
        case accepted
        /// Matched at or above the ask (挂牌成交).
        case matched
        case rejected
        case withdrawn
        case expired
    }

    public var kind: Kind
    /// The party that took the step; nil for the market itself (a match, an expiry).
    public var byPartyID: PartyID?
    public var priceFen: Int64?
    public var terms: String?
    public var reason: String?
    public var at: Date

    public init(kind: Kind, byPartyID: PartyID?, priceFen: Int64? = nil, terms: String? = nil, reason: String? = nil, at: Date) {
        self.kind = kind
        self.byPartyID = byPartyID
        self.priceFen = priceFen
        self.terms = terms
        self.reason = reason
        self.at = at
    }
}

/// The deal an offer became.
public struct OfferDeal: Sendable, Equatable, Encodable {
    public var priceFen: Int64
    /// Which seat (1-based) of the mode's book the firm took.
    public var seat: Int
    public var contractID: ContractID
    public var at: Date

    enum CodingKeys: String, CodingKey {
        case priceFen, seat, at
        case contractID = "contractId"
    }

    public init(priceFen: Int64, seat: Int, contractID: ContractID, at: Date) {
        self.priceFen = priceFen
        self.seat = seat
        self.contractID = contractID
        self.at = at
    }
}

/// An offer (报价) by a firm on a published listing, with its negotiation.
public struct Offer: Sendable, Equatable {
    public var id: OfferID
    public var listingID: ListingID
    public var institutionID: PartyID
    public var mode: TransferMode
    public var firmID: PartyID
    /// The firm's price: as offered, or as it last countered back.
    public var priceFen: Int64
    public var terms: String
    public var validUntil: Date
    public var status: OfferStatus
    /// The institution's standing counter, while `status` is `countered`.
    public var counterPriceFen: Int64?
    public var counterTerms: String?
    /// Negotiation rounds so far (each price the firm puts forward after the first is one).
    public var round: Int
    public var deal: OfferDeal?
    public var steps: [OfferStep]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: OfferID, listingID: ListingID, institutionID: PartyID, mode: TransferMode, firmID: PartyID, priceFen: Int64,
        terms: String, validUntil: Date, status: OfferStatus, counterPriceFen: Int64? = nil, counterTerms: String? = nil,
        round: Int = 0, deal: OfferDeal? = nil, steps: [OfferStep] = [], createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.listingID = listingID
        self.institutionID = institutionID
        self.mode = mode
        self.firmID = firmID
        self.priceFen = priceFen
        self.terms = terms
        self.validUntil = validUntil
        self.status = status
        self.counterPriceFen = counterPriceFen
        self.counterTerms = counterTerms
        self.round = round
        self.deal = deal
        self.steps = steps
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Who acts next on a live offer; nil once it is final.
    public var awaiting: OfferSide? {
        switch status {
        case .open: return .institution
        case .countered: return .firm
        default: return nil
        }
    }
}

/// What a firm sends to make an offer.
public struct OfferRequest: Sendable, Equatable {
    public var mode: TransferMode
    public var priceFen: Int64
    public var terms: String
    public var validUntil: Date

    public init(mode: TransferMode, priceFen: Int64, terms: String, validUntil: Date) {
        self.mode = mode
        self.priceFen = priceFen
        self.terms = terms
        self.validUntil = validUntil
    }

    /// The request's own fields, with no database: price, terms and validity.
    public func validate(now: Date) throws(MarketError) {
        var issues = FieldIssues()
        OfferLimits.checkPrice(priceFen, "priceFen", into: &issues)
        OfferLimits.checkTerms(terms, "terms", into: &issues)
        OfferLimits.checkValidUntil(validUntil, now: now, into: &issues)
        try issues.throwIfAny()
    }
}

/// A counter-offer: the institution's, or the firm's back.
public struct CounterRequest: Sendable, Equatable {
    public var priceFen: Int64
    public var terms: String?

    public init(priceFen: Int64, terms: String?) {
        self.priceFen = priceFen
        self.terms = terms
    }

    public func validate() throws(MarketError) {
        var issues = FieldIssues()
        OfferLimits.checkPrice(priceFen, "priceFen", into: &issues)
        if let terms { OfferLimits.checkTerms(terms, "terms", into: &issues) }
        try issues.throwIfAny()
    }
}

/// How a listing sells through offers, set by its institution.
public struct SaleTerms: Sendable, Equatable {
    /// 普通许可: how many firms a non-exclusive licence can be sold to.
    public var licenceSeats: Int
    /// Batched matching: offers at or above the ask collect until this time, then fill the free
    /// seats in priority order; nil for continuous matching (each offer at the ask fills at once).
    public var offerWindowClosesAt: Date?

    public init(licenceSeats: Int = 1, offerWindowClosesAt: Date? = nil) {
        self.licenceSeats = licenceSeats
        self.offerWindowClosesAt = offerWindowClosesAt
    }

    public static let standard = SaleTerms()
}

/// What an institution sends to change how its listing sells: any of the ask, the seats and the
/// offer window.
public struct SaleTermsChange: Sendable, Equatable {
    /// The new ask; `.some(nil)` makes the listing negotiable (面议).
    public var askingPriceFen: Int64??
    public var licenceSeats: Int?
    /// The new window; `.some(nil)` removes it.
    public var offerWindowClosesAt: Date??

    public init(askingPriceFen: Int64?? = nil, licenceSeats: Int? = nil, offerWindowClosesAt: Date?? = nil) {
        self.askingPriceFen = askingPriceFen
        self.licenceSeats = licenceSeats
        self.offerWindowClosesAt = offerWindowClosesAt
    }

    public func validate(now: Date) throws(MarketError) {
        var issues = FieldIssues()
        if askingPriceFen == nil && licenceSeats == nil && offerWindowClosesAt == nil {
            issues.addRule("body", "must change at least one of askingPriceFen, licenceSeats and offerWindowClosesAt")
        }
        if case .some(.some(let ask)) = askingPriceFen { OfferLimits.checkPrice(ask, "askingPriceFen", into: &issues) }
        if let seats = licenceSeats, !(1...OfferLimits.licenceSeatsMax).contains(seats) {
            issues.add("licenceSeats", "must be from 1 to \(OfferLimits.licenceSeatsMax), not \(seats)")
        }
        if case .some(.some(let closes)) = offerWindowClosesAt {
            if closes <= now { issues.addRule("offerWindowClosesAt", "must be in the future") }
            if closes > now.addingTimeInterval(Double(OfferLimits.offerWindowDaysMax) * 86_400) {
                issues.addRule("offerWindowClosesAt", "must be within \(OfferLimits.offerWindowDaysMax) days")
            }
        }
        try issues.throwIfAny()
    }
}

/// The named limits of offers (docs/offers.md).
public enum OfferLimits {
    /// An offer's terms, in characters; newlines allowed.
    public static let termsLengthMax = 2000
    /// The longest an offer stays valid.
    public static let validityDaysMax = 180
    /// The most seats a non-exclusive licence can be sold in.
    public static let licenceSeatsMax = 1000
    /// The furthest ahead an offer window may close.
    public static let offerWindowDaysMax = 90
    /// The most prices a firm may put forward on one offer (the first and each counter back).
    public static let roundsMax = 50
    /// A rejection's reason, in characters.
    public static let reasonLength = 1...500
    /// The most offers one book (a listing's mode) takes over its life.
    public static let offersPerBookMax = 10_000
    /// Listings one run of the due work (`OfferService.closeDue`) works; the rest wait for the next.
    public static let dueListingsPerRunMax = 100
    /// Listings read at a time by a replay of every book.
    public static let replayListingsPerPage = 500
    /// New offers that wait together go to PostgreSQL as one transaction, at most this many
    /// (`OfferPlaceQueue`), each on a listing of its own: enough to pay the statements' fixed
    /// work once for many offers, few enough that a batch holds its listings' locks briefly.
    public static let offersPerCommitMax = 16
    /// Offer transactions a service keeps running at once while new offers wait to go together.
    public static let placeBatchesInFlightDefault = 2

    static func checkPrice(_ fen: Int64, _ field: String, into issues: inout FieldIssues) {
        if !(1...ListingContent.askingPriceFenMax).contains(fen) {
            issues.add(field, "must be from 1 to \(ListingContent.askingPriceFenMax) fen (¥10bn), not \(fen)")
        }
    }

    static func checkTerms(_ text: String, _ field: String, into issues: inout FieldIssues) {
        TextRule.check(text, field, length: 0...termsLengthMax, multiline: true, into: &issues)
    }

    /// A time the document cannot bound (it moves with the clock): refused as a rule (422).
    static func checkValidUntil(_ date: Date, now: Date, into issues: inout FieldIssues) {
        if date <= now {
            issues.addRule("validUntil", "must be in the future")
        } else if date > now.addingTimeInterval(Double(validityDaysMax) * 86_400) {
            issues.addRule("validUntil", "must be within \(validityDaysMax) days")
        }
    }

    /// A rejection's reason.
    public static func checkReason(_ text: String) throws(MarketError) {
        var issues = FieldIssues()
        TextRule.check(text, "reason", length: reasonLength, multiline: true, into: &issues)
        try issues.throwIfAny()
    }
}

/// Which offers a caller may see.
public enum OfferVisibility: Sendable, Equatable {
    case all
    /// A firm's own.
    case firm(PartyID)
    /// The offers on an institution's listings.
    case institution(PartyID)
}

/// Filters of the offer list.
public struct OfferFilter: Sendable, Equatable {
    public var status: OfferStatus?
    public var listingID: ListingID?
    public var mode: TransferMode?

    public init(status: OfferStatus? = nil, listingID: ListingID? = nil, mode: TransferMode? = nil) {
        self.status = status
        self.listingID = listingID
        self.mode = mode
    }
}
