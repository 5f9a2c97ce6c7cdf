import Foundation
import HTTPTypes
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// Auction sessions over HTTP end to end: the operator opens a session and a lot, the institute
/// consents, deposits arrive, firms register and bid, anti-sniping extends the end, the close
/// makes the contract and moves every deposit, and the replay audit and the ledger verify.
@Suite struct AuctionsAPITests {
    static func time(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    /// A session noticed an hour from now that starts 8 days from now.
    static func sessionBody(now: Date = Date(), buyerBasisPoints: Int = 0, sellerBasisPoints: Int = 0, depositBasisPoints: Int = 1_000) -> [String: Any] {
        [
            "title": "2026长三角科技成果联合拍卖·德清专场", "noticeAt": time(now.addingTimeInterval(3_600)), "startsAt": time(now.addingTimeInterval(8 * 86_400)),
            "buyerCommissionBasisPoints": buyerBasisPoints, "sellerCommissionBasisPoints": sellerBasisPoints, "depositBasisPoints": depositBasisPoints,
        ]
    }

    /// An English lot of ¥2,000,000 by ¥100,000, running the session's first hour.
    static func lotBody(listing: Int, now: Date = Date(), format: String = "english", reserveFen: Int64 = 2_000_000_00) -> [String: Any] {
        let start = now.addingTimeInterval(8 * 86_400)
        return [
            "listingId": listing, "format": format, "openingPriceFen": 2_000_000_00, "reserveFen": reserveFen, "incrementFen": 100_000_00,
            "startsAt": time(start), "endsAt": time(start.addingTimeInterval(3_600)),
        ]
    }

    static func session(
        _ api: APIClient, _ keys: DemoKeys, now: Date = Date(), buyerBasisPoints: Int = 0, sellerBasisPoints: Int = 0, depositBasisPoints: Int = 1_000,
        live: Bool = false
    ) async throws -> Int {
        var body = sessionBody(now: now, buyerBasisPoints: buyerBasisPoints, sellerBasisPoints: sellerBasisPoints, depositBasisPoints: depositBasisPoints)
        if live { body["live"] = true }
        let reply = try await api.send(.post, "/v1/sessions", key: keys.admin, json: body, headers: VouchersAPITests.idempotency())
        #expect(reply.object["live"] as? Bool == live, "\(reply.text)")
        return try #require(reply.object["id"] as? Int, "\(reply.text)")
    }

    @discardableResult
    static func deposit(_ api: APIClient, _ keys: DemoKeys, firm: Int, amountFen: Int64) async throws -> Reply {
        let reply = try await api.send(
            .post, "/v1/deposits", key: keys.admin, json: ["firmId": firm, "amountFen": amountFen, "reference": "BANK-\(UUID().uuidString.prefix(12))"],
            headers: VouchersAPITests.idempotency())
        try #require(reply.status == .created, "\(reply.text)")
        return reply
    }

    static func firmID(_ api: APIClient, key: String) async throws -> Int {
        try #require((try await api.send(.get, "/v1/me", key: key).object["party"] as? [String: Any])?["id"] as? Int)
    }

    static func listing(_ api: APIClient, _ keys: DemoKeys) async throws -> Int {
        let created = try await api.send(.post, "/v1/listings", key: keys.owner, json: validListing())
        let id = try #require(created.object["id"] as? Int, "\(created.text)")
        try #require(try await api.send(.post, "/v1/listings/\(id)/publish", key: keys.owner).status == .ok)
        return id
    }

    static func bid(_ api: APIClient, _ lot: Int, key: String, _ body: [String: Any]) async throws -> Reply {
        try await api.send(.post, "/v1/lots/\(lot)/bids", key: key, json: body, headers: VouchersAPITests.idempotency())
    }

    /// A second firm's key (deqing-xingtu), and the firm of the huayan group.
    static func otherFirmKey(_ pool: PostgresPool, handle: String = "deqing-xingtu") async throws -> (key: String, id: Int) {
        let store = PostgresMarketStore(pool: pool)
        let party = try #require(try await store.party(handle: handle))
        return (try await store.issueKey(role: .firm, party: party.id, label: "auction test").key, Int(party.id.value))
    }

    static func balance(_ pool: PostgresPool, firm: Int) async throws -> Int64 {
        try await AuctionService(store: PostgresMarketStore(pool: pool)).depositBalance(of: PartyID(Int64(firm)))
    }

    static func ledgerIsClean(_ pool: PostgresPool) async throws -> Bool {
        try await pool.withConnection { try LedgerAudit(connection: $0).verify(atMs: Int64(Date().timeIntervalSince1970 * 1000)).isClean }
    }

    /// A consented lot of a fresh listing in a fresh session, with the demo firm and deqing-xingtu
    /// registered as paddles 1 and 2, their deposits held.
    static func registeredLot(
        _ api: APIClient, _ keys: DemoKeys, _ pool: PostgresPool, now t0: Date, format: String = "english", buyerBasisPoints: Int = 0,
        sellerBasisPoints: Int = 0, depositBasisPoints: Int = 1_000, live: Bool = false
    ) async throws -> (lot: Int, listing: Int, firmA: Int, keyB: String, firmB: Int) {
        let session = try await session(
            api, keys, now: t0, buyerBasisPoints: buyerBasisPoints, sellerBasisPoints: sellerBasisPoints, depositBasisPoints: depositBasisPoints, live: live)
        let listing = try await listing(api, keys)
        let added = try await api.send(
            .post, "/v1/sessions/\(session)/lots", key: keys.admin, json: lotBody(listing: listing, now: t0, format: format), headers: VouchersAPITests.idempotency())
        let lot = try #require(added.object["id"] as? Int, "\(added.text)")
        try #require(try await api.send(.post, "/v1/lots/\(lot)/consent", key: keys.owner, json: [:] as [String: Any], headers: VouchersAPITests.idempotency()).status == .ok)
        let firmA = try await firmID(api, key: keys.firm)
        let (keyB, firmB) = try await otherFirmKey(pool)
        for firm in [firmA, firmB] { try await deposit(api, keys, firm: firm, amountFen: 200_000_00) }
        for key in [keys.firm, keyB] {
            try #require(try await api.send(.post, "/v1/lots/\(lot)/registrations", key: key, headers: VouchersAPITests.idempotency()).status == .created)
        }
        return (lot, listing, firmA, keyB, firmB)
    }

    @Test func anEnglishLotRunsFromNoticeToContractWithProxyBidsAndAnExtension() async throws {
        let keys = try DemoKeys.load()
        let t0 = Date()
        let clock = AuctionTestClock(t0)
        let settings = clock.settings()
        try await withAPI(auctions: settings) { api, pool in
            let metricsBefore = try await api.send(.get, "/metrics", key: keys.admin).text
            let session = try await Self.session(api, keys, now: t0, buyerBasisPoints: 300)
            let listing = try await Self.listing(api, keys)
            let added = try await api.send(
                .post, "/v1/sessions/\(session)/lots", key: keys.admin, json: Self.lotBody(listing: listing, now: t0, reserveFen: 2_250_000_00),
                headers: VouchersAPITests.idempotency())
            #expect(added.status == .created, "\(added.text)")
            let lot = try #require(added.object["id"] as? Int)
            #expect(added.object["depositFen"] as? Int == 200_000_00, "10% of the opening price")
            #expect(added.object["status"] as? String == "awaiting_consent")

            // The public never sees the reserve; the seller does.
            #expect(try await api.send(.get, "/v1/lots/\(lot)").object["reserveFen"] is NSNull)
            let consented = try await api.send(.post, "/v1/lots/\(lot)/consent", key: keys.owner, json: [:] as [String: Any], headers: VouchersAPITests.idempotency())
            #expect(consented.status == .ok, "\(consented.text)")
            #expect(consented.object["reserveFen"] as? Int == 2_250_000_00)
            #expect(try await api.send(.get, "/v1/listings/\(listing)").object["status"] as? String == "in_auction")

            // Two firms' deposits arrive; a firm with none cannot register.
            let firmA = try await Self.firmID(api, key: keys.firm)
            let (keyB, firmB) = try await Self.otherFirmKey(pool)
            let early = try await api.send(.post, "/v1/lots/\(lot)/registrations", key: keyB, headers: VouchersAPITests.idempotency())
            #expect(early.status == .conflict)
            #expect(early.problemCode == "deposit_not_held")
            try await Self.deposit(api, keys, firm: firmA, amountFen: 300_000_00)
            try await Self.deposit(api, keys, firm: firmB, amountFen: 200_000_00)
            let registeredA = try await api.send(.post, "/v1/lots/\(lot)/registrations", key: keys.firm, headers: VouchersAPITests.idempotency())
            #expect(registeredA.status == .created, "\(registeredA.text)")
            #expect(registeredA.object["paddle"] as? Int == 1)
            let registeredB = try await api.send(.post, "/v1/lots/\(lot)/registrations", key: keyB, headers: VouchersAPITests.idempotency())
            #expect(registeredB.object["paddle"] as? Int == 2)
            #expect(try await Self.balance(pool, firm: firmA) == 100_000_00, "the deposit went into the lot's escrow")
            #expect(try await Self.balance(pool, firm: firmB) == 0)

            // Before the start: refused, with the start.
            let tooEarly = try await Self.bid(api, lot, key: keys.firm, ["amountFen": 2_000_000_00])
            #expect(tooEarly.status == .conflict)
            #expect(tooEarly.problemCode == "lot_not_started")

            let start = t0.addingTimeInterval(8 * 86_400)
            let end = start.addingTimeInterval(3_600)
            clock.advance(to: start.addingTimeInterval(60))
            let proxy = try await Self.bid(api, lot, key: keys.firm, ["maxFen": 2_400_000_00])
            #expect(proxy.status == .created, "\(proxy.text)")
            #expect(proxy.object["standing"] as? String == "leading")
            #expect(proxy.object["yourMaximumFen"] as? Int == 2_400_000_00)
            let low = try await Self.bid(api, lot, key: keyB, ["amountFen": 2_050_000_00])
            #expect(low.status == .unprocessableContent)
            #expect(low.problemCode == "bid_too_low")
            #expect((low.object["values"] as? [String: Any])?["minimumFen"] as? Int == 2_100_000_00)
            let outbid = try await Self.bid(api, lot, key: keyB, ["amountFen": 2_200_000_00])
            #expect(outbid.object["standing"] as? String == "outbid", "the proxy answers at once")
            #expect((outbid.object["lot"] as? [String: Any])?["currentPriceFen"] as? Int == 2_300_000_00)

            // A bid in the last minute moves the end.
            clock.advance(to: end.addingTimeInterval(-30))
            let late = try await Self.bid(api, lot, key: keyB, ["amountFen": 2_500_000_00])
            #expect(late.object["standing"] as? String == "leading", "\(late.text)")
            let extendedEnd = end.addingTimeInterval(-30 + 300)
            let lotAfter = try #require(late.object["lot"] as? [String: Any])
            #expect(lotAfter["endsAt"] as? String == Self.time(extendedEnd))
            #expect(lotAfter["extensionCount"] as? Int == 1)
            #expect(lotAfter["leaderPaddle"] as? Int == 2)

            // The close waits for the extended end, and happens once.
            let service = AuctionService(store: PostgresMarketStore(pool: pool), settings: settings)
            clock.advance(to: end.addingTimeInterval(1))
            #expect(try await service.closeDue().closed == 0, "the original end is not the end any more")
            let afterEnd = try await Self.bid(api, lot, key: keys.firm, ["maxFen": 3_000_000_00])
            #expect(afterEnd.status == .created, "still open before the extended end")
            #expect(afterEnd.object["standing"] as? String == "leading")
            clock.advance(to: extendedEnd.addingTimeInterval(300))
            let tooLate = try await Self.bid(api, lot, key: keyB, ["amountFen": 9_000_000_00])
            #expect(tooLate.problemCode == "lot_ended", "\(tooLate.text)")
            let report = try await service.closeDue()
            #expect(report.closed == 1)
            #expect(report.sold == 1)
            #expect(try await service.closeDue().closed == 0, "no lot is closed twice")

            let closed = try await api.send(.get, "/v1/lots/\(lot)", key: keys.firm)
            #expect(closed.object["status"] as? String == "sold")
            let result = try #require(closed.object["result"] as? [String: Any])
            #expect(result["hammerPriceFen"] as? Int == 2_600_000_00, "the second maximum plus the increment")
            #expect(result["paddle"] as? Int == 1)
            #expect(result["buyerCommissionFen"] as? Int == 78_000_00, "3% of the hammer price")
            #expect((closed.object["you"] as? [String: Any])?["standing"] as? String == "won")
            let contractID = try #require(result["contractId"] as? Int)
            let publicResult = try #require(try await api.send(.get, "/v1/lots/\(lot)").object["result"] as? [String: Any])
            #expect(publicResult["contractId"] is NSNull, "the public sees the paddle, not the firm")
            #expect(publicResult["winnerFirmId"] is NSNull)

            let contract = try await api.send(.get, "/v1/contracts/\(contractID)", key: keys.firm)
            #expect(contract.status == .ok, "\(contract.text)")
            #expect(contract.text.contains("2678000"), "the contract is for the hammer price plus the commission: \(contract.text)")
            #expect(try await api.send(.get, "/v1/listings/\(listing)").object["status"] as? String == "transacted")
            #expect(try await Self.balance(pool, firm: firmB) == 200_000_00, "the loser's deposit is released")
            #expect(try await Self.balance(pool, firm: firmA) == 100_000_00, "the winner's deposit is applied")

            let history = try await api.send(.get, "/v1/lots/\(lot)/bids")
            #expect(history.items.map { $0["paddle"] as? Int } == [1, 2, 2, 1])
            #expect(!history.text.contains("\"firm"), "the history names paddles, never firms")

            let replay = try await service.replay(LotID(Int64(lot)))
            #expect(replay.isClean, "\(replay)")
            #expect(replay.commandCount == 10, "two registrations, seven bids (three refused, each recorded) and the close")
            #expect(try await Self.ledgerIsClean(pool))
            // The bids count in the operator's metrics: accepted and refused alike.
            let metricsAfter = try await api.send(.get, "/metrics", key: keys.admin).text
            for outcome in ["accepted", "refused"] {
                let series = #"techmarket_market_bids_total{outcome="\#(outcome)"}"#
                #expect(MetricsTests.sample(metricsAfter, series) - MetricsTests.sample(metricsBefore, series) >= 3, "\(outcome)")
            }

            // The winner does not pay by the deadline: the deposit is forfeited, the contract terminated.
            let beforeDeadline = try await api.send(.post, "/v1/lots/\(lot)/default", key: keys.admin, headers: VouchersAPITests.idempotency())
            #expect(beforeDeadline.problemCode == "not_in_default", "before the deadline: \(beforeDeadline.text)")
            clock.advance(to: extendedEnd.addingTimeInterval(300 + 10 * 86_400 + 1))
            let defaulted = try await api.send(.post, "/v1/lots/\(lot)/default", key: keys.admin, headers: VouchersAPITests.idempotency())
            #expect(defaulted.status == .ok, "\(defaulted.text)")
            #expect(defaulted.object["status"] as? String == "defaulted")
            #expect(try await api.send(.get, "/v1/contracts/\(contractID)", key: keys.firm).object["status"] as? String == "terminated")
            #expect(try await api.send(.get, "/v1/listings/\(listing)").object["status"] as? String == "published", "it may be auctioned again")
            #expect(try await Self.balance(pool, firm: firmA) == 100_000_00, "the forfeited deposit does not come back")
            #expect(try await Self.ledgerIsClean(pool))
        }
    }

    @Test func aSealedSecondPriceLotPaysTheSecondBidAndShowsOnlyTheCountUntilTheClose() async throws {
        let keys = try DemoKeys.load()
        let t0 = Date()
        let clock = AuctionTestClock(t0)
        let settings = clock.settings()
        try await withAPI(auctions: settings) { api, pool in
            let (lot, _, _, keyB, firmB) = try await Self.registeredLot(api, keys, pool, now: t0, format: "sealed_second_price")
            clock.advance(to: t0.addingTimeInterval(8 * 86_400 + 60))
            #expect(try await Self.bid(api, lot, key: keys.firm, ["amountFen": 3_000_000_00]).object["standing"] as? String == "lodged")
            #expect(try await Self.bid(api, lot, key: keyB, ["amountFen": 2_400_000_00]).status == .created)
            let twice = try await Self.bid(api, lot, key: keyB, ["amountFen": 2_600_000_00])
            #expect(twice.problemCode == "sealed_bid_twice")
            let proxy = try await Self.bid(api, lot, key: keyB, ["maxFen": 2_600_000_00])
            #expect(proxy.problemCode == "not_supported_by_format")
            let open = try await api.send(.get, "/v1/lots/\(lot)")
            #expect(open.object["bidCount"] as? Int == 2)
            #expect(open.object["currentPriceFen"] is NSNull)
            #expect(open.object["leaderPaddle"] is NSNull)
            #expect(try await api.send(.get, "/v1/lots/\(lot)/bids").items.allSatisfy { $0["priceFen"] is NSNull })

            clock.advance(to: t0.addingTimeInterval(8 * 86_400 + 3_600))
            let service = AuctionService(store: PostgresMarketStore(pool: pool), settings: settings)
            #expect(try await service.closeDue().sold == 1)
            let result = try #require(try await api.send(.get, "/v1/lots/\(lot)").object["result"] as? [String: Any])
            #expect(result["hammerPriceFen"] as? Int == 2_400_000_00, "Vickrey: the second bid")
            #expect(result["paddle"] as? Int == 1)
            let revealed = try await api.send(.get, "/v1/lots/\(lot)/bids")
            #expect(revealed.items.filter { $0["kind"] as? String == "reveal" }.map { $0["priceFen"] as? Int } == [3_000_000_00, 2_400_000_00])
            #expect(try await Self.balance(pool, firm: firmB) == 200_000_00)
            #expect(try await service.replay(LotID(Int64(lot))).isClean)
            #expect(try await Self.ledgerIsClean(pool))
        }
    }

    /// In a live session the auctioneer hammers an open English lot before its end, once no bid
    /// has come for the quiet period; it settles as its end would, and nothing is taken after it.
    @Test func theAuctioneerHammersAnEnglishLotOfALiveSessionOnceTheRoomIsQuiet() async throws {
        let keys = try DemoKeys.load()
        let t0 = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let clock = AuctionTestClock(t0)
        let settings = clock.settings()
        try await withAPI(auctions: settings) { api, pool in
            let (lot, _, firmA, keyB, _) = try await Self.registeredLot(api, keys, pool, now: t0, buyerBasisPoints: 300, live: true)
            func hammer() async throws -> Reply {
                try await api.send(.post, "/v1/lots/\(lot)/hammer", key: keys.admin, headers: VouchersAPITests.idempotency())
            }

            #expect(try await hammer().problemCode == "lot_not_started")
            let start = t0.addingTimeInterval(8 * 86_400)
            clock.advance(to: start.addingTimeInterval(60))
            #expect(try await Self.bid(api, lot, key: keys.firm, ["amountFen": 2_000_000_00]).status == .created)
            #expect(try await Self.bid(api, lot, key: keyB, ["amountFen": 2_300_000_00]).status == .created)
            let soon = try await hammer()
            #expect(soon.status == .conflict && soon.problemCode == "hammer_too_soon", "\(soon.text)")
            let quietUntilMs = Int((start.timeIntervalSince1970 + 90) * 1000)
            #expect((soon.object["values"] as? [String: Any])?["quietUntilMs"] as? Int == quietUntilMs)

            clock.advance(to: start.addingTimeInterval(90))
            let hammered = try await hammer()
            #expect(hammered.status == .ok, "\(hammered.text)")
            #expect(hammered.object["status"] as? String == "sold")
            #expect(hammered.object["endsAt"] as? String == Self.time(start.addingTimeInterval(90)), "the bidding ended at the hammer")
            let result = try #require(hammered.object["result"] as? [String: Any])
            #expect(result["hammerPriceFen"] as? Int == 2_300_000_00 && result["paddle"] as? Int == 2)
            #expect(result["buyerCommissionFen"] as? Int == 69_000_00)
            #expect(result["contractId"] is Int, "the operator sees the contract")

            let late = try await Self.bid(api, lot, key: keys.firm, ["amountFen": 2_400_000_00])
            #expect(late.problemCode == "lot_closed")
            #expect(try await hammer().problemCode == "lot_closed", "the hammer falls once")
            #expect(try await Self.balance(pool, firm: firmA) == 200_000_00, "the loser's deposit is released")
            #expect(try await AuctionService(store: PostgresMarketStore(pool: pool), settings: settings).replay(LotID(Int64(lot))).isClean)
            #expect(try await Self.ledgerIsClean(pool))
        }
    }

    /// The operator records the winner's payment of the balance due: the ledger holds the price
    /// in the seller's proceeds and the commission in the operator's; a paid lot is never in default.
    @Test func theWinnersPaymentIsTheBalanceDueAndEndsTheWaitForIt() async throws {
        let keys = try DemoKeys.load()
        let t0 = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let clock = AuctionTestClock(t0)
        let settings = clock.settings()
        try await withAPI(auctions: settings) { api, pool in
            // A 1% deposit (¥20,000) does not cover the 3% buyer's commission; the seller pays 1%.
            let (lot, _, _, keyB, _) = try await Self.registeredLot(api, keys, pool, now: t0, buyerBasisPoints: 300, sellerBasisPoints: 100, depositBasisPoints: 100)
            let start = t0.addingTimeInterval(8 * 86_400)
            clock.advance(to: start.addingTimeInterval(60))
            #expect(try await Self.bid(api, lot, key: keyB, ["amountFen": 2_300_000_00]).status == .created)
            clock.advance(to: start.addingTimeInterval(3_600))
            let service = AuctionService(store: PostgresMarketStore(pool: pool), settings: settings)
            #expect(try await service.closeDue().sold == 1)
            func pay(_ amount: Int64) async throws -> Reply {
                try await api.send(
                    .post, "/v1/lots/\(lot)/payment", key: keys.admin, json: ["amountFen": amount, "reference": "ICBC-PAY-\(amount)"],
                    headers: VouchersAPITests.idempotency())
            }
            // ¥2,300,000 + 3% − the ¥20,000 deposit (all of it to the commission at the close).
            let wrong = try await pay(2_000_000_00)
            #expect(wrong.status == .unprocessableContent && wrong.problemCode == "not_the_amount_due", "\(wrong.text)")
            #expect((wrong.object["values"] as? [String: Any])?["dueFen"] as? Int == 2_349_000_00)
            let paid = try await pay(2_349_000_00)
            #expect(paid.status == .ok, "\(paid.text)")
            #expect((paid.object["result"] as? [String: Any])?["paidAt"] as? String == Self.time(start.addingTimeInterval(3_600)))
            #expect(try await pay(2_349_000_00).problemCode == "lot_not_awaiting_payment", "paid once")

            clock.advance(to: start.addingTimeInterval(30 * 86_400))
            let late = try await api.send(.post, "/v1/lots/\(lot)/default", key: keys.admin, headers: VouchersAPITests.idempotency())
            #expect(late.problemCode == "not_in_default", "a paid winner is not in default: \(late.text)")
            func balance(_ kind: String, owner: Int64) async throws -> Int64 {
                try await pool.withConnection { connection in
                    try connection.query(
                        """
                        SELECT a.credits_posted_fen - a.debits_posted_fen AS balance FROM auction_accounts k JOIN ledger_accounts a ON a.id = k.account_id
                        WHERE k.kind = $1 AND k.owner = $2
                        """, kind, owner)[0].decode("balance")
                }
            }
            #expect(try await balance("proceeds", owner: Int64(lot)) == 2_277_000_00, "the hammer price less the seller's 1%")
            #expect(try await balance("commission", owner: 0) >= 69_000_00 + 23_000_00, "both commissions are the operator's")
            #expect(try await service.replay(LotID(Int64(lot))).isClean)
            #expect(try await Self.ledgerIsClean(pool))
        }
    }

    /// A refused bid is a command of the lot's log, so its key keeps the refusal: sent again, it
    /// is answered the same, replayed, and not run or logged a second time.
    @Test func aRefusedBidsKeyIsAnsweredTheSameAndTheBidIsLoggedOnce() async throws {
        let keys = try DemoKeys.load()
        let t0 = Date()
        let clock = AuctionTestClock(t0)
        try await withAPI(auctions: clock.settings()) { api, pool in
            let (lot, _, _, keyB, _) = try await Self.registeredLot(api, keys, pool, now: t0)
            clock.advance(to: t0.addingTimeInterval(8 * 86_400 + 60))
            #expect(try await Self.bid(api, lot, key: keys.firm, ["amountFen": 2_000_000_00]).status == .created)
            func commands() async throws -> Int64 {
                try await pool.withConnection { connection in
                    try connection.query("SELECT count(*) AS n FROM lot_commands WHERE lot_id = $1", Int64(lot))[0].decode("n")
                }
            }
            let key = VouchersAPITests.idempotency()
            let low = try await api.send(.post, "/v1/lots/\(lot)/bids", key: keyB, json: ["amountFen": 2_050_000_00], headers: key)
            #expect(low.status == .unprocessableContent, "\(low.text)")
            #expect(low.problemCode == "bid_too_low")
            let logged = try await commands()
            let again = try await api.send(.post, "/v1/lots/\(lot)/bids", key: keyB, json: ["amountFen": 2_050_000_00], headers: key)
            #expect(again.status == .unprocessableContent)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true", "\(again.text)")
            #expect(again.object["values"] as? [String: Int] == low.object["values"] as? [String: Int])
            #expect(try await commands() == logged, "the refused bid is in the log once")
        }
    }

    @Test func noSaleReleasesEveryDepositAndPublishesTheListingAgain() async throws {
        let keys = try DemoKeys.load()
        let t0 = Date()
        let clock = AuctionTestClock(t0)
        let settings = clock.settings()
        try await withAPI(auctions: settings) { api, pool in
            let session = try await Self.session(api, keys, now: t0)
            let listing = try await Self.listing(api, keys)
            let added = try await api.send(
                .post, "/v1/sessions/\(session)/lots", key: keys.admin, json: Self.lotBody(listing: listing, now: t0, reserveFen: 5_000_000_00),
                headers: VouchersAPITests.idempotency())
            let lot = try #require(added.object["id"] as? Int, "\(added.text)")
            try #require(try await api.send(.post, "/v1/lots/\(lot)/consent", key: keys.owner, json: [:] as [String: Any], headers: VouchersAPITests.idempotency()).status == .ok)
            let firmA = try await Self.firmID(api, key: keys.firm)
            try await Self.deposit(api, keys, firm: firmA, amountFen: 200_000_00)
            try #require(try await api.send(.post, "/v1/lots/\(lot)/registrations", key: keys.firm, headers: VouchersAPITests.idempotency()).status == .created)
            // The huayan group's firm may not bid on a lot whose seller declared the group its own.
            clock.advance(to: t0.addingTimeInterval(8 * 86_400 + 60))
            // The auctioneer records a floor bid for paddle 1.
            let floor = try await Self.bid(api, lot, key: keys.admin, ["amountFen": 2_000_000_00, "paddle": 1])
            #expect(floor.status == .created, "\(floor.text)")
            #expect((floor.object["events"] as? [[String: Any]])?.first?["bidKind"] as? String == "floor")
            let unknown = try await Self.bid(api, lot, key: keys.admin, ["amountFen": 2_100_000_00, "paddle": 7])
            #expect(unknown.problemCode == "unknown_paddle")
            clock.advance(to: t0.addingTimeInterval(8 * 86_400 + 3_600))
            let service = AuctionService(store: PostgresMarketStore(pool: pool), settings: settings)
            let report = try await service.closeDue()
            #expect(report.closed == 1 && report.sold == 0)
            let closed = try await api.send(.get, "/v1/lots/\(lot)")
            #expect(closed.object["status"] as? String == "unsold")
            #expect((closed.object["result"] as? [String: Any])?["noSaleReason"] as? String == "reserve_not_met")
            #expect(try await api.send(.get, "/v1/listings/\(listing)").object["status"] as? String == "published")
            #expect(try await Self.balance(pool, firm: firmA) == 200_000_00)
            #expect(try await service.replay(LotID(Int64(lot))).isClean)
            #expect(try await Self.ledgerIsClean(pool))
        }
    }

    @Test func theSellersControllerGroupMayNotRegister() async throws {
        let keys = try DemoKeys.load()
        let t0 = Date()
        try await withAPI { api, pool in
            let session = try await Self.session(api, keys, now: t0)
            let listing = try await Self.listing(api, keys)
            let added = try await api.send(
                .post, "/v1/sessions/\(session)/lots", key: keys.admin, json: Self.lotBody(listing: listing, now: t0), headers: VouchersAPITests.idempotency())
            let lot = try #require(added.object["id"] as? Int, "\(added.text)")
            let consent = try await api.send(
                .post, "/v1/lots/\(lot)/consent", key: keys.owner, json: ["excludedGroupCodes": ["huayan-group"]], headers: VouchersAPITests.idempotency())
            #expect(consent.status == .ok, "\(consent.text)")
            let (key, firm) = try await Self.otherFirmKey(pool, handle: "deqing-huayan-mg")
            try await Self.deposit(api, keys, firm: firm, amountFen: 200_000_00)
            let refused = try await api.send(.post, "/v1/lots/\(lot)/registrations", key: key, headers: VouchersAPITests.idempotency())
            #expect(refused.status == .forbidden)
            #expect(refused.problemCode == "sellers_own_side")
            // A second lot of the same listing while the first is open is refused.
            let again = try await api.send(
                .post, "/v1/sessions/\(session)/lots", key: keys.admin, json: Self.lotBody(listing: listing, now: t0), headers: VouchersAPITests.idempotency())
            #expect(again.status == .conflict)
            #expect(again.problemCode == "listing_not_published" || again.problemCode == "listing_has_open_lot")
            // The notice is at least 7 days before the start unless the server is told otherwise.
            var short = Self.sessionBody(now: t0)
            short["startsAt"] = Self.time(t0.addingTimeInterval(6 * 86_400))
            let refusedSession = try await api.send(.post, "/v1/sessions", key: keys.admin, json: short, headers: VouchersAPITests.idempotency())
            #expect(refusedSession.status == .unprocessableContent)
            #expect(refusedSession.errorFields == ["noticeAt"])
        }
    }

    /// The events of a Server-Sent Events body: (id, event name, data).
    static func serverSentEvents(_ text: String) -> [(id: Int, name: String, data: [String: Any])] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var id: Int?, name = "", data: [String: Any] = [:]
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { id = Int(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = (try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8))) as? [String: Any] ?? [:] }
            }
            return id.map { ($0, name, data) }
        }
    }

    @Test func aWatcherSeesEveryEventLiveInOrderAndAReconnectResumes() async throws {
        let keys = try DemoKeys.load()
        let t0 = Date()
        let clock = AuctionTestClock(t0)
        let settings = clock.settings()
        try await withAPI(auctions: settings) { api, pool in
            let (lot, _, _, keyB, _) = try await Self.registeredLot(api, keys, pool, now: t0)
            #expect(try await api.send(.get, "/v1/lots/999999/events").status == .notFound)
            #expect(try await api.send(.get, "/v1/lots/\(lot)/events", headers: [HTTPField.Name("Last-Event-ID")!: "x"]).status == .badRequest)

            // The watcher connects before the first bid: what it sees after its catch-up came live.
            async let watched = api.send(.get, "/v1/lots/\(lot)/events")
            try await Task.sleep(for: .milliseconds(300))
            let start = t0.addingTimeInterval(8 * 86_400)
            clock.advance(to: start.addingTimeInterval(60))
            _ = try await Self.bid(api, lot, key: keys.firm, ["maxFen": 2_400_000_00])
            _ = try await Self.bid(api, lot, key: keyB, ["amountFen": 2_200_000_00])
            clock.advance(to: start.addingTimeInterval(3_600 - 10))
            _ = try await Self.bid(api, lot, key: keyB, ["amountFen": 2_500_000_00])
            clock.advance(to: start.addingTimeInterval(3_600 + 600))
            let closedAt = ContinuousClock.now
            #expect(try await AuctionService(store: PostgresMarketStore(pool: pool), settings: settings).closeDue().closed == 1)
            let stream = try await watched
            let waited = ContinuousClock.now - closedAt
            #expect(waited < .seconds(5), "the close reached the watcher through the bell, not a heartbeat: \(waited)")
            #expect(stream.status == .ok)
            #expect(stream.headers[.contentType] == "text/event-stream")
            let events = Self.serverSentEvents(stream.text)
            #expect(events.map(\.id) == Array(1...events.count), "every event, in order: \(stream.text)")
            #expect(events.map(\.name) == ["bid", "bid", "bid", "extended", "closed"], "\(events.map(\.name))")
            #expect(events.last?.data["outcome"] as? String == "sold")
            #expect(events.last?.data["paddle"] as? Int == 2)

            // A reconnect with Last-Event-ID gets the rest from the record, and ends with the close.
            let resumed = try await api.send(.get, "/v1/lots/\(lot)/events", headers: [HTTPField.Name("Last-Event-ID")!: "3"])
            #expect(Self.serverSentEvents(resumed.text).map(\.id) == [4, 5])
        }
    }

    @Test func aDutchLotSellsToTheFirstAcceptanceAtThePriceOfTheMoment() async throws {
        let keys = try DemoKeys.load()
        let t0 = Date()
        let clock = AuctionTestClock(t0)
        try await withAPI(auctions: clock.settings()) { api, pool in
            let session = try await Self.session(api, keys, now: t0)
            let listing = try await Self.listing(api, keys)
            var body = Self.lotBody(listing: listing, now: t0, format: "dutch", reserveFen: 1_500_000_00)
            body["dutchIntervalSeconds"] = 60
            let added = try await api.send(.post, "/v1/sessions/\(session)/lots", key: keys.admin, json: body, headers: VouchersAPITests.idempotency())
            let lot = try #require(added.object["id"] as? Int, "\(added.text)")
            #expect(added.object["reserveFen"] as? Int == 1_500_000_00, "a Dutch lot's floor is its public schedule")
            try #require(try await api.send(.post, "/v1/lots/\(lot)/consent", key: keys.owner, json: [:] as [String: Any], headers: VouchersAPITests.idempotency()).status == .ok)
            let firmA = try await Self.firmID(api, key: keys.firm)
            let (keyB, firmB) = try await Self.otherFirmKey(pool)
            for firm in [firmA, firmB] { try await Self.deposit(api, keys, firm: firm, amountFen: 200_000_00) }
            for key in [keys.firm, keyB] {
                try #require(try await api.send(.post, "/v1/lots/\(lot)/registrations", key: key, headers: VouchersAPITests.idempotency()).status == .created)
            }
            // Three minutes in, the price has fallen three steps of ¥100,000.
            clock.advance(to: t0.addingTimeInterval(8 * 86_400 + 180))
            #expect(try await api.send(.get, "/v1/lots/\(lot)").object["currentPriceFen"] as? Int == 1_700_000_00)
            let amount = try await Self.bid(api, lot, key: keyB, ["amountFen": 1_700_000_00])
            #expect(amount.problemCode == "not_supported_by_format")
            let accepted = try await Self.bid(api, lot, key: keyB, ["accept": true])
            #expect(accepted.status == .created, "\(accepted.text)")
            #expect(accepted.object["standing"] as? String == "won")
            #expect((accepted.object["lot"] as? [String: Any])?["status"] as? String == "sold", "the first acceptance closes the lot at once")
            let late = try await Self.bid(api, lot, key: keys.firm, ["accept": true])
            #expect(late.problemCode == "lot_closed")
            let result = try #require(try await api.send(.get, "/v1/lots/\(lot)").object["result"] as? [String: Any])
            #expect(result["hammerPriceFen"] as? Int == 1_700_000_00)
            #expect(result["paddle"] as? Int == 2)
            #expect(try await Self.balance(pool, firm: firmA) == 200_000_00, "the other deposit is released at the acceptance")
            #expect(try await AuctionService(store: PostgresMarketStore(pool: pool), settings: clock.settings()).replay(LotID(Int64(lot))).isClean)
            #expect(try await Self.ledgerIsClean(pool))
        }
    }
}
