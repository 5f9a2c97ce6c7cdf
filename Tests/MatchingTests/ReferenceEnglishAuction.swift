import Matching

/// A deliberately naive English auction: it keeps every accepted bid and recomputes the leader,
/// the price and the end time from the whole list on every question, so that it shares no
/// incremental bookkeeping with `EnglishAuction`.
struct ReferenceEnglishAuction {
    struct Bid {
        var bidder: PartyID
        var kind: BidKind
        var fen: Int64
        var atMs: Int64
    }

    let config: EnglishAuctionConfig
    var registered: [PartyID] = []
    var bids: [Bid] = []
    var seenIDs: [CommandID] = []
    var outcome: AuctionOutcome?

    init(config: EnglishAuctionConfig) { self.config = config }

    /// Each bidder's maximum is their latest (and so largest) bid; the position breaks ties.
    func maxima() -> [(bidder: PartyID, fen: Int64, position: Int)] {
        var result: [(bidder: PartyID, fen: Int64, position: Int)] = []
        for (position, bid) in bids.enumerated() {
            result.removeAll { $0.bidder == bid.bidder }
            result.append((bid.bidder, bid.fen, position))
        }
        return result
    }

    func leaderEntry() -> (bidder: PartyID, fen: Int64, position: Int)? {
        maxima().sorted { $0.fen != $1.fen ? $0.fen > $1.fen : $0.position < $1.position }.first
    }

    var leader: PartyID? { leaderEntry()?.bidder }

    var priceFen: Int64? {
        guard let top = leaderEntry() else { return nil }
        let others = maxima().filter { $0.bidder != top.bidder }.map(\.fen)
        let manual = bids.filter { $0.kind == .manual }.map(\.fen).max() ?? 0
        var price = max(config.openingPriceFen, manual)
        if let second = others.max() {
            price = max(price, min(top.fen, second + config.incrementFen))
        }
        return price
    }

    /// The end time folded over every accepted bid from the configured end.
    var endAtMs: (end: Int64, count: Int32) {
        var end = config.endAtMs
        var count: Int32 = 0
        for bid in bids {
            let n = config.extensionWindowMs
            if bid.atMs >= end - n, bid.atMs + n > end {
                if let cap = config.extensionCountMax, count >= cap { continue }
                end = bid.atMs + n
                count += 1
            }
        }
        return (end, count)
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
            if at >= endAtMs.end { return refusal(bidder, .ended) }
            if registered.contains(bidder) { return refusal(bidder, .alreadyRegistered) }
            if registered.count >= config.bidderCountMax { return refusal(bidder, .registrationFull) }
            registered.append(bidder)
            return [.registered(commandID: command.id, bidder: bidder)]
        case .bid(let bidder, let fen), .proxyBid(let bidder, let fen):
            let kind: BidKind = if case .bid = command.action { .manual } else { .proxy }
            if outcome != nil { return refusal(bidder, .closed) }
            if at < config.startAtMs { return refusal(bidder, .notStarted) }
            let before = endAtMs
            if at >= before.end { return refusal(bidder, .ended) }
            if !registered.contains(bidder) { return refusal(bidder, .notRegistered) }
            if fen > MatchingLimits.priceFenMax { return refusal(bidder, .tooHigh) }
            let minimum = priceFen.map { $0 + config.incrementFen } ?? config.openingPriceFen
            if let top = leaderEntry(), top.bidder == bidder {
                if kind == .manual { return refusal(bidder, .alreadyLeading) }
                if fen <= top.fen { return refusal(bidder, .notAboveOwnMaximum, max(top.fen + 1, minimum)) }
            }
            if fen < minimum { return refusal(bidder, .tooLow, minimum) }
            bids.append(Bid(bidder: bidder, kind: kind, fen: fen, atMs: at))
            var events: [AuctionEvent] = [.bidAccepted(AcceptedBid(
                commandID: command.id, bidder: bidder, atMs: at, kind: kind, bidFen: fen, priceFen: priceFen!, leader: leader!))]
            let after = endAtMs
            if after.end != before.end {
                events.append(.extended(commandID: command.id, endAtMs: after.end, extensionCount: after.count))
            }
            return events
        case .accept(let bidder):
            return refusal(bidder, .notSupportedByFormat)
        case .close, .hammer:
            if outcome != nil { return refusal(nil, .closed) }
            if command.action == .hammer, at < config.startAtMs { return refusal(nil, .notStarted) }
            if command.action == .close, at < endAtMs.end { return refusal(nil, .notEnded) }
            let result: AuctionOutcome
            if let top = leaderEntry() {
                result = top.fen >= config.reserveFen
                    ? .sold(winner: top.bidder, priceFen: max(priceFen!, config.reserveFen)) : .noSale(.reserveNotMet)
            } else {
                result = .noSale(.noBids)
            }
            outcome = result
            return [.closed(commandID: command.id, atMs: at, outcome: result)]
        }
    }
}
