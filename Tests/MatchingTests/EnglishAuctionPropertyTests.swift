import Matching
import SeededRandom
import Testing

/// Properties of the English auction on seeded random command streams (the seed is the test argument).
@Suite struct EnglishAuctionPropertyTests {
    static let seeds = Seeds.list(count: 120, salt: 0xE1)

    @Test("visible price never decreases", arguments: seeds)
    func priceNeverDecreases(seed: UInt64) {
        let (auction, steps) = EnglishStream.trace(seed: seed)
        var last: Int64 = 0
        var acceptedPrices: [Int64] = []
        for step in steps {
            if let price = step.priceAfter {
                #expect(price >= last, "seed \(seed): price fell from \(last) to \(price) at \(step.command.id)")
                last = price
            }
            acceptedPrices += step.events.compactMap(\.acceptedBid).map(\.priceFen)
        }
        // The visible price is the last accepted bid's, never below the opening price; with no
        // bid accepted there is none. (StreamCoverageTests checks that most seeds accept bids.)
        if let final = acceptedPrices.last {
            #expect(last == final && final >= auction.config.openingPriceFen, "seed \(seed): price \(last), last accepted at \(final)")
        } else {
            #expect(steps.allSatisfy { $0.priceAfter == nil }, "seed \(seed): a price with no bid accepted")
        }
    }

    @Test("an accepted bid is at least the minimum and the price never exceeds the leader's maximum", arguments: seeds)
    func acceptedBidBounds(seed: UInt64) {
        let (auction, steps) = EnglishStream.trace(seed: seed)
        for step in steps {
            for bid in step.events.compactMap(\.acceptedBid) {
                let floor = max(auction.config.openingPriceFen, (step.priceBefore ?? 0) + auction.config.incrementFen)
                let minimum = step.priceBefore == nil ? auction.config.openingPriceFen : floor
                #expect(bid.bidFen >= minimum, "seed \(seed): bid \(bid.bidFen) below minimum \(minimum)")
                #expect(bid.bidFen >= step.minimumBefore, "seed \(seed): bid below the published minimum")
                #expect(bid.priceFen <= step.leaderMaxAfter!, "seed \(seed): price above the leader's maximum")
                if bid.bidder == bid.leader {
                    #expect(bid.priceFen <= bid.bidFen, "seed \(seed): the leader pays more than they bid")
                }
            }
        }
    }

    @Test("the end never moves earlier and covers every accepted bid by N when uncapped", arguments: seeds)
    func endCoversBids(seed: UInt64) {
        let (auction, steps) = EnglishStream.trace(seed: seed, capped: false)
        let window = auction.config.extensionWindowMs
        var acceptedTimes: [Int64] = []
        for step in steps {
            #expect(step.endAfter >= step.endBefore, "seed \(seed): end moved earlier")
            for bid in step.events.compactMap(\.acceptedBid) {
                #expect(step.endAfter >= bid.atMs + window, "seed \(seed): bid at \(bid.atMs) not covered by \(step.endAfter)")
                acceptedTimes.append(bid.atMs)
            }
        }
        for at in acceptedTimes {
            #expect(auction.endAtMs >= at + window, "seed \(seed): bid at \(at) not covered by end \(auction.endAtMs)")
        }
    }

    @Test("nothing is accepted at or after the end", arguments: seeds)
    func nothingAfterEnd(seed: UInt64) {
        let (_, steps) = EnglishStream.trace(seed: seed)
        for step in steps {
            if step.command.atMs >= step.endBefore {
                #expect(step.events.compactMap(\.acceptedBid).isEmpty, "seed \(seed): accepted at \(step.command.atMs) ≥ end \(step.endBefore)")
            }
            for bid in step.events.compactMap(\.acceptedBid) {
                #expect(bid.atMs < step.endBefore, "seed \(seed)")
            }
        }
    }

    @Test("with an extension cap the auction ends", arguments: seeds)
    func capEndsAuction(seed: UInt64) {
        var stream = EnglishStream(seed: seed, capped: true)
        var auction = try! EnglishAuction(config: stream.config)
        let cap = stream.config.extensionCountMax!
        // 200 commands: most lots have reached their cap and are still open (StreamCoverageTests).
        _ = stream.run(count: 200, on: &auction, close: false)
        #expect(auction.extensionCount <= cap, "seed \(seed)")
        let latestEnd = stream.config.endAtMs + Int64(cap) * stream.config.extensionWindowMs
        #expect(auction.endAtMs <= latestEnd, "seed \(seed): end \(auction.endAtMs) beyond \(latestEnd)")
        // Closed by the stream already, or closed now: at the latest end, a close is never refused.
        let wasOpen = auction.outcome == nil
        var events: [AuctionEvent] = []
        auction.apply(AuctionCommand(id: CommandID(1_000_000), atMs: latestEnd, action: .close), into: &events)
        #expect(auction.outcome != nil, "seed \(seed): close at \(latestEnd) left no outcome: \(events)")
        if wasOpen { #expect(events.last?.outcome != nil, "seed \(seed): close at \(latestEnd) refused: \(events)") }
    }

    @Test("a sale is never below the reserve, and the winner never pays above their maximum", arguments: seeds)
    func saleRespectsReserveAndMaximum(seed: UInt64) {
        var stream = EnglishStream(seed: seed)
        var auction = try! EnglishAuction(config: stream.config)
        _ = stream.run(count: 200, on: &auction, close: false)
        let maxima = Dictionary(uniqueKeysWithValues: stream.bidders.compactMap { b in auction.maximumFen(of: b).map { (b, $0) } })
        var events: [AuctionEvent] = []
        auction.apply(AuctionCommand(id: CommandID(1_000_000), atMs: auction.endAtMs, action: .close), into: &events)
        guard let outcome = auction.outcome else {
            Issue.record("seed \(seed): the auction did not close: \(events)")
            return
        }
        switch outcome {
        case .sold(let winner, let price):
            #expect(price >= auction.config.reserveFen, "seed \(seed)")
            #expect(price <= maxima[winner]!, "seed \(seed)")
            #expect(maxima.values.allSatisfy { $0 <= maxima[winner]! }, "seed \(seed): winner is not the top maximum")
        case .noSale(.reserveNotMet):
            #expect(maxima.values.allSatisfy { $0 < auction.config.reserveFen }, "seed \(seed)")
        case .noSale(.noBids):
            #expect(maxima.isEmpty, "seed \(seed)")
        }
    }
}
