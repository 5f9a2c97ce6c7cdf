import Foundation
import Matching

/// The facts every offer use case decides on: the listing, how it sells, and its books, read
/// under the listing's offer lock (which orders every use case on one listing's books).
public struct ListingOffers: Sendable {
    public var listing: Listing
    public var terms: SaleTerms
    public var books: [TransferMode: OfferBook]

    public init(listing: Listing, terms: SaleTerms, books: [TransferMode: OfferBook]) {
        self.listing = listing
        self.terms = terms
        self.books = books
    }

    /// Seats of the non-exclusive licence sold so far.
    public var nonExclusiveSeatsSold: Int { books[.licenceNonExclusive]?.seatsSold ?? 0 }
}

/// A deal the engine made: a filled offer, in the book of `mode`.
public struct OfferFill: Sendable, Equatable {
    public var offerID: OfferID
    public var mode: TransferMode
    public var priceFen: Int64
    public var seat: Int
    /// Filled by the institution's (or the firm's) acceptance, not by matching at the ask.
    public var byAcceptance: Bool
}

/// Drives a listing's books for one use case (the decide step: no I/O). Every command goes
/// through `run`, which first brings the book up to date — the listing's current ask, and the
/// batch match of an offer window that has closed — then turns the engine's events into what the
/// use case must write: the fills (deals), the books that ended, and whether the listing is sold.
/// An engine refusal becomes an `OfferRefusal`, and the unit of work writes nothing.
public struct OfferDesk: Sendable {
    public internal(set) var facts: ListingOffers
    public let now: Date
    public private(set) var fills: [OfferFill] = []
    /// Modes whose book ended in this unit of work; their live offers expire.
    public private(set) var endedModes: Set<TransferMode> = []
    public private(set) var listingTransacted = false
    /// Modes whose offer window's batch match ran in this unit of work.
    public private(set) var windowsMatched: Set<TransferMode> = []

    public init(_ facts: ListingOffers, now: Date) {
        self.facts = facts
        self.now = now
    }

    var atMs: Int64 { Int64((now.timeIntervalSince1970 * 1000).rounded(.down)) }

    /// The books this unit of work changed, with their new commands.
    public var changedBooks: [OfferBook] {
        facts.books.values.filter { !$0.appended.isEmpty || $0.id == nil }.sorted { $0.mode.rawValue < $1.mode.rawValue }
    }

    /// The mode's book, opened on first use.
    mutating func book(_ mode: TransferMode) throws -> OfferBook {
        if let book = facts.books[mode] { return book }
        let book = try OfferBook(opening: mode, listing: facts.listing, terms: facts.terms, now: now)
        facts.books[mode] = book
        return book
    }

    /// Brings the mode's book up to date: the listing's ask (an edit of the listing takes effect
    /// at the book's next command) and a closed window's batch match.
    mutating func catchUp(_ mode: TransferMode) throws {
        guard var book = facts.books[mode], book.engine.isOpen else { return }
        let ask = OfferBook.engineAsk(facts.listing)
        var pending: [ListingAction] = []
        if book.engine.askFen != ask { pending.append(.changeAsk(askFen: ask)) }
        if let closes = book.windowClosesAt, !book.windowMatched, closes <= now {
            pending.append(.match)
            book.windowMatched = true
            windowsMatched.insert(mode)
        } else if !pending.isEmpty && book.windowMatched {
            pending.append(.match)
        }
        facts.books[mode] = book
        for action in pending { try apply(action, to: mode, acceptance: false) }
    }

    /// Runs one command of the use case on the mode's book (after `catchUp`).
    mutating func run(_ action: ListingAction, on mode: TransferMode) throws {
        _ = try book(mode)
        try catchUp(mode)
        try apply(action, to: mode, acceptance: { if case .acceptOffer = action { return true } else { return false } }())
        // After a window's batch, matching is continuous again: an offer that meets the ask fills now.
        if case .placeOffer = action, let book = facts.books[mode], book.windowMatched, book.engine.isOpen {
            try apply(.match, to: mode, acceptance: false)
        }
    }

    /// Cancels a lapsed offer's latest round, without catching the book up first (so that an
    /// offer past its valid-until never joins a window's batch); false when it is not resting.
    mutating func expire(_ offer: Offer) throws -> Bool {
        guard engineStatus(offer) == .resting else { return false }
        try apply(.cancelOffer(EngineID.offer(offer.id, round: offer.round)), to: offer.mode, acceptance: false)
        return true
    }

    /// The engine's current state of an offer's latest round, if the book has it.
    func engineStatus(_ offer: Offer) -> Matching.OfferStatus? {
        facts.books[offer.mode]?.engine.offer(EngineID.offer(offer.id, round: offer.round))?.status
    }

    private mutating func apply(_ action: ListingAction, to mode: TransferMode, acceptance: Bool) throws {
        guard var book = facts.books[mode] else { throw OfferBookInconsistent("no book for \(mode.rawValue)") }
        let events = book.apply(action, atMs: atMs)
        facts.books[mode] = book
        for event in events {
            switch event {
            case .filled(let fill):
                fills.append(OfferFill(
                    offerID: EngineID.offerID(fill.offerID), mode: mode, priceFen: fill.priceFen, seat: Int(fill.seat),
                    byAcceptance: acceptance))
            case .ended:
                endedModes.insert(mode)
            case .refused(let refusal):
                throw refused(refusal.reason, mode: mode, book: book)
            case .offerAlreadyPlaced, .repeated:
                throw OfferBookInconsistent("listing \(facts.listing.id), \(mode.rawValue): the engine saw a command twice: \(event)")
            case .offerResting, .offerCancelled, .offerRejected, .askChanged:
                break
            }
        }
    }

