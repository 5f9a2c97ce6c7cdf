import Foundation
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// The demo auctions (Fixtures/auctions.json) loaded through the use cases: a lot of each format
/// in each state the demo promises, every lot's record replaying clean, the ledger verifying,
/// and a second load adding nothing.
@Suite struct AuctionFixtureTests {
    @Test func theDemoSessionsHoldLotsInEveryStateAndReplayClean() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool(size: 2)
            let store = PostgresMarketStore(pool: pool)
            let fixture = try AuctionFixture.load(from: ProjectPaths.fixtures)
            let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            let load = try await store.load(fixture, now: now)
            #expect(load == PostgresMarketStore.AuctionFixtureLoad(sessions: 2, lots: 7, bids: 10))

            let service = AuctionService(store: store, settings: AuctionSettings(clock: { now }))
            let views = try await service.lots(for: .commandLineOperator, page: PageRequest(limit: 100))
            let references = try await pool.withConnection { connection in
                try Dictionary(uniqueKeysWithValues: connection.query(
                    "SELECT l.id, s.reference FROM lots l JOIN listings s ON s.id = l.listing_id"
                ).map { (try $0.decode("id") as Int64, try $0.decode("reference") as String) })
            }
            var lots: [String: Lot] = [:]
            for view in views { lots[references[view.lot.id.value] ?? ""] = view.lot }
            #expect(lots.count == 7)
            #expect(try await service.sessions().map(\.live) == [true, false], "the joint session is run live, with the hammer")
            #expect(Set(lots.values.map(\.terms.format)) == Set(LotFormat.allCases), "a lot of every format")
            #expect(Set(lots.values.map { $0.phase(at: now) }) == ["sold", "unsold", "open", "noticed"])

            // Closed sold, after an extension: the second maximum was beaten by a manual bid.
            let sold = try #require(lots["CASDQ-2025-008"])
            #expect(sold.status == .sold && sold.extensionCount == 1)
            #expect(sold.result?.hammerPriceFen == 2_600_000_00 && sold.result?.winnerPaddle == 1)
            #expect(sold.result?.buyerCommissionFen == 78_000_00, "3% of the hammer price")
            #expect(sold.result?.contractID != nil)
            #expect(sold.result?.closedAt == sold.endsAt.addingTimeInterval(1), "closed at its end, as the server's clock would")
            #expect(lots["ZJUDQ/2025/006"]?.result?.noSaleReason == "reserve_not_met")
            // Open, the proxy leading; open and extended by a bid in its last hour.
            #expect(lots["SZNM-2025-002"]?.phase(at: now) == "open")
            #expect(lots["SZNM-2025-002"]?.leaderPaddle == 1 && lots["SZNM-2025-002"]?.currentPriceFen == 1_850_000_00)
            let extended = try #require(lots["THU-DQ.M2025.06"])
            #expect(extended.phase(at: now) == "open" && extended.extensionCount == 1)
            #expect(extended.endsAt == now.addingTimeInterval(59 * 60), "the bid a minute before the load plus the hour's window")
            #expect(lots["HFOQ-2025-002"]?.phase(at: now) == "open")
            #expect(lots["ZJTP-2025-004"]?.phase(at: now) == "noticed")
            #expect(lots["USTC-ALPHA-2025001"]?.registeredCount == 1)

            // The deposits: the sold lot's winner applied, its loser and the unsold lot's released.
            let deposits = try await pool.withConnection { connection in
                try connection.query(
                    "SELECT deposit_status, count(*) AS n FROM lot_registrations GROUP BY deposit_status"
                ).reduce(into: [String: Int64]()) { $0[try $1.decode("deposit_status")] = try $1.decode("n") }
            }
            #expect(deposits == ["applied": 1, "released": 3, "held": 7])

            for lot in lots.values {
                #expect(try await service.replay(lot.id).isClean, "lot \(lot.id)")
            }
            let clean = try await pool.withConnection { try LedgerAudit(connection: $0).verify(atMs: Int64(Date().timeIntervalSince1970 * 1000)).isClean }
            #expect(clean)
            #expect(try await store.load(fixture, now: now) == PostgresMarketStore.AuctionFixtureLoad(), "loading twice adds nothing")
        }
    }
}
