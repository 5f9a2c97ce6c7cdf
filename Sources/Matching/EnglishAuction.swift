/// The terms of an English ascending lot (增价拍卖).
public struct EnglishAuctionConfig: Sendable, Equatable {
    /// 起拍价: the least first bid.
    public var openingPriceFen: Int64
    /// 保留价: hidden from bidders; below it there is no sale. May equal the opening price.
    public var reserveFen: Int64
    /// 加价幅度: every bid must beat the visible price by at least this much.
    public var incrementFen: Int64
    /// When bidding opens.
    public var startAtMs: Int64
    /// When bidding ends unless anti-sniping extends it.
    public var endAtMs: Int64
    /// 延时 N: a bid accepted within this window before the end moves the end to the bid's time + N.
    public var extensionWindowMs: Int64
    /// The most extensions allowed, or nil for no cap.
    public var extensionCountMax: Int32?
    /// The most bidders that can register; storage is reserved for them up front.
    public var bidderCountMax: Int

    /// The default anti-sniping window: 5 minutes.
    public static let extensionWindowMsDefault: Int64 = 5 * 60 * 1000

    /// Builds a configuration; `validate()` checks it.
    public init(
        openingPriceFen: Int64, reserveFen: Int64, incrementFen: Int64, startAtMs: Int64, endAtMs: Int64,
        extensionWindowMs: Int64 = EnglishAuctionConfig.extensionWindowMsDefault, extensionCountMax: Int32? = nil,
        bidderCountMax: Int = 1_000
    ) {
        self.openingPriceFen = openingPriceFen
        self.reserveFen = reserveFen
        self.incrementFen = incrementFen
        self.startAtMs = startAtMs
        self.endAtMs = endAtMs
        self.extensionWindowMs = extensionWindowMs
        self.extensionCountMax = extensionCountMax
        self.bidderCountMax = bidderCountMax
    }

    /// Throws the first rule the configuration breaks.
    public func validate() throws(AuctionConfigError) {
        guard isPriceInRange(openingPriceFen), isPriceInRange(reserveFen) else { throw .priceOutOfRange }
        guard reserveFen >= openingPriceFen else { throw .reserveBelowOpening }
        guard isPriceInRange(incrementFen) else { throw .stepOutOfRange }
        guard isTimeInRange(startAtMs), isTimeInRange(endAtMs), startAtMs < endAtMs else { throw .timesOutOfRange }
        guard extensionWindowMs > 0, extensionWindowMs <= MatchingLimits.extensionWindowMsMax else {
            throw .extensionWindowOutOfRange
        }
        if let cap = extensionCountMax, cap < 0 || cap > MatchingLimits.extensionCountMaxLimit {
            throw .extensionCapOutOfRange
        }
        guard bidderCountMax >= 1, bidderCountMax <= MatchingLimits.bidderCountMax else { throw .bidderCountOutOfRange }
    }
}

/// An English ascending lot with manual and proxy bids and anti-sniping (增价拍卖, 延时).
///
/// Every bidder has a maximum (a manual bid's maximum is its amount). The leader is the bidder
/// with the highest maximum, the earlier one on a tie. The visible price is
/// max(opening, highest manual amount, min(leader's max, second-highest max + increment)):
/// the proxy rule, never below the opening price, and never below what someone bid by hand.
/// Each term only grows, so the price never falls. At close the lot sells when the leader's
/// maximum meets the reserve, at max(visible price, reserve), which is never above that maximum.
public struct EnglishAuction: AuctionEngine {
    /// The lot's terms.
    public let config: EnglishAuctionConfig
    /// The current end time; anti-sniping only moves it later.
    public private(set) var endAtMs: Int64
    /// How many times anti-sniping has moved the end.
    public private(set) var extensionCount: Int32 = 0
    /// How many bids were accepted.
    public private(set) var acceptedBidCount: Int = 0
    /// The outcome once closed.
    public private(set) var outcome: AuctionOutcome?

