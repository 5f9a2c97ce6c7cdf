import Foundation
import Matching

/// A listing's sale terms as the API shows them, with where each mode's book stands.
public struct SaleTermsView: Sendable, Equatable {
    public struct Book: Sendable, Equatable, Encodable {
        public var mode: TransferMode
        public var seatCount: Int
        public var seatsSold: Int
        public var restingOfferCount: Int
        public var isOpen: Bool
        public var matching: String
    }

    public var listingID: ListingID
    public var askingPriceFen: Int64?
    public var terms: SaleTerms
    public var books: [Book]

    init(_ facts: ListingOffers, now: Date) {
        listingID = facts.listing.id
        askingPriceFen = facts.listing.content.askingPriceFen
        terms = facts.terms
        books = facts.books.values.sorted { $0.mode.rawValue < $1.mode.rawValue }.map { book in
            Book(
                mode: book.mode, seatCount: book.engine.config.seatCount, seatsSold: book.seatsSold,
                restingOfferCount: book.engine.restingCount, isOpen: book.engine.isOpen,
                matching: book.isBatching(at: now) ? "batched" : "continuous")
        }
    }
}

/// What a run of `closeDue` did.
public struct OfferSweepReport: Sendable, Equatable {
    public var listings = 0
    public var windowsClosed = 0
    public var offersExpired = 0
    public var deals = 0

    public init() {}
}

/// Where a book's replay first disagreed with its log, if anywhere.
public struct BookReplay: Sendable, Equatable {
    public var mode: TransferMode
    public var commandCount: Int
    /// The first command whose events differ, with both encodings described; nil when clean.
    public var firstDifference: (commandID: UInt64, recorded: String, replayed: String)?

    public static func == (lhs: BookReplay, rhs: BookReplay) -> Bool {
        lhs.mode == rhs.mode && lhs.commandCount == rhs.commandCount && lhs.firstDifference?.commandID == rhs.firstDifference?.commandID
    }
}

/// The offer use cases (DOMAIN.md, "Negotiated and listed-price deals"; docs/offers.md): each
/// takes the listing's offer lock, recovers its books, decides with the engine and the rules,
/// and writes the offers, the books' logs and the contracts of the deals in one transaction.
public struct OfferService<Store: OfferStore>: Sendable {
    public let store: Store
    public var clock: @Sendable () -> Date
    let placeQueue: OfferPlaceQueue

    /// `placeBatchesInFlight`: how many offer transactions this service keeps running at once
    /// while more offers wait to go together (`OfferPlaceQueue`).
    public init(
        store: Store, clock: @escaping @Sendable () -> Date = { Date() }, placeBatchesInFlight: Int = OfferLimits.placeBatchesInFlightDefault
    ) {
        self.store = store
        self.clock = clock
        self.placeQueue = OfferPlaceQueue(batchesInFlight: placeBatchesInFlight)
    }

    // MARK: - The firm's moves

    /// The firm withdraws its live offer.
    public func withdraw(_ id: OfferID, by caller: Principal?, record: IdempotencyRecord<Offer>? = nil) async throws -> Offer {
        try await move(id, by: caller, record: record) { desk, offer, side, now in
            guard side == .firm else { throw MarketError.forbidden("only the offering firm withdraws its offer") }
            guard offer.status.isLive else { throw OfferRefusal.offerNotLive(offer: offer.id, status: offer.status) }
            try desk.run(.cancelOffer(EngineID.offer(offer.id, round: offer.round)), on: offer.mode)
            offer.status = .withdrawn
            offer.steps.append(OfferStep(kind: .withdrawn, byPartyID: offer.firmID, at: now))
        }
    }

    // MARK: - Either side's moves

