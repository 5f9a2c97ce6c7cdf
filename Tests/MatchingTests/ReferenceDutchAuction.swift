import Matching

/// A deliberately naive Dutch auction: the price is found by walking the schedule one interval at a time.
struct ReferenceDutchAuction {
    let config: DutchAuctionConfig
    var registered: [PartyID] = []
    var seenIDs: [CommandID] = []
    var outcome: AuctionOutcome?

    init(config: DutchAuctionConfig) { self.config = config }

    func priceFen(atMs: Int64) -> Int64 {
        var price = config.openingPriceFen
        var tick = config.startAtMs + config.intervalMs
        while tick <= atMs && price > config.floorFen {
            price = max(config.floorFen, price - config.stepFen)
            tick += config.intervalMs
        }
        return price
    }

    mutating func apply(_ command: AuctionCommand) -> [AuctionEvent] {
        if seenIDs.contains(where: { $0 >= command.id }) { return [.repeated(command.id)] }
        seenIDs.append(command.id)
        let at = command.atMs
        func refusal(_ bidder: PartyID?, _ reason: AuctionRefusalReason) -> [AuctionEvent] {
            [.refused(AuctionRefusal(commandID: command.id, bidder: bidder, atMs: at, reason: reason))]
        }
        switch command.action {
        case .register(let bidder):
            if outcome != nil { return refusal(bidder, .closed) }
            if at >= config.endAtMs { return refusal(bidder, .ended) }
            if registered.contains(bidder) { return refusal(bidder, .alreadyRegistered) }
            if registered.count >= config.bidderCountMax { return refusal(bidder, .registrationFull) }
            registered.append(bidder)
            return [.registered(commandID: command.id, bidder: bidder)]
        case .accept(let bidder):
            if outcome != nil { return refusal(bidder, .closed) }
            if at < config.startAtMs { return refusal(bidder, .notStarted) }
            if at >= config.endAtMs { return refusal(bidder, .ended) }
            if !registered.contains(bidder) { return refusal(bidder, .notRegistered) }
            let price = priceFen(atMs: at)
            outcome = .sold(winner: bidder, priceFen: price)
            return [
                .bidAccepted(AcceptedBid(commandID: command.id, bidder: bidder, atMs: at, kind: .acceptance, bidFen: price, priceFen: price, leader: bidder)),
                .closed(commandID: command.id, atMs: at, outcome: outcome!),
            ]
        case .bid(let bidder, _), .proxyBid(let bidder, _):
            return refusal(bidder, .notSupportedByFormat)
        case .hammer:
            return refusal(nil, .notSupportedByFormat)
        case .close:
            if outcome != nil { return refusal(nil, .closed) }
            if at < config.endAtMs { return refusal(nil, .notEnded) }
            outcome = .noSale(.noBids)
            return [.closed(commandID: command.id, atMs: at, outcome: outcome!)]
        }
    }
}
