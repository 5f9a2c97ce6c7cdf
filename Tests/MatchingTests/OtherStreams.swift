import Matching
import SeededRandom

/// A seeded random Dutch auction and its command stream.
struct DutchStream {
    var rng: SplitMix64
    let config: DutchAuctionConfig
    let bidders: [PartyID]
    private var clock: Int64
    private var nextID: UInt64 = 1

    init(seed: UInt64) {
        var r = SplitMix64(seed: seed)
        let floor = r.int(100...50_000)
        let opening = floor + r.int(0...200_000)
        let start = r.int(1_600_000_000_000...1_700_000_000_000)
        config = DutchAuctionConfig(
            openingPriceFen: opening, stepFen: r.int(1...20_000), intervalMs: r.int(1...60) * 1_000, floorFen: floor,
            startAtMs: start, endAtMs: start + r.int(5...120) * 60_000, bidderCountMax: Int(r.int(1...6)))
        bidders = (0..<8).map { PartyID(UInt64(500 + $0)) }
        clock = start - r.int(0...60_000)
        rng = r
    }

    mutating func next() -> AuctionCommand {
        clock += rng.int(0...((config.endAtMs - config.startAtMs) / 20))
        var id = nextID
        if rng.chance(3) && nextID > 1 { id = UInt64(rng.int(1...Int64(nextID - 1))) } else { nextID += 1 }
        let bidder = bidders[Int(rng.next() % UInt64(bidders.count))]
        let action: AuctionAction = switch rng.next() % 100 {
        case 0..<40: .register(bidder)
        case 40..<50: .close
        case 50..<55: .bid(bidder, amountFen: 1_000)
        default: rng.chance(70) ? .register(bidder) : .accept(bidder)
        }
        return AuctionCommand(id: CommandID(id), atMs: clock, action: action)
    }
}

/// A seeded random sealed-bid auction and its command stream.
struct SealedStream {
    var rng: SplitMix64
    let config: SealedBidAuctionConfig
    let bidders: [PartyID]
    private var clock: Int64
    private var nextID: UInt64 = 1
    /// A lot nobody bids on (one in ten), so that some close with no bids.
    private let isQuiet: Bool

    init(seed: UInt64, pricing: SealedBidPricing? = nil) {
        var r = SplitMix64(seed: seed)
        let opening = r.int(100...10_000)
        let start = r.int(1_600_000_000_000...1_700_000_000_000)
        config = SealedBidAuctionConfig(
            openingPriceFen: opening, reserveFen: opening + (r.chance(30) ? 0 : r.int(0...5_000)),
            pricing: pricing ?? (r.chance(50) ? .firstPrice : .secondPrice), startAtMs: start,
            endAtMs: start + r.int(5...60) * 60_000, bidderCountMax: Int(r.int(1...10)))
        bidders = (0..<12).map { PartyID(UInt64(900 + $0 * 3)) }
        clock = start - r.int(0...60_000)
        isQuiet = r.chance(10)
        rng = r
    }

    mutating func next() -> AuctionCommand {
        clock += rng.int(0...((config.endAtMs - config.startAtMs) / 25))
        var id = nextID
        if rng.chance(3) && nextID > 1 { id = UInt64(rng.int(1...Int64(nextID - 1))) } else { nextID += 1 }
        let bidder = bidders[Int(rng.next() % UInt64(bidders.count))]
        let action: AuctionAction = switch rng.next() % 100 {
        case 0..<35: .register(bidder)
        case 35..<40: .close
        case 40..<43: .proxyBid(bidder, maxFen: 5_000)
        default:
            // Few amounts, so that ties happen (the best bid too), some below the opening price.
            isQuiet ? .register(bidder) : .bid(bidder, amountFen: config.openingPriceFen + rng.int(-2...8) * 500)
        }
        return AuctionCommand(id: CommandID(id), atMs: clock, action: action)
    }
}

/// A seeded random listing book and its command stream.
struct ListingStream {
    var rng: SplitMix64
    let config: ListingBookConfig
    private var clock: Int64 = 1_700_000_000_000
    private var nextID: UInt64 = 1
    private var nextOffer: UInt64 = 1
    private(set) var placed: [OfferID] = []
    private var placements: [ListingAction] = []

    init(seed: UInt64, matchOnArrival: Bool? = nil) {
        var r = SplitMix64(seed: seed)
        let exclusive = r.chance(40)
        let mode: TransferMode = exclusive ? [.assignment, .exclusiveLicence, .soleLicence][Int(r.next() % 3)] : .nonExclusiveLicence
        config = ListingBookConfig(
            askFen: r.int(10...200) * 1_000, mode: mode, seatCount: exclusive ? 1 : Int(r.int(1...8)),
            matchOnArrival: matchOnArrival ?? r.chance(50), offerCountMax: Int(r.int(5...80)))
        rng = r
    }

    mutating func next(askFen: Int64) -> ListingCommand {
        clock += rng.int(0...5_000)
        var id = nextID
        if rng.chance(3) && nextID > 1 { id = UInt64(rng.int(1...Int64(nextID - 1))) } else { nextID += 1 }
        func anyOffer() -> OfferID {
            if placed.isEmpty || rng.chance(5) { return OfferID(999_999) }
            return placed[Int(rng.next() % UInt64(placed.count))]
        }
        let action: ListingAction
        switch rng.next() % 100 {
        case 0..<55:
            let buyer = PartyID(rng.next() % 25 + 1)
            if rng.chance(5) && !placements.isEmpty {
                // A retry of an earlier placement, sometimes with altered content.
                let earlier = placements[Int(rng.next() % UInt64(placements.count))]
                if rng.chance(50), case .placeOffer(let id, _, _) = earlier {
                    action = .placeOffer(id, buyer: buyer, priceFen: askFen)
                } else {
                    action = earlier
                }
            } else {
                let offer = OfferID(nextOffer)
                nextOffer += 1
                placed.append(offer)
                // Prices in steps of 500 fen around the ask, so that ties are common.
                let price = rng.chance(2) ? 0 : max(1, askFen + rng.int(-20...8) * 500)
                action = .placeOffer(offer, buyer: buyer, priceFen: price)
                placements.append(action)
            }
        case 55..<68: action = .cancelOffer(anyOffer())
        case 68..<74: action = .rejectOffer(anyOffer())
        case 74..<82: action = .acceptOffer(anyOffer())
        case 82..<88: action = .changeAsk(askFen: max(1, askFen + rng.int(-6...4) * 500))
        case 88..<98: action = .match
        default: action = rng.chance(30) ? .withdraw : .match
        }
        return ListingCommand(id: CommandID(id), atMs: clock, action: action)
    }
}