    private var registry: BidderRegistry
    private var sequence = CommandSequence()
    private var priceFen: Int64 = 0
    private var leaderIndex: Int32 = -1
    private var leaderMaxFen: Int64 = 0
    private var secondMaxFen: Int64 = 0
    private var manualFloorFen: Int64 = 0

    /// Opens a lot with validated terms.
    public init(config: EnglishAuctionConfig) throws(AuctionConfigError) {
        try config.validate()
        self.config = config
        self.endAtMs = config.endAtMs
        self.registry = BidderRegistry(capacity: config.bidderCountMax)
    }

    /// 当前价: the visible price, or nil before the first bid.
    public var currentPriceFen: Int64? { leaderIndex >= 0 ? priceFen : nil }

    /// The leading bidder, or nil before the first bid.
    public var leader: PartyID? { leaderIndex >= 0 ? registry.ids[Int(leaderIndex)] : nil }

    /// The least bid the lot accepts now: the opening price, then the visible price plus the increment.
    public var minimumBidFen: Int64 { leaderIndex >= 0 ? priceFen + config.incrementFen : config.openingPriceFen }

    /// How many bidders registered.
    public var registeredCount: Int { registry.count }

    /// Whether the bidder is registered.
    public func isRegistered(_ bidder: PartyID) -> Bool { registry.index(of: bidder) >= 0 }

    /// The bidder's own maximum (private to them), or nil if they have not bid.
    public func maximumFen(of bidder: PartyID) -> Int64? {
        let i = registry.index(of: bidder)
        guard i >= 0, registry.amountFen[Int(i)] > 0 else { return nil }
        return registry.amountFen[Int(i)]
    }

    /// Applies one command, appending what happened to `events`.
    public mutating func apply(_ command: AuctionCommand, into events: inout [AuctionEvent]) {
        guard sequence.admit(command.id) else {
            events.append(.repeated(command.id))
            return
        }
        switch command.action {
        case .register(let bidder):
            register(bidder, command: command, into: &events)
        case .bid(let bidder, let amountFen):
            placeBid(bidder, bidFen: amountFen, kind: .manual, command: command, into: &events)
        case .proxyBid(let bidder, let maxFen):
            placeBid(bidder, bidFen: maxFen, kind: .proxy, command: command, into: &events)
        case .accept(let bidder):
            events.append(.refused(AuctionRefusal(commandID: command.id, bidder: bidder, atMs: command.atMs, reason: .notSupportedByFormat)))
        case .close:
            close(command: command, into: &events)
        case .hammer:
            if outcome == nil && command.atMs < config.startAtMs {
                events.append(.refused(AuctionRefusal(commandID: command.id, bidder: nil, atMs: command.atMs, reason: .notStarted)))
                return
            }
            // The hammer ends the bidding now; the close then settles as at the end.
            if outcome == nil && command.atMs < endAtMs { endAtMs = command.atMs }
            close(command: command, into: &events)
        }
    }

    private mutating func register(_ bidder: PartyID, command: AuctionCommand, into events: inout [AuctionEvent]) {
        let reason: AuctionRefusalReason?
        if outcome != nil {
            reason = .closed
        } else if command.atMs >= endAtMs {
            reason = .ended
        } else if registry.index(of: bidder) >= 0 {
            reason = .alreadyRegistered
        } else if registry.count >= config.bidderCountMax {
            reason = .registrationFull
        } else {
            reason = nil
        }
        if let reason {
            events.append(.refused(AuctionRefusal(commandID: command.id, bidder: bidder, atMs: command.atMs, reason: reason)))
            return
        }
        registry.register(bidder)
        events.append(.registered(commandID: command.id, bidder: bidder))
    }

