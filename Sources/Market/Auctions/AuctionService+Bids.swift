import Foundation
import Matching

/// The bids of `AuctionService`: each alone, or with the others that waited for the same lot
/// (`LotBidQueue`), in one transaction.
extension AuctionService {
    /// A bid: a firm's own (an amount, a proxy maximum, a Dutch acceptance, a sealed bid), or
    /// the auctioneer's floor bid for a paddle in the room. The engine's refusal is recorded in
    /// the lot's log, then answered; an accepted bid that ends a Dutch lot closes it at once. Bids
    /// on a lot that arrive while its last transaction is in flight go together in the next
    /// (`LotBidQueue`).
    public func bid(on lotID: LotID, _ request: BidRequest, paddle floorPaddle: Int? = nil, by caller: Principal?, record: IdempotencyRecord<BidReceipt>? = nil)
        async throws -> BidReceipt
    {
        let bidder = try AccessPolicy.auctionBidder(caller, floorPaddle: floorPaddle)
        try request.validate()
        return try await bidQueue.submit(PendingBid(lotID: lotID, bidder: bidder, request: request, record: record)) { lotID, bids in
            await self.bids(on: lotID, bids)
        }
    }

    /// Bids that waited together, in one transaction; a lone bid alone. Should the transaction
    /// fail, nothing of it was kept, and each bid is tried again alone — unless the commit's fate
    /// is unknown (the database was lost) and the bid has no key to tell a second run by.
    func bids(on lotID: LotID, _ bids: [PendingBid]) async -> [Result<BidReceipt, any Error>] {
        guard bids.count > 1 else { return [await Result.of { try await self.bidAlone(bids[0]) }] }
        let clock = settings.clock
        do {
            return try await store.auctionBatch(bids.map(\.record)) { work, claimed in
                guard let facts = try work.lockedLotFacts(lotID, skipLocked: false) else { throw MarketError.notFound("no lot \(lotID)") }
                var desk = try LotDesk(facts.stored, session: facts.session, registrations: facts.registrations, now: clock())
                var answers: [Result<BidReceipt, any Error>?] = []
                for (bid, claimed) in zip(bids, claimed) {
                    guard claimed else {
                        answers.append(nil)
                        continue
                    }
                    // Each bid's time on the auction's clock, taken under the lock.
                    desk.now = max(desk.now, clock())
                    let registration: LotRegistration
                    do {
                        registration = try Self.bidder(bid.bidder, of: desk, registrations: facts.registrations)
                    } catch let refusal as AuctionRefusal {
                        try work.keepRefusal(bid.record, refusal)
                        answers.append(.failure(refusal))
                        continue
                    }
                    let eventsFrom = desk.publicEvents.count
                    let refusal = try Self.run(bid, registration, &desk, registrations: facts.registrations, work)
                    if let refusal {
                        try work.keepRefusal(bid.record, refusal)
                        answers.append(.failure(refusal))
                    } else {
                        let receipt = Self.receipt(desk, registration: registration, eventsFrom: eventsFrom)
                        try work.keep(bid.record, receipt)
                        answers.append(.success(receipt))
                    }
                }
                if !desk.appended.isEmpty { try Self.save(desk, work) }
                return answers
            }
        } catch {
            var answers: [Result<BidReceipt, any Error>] = []
            for bid in bids {
                if bid.record == nil && error is StoreUnavailable {
                    answers.append(.failure(error))
                } else {
                    answers.append(await Result.of { try await self.bidAlone(bid) })
                }
            }
            return answers
        }
    }

    /// One bid in a transaction of its own.
    func bidAlone(_ bid: PendingBid) async throws -> BidReceipt {
        let clock = settings.clock
        let outcome: Result<BidReceipt, AuctionRefusal> = try await store.auctionTransaction(bid.record) { work in
            guard let facts = try work.lockedLotFacts(bid.lotID, skipLocked: false) else { throw MarketError.notFound("no lot \(bid.lotID)") }
            // The auction's clock: the command's time is taken once the lot is locked.
            var desk = try LotDesk(facts.stored, session: facts.session, registrations: facts.registrations, now: clock())
            let registration = try Self.bidder(bid.bidder, of: desk, registrations: facts.registrations)
            let refusal = try Self.run(bid, registration, &desk, registrations: facts.registrations, work)
            return try Self.commit(desk, refusal: refusal, record: bid.record, work) { Self.receipt($0, registration: registration, eventsFrom: 0) }
        }
        return try outcome.get()
    }

    /// The registration a bid is made for, if the lot takes bids and it may bid: refusals before
    /// the engine, which leave the desk as it was.
    static func bidder(_ bidder: AuctionBidder, of desk: LotDesk, registrations: [LotRegistration]) throws -> LotRegistration {
        try AuctionRules.checkBiddable(desk.lot)
        let registration: LotRegistration
        switch bidder {
        case .firm(let firm):
            guard let own = registrations.first(where: { $0.firmID == firm }) else { throw AuctionRefusal.notRegistered(lot: desk.lot.id) }
            registration = own
        case .floor(let paddle):
            guard let named = registrations.first(where: { $0.paddle == paddle }) else { throw AuctionRefusal.unknownPaddle(paddle: paddle) }
            registration = named
        }
        guard registration.depositStatus == .held else {
            throw AuctionRefusal.depositNotHeld(depositFen: desk.lot.depositFen, balanceFen: 0)
        }
        return registration
    }

    /// Runs the bid through the engine on the desk, and settles the lot when the bid closes it
    /// (a Dutch acceptance); the engine's refusal comes back, its command logged all the same.
    static func run(
        _ bid: PendingBid, _ registration: LotRegistration, _ desk: inout LotDesk, registrations: [LotRegistration], _ work: Store.AuctionUnit
    ) throws -> AuctionRefusal? {
        let party = EngineID.party(registration.firmID)
        let action: AuctionAction
        switch bid.request {
        case .amount(let fen): action = .bid(party, amountFen: fen)
        case .proxy(let fen): action = .proxyBid(party, maxFen: fen)
        case .accept: action = .accept(party)
        }
        let (events, refusal) = try desk.run(action, floor: { if case .floor = bid.bidder { return true } else { return false } }())
        if events.contains(where: { if case .closed = $0 { return true } else { return false } }) {
            try settleClose(&desk, registrations: registrations, work)
        }
        return refusal
    }


    /// The standing of a registration after its bid, with the public events the bid made (those
    /// of the desk from `eventsFrom` on).
    static func receipt(_ desk: LotDesk, registration: LotRegistration, eventsFrom: Int) -> BidReceipt {
        let party = EngineID.party(registration.firmID)
        let standing: String
        switch desk.engine {
        case .english: standing = desk.lot.leaderPaddle == registration.paddle ? "leading" : "outbid"
        case .dutch: standing = desk.engine.outcome.map { if case .sold(let winner, _) = $0, winner == party { return "won" } else { return "lost" } } ?? "registered"
        case .sealed: standing = "lodged"
        }
        let minimum: Int64? = desk.lot.status.isClosed ? nil : desk.engine.minimumBidFen(atMs: desk.atMs)
        return BidReceipt(
            lot: desk.lot, paddle: registration.paddle, standing: standing, minimumNextBidFen: minimum,
            yourMaximumFen: desk.engine.maximumFen(of: party), events: Array(desk.publicEvents[eventsFrom...]), at: desk.now)
    }
}
