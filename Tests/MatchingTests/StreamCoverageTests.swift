import Matching
import Testing

/// The random streams must reach the cases the properties are about, or the properties prove little.
@Suite struct StreamCoverageTests {
    @Test("English streams accept bids, extend, sell, miss the reserve and refuse for every reason")
    func english() {
        var reasons: Set<UInt8> = []
        var accepted = 0, extensions = 0, sold = 0, reserveNotMet = 0, proxyOutbid = 0
        for seed in Seeds.list(count: 150, salt: 0xA1) {
            var stream = EnglishStream(seed: seed)
            var auction = try! EnglishAuction(config: stream.config)
            for step in stream.run(count: 220, on: &auction) {
                for event in step.events {
                    switch event {
                    case .bidAccepted(let bid):
                        accepted += 1
                        if bid.leader != bid.bidder { proxyOutbid += 1 }
                    case .extended: extensions += 1
                    case .refused(let r): reasons.insert(r.reason.rawValue)
                    case .closed(_, _, .sold): sold += 1
                    case .closed(_, _, .noSale(.reserveNotMet)): reserveNotMet += 1
                    default: break
                    }
                }
            }
        }
        #expect(accepted > 3_000)
        #expect(extensions > 100)
        #expect(sold > 20)
        #expect(reserveNotMet > 3)
        #expect(proxyOutbid > 200)
        let expected: [AuctionRefusalReason] = [.notStarted, .ended, .closed, .notRegistered, .tooLow, .tooHigh, .alreadyLeading,
                                                .notAboveOwnMaximum, .alreadyRegistered, .registrationFull, .notEnded, .notSupportedByFormat]
        for reason in expected {
            #expect(reasons.contains(reason.rawValue), "no stream was refused for \(reason)")
        }
    }

    @Test("listing streams fill, sell out, expire, refuse and repeat")
    func listing() {
        var reasons: Set<UInt8> = []
        var fills = 0, soldOut = 0, withdrawn = 0, repeats = 0, retries = 0
        for seed in Seeds.list(count: 200, salt: 0xA4) {
            var stream = ListingStream(seed: seed)
            var book = try! ListingBook(config: stream.config)
            var events: [ListingEvent] = []
            for _ in 0..<150 { book.apply(stream.next(askFen: book.askFen), into: &events) }
            for event in events {
                switch event {
                case .filled: fills += 1
                case .ended(_, .soldOut, _): soldOut += 1
                case .ended(_, .withdrawn, _): withdrawn += 1
                case .repeated: repeats += 1
                case .offerAlreadyPlaced: retries += 1
                case .refused(let r): reasons.insert(r.reason.rawValue)
                default: break
                }
            }
        }
        #expect(fills > 300)
        #expect(soldOut > 30)
        #expect(withdrawn > 5)
        #expect(repeats > 100)
        #expect(retries > 3)
        for reason in 1...10 {
            #expect(reasons.contains(UInt8(reason)), "no listing stream was refused for \(ListingRefusalReason(rawValue: UInt8(reason))!)")
        }
    }
}
