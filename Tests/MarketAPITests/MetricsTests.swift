import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import HummingbirdTesting
@testable import MarketAPI
import Postgres
import PostgresStore
import Synchronization
import Testing
import TestSupport

/// `GET /metrics`: the operator's only, and its families move with the work. The registry is the
/// process's and other suites run beside this one, so each figure is checked to have moved by at
/// least what this test did, between two scrapes.
@Suite struct MetricsTests {
    /// The value of the sample `name{labels}` (labels as written out, sorted), or 0 when absent.
    static func sample(_ text: String, _ series: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1)) ?? .nan
        }
        return 0
    }

    @Test func onlyAnAdminReadsThemAndTheyMoveWithTheWork() async throws {
        let keys = try DemoKeys.load()
        try await TestDatabase.with { database in
            OperatorMetrics.bootstrap()
            let poolName = "metrics-test-\(UUID().uuidString.prefix(8))"
            let poolMetrics = PoolMetrics(name: poolName)
            // The API's pool, and a pool of one connection waited for `waitMs`, whose figures the
            // test reads: it makes one caller wait there and one time out. Apart, so that the
            // API's own requests on a busy machine neither wait there nor time out.
            let pool = PostgresPool(.init(conninfo: database.conninfo, connectionCountMax: 4))
            let waitMs = 1_000
            let waited = PostgresPool(.init(conninfo: database.conninfo, connectionCountMax: 1, acquireTimeoutMs: waitMs, observer: poolMetrics))
            let router = buildRouter(store: PostgresMarketStore(pool: pool), fairUse: testFairUse, beforeMetricsScrape: { poolMetrics.sample(waited) })
            try await Application(router: router).test(.router) { client in
                let api = APIClient(client: client)
                #expect(try await api.send(.get, "/metrics").status == .unauthorized)
                #expect(try await api.send(.get, "/metrics", key: keys.firm).status == .forbidden)
                let before = try await api.send(.get, "/metrics", key: keys.admin)
                #expect(before.status == .ok)
                #expect(before.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")

                #expect(try await api.send(.get, "/v1/regions").status == .ok)
                let programs = try await api.send(.get, "/v1/voucher-programs", key: keys.regulator)
                let programID = try #require(programs.items.first { $0["issuerRegion"] as? String == "330521" }?["id"] as? Int)
                let firmID = try #require((try await api.send(.get, "/v1/me", key: keys.firm).object["party"] as? [String: Any])?["id"] as? Int)
                let labID = try #require((try await api.send(.get, "/v1/me", key: keys.provider).object["party"] as? [String: Any])?["id"] as? Int)
                let issued = try await api.send(
                    .post, "/v1/voucher-programs/\(programID)/vouchers", key: keys.regulator, json: ["firmId": firmID, "faceValueFen": 10_000],
                    headers: VouchersAPITests.idempotency())
                let number = try #require(issued.object["number"] as? String, "\(issued.text)")
                let redeemKey = VouchersAPITests.idempotency()
                let body: [String: Any] = [
                    "providerId": labID, "contractReference": "METRICS-1", "contractAmountFen": 400, "voucherAmountFen": 200, "ownPaymentFen": 200,
                ]
                #expect(try await api.send(.post, "/v1/vouchers/\(number)/redemptions", key: keys.firm, json: body, headers: redeemKey).status == .created)
                // A replay moves no money and counts nothing.
                let replayed = try await api.send(.post, "/v1/vouchers/\(number)/redemptions", key: keys.firm, json: body, headers: redeemKey)
                #expect(replayed.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                // An offer at the ask fills; one in a mode the listing does not offer is refused; the
                // deal's contract is registered.
                let listing = try await OffersAPITests.publishedListing(api, owner: keys.owner, modes: ["licence_non_exclusive"], askFen: 50_000)
                #expect(try await OffersAPITests.offer(api, listing: listing, key: keys.firm, mode: "assignment", priceFen: 50_000).status.code == 422)
                let filled = try await OffersAPITests.offer(api, listing: listing, key: keys.firm, mode: "licence_non_exclusive", priceFen: 50_000)
                let contractID = try #require((filled.object["deal"] as? [String: Any])?["contractId"] as? Int, "\(filled.text)")
                let registered = try await api.send(
                    .post, "/v1/contracts/\(contractID)/registration", key: keys.regulator, headers: VouchersAPITests.idempotency())
                #expect(registered.status == .ok, "\(registered.text)")
                // A transfer from an account that does not exist: group-committed, and refused by the ledger.
                let ledger = PostgresLedgerStore(pool: pool)
                let stray = Transfer(
                    id: TransferID(UInt128(UInt64.random(in: 1...UInt64.max))), debitAccountID: AccountID(9_999_999_001),
                    creditAccountID: AccountID(9_999_999_002), amountFen: 1, code: 1)
                #expect(try await ledger.submit([stray], atMs: 1) == [.refused(.debitAccountNotFound)])

                // The one connection held: a second caller waits for it (well within its wait), a
                // third is still waiting when its wait runs out. Each asks only once the holder
                // holds: a fixed sleep let a loaded machine run it first, waiting for nothing.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (holdSeconds, outwaits) in [(0.3, false), (Double(waitMs) / 1_000 + 0.5, true)] {
                        let held = Atomic<Bool>(false)
                        group.addTask {
                            try await waited.withConnection { _ in
                                held.store(true, ordering: .releasing)
                                Thread.sleep(forTimeInterval: holdSeconds)
                            }
                        }
                        while !held.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(5)) }
                        if outwaits {
                            group.addTask { await #expect(throws: PostgresError.self) { try await waited.withConnection { _ in } } }
                        } else {
                            group.addTask { try await waited.withConnection { _ in } }
                        }
                        try await group.waitForAll()
                    }
                }

                let after = try await api.send(.get, "/metrics", key: keys.admin)
                let (old, new) = (before.text, after.text)
                func moved(_ series: String) -> Double { Self.sample(new, series) - Self.sample(old, series) }
                #expect(moved(#"hb_requests{http_route="/v1/regions",http_request_method="GET",http_response_status_code="200"}"#) >= 1)
                // Counted once the answer is written, which may come after the next request has begun.
                #expect(Self.sample(new, #"hb_requests{http_route="/metrics",http_request_method="GET",http_response_status_code="403"}"#) >= 1)
                #expect(new.contains(#"http_server_request_duration_bucket{http_route="/v1/regions",http_request_method="GET",http_response_status_code="200",le="+Inf"}"#))
                #expect(moved(#"techmarket_market_vouchers_issued_total"#) >= 1)
                #expect(moved(#"techmarket_market_redemptions_total{step="held"}"#) >= 1)
                #expect(moved(#"techmarket_market_offers_total{outcome="matched"}"#) >= 1)
                #expect(moved(#"techmarket_market_offers_total{outcome="refused"}"#) >= 1)
                #expect(moved(#"techmarket_market_contracts_registered_total"#) >= 1)
                #expect(moved(#"techmarket_ledger_transfers_total{result="applied"}"#) >= 2)
                #expect(moved(#"techmarket_ledger_transfers_total{result="refused"}"#) >= 1)
                #expect(moved(#"techmarket_ledger_refusals_total{reason="debit_account_not_found"}"#) >= 1)
                #expect(moved(#"techmarket_ledger_batch_transfers_count"#) >= 1)
                #expect(moved(#"techmarket_ledger_commit_seconds_count{way="locked_first"}"#) >= 1)
                #expect(moved(#"techmarket_ledger_commit_seconds_count{way="use_case"}"#) >= 2)
                #expect(Self.sample(new, #"techmarket_pool_wait_seconds_count{pool="\#(poolName)"}"#) == 1)
                #expect(Self.sample(new, #"techmarket_pool_acquire_timeouts_total{pool="\#(poolName)"}"#) == 1)
                #expect(Self.sample(new, #"techmarket_pool_connections_max{pool="\#(poolName)"}"#) == 1)
                #expect(Self.sample(new, #"techmarket_pool_connections{pool="\#(poolName)",state="idle"}"#) == 1)
                #expect(Self.sample(new, #"techmarket_pool_connections{pool="\#(poolName)",state="in_use"}"#) == 0)
                for family in ["techmarket_market_offers_total", "techmarket_market_bids_total", "techmarket_market_lots_closed_total",
                               "techmarket_market_contracts_registered_total", "techmarket_market_stream_watchers"] {
                    #expect(new.contains("# TYPE \(family) "), "\(family) is declared")
                }
            }
            await pool.close()
            await waited.close()
        }
    }
}
