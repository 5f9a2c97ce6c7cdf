/// How the winner of a sealed-bid lot pays.
public enum SealedBidPricing: UInt8, Sendable, Equatable {
    /// 一价: the winner pays their own bid.
    case firstPrice = 1
    /// 二价 (Vickrey): the winner pays max(second-highest bid, reserve).
    case secondPrice = 2
}

/// The terms of a sealed-bid lot (密封拍卖).
public struct SealedBidAuctionConfig: Sendable, Equatable {
    /// 起拍价: the least bid accepted.
    public var openingPriceFen: Int64
    /// 保留价: hidden; below it there is no sale. May equal the opening price.
    public var reserveFen: Int64
    /// First-price or second-price.
    public var pricing: SealedBidPricing
    /// When bids open.
    public var startAtMs: Int64
    /// When bids close; nothing is accepted at or after it.
    public var endAtMs: Int64
    /// The most bidders that can register.
    public var bidderCountMax: Int

    /// Builds a configuration; `validate()` checks it.
    public init(
        openingPriceFen: Int64, reserveFen: Int64, pricing: SealedBidPricing, startAtMs: Int64, endAtMs: Int64,
        bidderCountMax: Int = 1_000
    ) {
        self.openingPriceFen = openingPriceFen
        self.reserveFen = reserveFen
        self.pricing = pricing
        self.startAtMs = startAtMs
        self.endAtMs = endAtMs
        self.bidderCountMax = bidderCountMax
    }

    /// Throws the first rule the configuration breaks.
    public func validate() throws(AuctionConfigError) {
        guard isPriceInRange(openingPriceFen), isPriceInRange(reserveFen) else { throw .priceOutOfRange }
        guard reserveFen >= openingPriceFen else { throw .reserveBelowOpening }
        guard isTimeInRange(startAtMs), isTimeInRange(endAtMs), startAtMs < endAtMs else { throw .timesOutOfRange }
        guard bidderCountMax >= 1, bidderCountMax <= MatchingLimits.bidderCountMax else { throw .bidderCountOutOfRange }
    }
}

/// A sealed bid as revealed at close.
public struct SealedBid: Sendable, Equatable {
    /// The bidder.
    public var bidder: PartyID
    /// The amount bid.
    public var amountFen: Int64

    /// Builds a revealed bid.
    public init(bidder: PartyID, amountFen: Int64) {
        self.bidder = bidder
        self.amountFen = amountFen
    }
}

/// A sealed-bid lot: one hidden bid per bidder, revealed and settled at close; ties go to the earlier bid.
public struct SealedBidAuction: AuctionEngine {
    /// The lot's terms.
    public let config: SealedBidAuctionConfig
    /// The outcome once closed.
    public private(set) var outcome: AuctionOutcome?

    private var registry: BidderRegistry
    private var sequence = CommandSequence()
    /// Indices into the registry in the order bids were lodged: the tie-break order.
    private var bidOrder: [Int32]

    /// Opens a lot with validated terms.
    public init(config: SealedBidAuctionConfig) throws(AuctionConfigError) {
        try config.validate()
        self.config = config
        self.registry = BidderRegistry(capacity: config.bidderCountMax)
        self.bidOrder = []
        self.bidOrder.reserveCapacity(config.bidderCountMax)
    }

    /// How many bids were lodged (the amounts stay hidden until close).
    public var lodgedBidCount: Int { bidOrder.count }

    /// How many bidders registered.
    public var registeredCount: Int { registry.count }

    /// The bids in lodging order once the lot has closed; empty before, so nothing leaks.
    public var revealedBids: [SealedBid] {
        guard outcome != nil else { return [] }
        return bidOrder.map { SealedBid(bidder: registry.ids[Int($0)], amountFen: registry.amountFen[Int($0)]) }
    }