    /// The institution accepts the firm's price, or the firm accepts the institution's counter:
    /// a deal, at that price.
    public func accept(_ id: OfferID, by caller: Principal?, record: IdempotencyRecord<Offer>? = nil) async throws -> Offer {
        try await move(id, by: caller, record: record) { desk, offer, side, now in
            try OfferRules.checkMove(offer, by: side, now: now)
            let party = side == .firm ? offer.firmID : offer.institutionID
            switch side {
            case .institution:
                let book = try desk.book(offer.mode)
                if book.isBatching(at: now), offer.priceFen >= book.engine.askFen, let closes = book.windowClosesAt {
                    throw OfferRefusal.matchesAtWindowClose(askFen: book.engine.askFen, priceFen: offer.priceFen, closesAt: closes)
                }
                offer.steps.append(OfferStep(kind: .accepted, byPartyID: party, priceFen: offer.priceFen, at: now))
                try desk.run(.acceptOffer(EngineID.offer(offer.id, round: offer.round)), on: offer.mode)
            case .firm:
                guard let price = offer.counterPriceFen else { throw OfferBookInconsistent("offer \(offer.id) is countered with no price") }
                try OfferRules.checkNextRound(offer)
                offer.steps.append(OfferStep(kind: .accepted, byPartyID: party, priceFen: price, terms: offer.counterTerms, at: now))
                try Self.reprice(&offer, to: price, terms: offer.counterTerms, desk: &desk)
                if desk.engineStatus(offer) == .resting {
                    try desk.run(.acceptOffer(EngineID.offer(offer.id, round: offer.round)), on: offer.mode)
                }
            }
        }
    }

    /// The institution counters the firm's price, or the firm counters the institution's counter
    /// back (which may meet the ask and fill).
    public func counter(_ id: OfferID, _ request: CounterRequest, by caller: Principal?, record: IdempotencyRecord<Offer>? = nil)
        async throws -> Offer
    {
        try request.validate()
        return try await move(id, by: caller, record: record) { desk, offer, side, now in
            try OfferRules.checkMove(offer, by: side, now: now)
            switch side {
            case .institution:
                try OfferRules.checkCounter(request, listing: desk.facts.listing)
                offer.status = .countered
                offer.counterPriceFen = request.priceFen
                offer.counterTerms = request.terms
                offer.steps.append(OfferStep(kind: .countered, byPartyID: offer.institutionID, priceFen: request.priceFen, terms: request.terms, at: now))
            case .firm:
                try OfferRules.checkNextRound(offer)
                offer.steps.append(OfferStep(kind: .counteredBack, byPartyID: offer.firmID, priceFen: request.priceFen, terms: request.terms, at: now))
                try Self.reprice(&offer, to: request.priceFen, terms: request.terms, desk: &desk)
            }
        }
    }

    /// The institution rejects the firm's price, with a reason.
    public func reject(_ id: OfferID, reason: String, by caller: Principal?, record: IdempotencyRecord<Offer>? = nil) async throws -> Offer {
        try OfferLimits.checkReason(reason)
        return try await move(id, by: caller, record: record) { desk, offer, side, now in
            guard side == .institution else { throw MarketError.forbidden("only the listing's institution rejects an offer") }
            try OfferRules.checkMove(offer, by: side, now: now)
            try desk.run(.rejectOffer(EngineID.offer(offer.id, round: offer.round)), on: offer.mode)
            offer.status = .rejected
            offer.steps.append(OfferStep(kind: .rejected, byPartyID: offer.institutionID, reason: reason, at: now))
        }
    }

    // MARK: - The institution's terms

    /// The institution changes its ask, its licence seats or its offer window; a lower ask fills
    /// the offers that now meet it.
    public func changeSaleTerms(
        of listingID: ListingID, _ change: SaleTermsChange, by caller: Principal?, record: IdempotencyRecord<SaleTermsView>? = nil
    ) async throws -> SaleTermsView {
        let institution = try AccessPolicy.listingHolder(caller, action: "set sale terms")
        let now = clock()
        try change.validate(now: now)
        return try await store.transaction(record) { work in
            var desk = try Self.lockedDesk(listingID, caller, work, now: now)
            try AccessPolicy.checkChangesListing(desk.facts.listing, by: institution, caller)
            try OfferRules.checkTermsChange(change, on: desk.facts)
            var terms = desk.facts.terms
            if let seats = change.licenceSeats { terms.licenceSeats = seats }
            if let window = change.offerWindowClosesAt { terms.offerWindowClosesAt = window }
            if terms != desk.facts.terms { try work.saveSaleTerms(listingID, terms) }
            if let ask = change.askingPriceFen, ask != desk.facts.listing.content.askingPriceFen {
                try work.setAsk(listingID, ask)
                desk.changeAsk(ask, terms: terms)
                for mode in desk.facts.books.keys.sorted(by: { $0.rawValue < $1.rawValue }) { try desk.catchUp(mode) }
            } else {
                desk.changeAsk(desk.facts.listing.content.askingPriceFen, terms: terms)
            }
            var none: Offer? = nil
            try Self.commit(&desk, &none, work)
            let view = SaleTermsView(desk.facts, now: now)
            try work.keep(record, view)
            return view
        }
    }

