import Foundation
import Market
import Postgres
import PostgresStore
import Synchronization
import Testing
import TestSupport

/// 64 firms bid at once on one English lot in its last minute: every accepted bid is in the
/// record, the end moves as the anti-sniping rule says, the log replays clean, the highest bid
/// wins at its own amount, and the ledger verifies.
@Suite struct AuctionConcurrencyTests {
    static let bidderCount = 64

    /// The bids accepted, counted by the bidders' tasks.
    final class Tally: Sendable {
        let count = Mutex(0)
    }

    static func creditCode(_ serial: Int) throws -> String {
        let prefix = "91330521MA2C" + String(format: "%05d", serial)
        for check in "0123456789ABCDEFGHJKLMNPQRTUWXY" {
            if let code = try? SocialCreditCode(prefix + String(check)) { return code.value }
        }
        throw LotInconsistent("no check character for \(prefix)")
    }

    @Test func sixtyFourFirmsBiddingAtOnceInTheLastMinuteLoseNoBid() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool(size: 16)
            let store = PostgresMarketStore(pool: pool)
            let clock = AuctionTestClock()
            let opening: Int64 = 2_000_000_00, increment: Int64 = 100_000_00
            let opened = try await AuctionTestLot.english(pool, clock: clock, openingFen: opening, incrementFen: increment, minutes: 60)
            let (lot, service) = (opened.lot, opened.service)
            let end = lot.terms.endsAt
            var firms: [Party] = []
            for i in 0..<Self.bidderCount {
                let firm = try await store.register(NewParty(
                    handle: "bidder-\(i)", kind: .firm, name: "竞买企业\(i)", regionCode: RegionCode("330521")!, creditCode: try Self.creditCode(i)))
                _ = try await service.receiveDeposit(firm: firm.id, amountFen: lot.depositFen, reference: "BANK-\(i)", by: .commandLineOperator)
                _ = try await service.register(for: lot.id, by: .commandLine(actingFor: firm))
                firms.append(firm)
            }

            // The last minute: every bid at once, firm i bidding the opening price + i increments.
            let bidAt = end.addingTimeInterval(-40)
            clock.advance(to: bidAt)
            let accepted = Tally()
            let bidders = firms
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (i, firm) in bidders.enumerated() {
                    group.addTask {
                        do {
                            _ = try await service.bid(on: lot.id, .amount(opening + Int64(i) * increment), by: .commandLine(actingFor: firm))
                            accepted.count.withLock { $0 += 1 }
                        } catch let refusal as AuctionRefusal {
                            guard case .tooLow = refusal else { throw refusal }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let acceptedCount = accepted.count.withLock { $0 }
            let stored = try await service.lot(lot.id, for: .commandLineOperator).view.lot
            #expect(acceptedCount >= 1)
            #expect(stored.bidCount == acceptedCount, "every accepted bid is counted")
            let events = try await service.events(of: lot.id, after: 0, kinds: [.bid], limit: 1_000)
            #expect(events.count == acceptedCount, "every accepted bid is in the public record")
            #expect(events.map(\.sequence) == events.map(\.sequence).sorted())
            #expect(zip(events, events.dropFirst()).allSatisfy { ($0.priceFen ?? 0) < ($1.priceFen ?? 0) }, "the price only rises")
            #expect(stored.endsAt == bidAt.addingTimeInterval(300), "the first accepted bid moved the end; the others at the same time did not")
            #expect(stored.extensionCount == 1)

            clock.advance(to: stored.endsAt)
            #expect(try await service.closeDue().sold == 1)
            let closed = try await service.lot(lot.id, for: .commandLineOperator).view.lot
            #expect(closed.result?.hammerPriceFen == opening + Int64(Self.bidderCount - 1) * increment, "the highest bid is always accepted, and wins at its amount")
            #expect(closed.result?.winnerFirmID == firms.last?.id)
            let replay = try await service.replay(lot.id)
            #expect(replay.isClean, "\(replay)")
            #expect(replay.commandCount == Self.bidderCount * 2 + 1)
            for firm in firms.dropLast() { #expect(try await service.depositBalance(of: firm.id) == lot.depositFen, "released") }
            #expect(try await pool.withConnection { try LedgerAudit(connection: $0).verify(atMs: Int64(Date().timeIntervalSince1970 * 1000)).isClean })
            await pool.close()
        }
    }

    /// Two servers' clocks closing the same due lots at once: each lot is closed by one of them.
    @Test func twoServersClosingTheSameLotsCloseEachOnce() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool(size: 8)
            let clock = AuctionTestClock()
            let lotCount = 6
            var lots: [LotID] = []
            let store = PostgresMarketStore(pool: pool)
            let service = AuctionService(store: store, settings: clock.settings(noticeSecondsMin: 0))
            let listings: [Int64] = try await pool.withConnection { connection in
                try connection.query(
                    "SELECT id FROM listings WHERE status = 'published' AND 'assignment' = ANY (transfer_modes) ORDER BY id LIMIT $1", Int64(lotCount)
                ).map { try $0.decode("id") }
            }
            try #require(listings.count == lotCount)
            let t0 = clock.read()
            let session = try await service.openSession(
                SessionRequest(title: "双服务器专场", noticeAt: t0.addingTimeInterval(60), startsAt: t0.addingTimeInterval(120)), by: .commandLineOperator)
            for id in listings {
                let listing = try #require(try await store.listing(ListingID(id)))
                let lot = try await service.addLot(
                    to: session.id,
                    LotTerms(
                        listingID: listing.id, format: .english, openingPriceFen: 1_000_00, reserveFen: 1_000_00, incrementFen: 100,
                        startsAt: t0.addingTimeInterval(120), endsAt: t0.addingTimeInterval(180)),
                    by: .commandLineOperator
                ).lot
                _ = try await service.consent(lot.id, excludedGroupCodes: [], by: .commandLine(actingFor: try #require(try await store.party(listing.institutionID))))
                lots.append(lot.id)
            }
            clock.advance(to: t0.addingTimeInterval(181))
            let one = AuctionService(store: store, settings: clock.settings())
            let other = AuctionService(store: PostgresMarketStore(pool: pool), settings: clock.settings())
            async let first = one.closeDue()
            async let second = other.closeDue()
            let reports = try await [first, second]
            #expect(reports.map(\.closed).reduce(0, +) == lotCount, "\(reports)")
            for id in lots {
                let commands = try await service.replay(id)
                #expect(commands.commandCount == 1, "one close each")
                #expect(commands.isClean)
            }
            await pool.close()
        }
    }
}
