import Matching
import SeededRandom
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

    /// Tallies of a Dutch or sealed stream's events, for the checks below.
    struct Tally {
        var reasons: Set<AuctionRefusalReason> = []
        var sold = 0, noBids = 0, reserveNotMet = 0, repeats = 0
        /// Commands that came after the lot had an outcome (a Dutch lot ends at its first
        /// acceptance), and acceptances among them, which must be refused.
        var afterOutcome = 0, acceptancesAfterSale = 0
        /// Dutch acceptances below the opening price, and at the floor.
        var acceptedBelowOpening = 0, acceptedAtFloor = 0
        /// Sealed sales won on a tie (the winner's bid equals another's), and second-price sales below the winning bid.
        var tiesWon = 0, secondPriceBelowBid = 0

        mutating func count(_ events: [AuctionEvent]) {
            for event in events {
                switch event {
                case .refused(let r): reasons.insert(r.reason)
                case .repeated: repeats += 1
                case .closed(_, _, .sold): sold += 1
                case .closed(_, _, .noSale(.noBids)): noBids += 1
                case .closed(_, _, .noSale(.reserveNotMet)): reserveNotMet += 1
                default: break
                }
            }
        }
    }

    /// The Dutch streams of ReferenceAgreementTests and ReplayTests.
    @Test("Dutch streams sell at falling prices, end unsold, refuse for every reason and go on past the sale")
    func dutch() throws {
        var tally = Tally()
        for (seeds, count) in [(Seeds.list(count: 150, salt: 0xA2), 80), (Seeds.list(count: 60, salt: 0x73), 60)] {
            for seed in seeds {
                var stream = DutchStream(seed: seed)
                var auction = try DutchAuction(config: stream.config)
                for _ in 0..<count {
                    let wasOver = auction.outcome != nil
                    var events: [AuctionEvent] = []
                    let command = stream.next()
                    auction.apply(command, into: &events)
                    if wasOver { tally.afterOutcome += 1 }
                    if wasOver, auction.outcome?.isSold == true, case .accept = command.action { tally.acceptancesAfterSale += 1 }
                    tally.count(events)
                    for bid in events.compactMap(\.acceptedBid) {
                        if bid.priceFen < stream.config.openingPriceFen { tally.acceptedBelowOpening += 1 }
                        if bid.priceFen == stream.config.floorFen { tally.acceptedAtFloor += 1 }
                    }
                }
            }
        }
        #expect(tally.sold > 50, "\(tally)")
        #expect(tally.acceptedBelowOpening > 20, "\(tally)")
        #expect(tally.acceptedAtFloor > 3, "\(tally)")
        #expect(tally.noBids > 10, "\(tally)")
        #expect(tally.repeats > 50, "\(tally)")
        #expect(tally.afterOutcome > 1_000 && tally.acceptancesAfterSale > 100, "\(tally)")
        let expected: [AuctionRefusalReason] = [.notStarted, .ended, .closed, .notRegistered, .alreadyRegistered, .registrationFull, .notEnded,
                                                .notSupportedByFormat]
        for reason in expected { #expect(tally.reasons.contains(reason), "no Dutch stream was refused for \(reason)") }
    }

    /// The sealed streams of ReferenceAgreementTests and ReplayTests.
    @Test("sealed streams sell at first and second price, on ties, miss the reserve and refuse for every reason")
    func sealed() throws {
        var tally = Tally()
        var firstPriceSales = 0
        for (seeds, count) in [(Seeds.list(count: 150, salt: 0xA3), 80), (Seeds.list(count: 60, salt: 0x73), 60)] {
            for seed in seeds {
                var stream = SealedStream(seed: seed)
                var auction = try SealedBidAuction(config: stream.config)
                for _ in 0..<count {
                    var events: [AuctionEvent] = []
                    auction.apply(stream.next(), into: &events)
                    tally.count(events)
                    guard case .closed(_, _, .sold(let winner, let price)) = events.last else { continue }
                    let bids = auction.revealedBids
                    let winning = bids.first { $0.bidder == winner }?.amountFen ?? 0
                    if bids.filter({ $0.amountFen == winning }).count > 1 { tally.tiesWon += 1 }
                    if stream.config.pricing == .firstPrice { firstPriceSales += 1 } else if price < winning { tally.secondPriceBelowBid += 1 }
                }
            }
        }
        #expect(firstPriceSales > 20, "\(tally)")
        #expect(tally.secondPriceBelowBid > 20, "\(tally)")
        #expect(tally.tiesWon > 3, "\(tally)")
        #expect(tally.reserveNotMet > 3, "\(tally)")
        #expect(tally.noBids > 3, "\(tally)")
        #expect(tally.repeats > 50, "\(tally)")
        let expected: [AuctionRefusalReason] = [.notStarted, .ended, .closed, .notRegistered, .tooLow, .alreadyBid, .alreadyRegistered,
                                                .registrationFull, .notEnded, .notSupportedByFormat]
        for reason in expected { #expect(tally.reasons.contains(reason), "no sealed stream was refused for \(reason)") }
    }

    /// The seeds of EnglishAuctionPropertyTests and ListingBookPropertyTests reach what their properties are about.
    @Test("the property suites' seeds reach the cases their properties check")
    func propertySuites() throws {
        var pricedSeeds = 0, extendedSeeds = 0, openBeforeCloseSeeds = 0, atCapSeeds = 0, soldSeeds = 0, reserveSeeds = 0, noBidSeeds = 0
        for seed in EnglishAuctionPropertyTests.seeds {
            let (_, steps) = EnglishStream.trace(seed: seed)
            if steps.contains(where: { !$0.events.compactMap(\.acceptedBid).isEmpty }) { pricedSeeds += 1 }
            let (_, uncapped) = EnglishStream.trace(seed: seed, capped: false)
            if uncapped.contains(where: { $0.endAfter > $0.endBefore }) { extendedSeeds += 1 }
            var capped = EnglishStream(seed: seed, capped: true)
            var lot = try EnglishAuction(config: capped.config)
            _ = capped.run(count: 200, on: &lot, close: false)
            if lot.outcome == nil { openBeforeCloseSeeds += 1 }
            if lot.extensionCount == capped.config.extensionCountMax { atCapSeeds += 1 }
            var stream = EnglishStream(seed: seed)
            var auction = try EnglishAuction(config: stream.config)
            _ = stream.run(count: 200, on: &auction, close: false)
            var events: [AuctionEvent] = []
            auction.apply(AuctionCommand(id: CommandID(1_000_000), atMs: auction.endAtMs, action: .close), into: &events)
            switch auction.outcome {
            case .sold: soldSeeds += 1
            case .noSale(.reserveNotMet): reserveSeeds += 1
            case .noSale(.noBids): noBidSeeds += 1
            case nil: break
            }
        }
        let english = EnglishAuctionPropertyTests.seeds.count
        #expect(pricedSeeds > english * 3 / 4, "\(pricedSeeds) of \(english) seeds accepted a bid")
        #expect(extendedSeeds > english / 4, "\(extendedSeeds) of \(english) seeds extended the end")
        #expect(openBeforeCloseSeeds > english * 3 / 4, "\(openBeforeCloseSeeds) of \(english) capped seeds were open at the last close")
        #expect(atCapSeeds > english * 3 / 4, "\(atCapSeeds) of \(english) capped seeds reached their cap")
        #expect(soldSeeds > english / 4 && reserveSeeds > 0, "sold \(soldSeeds), reserve not met \(reserveSeeds), no bids \(noBidSeeds)")

        var filledSeeds = 0, continuousSeeds = 0, acceptedSeeds = 0
        let listingSeeds = Seeds.list(count: 200, salt: 0x11)
        for seed in listingSeeds {
            var stream = ListingStream(seed: seed)
            var book = try ListingBook(config: stream.config)
            var events: [ListingEvent] = []
            for _ in 0..<200 {
                let command = stream.next(askFen: book.askFen)
                let before = events.count
                book.apply(command, into: &events)
                if case .acceptOffer = command.action, events[before...].contains(where: { if case .filled = $0 { true } else { false } }) {
                    acceptedSeeds += 1
                }
            }
            if !book.fills.isEmpty { filledSeeds += 1 }
            if stream.config.matchOnArrival { continuousSeeds += 1 }
        }
        #expect(filledSeeds > listingSeeds.count / 2, "\(filledSeeds) of \(listingSeeds.count) listing seeds filled")
        #expect(continuousSeeds > listingSeeds.count / 4 && continuousSeeds < listingSeeds.count * 3 / 4, "\(continuousSeeds) match on arrival")
        #expect(acceptedSeeds > 10, "\(acceptedSeeds) acceptances filled")
    }
}
