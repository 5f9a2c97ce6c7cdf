import Matching
import Testing

/// Small driver that numbers commands and keeps the events of the last one.
struct EnglishDriver {
    var auction: EnglishAuction
    var events: [AuctionEvent] = []
    var nextID: UInt64 = 1

    init(_ config: EnglishAuctionConfig, bidders: [UInt64]) throws {
        auction = try EnglishAuction(config: config)
        for b in bidders { send(.register(PartyID(b)), at: config.startAtMs - 1) }
    }

    mutating func send(_ action: AuctionAction, at atMs: Int64) {
        events.removeAll()
        auction.apply(AuctionCommand(id: CommandID(nextID), atMs: atMs, action: action), into: &events)
        nextID += 1
    }

    var refusal: AuctionRefusal? {
        if case .refused(let r) = events.first { return r }
        return nil
    }
}

@Suite struct EnglishAuctionTests {
    static let config = EnglishAuctionConfig(
        openingPriceFen: 10_000, reserveFen: 15_000, incrementFen: 1_000, startAtMs: 1_000_000, endAtMs: 2_000_000,
        extensionWindowMs: 300_000)

    @Test("the first bid must reach the opening price, later bids the price plus the increment")
    func minimumBid() throws {
        var d = try EnglishDriver(Self.config, bidders: [1, 2])
        d.send(.bid(PartyID(1), amountFen: 9_999), at: 1_000_000)
        #expect(d.refusal?.reason == .tooLow)
        #expect(d.refusal?.minimumFen == 10_000)
        d.send(.bid(PartyID(1), amountFen: 10_000), at: 1_000_001)
        #expect(d.auction.currentPriceFen == 10_000)
        d.send(.bid(PartyID(2), amountFen: 10_999), at: 1_000_002)
        #expect(d.refusal?.reason == .tooLow)
        #expect(d.refusal?.minimumFen == 11_000)
        d.send(.bid(PartyID(2), amountFen: 11_000), at: 1_000_003)
        #expect(d.auction.currentPriceFen == 11_000)
        #expect(d.auction.leader == PartyID(2))
    }

    @Test("proxy: the price is min(leader's max, second max + increment), never below the opening price")
    func proxyPrice() throws {
        var d = try EnglishDriver(Self.config, bidders: [1, 2, 3])
        d.send(.proxyBid(PartyID(1), maxFen: 50_000), at: 1_000_000)
        #expect(d.auction.currentPriceFen == 10_000)
        d.send(.proxyBid(PartyID(2), maxFen: 20_000), at: 1_000_001)
        #expect(d.auction.currentPriceFen == 21_000)
        #expect(d.auction.leader == PartyID(1))
        d.send(.proxyBid(PartyID(3), maxFen: 49_500), at: 1_000_002)
        #expect(d.auction.currentPriceFen == 50_000)
        #expect(d.auction.leader == PartyID(1))
    }

    @Test("equal maxima: the earlier bidder leads")
    func tie() throws {
        var d = try EnglishDriver(Self.config, bidders: [1, 2])
        d.send(.proxyBid(PartyID(1), maxFen: 30_000), at: 1_000_000)
        d.send(.proxyBid(PartyID(2), maxFen: 30_000), at: 1_000_001)
        #expect(d.auction.leader == PartyID(1))
        #expect(d.auction.currentPriceFen == 30_000)
    }

    @Test("a leader raises their own maximum but cannot outbid themselves by hand")
    func raiseOwnMaximum() throws {
        var d = try EnglishDriver(Self.config, bidders: [1, 2])
        d.send(.proxyBid(PartyID(1), maxFen: 20_000), at: 1_000_000)
        d.send(.bid(PartyID(1), amountFen: 25_000), at: 1_000_001)
        #expect(d.refusal?.reason == .alreadyLeading)
        d.send(.proxyBid(PartyID(1), maxFen: 20_000), at: 1_000_002)
        #expect(d.refusal?.reason == .notAboveOwnMaximum)
        d.send(.proxyBid(PartyID(1), maxFen: 40_000), at: 1_000_003)
        #expect(d.refusal == nil)
        #expect(d.auction.maximumFen(of: PartyID(1)) == 40_000)
        #expect(d.auction.currentPriceFen == 10_000)
        d.send(.bid(PartyID(2), amountFen: 30_000), at: 1_000_004)
        #expect(d.auction.currentPriceFen == 31_000)
        #expect(d.auction.leader == PartyID(1))
    }

    @Test("a manual bid shows its own amount as the price")
    func manualBidSetsPrice() throws {
        var d = try EnglishDriver(Self.config, bidders: [1])
        d.send(.bid(PartyID(1), amountFen: 18_000), at: 1_000_000)
        #expect(d.auction.currentPriceFen == 18_000)
    }

    @Test("refused bids say why: not started, not registered, ended, closed")
    func refusalReasons() throws {
        var d = try EnglishDriver(Self.config, bidders: [1])
        d.send(.bid(PartyID(1), amountFen: 10_000), at: 999_999)
        #expect(d.refusal?.reason == .notStarted)
        d.send(.bid(PartyID(9), amountFen: 10_000), at: 1_000_000)
        #expect(d.refusal?.reason == .notRegistered)
        d.send(.bid(PartyID(1), amountFen: MatchingLimits.priceFenMax + 1), at: 1_000_000)
        #expect(d.refusal?.reason == .tooHigh)
        d.send(.close, at: 1_999_999)
        #expect(d.refusal?.reason == .notEnded)
        d.send(.bid(PartyID(1), amountFen: 10_000), at: 2_000_000)
        #expect(d.refusal?.reason == .ended)
        d.send(.close, at: 2_000_000)
        #expect(d.auction.outcome == .noSale(.noBids))
        d.send(.bid(PartyID(1), amountFen: 10_000), at: 2_000_001)
        #expect(d.refusal?.reason == .closed)
    }