    @inline(__always)
    private mutating func placeBid(
        _ bidder: PartyID, bidFen: Int64, kind: BidKind, command: AuctionCommand, into events: inout [AuctionEvent]
    ) {
        @inline(__always)
        func refuse(_ reason: AuctionRefusalReason, minimumFen: Int64 = 0) {
            events.append(.refused(AuctionRefusal(
                commandID: command.id, bidder: bidder, atMs: command.atMs, reason: reason, minimumFen: minimumFen)))
        }
        let atMs = command.atMs
        if outcome != nil { return refuse(.closed) }
        if atMs < config.startAtMs { return refuse(.notStarted) }
        if atMs >= endAtMs { return refuse(.ended) }
        let index = registry.index(of: bidder)
        if index < 0 { return refuse(.notRegistered) }
        let minimum = minimumBidFen
        if bidFen > MatchingLimits.priceFenMax { return refuse(.tooHigh) }

        if index == leaderIndex {
            if kind == .manual { return refuse(.alreadyLeading) }
            if bidFen <= leaderMaxFen { return refuse(.notAboveOwnMaximum, minimumFen: max(leaderMaxFen + 1, minimum)) }
            if bidFen < minimum { return refuse(.tooLow, minimumFen: minimum) }
            leaderMaxFen = bidFen
        } else {
            if bidFen < minimum { return refuse(.tooLow, minimumFen: minimum) }
            precondition(bidFen > registry.amountFen[Int(index)], "a bidder's maximum never falls")
            if leaderIndex < 0 {
                leaderIndex = index
                leaderMaxFen = bidFen
            } else if bidFen > leaderMaxFen {
                secondMaxFen = leaderMaxFen
                leaderIndex = index
                leaderMaxFen = bidFen
            } else if bidFen > secondMaxFen {
                // An equal maximum does not take the lead: the earlier bidder keeps it.
                secondMaxFen = bidFen
            }
        }
        registry.amountFen[Int(index)] = bidFen
        if kind == .manual && bidFen > manualFloorFen { manualFloorFen = bidFen }

        let competitive = secondMaxFen > 0 ? min(leaderMaxFen, secondMaxFen + config.incrementFen) : 0
        let newPrice = max(config.openingPriceFen, max(manualFloorFen, competitive))
        precondition(newPrice >= priceFen, "an English auction's price never falls")
        precondition(newPrice <= leaderMaxFen, "the price never exceeds the leader's maximum")
        priceFen = newPrice
        acceptedBidCount += 1
        events.append(.bidAccepted(AcceptedBid(
            commandID: command.id, bidder: bidder, atMs: atMs, kind: kind, bidFen: bidFen, priceFen: newPrice,
            leader: registry.ids[Int(leaderIndex)])))

        // 延时: a bid in the last N minutes pushes the end to the bid's time + N, up to the cap.
        let window = config.extensionWindowMs
        if atMs >= endAtMs - window {
            let proposed = atMs + window
            if proposed > endAtMs, config.extensionCountMax.map({ extensionCount < $0 }) ?? true {
                endAtMs = proposed
                extensionCount += 1
                events.append(.extended(commandID: command.id, endAtMs: proposed, extensionCount: extensionCount))
            }
        }
    }

    private mutating func close(command: AuctionCommand, into events: inout [AuctionEvent]) {
        if outcome != nil {
            events.append(.refused(AuctionRefusal(commandID: command.id, bidder: nil, atMs: command.atMs, reason: .closed)))
            return
        }
        if command.atMs < endAtMs {
            events.append(.refused(AuctionRefusal(commandID: command.id, bidder: nil, atMs: command.atMs, reason: .notEnded)))
            return
        }
        let result: AuctionOutcome
        if leaderIndex < 0 {
            result = .noSale(.noBids)
        } else if leaderMaxFen >= config.reserveFen {
            let hammer = max(priceFen, config.reserveFen)
            precondition(hammer <= leaderMaxFen && hammer >= config.reserveFen)
            result = .sold(winner: registry.ids[Int(leaderIndex)], priceFen: hammer)
        } else {
            result = .noSale(.reserveNotMet)
        }
        outcome = result
        events.append(.closed(commandID: command.id, atMs: command.atMs, outcome: result))
    }

