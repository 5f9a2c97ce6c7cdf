import Matching
import Testing

/// Small driver that numbers listing commands and keeps the events of the last one.
struct ListingDriver {
    var book: ListingBook
    var events: [ListingEvent] = []
    var nextID: UInt64 = 1

    init(_ config: ListingBookConfig) throws { book = try ListingBook(config: config) }

    mutating func send(_ action: ListingAction, at atMs: Int64 = 0) {
        events.removeAll()
        book.apply(ListingCommand(id: CommandID(nextID), atMs: atMs, action: action), into: &events)
        nextID += 1
    }

    mutating func offer(_ id: UInt64, buyer: UInt64, _ priceFen: Int64) {
        send(.placeOffer(OfferID(id), buyer: PartyID(buyer), priceFen: priceFen))
    }

    var refusal: ListingRefusalReason? {
        if case .refused(let r) = events.first { return r.reason }
        return nil
    }

    var filledOffers: [OfferID] { book.fills.map(\.offerID) }
}

@Suite struct ListingBookTests {
    @Test("continuous: an offer at or above the ask fills at once at its own price; below the ask it rests")
    func continuous() throws {
        var d = try ListingDriver(ListingBookConfig(askFen: 100_000, mode: .nonExclusiveLicence, seatCount: 2))
        d.offer(1, buyer: 1, 90_000)
        #expect(d.book.offer(OfferID(1))?.status == .resting)
        d.offer(2, buyer: 2, 120_000)
        #expect(d.book.fills == [ListingFill(commandID: CommandID(2), offerID: OfferID(2), buyer: PartyID(2), priceFen: 120_000, seat: 1, atMs: 0)])
        d.offer(3, buyer: 3, 100_000)
        #expect(d.filledOffers == [OfferID(2), OfferID(3)])
        #expect(d.book.endReason == .soldOut)
        #expect(d.book.offer(OfferID(1))?.status == .expired)
        d.offer(4, buyer: 4, 500_000)
        #expect(d.refusal == .listingEnded)
    }

    @Test("batched: price-time priority picks the highest price, then the earliest")
    func batchedPriority() throws {
        var d = try ListingDriver(ListingBookConfig(askFen: 100_000, mode: .nonExclusiveLicence, seatCount: 3, matchOnArrival: false))
        d.offer(1, buyer: 1, 110_000)
        d.offer(2, buyer: 2, 130_000)
        d.offer(3, buyer: 3, 110_000)
        d.offer(4, buyer: 4, 99_999)
        d.offer(5, buyer: 5, 110_000)
        #expect(d.book.fills.isEmpty)
        d.send(.match)
        #expect(d.filledOffers == [OfferID(2), OfferID(1), OfferID(3)])
        #expect(d.book.offer(OfferID(5))?.status == .expired)
    }