    /// The listing's sale terms and books: public, as the listing is.
    public func saleTerms(of listingID: ListingID, for caller: Principal?) async throws -> SaleTermsView {
        let now = clock()
        return try await store.read { work in
            guard let stored = try work.lockedListingOffers(listingID), AccessPolicy.canSee(stored.listing, caller) else {
                throw MarketError.notFound("no listing \(listingID)")
            }
            return SaleTermsView(try Self.facts(stored), now: now)
        }
    }

    // MARK: - Reads

    public func offers(for caller: Principal?, _ filter: OfferFilter = OfferFilter(), page: PageRequest = .first) async throws -> [Offer] {
        let visibility = try AccessPolicy.offerVisibility(caller)
        return try await store.read { work in try work.offers(visibility, filter, page: page) }
    }

    public func offer(_ id: OfferID, for caller: Principal?) async throws -> Offer {
        let visibility = try AccessPolicy.offerVisibility(caller)
        return try await store.read { work in
            guard let offer = try work.offer(id), AccessPolicy.canSee(offer, in: visibility) else { throw MarketError.notFound("no offer \(id)") }
            return offer
        }
    }

    // MARK: - Work on the clock

    /// Closes the offer windows that are due (their batch match), expires the offers past their
    /// valid-until and ends the books of withdrawn listings: for the server's background service
    /// and `techmarket offers close-due`. Each listing is its own transaction; listings another
    /// server is working on are skipped.
    public func closeDue(limit: Int = OfferLimits.dueListingsPerRunMax) async throws -> OfferSweepReport {
        let now = clock()
        var report = OfferSweepReport()
        let due = try await store.read { work in try work.listingsDue(now: now, limit: limit) }
        for listingID in due {
            let step = try await store.transaction(nil as IdempotencyRecord<Never>?) { work -> OfferSweepReport in
                var step = OfferSweepReport()
                guard let stored = try work.lockedListingOffers(listingID, skipLocked: true) else { return step }
                var desk = OfferDesk(try Self.facts(stored), now: now)
                for id in try work.lapsedOffers(listing: listingID, now: now) {
                    guard var offer = try work.offer(id), offer.status.isLive else { continue }
                    let stepsBefore = offer.steps.count
                    guard try desk.expire(offer) else { continue }
                    offer.status = .expired
                    offer.steps.append(OfferStep(kind: .expired, byPartyID: nil, at: now))
                    offer.updatedAt = now
                    try work.saveOffer(offer, newStepsFrom: stepsBefore, isNew: false)
                    step.offersExpired += 1
                }
                if desk.facts.listing.status == .withdrawn {
                    for mode in desk.facts.books.keys.sorted(by: { $0.rawValue < $1.rawValue }) where desk.facts.books[mode]?.engine.isOpen == true {
                        try desk.withdraw(mode)
                    }
                }
                for mode in desk.facts.books.keys.sorted(by: { $0.rawValue < $1.rawValue }) { try desk.catchUp(mode) }
                step.windowsClosed = desk.windowsMatched.count
                step.deals = desk.fills.count
                var none: Offer? = nil
                try Self.commit(&desk, &none, work)
                step.listings = 1
                return step
            }
            report.listings += step.listings
            report.windowsClosed += step.windowsClosed
            report.offersExpired += step.offersExpired
            report.deals += step.deals
        }
        return report
    }

    // MARK: - Audit

    /// Re-runs every book of the listing from its whole log through a fresh engine and compares
    /// each command's events with the recorded ones.
    public func replay(_ listingID: ListingID) async throws -> [BookReplay] {
        let logs = try await store.read { work in try work.bookLogs(listingID) }
        return try logs.map { stored, log in try OfferAudit.replay(stored, log) }
    }

    /// A page of the listings that have an offer book (for a replay of every book), in id order.
    public func listingsWithBooks(after: ListingID?, limit: Int = OfferLimits.replayListingsPerPage) async throws -> [ListingID] {
        try await store.read { work in try work.listingsWithBooks(after: after, limit: limit) }
    }

    // MARK: - Shared steps

