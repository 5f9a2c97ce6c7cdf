import Foundation
import Market
import Postgres
import Synchronization

extension PostgresMarketStore {
    /// What loading the demo auctions did.
    public struct AuctionFixtureLoad: Sendable, Equatable {
        public var sessions: Int
        public var lots: Int
        public var bids: Int

        public init(sessions: Int = 0, lots: Int = 0, bids: Int = 0) {
            self.sessions = sessions
            self.lots = lots
            self.bids = bids
        }
    }

    /// Loads the demo auctions through the use cases, each step on a clock set to its time (the
    /// operator opens the session and adds the lots before the notice, the institutions consent,
    /// the firms' deposits arrive and they register, they bid), closing what is due before each
    /// step and at the end, as the server's clock would have. A session whose title is in the
    /// database already is skipped, so loading twice changes nothing.
    public func load(_ fixture: AuctionFixture, now: Date = Date()) async throws -> AuctionFixtureLoad {
        let loadedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let clock = FixtureClock(loadedAt)
        let auctions = AuctionService(store: self, settings: AuctionSettings(clock: { clock.now.withLock { $0 } }))
        func at(_ minutes: Int) -> Date { loadedAt.addingTimeInterval(Double(minutes) * 60) }
        func party(_ handle: String) async throws -> Party {
            guard let party = try await self.party(handle: handle) else { throw FixtureError.invalid("auctions.json: no participant \(handle)") }
            return party
        }

        // Every step of every new session, in the order of its time.
        var steps: [(minutes: Int, run: () async throws -> Void)] = []
        var result = AuctionFixtureLoad()
        for session in fixture.sessions {
            let known = try await pool.withConnection { try $0.query("SELECT 1 FROM auction_sessions WHERE title = $1", session.title).count > 0 }
            if known { continue }
            result.sessions += 1
            let opened = Slot<SessionID>()
            steps.append((session.noticeMinutes - 60, {
                let made = try await auctions.openSession(
                    SessionRequest(
                        title: session.title, noticeAt: at(session.noticeMinutes), startsAt: at(session.startMinutes),
                        buyerCommissionBasisPoints: session.buyerCommissionBasisPoints,
                        sellerCommissionBasisPoints: session.sellerCommissionBasisPoints, live: session.live ?? false),
                    by: .commandLineOperator)
                opened.value = made.id
            }))
            for (index, row) in session.lots.enumerated() {
                result.lots += 1
                let lot = Slot<Lot>()
                steps.append((session.noticeMinutes - 59, {
                    guard let sessionID = opened.value else { throw FixtureError.invalid("auctions.json: session \(session.title) not opened") }
                    let listing = try await self.pool.withConnection { connection -> Int64? in
                        try connection.query("SELECT id FROM listings WHERE reference = $1 ORDER BY id LIMIT 1", row.listing).first.map { try $0.decode("id") }
                    }
                    guard let listing else { throw FixtureError.invalid("auctions.json: no listing \(row.listing)") }
                    let terms = LotTerms(
                        listingID: ListingID(listing), mode: row.mode, format: row.format, openingPriceFen: row.openingPriceFen,
                        reserveFen: row.reserveFen, incrementFen: row.incrementFen, startsAt: at(row.startMinutes), endsAt: at(row.endMinutes),
                        extensionWindowSeconds: row.extensionWindowSeconds ?? AuctionLimits.extensionWindowSecondsDefault,
                        dutchIntervalSeconds: row.dutchIntervalSeconds)
                    let added = try await auctions.addLot(to: sessionID, terms, by: .commandLineOperator).lot
                    guard let institution = try await self.party(added.institutionID) else {
                        throw FixtureError.invalid("auctions.json: listing \(row.listing) has no institution")
                    }
                    _ = try await auctions.consent(added.id, excludedGroupCodes: [], by: .commandLine(actingFor: institution))
                    lot.value = added
                }))
                func lotID() throws -> LotID {
                    guard let id = lot.value?.id else { throw FixtureError.invalid("auctions.json: lot of \(row.listing) not added") }
                    return id
                }
                steps.append((session.noticeMinutes + 1, {
                    let id = try lotID()
                    let deposit = lot.value?.depositFen ?? 0
                    for (paddle, handle) in row.firms.enumerated() {
                        let firm = try await party(handle)
                        _ = try await auctions.receiveDeposit(
                            firm: firm.id, amountFen: deposit, reference: "DEMO-\(session.startMinutes)-\(index + 1)-\(paddle + 1)", by: .commandLineOperator)
                        _ = try await auctions.register(for: id, by: .commandLine(actingFor: firm))
                    }
                }))
                for bid in row.bids ?? [] {
                    guard let request = bid.request else {
                        throw FixtureError.invalid("auctions.json: a bid on \(row.listing) needs exactly one of amountFen, maxFen, accept")
                    }
                    result.bids += 1
                    steps.append((bid.atMinutes, {
                        _ = try await auctions.bid(on: try lotID(), request, by: .commandLine(actingFor: try await party(bid.firm)))
                    }))
                }
            }
        }
        /// Closes each lot that ends by `time` a second after its end (after its extensions), as
        /// the server's clock would have.
        func closeDue(by time: Date) async throws {
            while let end = try await self.pool.withConnection({ connection -> Date? in
                try connection.query("SELECT min(ends_at) AS due FROM lots WHERE status = 'consented' AND ends_at <= $1", time)
                    .first.flatMap { try $0.decode("due", as: Date?.self) }
            }) {
                clock.now.withLock { $0 = min(end.addingTimeInterval(1), time) }
                guard try await auctions.closeDue().closed > 0 else { throw LotInconsistent("a lot due at \(end) did not close") }
            }
        }
        for step in steps.enumerated().sorted(by: { ($0.element.minutes, $0.offset) < ($1.element.minutes, $1.offset) }).map(\.element) {
            guard step.minutes <= 0 else { throw FixtureError.invalid("auctions.json: a step \(step.minutes) minutes after the load") }
            try await closeDue(by: at(step.minutes))
            clock.now.withLock { $0 = at(step.minutes) }
            try await step.run()
        }
        try await closeDue(by: loadedAt)
        clock.now.withLock { $0 = loadedAt }
        return result
    }
}

/// The fixture loader's clock: each step's time in turn.
private final class FixtureClock: Sendable {
    let now: Mutex<Date>
    init(_ start: Date) { now = Mutex(start) }
}

/// What one step made, for the steps after it (all run in turn, in one task).
private final class Slot<Value> {
    var value: Value?
}
