import Foundation
@testable import Market
import Matching
import Testing

// Matching has types of these names too; in these tests they are the market's.
typealias OfferID = Market.OfferID
typealias PartyID = Market.PartyID
typealias TransferMode = Market.TransferMode

/// The offer rules and the listing books behind them, with no database: what each command does
/// to a listing's books, and which refusals the rules give, with their numbers.
@Suite struct OfferRulesTests {
    static let deqing = RegionCode("330521")!
    static let institute = PartyID(1)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func listing(modes: [TransferMode], askFen: Int64?, status: ListingStatus = .published) -> Listing {
        Listing(
            id: ListingID(30), institutionID: institute, institutionName: "中科卫星应用德清研究院", regionCode: deqing, status: status, version: 1,
            content: ListingContent(title: "遥感解译", summary: "卫星遥感影像智能解译", fieldCode: "geo", trl: 6, transferModes: modes, askingPriceFen: askFen),
            createdAt: now, updatedAt: now, publishedAt: now)
    }

    static func desk(_ listing: Listing, terms: SaleTerms = .standard) -> OfferDesk {
        OfferDesk(ListingOffers(listing: listing, terms: terms, books: [:]), now: now)
    }

    /// A firm's first offer (round 0) on `mode`.
    static func place(_ desk: inout OfferDesk, offer: Int64, firm: Int64, priceFen: Int64, mode: TransferMode) throws {
        try desk.run(.placeOffer(EngineID.offer(OfferID(offer), round: 0), buyer: EngineID.party(PartyID(firm)), priceFen: priceFen), on: mode)
    }

    @Test func anOfferAtTheAskFillsAtOnceAtItsOwnPriceAndAnExclusiveSaleEndsTheListing() throws {
        var desk = Self.desk(Self.listing(modes: [.assignment, .licenceNonExclusive], askFen: 1_000_000))
        try Self.place(&desk, offer: 1, firm: 10, priceFen: 500_000, mode: .licenceNonExclusive)
        try Self.place(&desk, offer: 2, firm: 11, priceFen: 1_200_000, mode: .assignment)
        try desk.settle()
        #expect(desk.fills == [OfferFill(offerID: OfferID(2), mode: .assignment, priceFen: 1_200_000, seat: 1, byAcceptance: false)])
        #expect(desk.endedModes == [.assignment, .licenceNonExclusive], "the other mode's book is withdrawn")
        #expect(desk.facts.books[.licenceNonExclusive]?.engine.offer(EngineID.offer(OfferID(1), round: 0))?.status == .expired)
        #expect(desk.listingTransacted)
    }

    @Test func belowTheAskAnOfferRestsUntilTheInstitutionAcceptsIt() throws {
        var desk = Self.desk(Self.listing(modes: [.licenceExclusive], askFen: 1_000_000))
        try Self.place(&desk, offer: 1, firm: 10, priceFen: 800_000, mode: .licenceExclusive)
        #expect(desk.fills.isEmpty)
        try desk.run(.acceptOffer(EngineID.offer(OfferID(1), round: 0)), on: .licenceExclusive)
        try desk.settle()
        #expect(desk.fills == [OfferFill(offerID: OfferID(1), mode: .licenceExclusive, priceFen: 800_000, seat: 1, byAcceptance: true)])
        #expect(desk.listingTransacted)
    }

    @Test func anOfferWindowFillsTheSeatsByPriceThenTimeWhenItCloses() throws {
        let closes = Self.now.addingTimeInterval(3600)
        var desk = Self.desk(Self.listing(modes: [.licenceNonExclusive], askFen: 100_000), terms: SaleTerms(licenceSeats: 2, offerWindowClosesAt: closes))
        try Self.place(&desk, offer: 1, firm: 10, priceFen: 100_000, mode: .licenceNonExclusive)
        try Self.place(&desk, offer: 2, firm: 11, priceFen: 150_000, mode: .licenceNonExclusive)
        try Self.place(&desk, offer: 3, firm: 12, priceFen: 100_000, mode: .licenceNonExclusive)
        try Self.place(&desk, offer: 4, firm: 13, priceFen: 90_000, mode: .licenceNonExclusive)
        #expect(desk.fills.isEmpty, "nothing fills while the window is open")
        #expect(throws: OfferRefusal.offersAtAskWaiting(askFen: 100_000)) {
            try desk.run(.acceptOffer(EngineID.offer(OfferID(4), round: 0)), on: .licenceNonExclusive)
        }

