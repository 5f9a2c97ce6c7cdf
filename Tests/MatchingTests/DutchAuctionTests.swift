import Matching
import SeededRandom
import Testing

@Suite struct DutchAuctionTests {
    static func config() -> DutchAuctionConfig {
        DutchAuctionConfig(
            openingPriceFen: 100_000, stepFen: 7_000, intervalMs: 60_000, floorFen: 60_000, startAtMs: 1_000_000,
            endAtMs: 1_000_000 + 3_600_000)
    }

    @Test("the price falls one step per whole interval and stops at the floor")
    func schedule() {
        let c = Self.config()
        #expect(c.priceFen(atMs: 0) == 100_000)
        #expect(c.priceFen(atMs: 1_000_000) == 100_000)
        #expect(c.priceFen(atMs: 1_059_999) == 100_000)
        #expect(c.priceFen(atMs: 1_060_000) == 93_000)
        #expect(c.priceFen(atMs: 1_000_000 + 5 * 60_000) == 65_000)
        #expect(c.priceFen(atMs: 1_000_000 + 6 * 60_000) == 60_000)
        #expect(c.priceFen(atMs: 1_000_000 + 50 * 60_000) == 60_000)
    }

    @Test("prices never rise nor go below the floor", arguments: Seeds.list(count: 100, salt: 0xD1))
    func monotone(seed: UInt64) {
        let stream = DutchStream(seed: seed)
        var rng = SplitMix64(seed: seed ^ 0xFF)
        let c = stream.config
        var times = (0..<200).map { _ in rng.int((c.startAtMs - 10_000)...(c.endAtMs + 10_000)) }
        times.sort()
        var last = Int64.max
        for t in times {
            let p = c.priceFen(atMs: t)
            #expect(p <= last, "seed \(seed): price rose at \(t)")
            #expect(p >= c.floorFen && p <= c.openingPriceFen, "seed \(seed): price \(p) out of [floor, opening]")
            last = p
        }
    }

    @Test("the first registered acceptance buys at the current price; later ones are refused")
    func firstAcceptanceWins() throws {
        var auction = try DutchAuction(config: Self.config())
        var events: [AuctionEvent] = []
        let a = PartyID(1), b = PartyID(2), stranger = PartyID(3)
        auction.apply(AuctionCommand(id: CommandID(1), atMs: 900_000, action: .register(a)), into: &events)
        auction.apply(AuctionCommand(id: CommandID(2), atMs: 900_000, action: .register(b)), into: &events)
        auction.apply(AuctionCommand(id: CommandID(3), atMs: 999_999, action: .accept(a)), into: &events)
        #expect(events.last == .refused(AuctionRefusal(commandID: CommandID(3), bidder: a, atMs: 999_999, reason: .notStarted)))
        auction.apply(AuctionCommand(id: CommandID(4), atMs: 1_130_000, action: .accept(stranger)), into: &events)
        #expect(events.last == .refused(AuctionRefusal(commandID: CommandID(4), bidder: stranger, atMs: 1_130_000, reason: .notRegistered)))
        events.removeAll()
        auction.apply(AuctionCommand(id: CommandID(5), atMs: 1_130_000, action: .accept(b)), into: &events)
        #expect(auction.outcome == .sold(winner: b, priceFen: 86_000))
        #expect(events.count == 2)
        auction.apply(AuctionCommand(id: CommandID(6), atMs: 1_130_001, action: .accept(a)), into: &events)
        #expect(events.last == .refused(AuctionRefusal(commandID: CommandID(6), bidder: a, atMs: 1_130_001, reason: .closed)))
        #expect(auction.outcome == .sold(winner: b, priceFen: 86_000))
    }

    @Test("nobody accepting means no sale at the end, and not before")
    func noSale() throws {
        var auction = try DutchAuction(config: Self.config())
        var events: [AuctionEvent] = []
        auction.apply(AuctionCommand(id: CommandID(1), atMs: 4_599_999, action: .close), into: &events)
        #expect(auction.outcome == nil)
        auction.apply(AuctionCommand(id: CommandID(2), atMs: 4_600_000, action: .accept(PartyID(1))), into: &events)
        #expect(events.last == .refused(AuctionRefusal(commandID: CommandID(2), bidder: PartyID(1), atMs: 4_600_000, reason: .ended)))
        auction.apply(AuctionCommand(id: CommandID(3), atMs: 4_600_000, action: .close), into: &events)
        #expect(auction.outcome == .noSale(.noBids))
    }

    @Test("a floor above the opening price is refused")
    func invalidSchedule() {
        var c = Self.config()
        c.floorFen = 200_000
        #expect(throws: AuctionConfigError.dutchScheduleInvalid) { try DutchAuction(config: c) }
    }
}