    @Test("a bid in the last N minutes moves the end to the bid's time + N; one earlier does not")
    func antiSniping() throws {
        var d = try EnglishDriver(Self.config, bidders: [1, 2])
        d.send(.bid(PartyID(1), amountFen: 10_000), at: 1_699_999)
        #expect(d.auction.endAtMs == 2_000_000)
        d.send(.bid(PartyID(2), amountFen: 11_000), at: 1_900_000)
        #expect(d.auction.endAtMs == 2_200_000)
        #expect(d.events.last == .extended(commandID: CommandID(4), endAtMs: 2_200_000, extensionCount: 1))
        d.send(.bid(PartyID(1), amountFen: 12_000), at: 2_100_000)
        #expect(d.auction.endAtMs == 2_400_000)
        #expect(d.auction.extensionCount == 2)
    }

    @Test("the extension cap stops extensions")
    func extensionCap() throws {
        var config = Self.config
        config.extensionCountMax = 1
        var d = try EnglishDriver(config, bidders: [1, 2])
        d.send(.bid(PartyID(1), amountFen: 10_000), at: 1_900_000)
        d.send(.bid(PartyID(2), amountFen: 11_000), at: 2_100_000)
        #expect(d.auction.endAtMs == 2_200_000)
        #expect(d.auction.extensionCount == 1)
        d.send(.bid(PartyID(1), amountFen: 12_000), at: 2_200_000)
        #expect(d.refusal?.reason == .ended)
    }

    @Test("close: reserve met sells at max(price, reserve); below the reserve there is no sale")
    func closeOutcomes() throws {
        var d = try EnglishDriver(Self.config, bidders: [1, 2])
        d.send(.proxyBid(PartyID(1), maxFen: 16_000), at: 1_000_000)
        d.send(.close, at: 2_000_000)
        #expect(d.auction.outcome == .sold(winner: PartyID(1), priceFen: 15_000))

        var e = try EnglishDriver(Self.config, bidders: [1, 2])
        e.send(.bid(PartyID(1), amountFen: 14_000), at: 1_000_000)
        e.send(.close, at: 2_000_000)
        #expect(e.auction.outcome == .noSale(.reserveNotMet))
    }

    @Test("registration: once, within the limit, not after the end")
    func registration() throws {
        var config = Self.config
        config.bidderCountMax = 2
        var d = try EnglishDriver(config, bidders: [1, 2])
        d.send(.register(PartyID(1)), at: 1_000_000)
        #expect(d.refusal?.reason == .alreadyRegistered)
        d.send(.register(PartyID(3)), at: 1_000_000)
        #expect(d.refusal?.reason == .registrationFull)
        #expect(d.auction.registeredCount == 2)
    }

    @Test("the hammer closes a started lot now, as at its end; not before the start, not twice")
    func hammer() throws {
        var d = try EnglishDriver(Self.config, bidders: [1, 2])
        d.send(.hammer, at: 999_999)
        #expect(d.refusal?.reason == .notStarted)
        d.send(.bid(PartyID(1), amountFen: 10_000), at: 1_000_000)
        d.send(.proxyBid(PartyID(2), maxFen: 16_000), at: 1_000_001)
        d.send(.hammer, at: 1_500_000)
        #expect(d.events == [.closed(commandID: CommandID(6), atMs: 1_500_000, outcome: .sold(winner: PartyID(2), priceFen: 15_000))],
                "the reserve over the proxy's price, half way through the lot")
        #expect(d.auction.endAtMs == 1_500_000)
        let restored = try EnglishAuction(snapshot: d.auction.snapshot())
        #expect(restored.snapshot() == d.auction.snapshot(), "a hammered lot's snapshot reads back, its end before the configured one")
        d.send(.bid(PartyID(1), amountFen: 20_000), at: 1_500_001)
        #expect(d.refusal?.reason == .closed)
        d.send(.hammer, at: 1_500_002)
        #expect(d.refusal?.reason == .closed)

        var silent = try EnglishDriver(Self.config, bidders: [1])
        silent.send(.hammer, at: 1_000_000)
        #expect(silent.events == [.closed(commandID: CommandID(2), atMs: 1_000_000, outcome: .noSale(.noBids))])

        var writer = SnapshotWriter()
        AuctionCommand(id: CommandID(9), atMs: 7, action: .hammer).encode(into: &writer)
        var reader = SnapshotReader(writer.bytes)
        #expect(try AuctionCommand(decoding: &reader) == AuctionCommand(id: CommandID(9), atMs: 7, action: .hammer))
    }

    @Test("a repeated command id has no effect")
    func repeatedCommand() throws {
        var d = try EnglishDriver(Self.config, bidders: [1, 2])
        d.send(.bid(PartyID(1), amountFen: 10_000), at: 1_000_000)
        let before = d.auction
        var events: [AuctionEvent] = []
        d.auction.apply(AuctionCommand(id: CommandID(3), atMs: 1_000_001, action: .bid(PartyID(2), amountFen: 11_000)), into: &events)
        #expect(events == [.repeated(CommandID(3))])
        #expect(d.auction == before)
    }

    @Test("invalid terms are refused")
    func invalidConfig() {
        var c = Self.config
        c.reserveFen = 9_000
        #expect(throws: AuctionConfigError.reserveBelowOpening) { try EnglishAuction(config: c) }
        c = Self.config
        c.incrementFen = 0
        #expect(throws: AuctionConfigError.stepOutOfRange) { try EnglishAuction(config: c) }
        c = Self.config
        c.endAtMs = c.startAtMs
        #expect(throws: AuctionConfigError.timesOutOfRange) { try EnglishAuction(config: c) }
    }
}
