import Foundation
import Matching

/// New offers: each alone, or with the others that waited for a transaction (`OfferPlaceQueue`),
/// in one.
extension OfferService {
    /// A firm offers on a published listing: at or above the ask it fills at once (or in the
    /// offer window's batch); below it, or on a negotiable listing, it rests for the institution.
    /// Offers that arrive while this service's offer transactions are busy go together in the
    /// next (`OfferPlaceQueue`), each with the answer it would have had alone.
    public func place(on listingID: ListingID, _ request: OfferRequest, by caller: Principal?, record: IdempotencyRecord<Offer>? = nil)
        async throws -> Offer
    {
        let firm = try AccessPolicy.offerMaker(caller)
        try request.validate(now: clock())
        let pending = PendingOffer(listingID: listingID, firm: firm, caller: caller, request: request, record: record)
        return try await placeQueue.submit(pending) { offers in await self.place(offers) }
    }

    /// Offers that waited together, in one transaction; a lone offer alone. Each is decided alone
    /// under its listing's lock, and a refused one writes nothing but its key's answer. Should
    /// the transaction fail, nothing of it was kept, and each offer is tried again alone —
    /// unless the commit's fate is unknown (the database was lost) and the offer has no key to
    /// tell a second run by.
    func place(_ offers: [PendingOffer]) async -> [Result<Offer, any Error>] {
        guard offers.count > 1 else { return [await Result.of { try await self.placeAlone(offers[0]) }] }
        let clock = self.clock
        do {
            return try await store.offerBatch(offers.map(\.record)) { work, claimed in
                let running = zip(offers, claimed).filter(\.1).map(\.0)
                var reads = try work.lockedListingsForOffers(running.map(Self.placementKey)).makeIterator()
                // One time for the batch, taken under its locks.
                let now = clock()
                return try zip(offers, claimed).map { offer, claimed -> Result<Offer, any Error>? in
                    guard claimed else { return nil }
                    guard let read = reads.next() else { throw OfferBookInconsistent("a batch's read answered fewer offers than it ran") }
                    var desk: OfferDesk
                    var placed: Offer
                    do {
                        (desk, placed) = try Self.decidePlace(offer, read, now: now)
                    } catch let refusal where refusal is OfferRefusal || refusal is MarketError {
                        try work.keepRefusal(offer.record, refusal)
                        return .failure(refusal)
                    }
                    try Self.commit(&desk, &placed, newStepsFrom: 0, isNew: true, work)
                    try work.keep(offer.record, placed)
                    return .success(placed)
                }
            }
        } catch {
            var answers: [Result<Offer, any Error>] = []
            for offer in offers {
                if offer.record == nil && error is StoreUnavailable {
                    answers.append(.failure(error))
                } else {
                    answers.append(await Result.of { try await self.placeAlone(offer) })
                }
            }
            return answers
        }
    }

    /// One offer in a transaction of its own.
    func placeAlone(_ offer: PendingOffer) async throws -> Offer {
        let now = clock()
        return try await store.transaction(offer.record) { work in
            guard let read = try work.lockedListingsForOffers([Self.placementKey(offer)])[0] else {
                throw MarketError.notFound("no listing \(offer.listingID)")
            }
            var (desk, placed) = try Self.decidePlace(offer, read, now: now)
            try Self.commit(&desk, &placed, newStepsFrom: 0, isNew: true, work)
            try work.keep(offer.record, placed)
            return placed
        }
    }

    static func placementKey(_ offer: PendingOffer) -> OfferPlacementKey {
        OfferPlacementKey(listing: offer.listingID, mode: offer.request.mode, firm: offer.firm)
    }

    /// The decide step of a new offer (no I/O): the listing as the firm may see it, the checks,
    /// and the engine's run; a refusal leaves nothing to write.
    static func decidePlace(_ pending: PendingOffer, _ read: OfferPlacementRead?, now: Date) throws -> (OfferDesk, Offer) {
        guard let read else { throw MarketError.notFound("no listing \(pending.listingID)") }
        let request = pending.request
        var desk = try desk(read.stored, pending.caller, now: now)
        try OfferRules.checkPlace(request, on: desk.facts, openOffer: read.liveOffer)
        let listing = desk.facts.listing
        let offer = Offer(
            id: read.newID, listingID: listing.id, institutionID: listing.institutionID, mode: request.mode, firmID: pending.firm,
            priceFen: request.priceFen, terms: request.terms, validUntil: request.validUntil, status: .open,
            steps: [OfferStep(kind: .offered, byPartyID: pending.firm, priceFen: request.priceFen, terms: request.terms, at: now)],
            createdAt: now, updatedAt: now)
        try desk.run(.placeOffer(EngineID.offer(offer.id, round: 0), buyer: EngineID.party(pending.firm), priceFen: request.priceFen), on: request.mode)
        return (desk, offer)
    }
}