    /// The state as snapshot bytes (deterministic: equal states give equal bytes).
    public func snapshot() -> [UInt8] {
        var w = SnapshotWriter(capacity: 64 + registry.count * 12)
        w.writeHeader(kind: SnapshotKind.english)
        w.writeInt(config.openingPriceFen)
        w.writeInt(config.reserveFen)
        w.writeInt(config.incrementFen)
        w.writeInt(config.startAtMs)
        w.writeInt(config.endAtMs)
        w.writeInt(config.extensionWindowMs)
        w.writeInt(config.extensionCountMax.map(Int64.init) ?? -1)
        w.writeUInt(UInt64(config.bidderCountMax))
        sequence.encode(into: &w)
        w.writeInt(endAtMs)
        w.writeInt(Int64(extensionCount))
        w.writeUInt(UInt64(acceptedBidCount))
        w.writeInt(priceFen)
        w.writeInt(Int64(leaderIndex))
        w.writeInt(leaderMaxFen)
        w.writeInt(secondMaxFen)
        w.writeInt(manualFloorFen)
        AuctionOutcome.encodeOptional(outcome, into: &w)
        registry.encode(into: &w)
        w.writeChecksum()
        return w.bytes
    }

    /// Restores a lot from snapshot bytes, refusing damaged or inconsistent ones.
    public init(snapshot: [UInt8]) throws(SnapshotError) {
        var r = try SnapshotReader.opening(snapshot, kind: SnapshotKind.english)
        let openingPriceFen = try r.readInt()
        var config = EnglishAuctionConfig(
            openingPriceFen: openingPriceFen, reserveFen: try r.readInt(), incrementFen: try r.readInt(),
            startAtMs: try r.readInt(), endAtMs: try r.readInt(), extensionWindowMs: try r.readInt())
        let extensionCap = try r.readInt()
        config.extensionCountMax = extensionCap < 0 ? nil : Int32(clamping: extensionCap)
        config.bidderCountMax = try r.readCount(max: MatchingLimits.bidderCountMax, field: "bidderCountMax")
        do { try config.validate() } catch { throw .invalidValue(field: "config") }
        self.config = config
        sequence = try CommandSequence.decode(from: &r)
        endAtMs = try r.readInt()
        extensionCount = try r.readInt32(field: "extensionCount")
        acceptedBidCount = try r.readCount(max: Int.max, field: "acceptedBidCount")
        priceFen = try r.readInt()
        leaderIndex = try r.readInt32(field: "leaderIndex")
        leaderMaxFen = try r.readInt()
        secondMaxFen = try r.readInt()
        manualFloorFen = try r.readInt()
        outcome = try AuctionOutcome.decodeOptional(from: &r)
        registry = try BidderRegistry.decode(from: &r, capacity: config.bidderCountMax)
        guard r.isAtEnd else { throw .trailingBytes }
        // Only a hammer (a closed lot) ends before the configured end.
        guard endAtMs >= config.endAtMs || outcome != nil, isTimeInRange(endAtMs), extensionCount >= 0 else { throw .invalidValue(field: "endAtMs") }
        guard leaderIndex >= -1, Int(leaderIndex) < registry.count else { throw .invalidValue(field: "leaderIndex") }
        if leaderIndex >= 0 {
            guard leaderMaxFen == registry.amountFen[Int(leaderIndex)], priceFen >= config.openingPriceFen,
                  priceFen <= leaderMaxFen, secondMaxFen <= leaderMaxFen, manualFloorFen <= leaderMaxFen
            else { throw .invalidValue(field: "price") }
        } else {
            guard priceFen == 0, leaderMaxFen == 0, secondMaxFen == 0, manualFloorFen == 0 else { throw .invalidValue(field: "price") }
        }
    }
}
