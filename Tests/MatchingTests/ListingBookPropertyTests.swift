import Matching
import SeededRandom
import Testing

/// Properties of listed-price matching on seeded random command streams.
@Suite struct ListingBookPropertyTests {
    @Test("never more fills than seats; priority respected; dead offers stay dead; no waiting offer meets the ask when continuous",
          arguments: Seeds.list(count: 200, salt: 0x11))
    func invariants(seed: UInt64) throws {
        var stream = ListingStream(seed: seed)
        var book = try ListingBook(config: stream.config)
        var events: [ListingEvent] = []
        var finalStatus: [OfferID: OfferStatus] = [:]
        for i in 0..<200 {
            let command = stream.next(askFen: book.askFen)
            let before = book
            events.removeAll()
            book.apply(command, into: &events)
            #expect(book.fills.count <= book.config.seatCount, "seed \(seed), command \(i)")

            // Priority: replay the fills against the offers resting before the command.
            var candidates = before.offers.filter { $0.status == .resting }
            if case .placeOffer(let id, _, _) = command.action, let new = book.offers.last, new.id == id, before.offer(id) == nil {
                candidates.append(new)
            }
            for fill in events.compactMap({ if case .filled(let f) = $0 { f } else { nil } }) {
                if case .acceptOffer = command.action {
                    #expect(fill.priceFen < book.askFen, "seed \(seed): accepted an offer that meets the ask")
                    #expect(!candidates.contains { $0.priceFen >= book.askFen }, "seed \(seed): acceptance jumped the queue")
                } else {
                    let bestPrice = candidates.map(\.priceFen).max()
                    let firstAtBest = candidates.first { $0.priceFen == bestPrice }
                    #expect(fill.offerID == firstAtBest?.id, "seed \(seed), command \(i): filled \(fill.offerID), priority says \(String(describing: firstAtBest?.id))")
                    #expect(fill.priceFen >= book.askFen, "seed \(seed): filled below the ask")
                }
                candidates.removeAll { $0.id == fill.offerID }
            }

            for offer in book.offers {
                if let final = finalStatus[offer.id] {
                    #expect(offer.status == final, "seed \(seed), command \(i): dead offer \(offer.id) came back as \(offer.status)")
                } else if offer.status != .resting {
                    finalStatus[offer.id] = offer.status
                }
            }
            if stream.config.matchOnArrival && book.isOpen {
                #expect(!book.offers.contains { $0.status == .resting && $0.priceFen >= book.askFen },
                        "seed \(seed), command \(i): an offer meeting the ask waits while seats are free")
            }
            if case .repeated = events.first {
                #expect(book == before, "seed \(seed): a repeated command changed the state")
            }
        }
        #expect(book.restingCount == book.offers.filter { $0.status == .resting }.count, "seed \(seed)")
    }

    @Test("a book that reserves room for few offers, restored or opened, decides as one that reserves its limit",
          arguments: Seeds.list(count: 50, salt: 0x12))
    func smallReservations(seed: UInt64) throws {
        var stream = ListingStream(seed: seed)
        var full = try ListingBook(config: stream.config)
        var small = try ListingBook(config: stream.config, reservingOffers: 1)
        var (fullEvents, smallEvents): ([ListingEvent], [ListingEvent]) = ([], [])
        for i in 0..<200 {
            let command = stream.next(askFen: full.askFen)
            fullEvents.removeAll()
            smallEvents.removeAll()
            full.apply(command, into: &fullEvents)
            small.apply(command, into: &smallEvents)
            #expect(smallEvents == fullEvents, "seed \(seed), command \(i)")
            if i % 50 == 49 {
                // Restored with almost no headroom, it grows as the next offers come.
                small = try ListingBook(snapshot: small.snapshot(), reservingOffers: 0)
            }
        }
        #expect(small.snapshot() == full.snapshot(), "seed \(seed)")
        #expect(small.offers == full.offers && small.fills == full.fills, "seed \(seed)")
    }
}
