import Matching

/// A deliberately naive listing book: a flat list of offers, scanned in full to find the best one.
struct ReferenceListingBook {
    let config: ListingBookConfig
    var askFen: Int64
    var offers: [Offer] = []
    var fills: [ListingFill] = []
    var seenIDs: [CommandID] = []
    var endReason: ListingEndReason?

    init(config: ListingBookConfig) {
        self.config = config
        askFen = config.askFen
    }

    /// The resting offer that price-time priority puts first, if any.
    func best() -> Int? {
        var bestIndex: Int?
        for (i, offer) in offers.enumerated() where offer.status == .resting {
            if let b = bestIndex, offers[b].priceFen >= offer.priceFen { continue }
            bestIndex = i
        }
        return bestIndex
    }

    mutating func fill(_ i: Int, _ command: ListingCommand) -> [ListingEvent] {
        offers[i].status = .filled
        let record = ListingFill(
            commandID: command.id, offerID: offers[i].id, buyer: offers[i].buyer, priceFen: offers[i].priceFen,
            seat: Int32(fills.count + 1), atMs: command.atMs)
        fills.append(record)
        var events: [ListingEvent] = [.filled(record)]
        if fills.count == config.seatCount { events += end(.soldOut, command) }
        return events
    }

    mutating func end(_ reason: ListingEndReason, _ command: ListingCommand) -> [ListingEvent] {
        let resting = offers.indices.filter { offers[$0].status == .resting }
        for i in resting { offers[i].status = .expired }
        endReason = reason
        return [.ended(commandID: command.id, reason: reason, expiredOfferCount: resting.count)]
    }

    mutating func matchAll(_ command: ListingCommand) -> [ListingEvent] {
        var events: [ListingEvent] = []
        while endReason == nil, let b = best(), offers[b].priceFen >= askFen {
            events += fill(b, command)
        }
        return events
    }

    mutating func apply(_ command: ListingCommand) -> [ListingEvent] {
        if seenIDs.contains(where: { $0 >= command.id }) { return [.repeated(command.id)] }
        seenIDs.append(command.id)
        func refusal(_ offer: OfferID?, _ reason: ListingRefusalReason) -> [ListingEvent] {
            [.refused(ListingRefusal(commandID: command.id, offerID: offer, atMs: command.atMs, reason: reason))]
        }
        switch command.action {
        case .placeOffer(let id, let buyer, let price):
            if let earlier = offers.first(where: { $0.id == id }) {
                return earlier.buyer == buyer && earlier.priceFen == price
                    ? [.offerAlreadyPlaced(commandID: command.id, offerID: id)] : refusal(id, .offerIDReused)
            }
            if endReason != nil { return refusal(id, .listingEnded) }
            if price <= 0 || price > MatchingLimits.priceFenMax { return refusal(id, .priceOutOfRange) }
            if let latest = offers.last(where: { $0.buyer == buyer }) {
                if latest.status == .resting { return refusal(id, .buyerHasOpenOffer) }
                if latest.status == .filled { return refusal(id, .buyerHoldsSeat) }
            }
            if offers.count >= config.offerCountMax { return refusal(id, .bookFull) }
            offers.append(Offer(id: id, buyer: buyer, priceFen: price, atMs: command.atMs, status: .resting))
            if config.matchOnArrival && price >= askFen { return fill(offers.count - 1, command) }
            return [.offerResting(commandID: command.id, offerID: id, buyer: buyer, priceFen: price)]
        case .cancelOffer(let id), .rejectOffer(let id):
            guard let i = offers.firstIndex(where: { $0.id == id }) else { return refusal(id, .unknownOffer) }
            if offers[i].status != .resting { return refusal(id, endReason != nil ? .listingEnded : .offerNotResting) }
            if case .cancelOffer = command.action {
                offers[i].status = .cancelled
                return [.offerCancelled(commandID: command.id, offerID: id)]
            }
            offers[i].status = .rejected
            return [.offerRejected(commandID: command.id, offerID: id)]
        case .acceptOffer(let id):
            guard let i = offers.firstIndex(where: { $0.id == id }) else { return refusal(id, .unknownOffer) }
            if endReason != nil { return refusal(id, .listingEnded) }
            if offers[i].status != .resting { return refusal(id, .offerNotResting) }
            if offers[i].priceFen >= askFen { return refusal(id, .atOrAboveAsk) }
            if let b = best(), offers[b].priceFen >= askFen { return refusal(id, .eligibleOffersWaiting) }
            return fill(i, command)
        case .changeAsk(let ask):
            if endReason != nil { return refusal(nil, .listingEnded) }
            if ask <= 0 || ask > MatchingLimits.priceFenMax { return refusal(nil, .priceOutOfRange) }
            askFen = ask
            return [.askChanged(commandID: command.id, askFen: ask)] + (config.matchOnArrival ? matchAll(command) : [])
        case .match:
            if endReason != nil { return refusal(nil, .listingEnded) }
            return matchAll(command)
        case .withdraw:
            if endReason != nil { return refusal(nil, .listingEnded) }
            return end(.withdrawn, command)
        }
    }
}
