/// The terms of a Dutch descending lot (减价拍卖).
public struct DutchAuctionConfig: Sendable, Equatable {
    /// 起拍价: the price when the lot starts.
    public var openingPriceFen: Int64
    /// How much the price falls each interval.
    public var stepFen: Int64
    /// How often the price falls.
    public var intervalMs: Int64
    /// 底价: the price never falls below this; it plays the role of the reserve.
    public var floorFen: Int64
    /// When the lot starts.
    public var startAtMs: Int64
    /// When the lot ends unsold if nobody accepts.
    public var endAtMs: Int64
    /// The most bidders that can register.
    public var bidderCountMax: Int

    /// Builds a configuration; `validate()` checks it.
    public init(
        openingPriceFen: Int64, stepFen: Int64, intervalMs: Int64, floorFen: Int64, startAtMs: Int64, endAtMs: Int64,
        bidderCountMax: Int = 1_000
    ) {
        self.openingPriceFen = openingPriceFen
        self.stepFen = stepFen
        self.intervalMs = intervalMs
        self.floorFen = floorFen
        self.startAtMs = startAtMs
        self.endAtMs = endAtMs
        self.bidderCountMax = bidderCountMax
    }

    /// Throws the first rule the configuration breaks.
    public func validate() throws(AuctionConfigError) {
        guard isPriceInRange(openingPriceFen), isPriceInRange(floorFen) else { throw .priceOutOfRange }
        guard isPriceInRange(stepFen) else { throw .stepOutOfRange }
        guard floorFen <= openingPriceFen, intervalMs > 0 else { throw .dutchScheduleInvalid }
        guard isTimeInRange(startAtMs), isTimeInRange(endAtMs), startAtMs < endAtMs else { throw .timesOutOfRange }
        guard bidderCountMax >= 1, bidderCountMax <= MatchingLimits.bidderCountMax else { throw .bidderCountOutOfRange }
    }

    /// The price at `atMs`: the opening price, less one step per whole interval since the start, never below the floor.
    public func priceFen(atMs: Int64) -> Int64 {
        guard atMs > startAtMs else { return openingPriceFen }
        let steps = (atMs - startAtMs) / intervalMs
        let stepsToFloor = (openingPriceFen - floorFen) / stepFen
        if steps > stepsToFloor { return floorFen }
        return max(floorFen, openingPriceFen - steps * stepFen)
    }
}

/// A Dutch descending lot: the price falls on a schedule and the first registered acceptance buys.
public struct DutchAuction: AuctionEngine {
    /// The lot's terms.
    public let config: DutchAuctionConfig
    /// The outcome once sold or closed.
    public private(set) var outcome: AuctionOutcome?

    private var registry: BidderRegistry
    private var sequence = CommandSequence()

    /// Opens a lot with validated terms.
    public init(config: DutchAuctionConfig) throws(AuctionConfigError) {
        try config.validate()
        self.config = config
        self.registry = BidderRegistry(capacity: config.bidderCountMax)
    }

    /// The price at `atMs` (see `DutchAuctionConfig.priceFen(atMs:)`).
    public func priceFen(atMs: Int64) -> Int64 { config.priceFen(atMs: atMs) }

    /// How many bidders registered.
    public var registeredCount: Int { registry.count }

    /// Applies one command, appending what happened to `events`.
    public mutating func apply(_ command: AuctionCommand, into events: inout [AuctionEvent]) {
        guard sequence.admit(command.id) else {
            events.append(.repeated(command.id))
            return
        }
        let atMs = command.atMs
        func refuse(_ bidder: PartyID?, _ reason: AuctionRefusalReason) {
            events.append(.refused(AuctionRefusal(commandID: command.id, bidder: bidder, atMs: atMs, reason: reason)))
        }
        switch command.action {
        case .register(let bidder):
            if outcome != nil { return refuse(bidder, .closed) }
            if atMs >= config.endAtMs { return refuse(bidder, .ended) }
            if registry.index(of: bidder) >= 0 { return refuse(bidder, .alreadyRegistered) }
            if registry.count >= config.bidderCountMax { return refuse(bidder, .registrationFull) }
            registry.register(bidder)
            events.append(.registered(commandID: command.id, bidder: bidder))
        case .accept(let bidder):
            if outcome != nil { return refuse(bidder, .closed) }
            if atMs < config.startAtMs { return refuse(bidder, .notStarted) }
            if atMs >= config.endAtMs { return refuse(bidder, .ended) }
            let index = registry.index(of: bidder)
            if index < 0 { return refuse(bidder, .notRegistered) }
            let price = config.priceFen(atMs: atMs)
            precondition(price >= config.floorFen && price <= config.openingPriceFen)
            registry.amountFen[Int(index)] = price
            let result = AuctionOutcome.sold(winner: bidder, priceFen: price)
            outcome = result
            events.append(.bidAccepted(AcceptedBid(
                commandID: command.id, bidder: bidder, atMs: atMs, kind: .acceptance, bidFen: price, priceFen: price,
                leader: bidder)))
            events.append(.closed(commandID: command.id, atMs: atMs, outcome: result))
        case .bid(let bidder, _), .proxyBid(let bidder, _):
            refuse(bidder, .notSupportedByFormat)
        case .hammer:
            refuse(nil, .notSupportedByFormat)
        case .close:
            if outcome != nil { return refuse(nil, .closed) }
            if atMs < config.endAtMs { return refuse(nil, .notEnded) }
            let result = AuctionOutcome.noSale(.noBids)
            outcome = result
            events.append(.closed(commandID: command.id, atMs: atMs, outcome: result))
        }
    }

    /// The state as snapshot bytes.
    public func snapshot() -> [UInt8] {
        var w = SnapshotWriter(capacity: 64 + registry.count * 12)
        w.writeHeader(kind: SnapshotKind.dutch)
        w.writeInt(config.openingPriceFen)
        w.writeInt(config.stepFen)
        w.writeInt(config.intervalMs)
        w.writeInt(config.floorFen)
        w.writeInt(config.startAtMs)
        w.writeInt(config.endAtMs)
        w.writeUInt(UInt64(config.bidderCountMax))
        sequence.encode(into: &w)
        AuctionOutcome.encodeOptional(outcome, into: &w)
        registry.encode(into: &w)
        w.writeChecksum()
        return w.bytes
    }

    /// Restores a lot from snapshot bytes.
    public init(snapshot: [UInt8]) throws(SnapshotError) {
        var r = try SnapshotReader.opening(snapshot, kind: SnapshotKind.dutch)
        let config = DutchAuctionConfig(
            openingPriceFen: try r.readInt(), stepFen: try r.readInt(), intervalMs: try r.readInt(),
            floorFen: try r.readInt(), startAtMs: try r.readInt(), endAtMs: try r.readInt(),
            bidderCountMax: try r.readCount(max: MatchingLimits.bidderCountMax, field: "bidderCountMax"))
        do { try config.validate() } catch { throw .invalidValue(field: "config") }
        self.config = config
        sequence = try CommandSequence.decode(from: &r)
        outcome = try AuctionOutcome.decodeOptional(from: &r)
        registry = try BidderRegistry.decode(from: &r, capacity: config.bidderCountMax)
        guard r.isAtEnd else { throw .trailingBytes }
    }
}