    /// One move on an existing offer: the listing's lock first, then the offer as the caller may see it.
    private func move(
        _ id: OfferID, by caller: Principal?, record: IdempotencyRecord<Offer>?,
        _ decide: @escaping @Sendable (inout OfferDesk, inout Offer, OfferSide, Date) throws -> Void
    ) async throws -> Offer {
        let visibility = try AccessPolicy.offerVisibility(caller)
        let now = clock()
        return try await store.transaction(record) { work in
            guard let listingID = try work.listingOfOffer(id) else { throw MarketError.notFound("no offer \(id)") }
            var desk = try Self.lockedDesk(listingID, nil, work, now: now)
            guard var offer = try work.offer(id), AccessPolicy.canSee(offer, in: visibility) else {
                throw MarketError.notFound("no offer \(id)")
            }
            let side = try AccessPolicy.offerSide(offer, caller)
            let stepsBefore = offer.steps.count
            try desk.catchUp(offer.mode)
            // A lowered ask (or a closed window) may have filled it before the move.
            if desk.engineStatus(offer) != .filled { try decide(&desk, &offer, side, now) }
            offer.updatedAt = now
            var target: Offer? = offer
            try Self.commit(&desk, &target, newStepsFrom: stepsBefore, isNew: false, work)
            let result = target ?? offer
            try work.keep(record, result)
            return result
        }
    }

    /// A firm's new price on its offer: the old engine offer cancelled, the new one placed.
    private static func reprice(_ offer: inout Offer, to priceFen: Int64, terms: String?, desk: inout OfferDesk) throws {
        try desk.run(.cancelOffer(EngineID.offer(offer.id, round: offer.round)), on: offer.mode)
        offer.round += 1
        offer.priceFen = priceFen
        if let terms { offer.terms = terms }
        offer.status = .open
        offer.counterPriceFen = nil
        offer.counterTerms = nil
        try desk.run(.placeOffer(EngineID.offer(offer.id, round: offer.round), buyer: EngineID.party(offer.firmID), priceFen: priceFen), on: offer.mode)
    }

    static func facts(_ stored: (listing: Listing, terms: SaleTerms, books: [StoredBook])) throws -> ListingOffers {
        var books: [TransferMode: OfferBook] = [:]
        for book in stored.books { books[book.mode] = try OfferBook(book) }
        return ListingOffers(listing: stored.listing, terms: stored.terms, books: books)
    }

    /// The listing under its offer lock, as `caller` may see it (nil: the caller was checked on the offer).
    static func lockedDesk(_ listingID: ListingID, _ caller: Principal?, _ work: Store.OfferUnit, now: Date) throws -> OfferDesk {
        guard let stored = try work.lockedListingOffers(listingID) else { throw MarketError.notFound("no listing \(listingID)") }
        return try desk(stored, caller, now: now)
    }

    /// The desk over a listing read under its lock, as `caller` may see it.
    static func desk(_ stored: (listing: Listing, terms: SaleTerms, books: [StoredBook]), _ caller: Principal?, now: Date) throws -> OfferDesk {
        if let caller, !AccessPolicy.canSee(stored.listing, caller) { throw MarketError.notFound("no listing \(stored.listing.id)") }
        return OfferDesk(try facts(stored), now: now)
    }

    static func commit(_ desk: inout OfferDesk, _ target: inout Offer, newStepsFrom: Int, isNew: Bool, _ work: Store.OfferUnit) throws {
        var optional: Offer? = target
        try commit(&desk, &optional, newStepsFrom: newStepsFrom, isNew: isNew, work)
        if let optional { target = optional }
    }