    private func refused(_ reason: ListingRefusalReason, mode: TransferMode, book: OfferBook) -> any Error {
        let listing = facts.listing.id
        switch reason {
        case .listingEnded: return OfferRefusal.soldOut(listing: listing, mode: mode, seatCount: book.engine.config.seatCount)
        case .buyerHoldsSeat: return OfferRefusal.holdsSeat(listing: listing, mode: mode)
        case .bookFull: return OfferRefusal.bookFull(offersMax: book.engine.config.offerCountMax)
        case .eligibleOffersWaiting: return OfferRefusal.offersAtAskWaiting(askFen: book.engine.askFen)
        case .atOrAboveAsk:
            return OfferRefusal.offersAtAskWaiting(askFen: book.engine.askFen)
        case .buyerHasOpenOffer, .unknownOffer, .offerNotResting, .offerIDReused, .priceOutOfRange:
            return OfferBookInconsistent("listing \(listing), \(mode.rawValue): the engine refused with \(reason)")
        }
    }

    /// What a sale means for the rest of the listing: an exclusive sale ends every other book
    /// (their live offers expire) and the listing is transacted; a non-exclusive licence sold
    /// ends the exclusive and sole licence books; the listing is transacted once no mode it
    /// offers can still sell.
    mutating func settle() throws {
        guard !fills.isEmpty else { return }
        let exclusiveSold = fills.contains { $0.mode.isExclusiveSale }
        for (mode, book) in facts.books.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where book.engine.isOpen {
            let ends = exclusiveSold || (mode.excludedByNonExclusiveLicences && facts.nonExclusiveSeatsSold > 0)
            if ends { try apply(.withdraw, to: mode, acceptance: false) }
        }
        let open = facts.listing.content.transferModes.filter { mode in
            if let book = facts.books[mode], !book.engine.isOpen { return false }
            if exclusiveSold { return false }
            return !(mode.excludedByNonExclusiveLicences && facts.nonExclusiveSeatsSold > 0)
        }
        listingTransacted = open.isEmpty
    }
}

/// The checks of each offer use case that need the facts but no engine (docs/offers.md).
public enum OfferRules {
    /// A firm may offer on a published listing, in a mode it offers, that can still sell.
    public static func checkPlace(_ request: OfferRequest, on facts: ListingOffers, openOffer: OfferID?) throws {
        let listing = facts.listing
        if listing.status == .transacted {
            throw OfferRefusal.soldOut(listing: listing.id, mode: request.mode, seatCount: facts.books[request.mode]?.engine.config.seatCount ?? 1)
        }
        guard listing.status == .published else { throw OfferRefusal.listingNotOpen(listing: listing.id, status: listing.status) }
        guard listing.content.transferModes.contains(request.mode) else {
            throw OfferRefusal.modeNotOffered(mode: request.mode, offered: listing.content.transferModes)
        }
        if request.mode.excludedByNonExclusiveLicences, facts.nonExclusiveSeatsSold > 0 {
            throw OfferRefusal.licencesAlreadySold(listing: listing.id, seatsSold: facts.nonExclusiveSeatsSold)
        }
        if let book = facts.books[request.mode], !book.engine.isOpen {
            throw OfferRefusal.soldOut(listing: listing.id, mode: request.mode, seatCount: book.engine.config.seatCount)
        }
        if let openOffer { throw OfferRefusal.openOfferExists(offer: openOffer) }
    }

    /// The offer is live, still valid, and it is `side`'s move.
    public static func checkMove(_ offer: Offer, by side: OfferSide, now: Date) throws {
        guard offer.status.isLive else { throw OfferRefusal.offerNotLive(offer: offer.id, status: offer.status) }
        guard offer.validUntil > now else { throw OfferRefusal.offerExpired(offer: offer.id, validUntil: offer.validUntil) }
        if let awaiting = offer.awaiting, awaiting != side { throw OfferRefusal.notYourTurn(offer: offer.id, awaiting: awaiting) }
    }

    /// A firm's new price is one more round, up to `OfferLimits.roundsMax`.
    public static func checkNextRound(_ offer: Offer) throws {
        guard offer.round + 1 < OfferLimits.roundsMax else { throw OfferRefusal.roundsExhausted(roundsMax: OfferLimits.roundsMax) }
    }

    /// An institution's counter is below the ask (a negotiable listing takes any price).
    public static func checkCounter(_ request: CounterRequest, listing: Listing) throws {
        if let ask = listing.content.askingPriceFen, request.priceFen >= ask {
            throw OfferRefusal.counterAtOrAboveAsk(askFen: ask, priceFen: request.priceFen)
        }
    }

    /// The seats and the window of a mode are the book's terms: fixed once it has opened.
    public static func checkTermsChange(_ change: SaleTermsChange, on facts: ListingOffers) throws {
        guard facts.listing.status == .published || facts.listing.status == .draft else {
            throw OfferRefusal.listingNotOpen(listing: facts.listing.id, status: facts.listing.status)
        }
        if change.licenceSeats != nil, facts.books[.licenceNonExclusive] != nil {
            throw OfferRefusal.termsFixed(field: "licenceSeats", mode: .licenceNonExclusive)
        }
        if change.offerWindowClosesAt != nil, let mode = facts.books.keys.sorted(by: { $0.rawValue < $1.rawValue }).first {
            throw OfferRefusal.termsFixed(field: "offerWindowClosesAt", mode: mode)
        }
    }
}