    /// Applies one command, appending what happened to `events`.
    public mutating func apply(_ command: AuctionCommand, into events: inout [AuctionEvent]) {
        guard sequence.admit(command.id) else {
            events.append(.repeated(command.id))
            return
        }
        let atMs = command.atMs
        func refuse(_ bidder: PartyID?, _ reason: AuctionRefusalReason, minimumFen: Int64 = 0) {
            events.append(.refused(AuctionRefusal(
                commandID: command.id, bidder: bidder, atMs: atMs, reason: reason, minimumFen: minimumFen)))
        }
        switch command.action {
        case .register(let bidder):
            if outcome != nil { return refuse(bidder, .closed) }
            if atMs >= config.endAtMs { return refuse(bidder, .ended) }
            if registry.index(of: bidder) >= 0 { return refuse(bidder, .alreadyRegistered) }
            if registry.count >= config.bidderCountMax { return refuse(bidder, .registrationFull) }
            registry.register(bidder)
            events.append(.registered(commandID: command.id, bidder: bidder))
        case .bid(let bidder, let amountFen):
            if outcome != nil { return refuse(bidder, .closed) }
            if atMs < config.startAtMs { return refuse(bidder, .notStarted) }
            if atMs >= config.endAtMs { return refuse(bidder, .ended) }
            let index = registry.index(of: bidder)
            if index < 0 { return refuse(bidder, .notRegistered) }
            if registry.amountFen[Int(index)] > 0 { return refuse(bidder, .alreadyBid) }
            if amountFen < config.openingPriceFen { return refuse(bidder, .tooLow, minimumFen: config.openingPriceFen) }
            if amountFen > MatchingLimits.priceFenMax { return refuse(bidder, .tooHigh) }
            registry.amountFen[Int(index)] = amountFen
            bidOrder.append(index)
            events.append(.sealedBidLodged(commandID: command.id, bidder: bidder, atMs: atMs))
        case .proxyBid(let bidder, _), .accept(let bidder):
            refuse(bidder, .notSupportedByFormat)
        case .hammer:
            refuse(nil, .notSupportedByFormat)
        case .close:
            if outcome != nil { return refuse(nil, .closed) }
            if atMs < config.endAtMs { return refuse(nil, .notEnded) }
            let result = settle()
            outcome = result
            for i in bidOrder {
                events.append(.sealedBidRevealed(bidder: registry.ids[Int(i)], amountFen: registry.amountFen[Int(i)]))
            }
            events.append(.closed(commandID: command.id, atMs: atMs, outcome: result))
        }
    }

    private func settle() -> AuctionOutcome {
        var best: Int32 = -1
        var bestFen: Int64 = 0
        var secondFen: Int64 = 0
        for i in bidOrder {
            let amount = registry.amountFen[Int(i)]
            if amount > bestFen {
                // Strictly greater: on a tie the earlier bid keeps the lead.
                secondFen = bestFen
                best = i
                bestFen = amount
            } else if amount > secondFen {
                secondFen = amount
            }
        }
        guard best >= 0 else { return .noSale(.noBids) }
        guard bestFen >= config.reserveFen else { return .noSale(.reserveNotMet) }
        let price: Int64
        switch config.pricing {
        case .firstPrice: price = bestFen
        case .secondPrice: price = max(secondFen, config.reserveFen)
        }
        precondition(price >= config.reserveFen && price <= bestFen)
        return .sold(winner: registry.ids[Int(best)], priceFen: price)
    }

    /// The state as snapshot bytes.
    public func snapshot() -> [UInt8] {
        var w = SnapshotWriter(capacity: 64 + registry.count * 16)
        w.writeHeader(kind: SnapshotKind.sealed)
        w.writeInt(config.openingPriceFen)
        w.writeInt(config.reserveFen)
        w.writeByte(config.pricing.rawValue)
        w.writeInt(config.startAtMs)
        w.writeInt(config.endAtMs)
        w.writeUInt(UInt64(config.bidderCountMax))
        sequence.encode(into: &w)
        AuctionOutcome.encodeOptional(outcome, into: &w)
        registry.encode(into: &w)
        w.writeUInt(UInt64(bidOrder.count))
        for i in bidOrder { w.writeUInt(UInt64(i)) }
        w.writeChecksum()
        return w.bytes
    }

    /// Restores a lot from snapshot bytes.
    public init(snapshot: [UInt8]) throws(SnapshotError) {
        var r = try SnapshotReader.opening(snapshot, kind: SnapshotKind.sealed)
        let opening = try r.readInt()
        let reserve = try r.readInt()
        guard let pricing = SealedBidPricing(rawValue: try r.readByte()) else { throw .invalidValue(field: "pricing") }
        let config = SealedBidAuctionConfig(
            openingPriceFen: opening, reserveFen: reserve, pricing: pricing, startAtMs: try r.readInt(),
            endAtMs: try r.readInt(), bidderCountMax: try r.readCount(max: MatchingLimits.bidderCountMax, field: "bidderCountMax"))
        do { try config.validate() } catch { throw .invalidValue(field: "config") }
        self.config = config
        sequence = try CommandSequence.decode(from: &r)
        outcome = try AuctionOutcome.decodeOptional(from: &r)
        registry = try BidderRegistry.decode(from: &r, capacity: config.bidderCountMax)
        let count = try r.readCount(max: registry.count, field: "bidOrder.count")
        bidOrder = []
        bidOrder.reserveCapacity(config.bidderCountMax)
        var seen = [Bool](repeating: false, count: registry.count)
        for _ in 0..<count {
            let i = try r.readCount(max: registry.count - 1, field: "bidOrder")
            guard registry.amountFen[i] > 0, !seen[i] else { throw .invalidValue(field: "bidOrder") }
            seen[i] = true
            bidOrder.append(Int32(i))
        }
        let bidderCountWithBids = registry.amountFen.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        guard bidderCountWithBids == count else { throw .invalidValue(field: "bidOrder") }
        guard r.isAtEnd else { throw .trailingBytes }
    }
}
