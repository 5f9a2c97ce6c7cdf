import Matching
import SeededRandom
import Testing

/// Every engine must say exactly what its naive reference model says, command by command.
@Suite struct ReferenceAgreementTests {
    @Test("English auction agrees with the naive reference", arguments: Seeds.list(count: 150, salt: 0xA1))
    func english(seed: UInt64) {
        var stream = EnglishStream(seed: seed)
        var engine = try! EnglishAuction(config: stream.config)
        var reference = ReferenceEnglishAuction(config: stream.config)
        let steps = stream.run(count: 220, on: &engine)
        for (i, step) in steps.enumerated() {
            let expected = reference.apply(step.command)
            #expect(step.events == expected, "seed \(seed), command \(i): \(step.command)")
            if step.events != expected { return }
            #expect(step.priceAfter == reference.priceFen, "seed \(seed), command \(i)")
            #expect(step.leaderAfter == reference.leader, "seed \(seed), command \(i)")
            #expect(step.endAfter == reference.endAtMs.end, "seed \(seed), command \(i)")
        }
        #expect(engine.outcome == reference.outcome, "seed \(seed)")
        #expect(steps.contains { !$0.events.compactMap(\.acceptedBid).isEmpty }, "seed \(seed): the stream accepted no bid")
    }

    @Test("Dutch auction agrees with the naive reference", arguments: Seeds.list(count: 150, salt: 0xA2))
    func dutch(seed: UInt64) {
        var stream = DutchStream(seed: seed)
        var engine = try! DutchAuction(config: stream.config)
        var reference = ReferenceDutchAuction(config: stream.config)
        var events: [AuctionEvent] = []
        for i in 0..<80 {
            let command = stream.next()
            events.removeAll()
            engine.apply(command, into: &events)
            let expected = reference.apply(command)
            #expect(events == expected, "seed \(seed), command \(i): \(command)")
            #expect(engine.priceFen(atMs: command.atMs) == reference.priceFen(atMs: command.atMs), "seed \(seed)")
            if events != expected { return }
        }
        #expect(engine.outcome == reference.outcome, "seed \(seed)")
    }

    @Test("sealed-bid auction agrees with the naive reference", arguments: Seeds.list(count: 150, salt: 0xA3))
    func sealed(seed: UInt64) {
        var stream = SealedStream(seed: seed)
        var engine = try! SealedBidAuction(config: stream.config)
        var reference = ReferenceSealedBidAuction(config: stream.config)
        var events: [AuctionEvent] = []
        for i in 0..<80 {
            let command = stream.next()
            events.removeAll()
            engine.apply(command, into: &events)
            let expected = reference.apply(command)
            #expect(events == expected, "seed \(seed), command \(i): \(command)")
            if events != expected { return }
        }
        #expect(engine.outcome == reference.outcome, "seed \(seed)")
    }

    @Test("listing book agrees with the naive reference", arguments: Seeds.list(count: 200, salt: 0xA4))
    func listing(seed: UInt64) {
        var stream = ListingStream(seed: seed)
        var engine = try! ListingBook(config: stream.config)
        var reference = ReferenceListingBook(config: stream.config)
        var events: [ListingEvent] = []
        for i in 0..<150 {
            let command = stream.next(askFen: engine.askFen)
            events.removeAll()
            engine.apply(command, into: &events)
            let expected = reference.apply(command)
            #expect(events == expected, "seed \(seed), command \(i): \(command)")
            if events != expected { return }
            #expect(engine.offers == reference.offers, "seed \(seed), command \(i)")
        }
        #expect(engine.fills == reference.fills, "seed \(seed)")
        #expect(engine.endReason == reference.endReason, "seed \(seed)")
    }
}