        var later = OfferDesk(desk.facts, now: closes)
        try later.catchUp(.licenceNonExclusive)
        try later.settle()
        #expect(later.windowsMatched == [.licenceNonExclusive])
        #expect(later.fills.map(\.offerID) == [OfferID(2), OfferID(1)], "the highest price, then the earlier of two equal")
        #expect(later.fills.map(\.seat) == [1, 2])
        #expect(later.endedModes == [.licenceNonExclusive])
        #expect(later.listingTransacted)
    }

    @Test func aLowerAskOnTheListingFillsTheRestingOffersThatNowMeetItAtTheBooksNextCommand() throws {
        var desk = Self.desk(Self.listing(modes: [.licenceNonExclusive], askFen: 1_000_000), terms: SaleTerms(licenceSeats: 3))
        try Self.place(&desk, offer: 1, firm: 10, priceFen: 700_000, mode: .licenceNonExclusive)
        try Self.place(&desk, offer: 2, firm: 11, priceFen: 900_000, mode: .licenceNonExclusive)
        desk.changeAsk(800_000, terms: desk.facts.terms)
        try desk.catchUp(.licenceNonExclusive)
        #expect(desk.fills.map(\.offerID) == [OfferID(2)])
        #expect(desk.facts.books[.licenceNonExclusive]?.engine.askFen == 800_000)
        try desk.settle()
        #expect(!desk.listingTransacted, "two seats are left")
    }

    @Test func aNonExclusiveLicenceSoldEndsTheExclusiveLicencesAndRefusesNewOnes() throws {
        var desk = Self.desk(Self.listing(modes: [.licenceExclusive, .licenceNonExclusive, .assignment], askFen: 100), terms: SaleTerms(licenceSeats: 5))
        try Self.place(&desk, offer: 1, firm: 10, priceFen: 50, mode: .licenceExclusive)
        try Self.place(&desk, offer: 2, firm: 11, priceFen: 100, mode: .licenceNonExclusive)
        try desk.settle()
        #expect(desk.endedModes == [.licenceExclusive])
        #expect(!desk.listingTransacted, "the assignment and four seats can still sell")
        let request = OfferRequest(mode: .licenceSole, priceFen: 100, terms: "", validUntil: Self.now.addingTimeInterval(60))
        var facts = desk.facts
        facts.listing.content.transferModes.append(.licenceSole)
        #expect(throws: OfferRefusal.licencesAlreadySold(listing: ListingID(30), seatsSold: 1)) {
            try OfferRules.checkPlace(request, on: facts, openOffer: nil)
        }
    }

    @Test func onANegotiableListingEveryOfferRestsForTheInstitution() throws {
        var desk = Self.desk(Self.listing(modes: [.assignment], askFen: nil))
        try Self.place(&desk, offer: 1, firm: 10, priceFen: ListingContent.askingPriceFenMax, mode: .assignment)
        #expect(desk.fills.isEmpty)
        #expect(throws: OfferRefusal.counterAtOrAboveAsk(askFen: 5, priceFen: 5)) {
            try OfferRules.checkCounter(CounterRequest(priceFen: 5, terms: nil), listing: Self.listing(modes: [.assignment], askFen: 5))
        }
        try OfferRules.checkCounter(CounterRequest(priceFen: ListingContent.askingPriceFenMax, terms: nil), listing: desk.facts.listing)
    }

    @Test func theRulesRefuseEachWrongMoveWithItsNumbers() throws {
        let listing = Self.listing(modes: [.assignment], askFen: 1_000)
        let facts = ListingOffers(listing: listing, terms: .standard, books: [:])
        let request = OfferRequest(mode: .licenceSole, priceFen: 100, terms: "", validUntil: Self.now.addingTimeInterval(60))
        #expect(throws: OfferRefusal.modeNotOffered(mode: .licenceSole, offered: [.assignment])) {
            try OfferRules.checkPlace(request, on: facts, openOffer: nil)
        }
        var assignment = request
        assignment.mode = .assignment
        #expect(throws: OfferRefusal.openOfferExists(offer: OfferID(9))) { try OfferRules.checkPlace(assignment, on: facts, openOffer: OfferID(9)) }
        let draft = ListingOffers(listing: Self.listing(modes: [.assignment], askFen: 1_000, status: .draft), terms: .standard, books: [:])
        #expect(throws: OfferRefusal.listingNotOpen(listing: ListingID(30), status: .draft)) {
            try OfferRules.checkPlace(assignment, on: draft, openOffer: nil)
        }

        let offer = Offer(
            id: OfferID(5), listingID: listing.id, institutionID: Self.institute, mode: .assignment, firmID: PartyID(10), priceFen: 100,
            terms: "", validUntil: Self.now.addingTimeInterval(60), status: .open, createdAt: Self.now, updatedAt: Self.now)
        #expect(throws: OfferRefusal.notYourTurn(offer: OfferID(5), awaiting: .institution)) { try OfferRules.checkMove(offer, by: .firm, now: Self.now) }
        try OfferRules.checkMove(offer, by: .institution, now: Self.now)
        #expect(throws: OfferRefusal.offerExpired(offer: OfferID(5), validUntil: offer.validUntil)) {
            try OfferRules.checkMove(offer, by: .institution, now: offer.validUntil)
        }
        var rejected = offer
        rejected.status = .rejected
        #expect(throws: OfferRefusal.offerNotLive(offer: OfferID(5), status: .rejected)) { try OfferRules.checkMove(rejected, by: .institution, now: Self.now) }
        var late = offer
        late.round = OfferLimits.roundsMax - 1
        #expect(throws: OfferRefusal.roundsExhausted(roundsMax: OfferLimits.roundsMax)) { try OfferRules.checkNextRound(late) }
    }

    @Test func aBookRecoveredFromItsSnapshotAndTheCommandsAfterItIsTheLiveBook() throws {
        var desk = Self.desk(Self.listing(modes: [.licenceNonExclusive], askFen: 1_000), terms: SaleTerms(licenceSeats: 1_000))
        var stored: StoredBook?
        for i in 1...150 {
            try Self.place(&desk, offer: Int64(i), firm: Int64(100 + i), priceFen: i % 3 == 0 ? 1_000 : 500, mode: .licenceNonExclusive)
            if i == OfferBook.snapshotIntervalCommands {
                let book = try #require(desk.facts.books[.licenceNonExclusive])
                let snapshot = try #require(book.snapshotDue, "a snapshot is due after \(OfferBook.snapshotIntervalCommands) commands")
                stored = StoredBook(
                    id: 1, mode: .licenceNonExclusive, terms: book.openingTerms, windowClosesAt: nil, windowMatched: false,
                    lastCommandID: book.lastCommandID, snapshot: snapshot, snapshotCommandID: book.lastCommandID, tail: [])
            }
        }
        let live = try #require(desk.facts.books[.licenceNonExclusive])
        var recovered = try #require(stored)
        recovered.tail = live.appended.filter { $0.commandID > recovered.snapshotCommandID }.map(\.command)
        recovered.lastCommandID = live.lastCommandID
        #expect(recovered.tail.count == 150 - OfferBook.snapshotIntervalCommands)
        #expect(try OfferBook(recovered).engine == live.engine)
        #expect(live.seatsSold == 50)

        let log = live.appended
        var full = recovered
        full.snapshot = nil
        #expect(try OfferAudit.replay(full, log).firstDifference == nil)
        var tampered = log
        tampered[70].events = tampered[71].events
        let replay = try OfferAudit.replay(full, tampered)
        #expect(replay.firstDifference?.commandID == 71, "the first command whose recorded events differ is named")
    }
}
