import Matching

/// A deliberately naive sealed-bid auction: it sorts every bid at close.
struct ReferenceSealedBidAuction {
    let config: SealedBidAuctionConfig
    var registered: [PartyID] = []
    var bids: [SealedBid] = []
    var seenIDs: [CommandID] = []
    var outcome: AuctionOutcome?

    init(config: SealedBidAuctionConfig) { self.config = config }

    /// The outcome of a set of bids given in lodging order.
    static func settle(_ bids: [SealedBid], config: SealedBidAuctionConfig) -> AuctionOutcome {
        let ranked = bids.enumerated().sorted {
            $0.element.amountFen != $1.element.amountFen ? $0.element.amountFen > $1.element.amountFen : $0.offset < $1.offset
        }.map(\.element)
        guard let best = ranked.first else { return .noSale(.noBids) }
        guard best.amountFen >= config.reserveFen else { return .noSale(.reserveNotMet) }
        switch config.pricing {
        case .firstPrice:
            return .sold(winner: best.bidder, priceFen: best.amountFen)
        case .secondPrice:
            let second = ranked.count > 1 ? ranked[1].amountFen : 0
            return .sold(winner: best.bidder, priceFen: max(second, config.reserveFen))
        }
    }

    mutating func apply(_ command: AuctionCommand) -> [AuctionEvent] {
        if seenIDs.contains(where: { $0 >= command.id }) { return [.repeated(command.id)] }
        seenIDs.append(command.id)
        let at = command.atMs
        func refusal(_ bidder: PartyID?, _ reason: AuctionRefusalReason, _ minimum: Int64 = 0) -> [AuctionEvent] {
            [.refused(AuctionRefusal(commandID: command.id, bidder: bidder, atMs: at, reason: reason, minimumFen: minimum))]
        }
        switch command.action {
        case .register(let bidder):
            if outcome != nil { return refusal(bidder, .closed) }
            if at >= config.endAtMs { return refusal(bidder, .ended) }
            if registered.contains(bidder) { return refusal(bidder, .alreadyRegistered) }
            if registered.count >= config.bidderCountMax { return refusal(bidder, .registrationFull) }
            registered.append(bidder)
            return [.registered(commandID: command.id, bidder: bidder)]
        case .bid(let bidder, let amount):
            if outcome != nil { return refusal(bidder, .closed) }
            if at < config.startAtMs { return refusal(bidder, .notStarted) }
            if at >= config.endAtMs { return refusal(bidder, .ended) }
            if !registered.contains(bidder) { return refusal(bidder, .notRegistered) }
            if bids.contains(where: { $0.bidder == bidder }) { return refusal(bidder, .alreadyBid) }
            if amount < config.openingPriceFen { return refusal(bidder, .tooLow, config.openingPriceFen) }
            if amount > MatchingLimits.priceFenMax { return refusal(bidder, .tooHigh) }
            bids.append(SealedBid(bidder: bidder, amountFen: amount))
            return [.sealedBidLodged(commandID: command.id, bidder: bidder, atMs: at)]
        case .proxyBid(let bidder, _), .accept(let bidder):
            return refusal(bidder, .notSupportedByFormat)
        case .hammer:
            return refusal(nil, .notSupportedByFormat)
        case .close:
            if outcome != nil { return refusal(nil, .closed) }
            if at < config.endAtMs { return refusal(nil, .notEnded) }
            outcome = Self.settle(bids, config: config)
            return bids.map { .sealedBidRevealed(bidder: $0.bidder, amountFen: $0.amountFen) }
                + [.closed(commandID: command.id, atMs: at, outcome: outcome!)]
        }
    }
}