    @Test("an exclusive mode sells once and ends the listing")
    func exclusive() throws {
        #expect(throws: ListingConfigError.exclusiveModeNeedsOneSeat) {
            try ListingBook(config: ListingBookConfig(askFen: 1_000, mode: .assignment, seatCount: 2))
        }
        var d = try ListingDriver(ListingBookConfig(askFen: 1_000, mode: .exclusiveLicence, matchOnArrival: false))
        d.offer(1, buyer: 1, 1_000)
        d.offer(2, buyer: 2, 1_500)
        d.send(.match)
        #expect(d.filledOffers == [OfferID(2)])
        #expect(d.events.last == .ended(commandID: CommandID(3), reason: .soldOut, expiredOfferCount: 1))
    }

    @Test("cancelled or filled offers never match again, and cannot be cancelled twice")
    func deadOffersStayDead() throws {
        var d = try ListingDriver(ListingBookConfig(askFen: 1_000, mode: .nonExclusiveLicence, seatCount: 5, matchOnArrival: false))
        d.offer(1, buyer: 1, 2_000)
        d.send(.cancelOffer(OfferID(1)))
        d.send(.cancelOffer(OfferID(1)))
        #expect(d.refusal == .offerNotResting)
        d.send(.match)
        #expect(d.book.fills.isEmpty)
        d.offer(2, buyer: 2, 2_000)
        d.send(.match)
        d.send(.cancelOffer(OfferID(2)))
        #expect(d.refusal == .offerNotResting)
        d.send(.match)
        #expect(d.filledOffers == [OfferID(2)])
        d.send(.cancelOffer(OfferID(77)))
        #expect(d.refusal == .unknownOffer)
    }

    @Test("a retried offer has no second effect; a reused id with other content is refused")
    func idempotentOffers() throws {
        var d = try ListingDriver(ListingBookConfig(askFen: 1_000, mode: .nonExclusiveLicence, seatCount: 5))
        d.offer(1, buyer: 1, 500)
        let before = d.book.offers
        d.offer(1, buyer: 1, 500)
        #expect(d.events == [.offerAlreadyPlaced(commandID: CommandID(2), offerID: OfferID(1))])
        #expect(d.book.offers == before)
        d.offer(1, buyer: 1, 600)
        #expect(d.refusal == .offerIDReused)
        var events: [ListingEvent] = []
        let snapshot = d.book
        d.book.apply(ListingCommand(id: CommandID(2), atMs: 0, action: .withdraw), into: &events)
        #expect(events == [.repeated(CommandID(2))])
        #expect(d.book == snapshot)
    }

    @Test("one open offer per buyer, and a buyer holds at most one seat")
    func oneOfferPerBuyer() throws {
        var d = try ListingDriver(ListingBookConfig(askFen: 1_000, mode: .nonExclusiveLicence, seatCount: 5))
        d.offer(1, buyer: 1, 500)
        d.offer(2, buyer: 1, 600)
        #expect(d.refusal == .buyerHasOpenOffer)
        d.send(.cancelOffer(OfferID(1)))
        d.offer(3, buyer: 1, 1_000)
        #expect(d.filledOffers == [OfferID(3)])
        d.offer(4, buyer: 1, 2_000)
        #expect(d.refusal == .buyerHoldsSeat)
    }

    @Test("the institution accepts a below-ask offer only when no offer meeting the ask waits")
    func acceptBelowAsk() throws {
        var d = try ListingDriver(ListingBookConfig(askFen: 1_000, mode: .nonExclusiveLicence, seatCount: 5, matchOnArrival: false))
        d.offer(1, buyer: 1, 800)
        d.offer(2, buyer: 2, 1_200)
        d.send(.acceptOffer(OfferID(2)))
        #expect(d.refusal == .atOrAboveAsk)
        d.send(.acceptOffer(OfferID(1)))
        #expect(d.refusal == .eligibleOffersWaiting)
        d.send(.match)
        d.send(.acceptOffer(OfferID(1)))
        #expect(d.filledOffers == [OfferID(2), OfferID(1)])
        #expect(d.book.fills[1].priceFen == 800)
        d.offer(3, buyer: 3, 700)
        d.send(.rejectOffer(OfferID(3)))
        #expect(d.book.offer(OfferID(3))?.status == .rejected)
        d.send(.acceptOffer(OfferID(3)))
        #expect(d.refusal == .offerNotResting)
    }

    @Test("lowering the ask matches resting offers by priority (continuous)")
    func lowerAsk() throws {
        var d = try ListingDriver(ListingBookConfig(askFen: 1_000, mode: .nonExclusiveLicence, seatCount: 2))
        d.offer(1, buyer: 1, 800)
        d.offer(2, buyer: 2, 900)
        d.offer(3, buyer: 3, 900)
        d.send(.changeAsk(askFen: 850))
        #expect(d.filledOffers == [OfferID(2), OfferID(3)])
        #expect(d.book.endReason == .soldOut)
    }

    @Test("the book refuses offers past offerCountMax")
    func bookFull() throws {
        var d = try ListingDriver(ListingBookConfig(askFen: 1_000, mode: .nonExclusiveLicence, seatCount: 5, offerCountMax: 2))
        d.offer(1, buyer: 1, 10)
        d.offer(2, buyer: 2, 10)
        d.offer(3, buyer: 3, 10)
        #expect(d.refusal == .bookFull)
    }

    @Test("withdrawal expires every resting offer")
    func withdraw() throws {
        var d = try ListingDriver(ListingBookConfig(askFen: 1_000, mode: .nonExclusiveLicence, seatCount: 5))
        d.offer(1, buyer: 1, 10)
        d.offer(2, buyer: 2, 10)
        d.send(.withdraw)
        #expect(d.events == [.ended(commandID: CommandID(3), reason: .withdrawn, expiredOfferCount: 2)])
        #expect(d.book.restingCount == 0)
        d.send(.withdraw)
        #expect(d.refusal == .listingEnded)
    }
}