    /// Writes what the desk decided: the books' logs, the deals (each filled offer and its
    /// contract), the offers the ended books expire, the listing sold, and the use case's offer.
    static func commit(_ desk: inout OfferDesk, _ target: inout Offer?, newStepsFrom: Int = 0, isNew: Bool = false, _ work: Store.OfferUnit) throws {
        try desk.settle()
        let listing = desk.facts.listing
        for book in desk.changedBooks { _ = try work.saveBook(book, listing: listing.id, snapshot: book.snapshotDue) }
        var filled: [OfferID] = []
        if !desk.fills.isEmpty {
            var offers: [OfferID: (offer: Offer, stepsBefore: Int)] = [:]
            for fill in desk.fills where fill.offerID != target?.id {
                guard let offer = try work.offer(fill.offerID) else { throw OfferBookInconsistent("the engine filled offer \(fill.offerID), which is not stored") }
                offers[fill.offerID] = (offer, offer.steps.count)
            }
            let firms = Set(desk.fills.map { fill in fill.offerID == target?.id ? target!.firmID : offers[fill.offerID]!.offer.firmID })
            let parties = try work.parties(Array(firms) + [listing.institutionID])
            guard let institution = parties[listing.institutionID] else { throw OfferBookInconsistent("listing \(listing.id) has no institution") }
            for fill in desk.fills {
                var offer = fill.offerID == target?.id ? target! : offers[fill.offerID]!.offer
                guard let firm = parties[offer.firmID] else { throw OfferBookInconsistent("offer \(offer.id) has no firm") }
                let contract = try work.insertSignedContract(ContractDraft(
                    type: ContractType(dealIn: fill.mode), title: listing.content.title, seller: ContractParty(institution),
                    buyer: ContractParty(firm), fieldCode: listing.content.fieldCode, totalFen: fill.priceFen,
                    signedOn: Day.today(desk.now), source: .offer(offer.id.value), listingID: listing.id))
                if !fill.byAcceptance { offer.steps.append(OfferStep(kind: .matched, byPartyID: nil, priceFen: fill.priceFen, at: desk.now)) }
                offer.status = .filled
                offer.priceFen = fill.priceFen
                offer.counterPriceFen = nil
                offer.counterTerms = nil
                offer.deal = OfferDeal(priceFen: fill.priceFen, seat: fill.seat, contractID: contract, at: desk.now)
                offer.updatedAt = desk.now
                filled.append(offer.id)
                if offer.id == target?.id {
                    target = offer
                } else {
                    try work.saveOffer(offer, newStepsFrom: offers[offer.id]!.stepsBefore, isNew: false)
                }
            }
        }
        for mode in desk.endedModes.sorted(by: { $0.rawValue < $1.rawValue }) {
            try work.expireLiveOffers(listing: listing.id, mode: mode, except: filled + (target.map { [$0.id] } ?? []), at: desk.now)
        }
        if let offer = target {
            if desk.endedModes.contains(offer.mode), offer.status.isLive {
                target!.status = .expired
                target!.steps.append(OfferStep(kind: .expired, byPartyID: nil, at: desk.now))
            }
            try work.saveOffer(target!, newStepsFrom: newStepsFrom, isNew: isNew)
        }
        if desk.listingTransacted { try work.markTransacted(listing.id) }
    }
}

extension OfferDesk {
    /// The listing's ask and terms as this unit of work changed them.
    mutating func changeAsk(_ askingPriceFen: Int64?, terms: SaleTerms) {
        facts.listing.content.askingPriceFen = askingPriceFen
        facts.terms = terms
    }

    /// Ends a book (its listing was withdrawn).
    mutating func withdraw(_ mode: TransferMode) throws {
        try run(.withdraw, on: mode)
    }
}

/// The replay audit of a book's log (`techmarket offers replay`).
public enum OfferAudit {
    /// Re-runs the whole log through a fresh engine and names the first command whose events
    /// differ from the recorded ones.
    public static func replay(_ stored: StoredBook, _ log: [LoggedCommand]) throws -> BookReplay {
        var engine: ListingBook
        do { engine = try ListingBook(config: stored.terms.config(stored.mode)) } catch {
            throw OfferBookInconsistent("book \(stored.id): terms refused: \(error)")
        }
        var events: [ListingEvent] = []
        for entry in log {
            let command: ListingCommand
            do { command = try ListingCommand.decoded(entry.command) } catch {
                return BookReplay(mode: stored.mode, commandCount: log.count, firstDifference: (entry.commandID, "an unreadable command", "\(error)"))
            }
            events.removeAll(keepingCapacity: true)
            engine.apply(command, into: &events)
            var writer = SnapshotWriter()
            for event in events { event.encode(into: &writer) }
            if writer.bytes != entry.events || command.id.rawValue != entry.commandID {
                return BookReplay(
                    mode: stored.mode, commandCount: log.count,
                    firstDifference: (entry.commandID, describe(entry.events), events.map { "\($0)" }.joined(separator: "; ")))
            }
        }
        return BookReplay(mode: stored.mode, commandCount: log.count, firstDifference: nil)
    }

    static func describe(_ bytes: [UInt8]) -> String {
        var reader = SnapshotReader(bytes)
        var events: [String] = []
        while !reader.isAtEnd {
            guard let event = try? ListingEvent(decoding: &reader) else { return (events + ["(unreadable bytes)"]).joined(separator: "; ") }
            events.append("\(event)")
        }
        return events.joined(separator: "; ")
    }
}
