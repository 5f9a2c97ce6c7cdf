import Matching
import SeededRandom

/// One step of an English auction run: the command, what the engine said, and the state around it.
struct EnglishStep {
    var command: AuctionCommand
    var events: [AuctionEvent]
    var priceBefore: Int64?
    var priceAfter: Int64?
    var minimumBefore: Int64
    var endBefore: Int64
    var endAfter: Int64
    var leaderAfter: PartyID?
    var leaderMaxAfter: Int64?
}

/// A seeded random English auction: configuration and a command stream that probes every rule.
struct EnglishStream {
    var rng: SplitMix64
    let config: EnglishAuctionConfig
    let bidders: [PartyID]
    private var clock: Int64
    private var nextID: UInt64 = 1

    /// `capped`: nil picks at random, true forces an extension cap, false forbids one.
    init(seed: UInt64, capped: Bool? = nil) {
        var r = SplitMix64(seed: seed)
        let opening = r.int(100...50_000)
        let increment = r.int(1...2_000)
        let reserve = r.chance(30) ? opening : r.chance(35) ? opening + r.int(100...600) * increment : opening + r.int(0...20_000)
        let start = r.int(1_600_000_000_000...1_700_000_000_000)
        let span = r.int(10...60) * 60_000
        let window = r.int(1...6) * 60_000
        let isCapped = capped ?? r.chance(50)
        let cap: Int32? = isCapped ? Int32(r.int(0...4)) : nil
        let bidderCount = Int(r.int(2...12))
        config = EnglishAuctionConfig(
            openingPriceFen: opening, reserveFen: reserve, incrementFen: increment, startAtMs: start, endAtMs: start + span,
            extensionWindowMs: window, extensionCountMax: cap, bidderCountMax: bidderCount)
        // A few more parties than seats, so some bids come from the unregistered.
        bidders = (0..<(bidderCount + 2)).map { PartyID(UInt64(1_000 + $0 * 7)) }
        clock = start - r.int(0...120_000)
        rng = r
    }

    /// The next command, chosen with a glance at the public state so that most bids are near the minimum.
    mutating func next(minimumBidFen: Int64, endAtMs: Int64) -> AuctionCommand {
        let span = config.endAtMs - config.startAtMs
        var at = clock
        switch rng.next() % 100 {
        case 0..<75: clock += rng.int(0...(span / (clock > config.endAtMs ? 20 : 80)))
        case 75..<80: at = rng.int((config.startAtMs - 60_000)...(endAtMs + 60_000)) // a stray early or late command
        case 80..<86: at = max(clock, endAtMs - rng.int(0...config.extensionWindowMs)) // a snipe
        default: break
        }
        var id = nextID
        if rng.chance(3) && nextID > 1 {
            id = UInt64(rng.int(1...Int64(nextID - 1)))
        } else {
            nextID += 1
        }
        let bidder = bidders[Int(rng.next() % UInt64(bidders.count))]
        let action: AuctionAction
        switch clock >= endAtMs && rng.chance(30) ? 12 : rng.next() % 100 {
        case 0..<12:
            action = .register(bidder)
        case 12..<15:
            // Early closes are refused (not ended); most closes come once the end has passed.
            action = clock >= endAtMs || rng.chance(20) ? .close : .register(bidder)
            if action == .close { at = clock }
        case 15..<16:
            action = .accept(bidder)
        default:
            let inc = config.incrementFen
            let amount: Int64
            switch rng.next() % 10 {
            case 0: amount = minimumBidFen - rng.int(1...inc)
            case 1: amount = minimumBidFen
            case 2: amount = rng.chance(5) ? MatchingLimits.priceFenMax + 1 : minimumBidFen + rng.int(0...(inc * 40))
            default: amount = minimumBidFen + rng.int(0...(inc * 6))
            }
            action = rng.chance(50) ? .proxyBid(bidder, maxFen: amount) : .bid(bidder, amountFen: amount)
        }
        return AuctionCommand(id: CommandID(id), atMs: at, action: action)
    }

    /// Runs `count` commands (registering the first bidders up front), then a close, and records every step.
    mutating func run(count: Int, on auction: inout EnglishAuction, close: Bool = true) -> [EnglishStep] {
        var steps: [EnglishStep] = []
        var events: [AuctionEvent] = []
        var commands: [AuctionCommand] = []
        for bidder in bidders.prefix(config.bidderCountMax - 1) where rng.chance(80) {
            commands.append(AuctionCommand(id: CommandID(nextID), atMs: clock, action: .register(bidder)))
            nextID += 1
        }
        for i in 0..<(close ? count + 1 : count) {
            var command = i < commands.count ? commands[i] : next(minimumBidFen: auction.minimumBidFen, endAtMs: auction.endAtMs)
            if i == count {
                // The last command closes the lot, so that every stream ends in an outcome.
                command = AuctionCommand(id: CommandID(nextID), atMs: max(clock, auction.endAtMs), action: .close)
                nextID += 1
            }
            let priceBefore = auction.currentPriceFen
            let minimumBefore = auction.minimumBidFen
            let endBefore = auction.endAtMs
            events.removeAll(keepingCapacity: true)
            auction.apply(command, into: &events)
            steps.append(EnglishStep(
                command: command, events: events, priceBefore: priceBefore, priceAfter: auction.currentPriceFen,
                minimumBefore: minimumBefore, endBefore: endBefore, endAfter: auction.endAtMs,
                leaderAfter: auction.leader, leaderMaxAfter: auction.leader.flatMap { auction.maximumFen(of: $0) }))
        }
        return steps
    }

    /// A fresh auction and its recorded run for `seed`.
    static func trace(seed: UInt64, count: Int = 160, capped: Bool? = nil) -> (EnglishAuction, [EnglishStep]) {
        var stream = EnglishStream(seed: seed, capped: capped)
        var auction = try! EnglishAuction(config: stream.config)
        let steps = stream.run(count: count, on: &auction)
        return (auction, steps)
    }
}

extension AuctionEvent {
    var acceptedBid: AcceptedBid? {
        if case .bidAccepted(let bid) = self { return bid }
        return nil
    }

    var outcome: AuctionOutcome? {
        if case .closed(_, _, let outcome) = self { return outcome }
        return nil
    }
}
