import Foundation
import HTTPTypes
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// Offers over HTTP on the real store: listed-price deals, negotiation, the refusals, and many
/// firms at once on one listing (docs/offers.md).
@Suite struct OffersAPITests {
    let keys: DemoKeys

    init() throws { keys = try DemoKeys.load() }

    static func idempotency(_ key: String = UUID().uuidString) -> HTTPFields { [HTTPField.Name("Idempotency-Key")!: key] }

    static var inADay: String { ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400)) }

    /// A published listing of the demo institution (`keys.owner`) with these modes and ask.
    static func publishedListing(_ api: APIClient, owner: String, modes: [String], askFen: Int64?) async throws -> Int {
        var body = validListing()
        body["transferModes"] = modes
        body["askingPriceFen"] = askFen.map { $0 as Any } ?? NSNull()
        body["negotiable"] = askFen == nil
        let created = try await api.send(.post, "/v1/listings", key: owner, json: body)
        #expect(created.status == .created, "\(created.text)")
        let id = try #require(created.object["id"] as? Int)
        let published = try await api.send(.post, "/v1/listings/\(id)/publish", key: owner)
        #expect(published.status == .ok, "\(published.text)")
        return id
    }

    static func offer(_ api: APIClient, listing: Int, key: String, mode: String, priceFen: Int64, terms: String = "") async throws -> Reply {
        try await api.send(
            .post, "/v1/listings/\(listing)/offers", key: key,
            json: ["mode": mode, "priceFen": priceFen, "terms": terms, "validUntil": inADay], headers: idempotency())
    }

    /// `count` new firms of Deqing, each with a key.
    static func firms(_ count: Int, pool: PostgresPool) async throws -> [String] {
        let store = PostgresMarketStore(pool: pool)
        var keys: [String] = []
        for i in 0..<count {
            let party = try await store.register(NewParty(
                handle: "offer-firm-\(i)", kind: .firm, name: "德清测试企业\(i)号", regionCode: RegionCode("330521")!,
                creditCode: creditCode(serial: i)))
            keys.append(try await store.issueKey(role: .firm, party: party.id, label: "offers test").key)
        }
        return keys
    }

    /// A valid unified social credit code of Deqing with this serial: the check character is the one the code asks for.
    static func creditCode(serial: Int) -> String {
        let stem = "91330521" + String(format: "MA%06dX", serial)
        do { return try SocialCreditCode(stem + "0").value } catch {
            if case .wrongCheckCharacter(let expected, _) = error { return stem + String(expected) }
            return stem + "0"
        }
    }

    /// Every book of the listing replays to its recorded events.
    static func expectReplaysClean(_ listing: Int, pool: PostgresPool) async throws {
        let books = try await OfferService(store: PostgresMarketStore(pool: pool)).replay(ListingID(Int64(listing)))
        #expect(!books.isEmpty)
        for book in books { #expect(book.firstDifference == nil, "\(book.mode.rawValue): \(String(describing: book.firstDifference))") }
    }

    /// The README's walk-through: a firm offers at the ask and gets the licence at once; another
    /// negotiates a negotiable listing through a counter to a deal; both are signed contracts.
    @Test func aFirmBuysAtTheAskAndAnotherNegotiatesToADeal() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let firms = try await Self.firms(1, pool: pool)
            let licensed = try await Self.publishedListing(api, owner: keys.owner, modes: ["licence_non_exclusive"], askFen: 50_000_00)
            let bought = try await Self.offer(api, listing: licensed, key: keys.firm, mode: "licence_non_exclusive", priceFen: 50_000_00)
            #expect(bought.status == .created, "\(bought.text)")
            #expect(bought.object["status"] as? String == "filled")
            let deal = try #require(bought.object["deal"] as? [String: Any])
            #expect(deal["priceFen"] as? Int == 50_000_00)
            #expect(deal["seat"] as? Int == 1)
            #expect(deal["contractId"] as? Int != nil)
            #expect(bought.headers[.location] == "/v1/offers/\(bought.object["id"] as? Int ?? 0)")
            let contract = try await api.send(.get, "/v1/contracts/\(deal["contractId"] as? Int ?? 0)", key: keys.firm)
            #expect(contract.object["status"] as? String == "signed", "\(contract.text)")
            #expect(contract.object["type"] as? String == "licence")
            #expect(contract.object["totalFen"] as? Int == 50_000_00)
            #expect(contract.object["technologyFen"] as? Int == 50_000_00)
            #expect((contract.object["source"] as? [String: Any])?["kind"] as? String == "offer")
            #expect((contract.object["source"] as? [String: Any])?["id"] as? Int == bought.object["id"] as? Int)
            #expect(contract.object["listingId"] as? Int == licensed)
            let soldOut = try await api.send(.get, "/v1/listings/\(licensed)", key: keys.owner)
            #expect(soldOut.object["status"] as? String == "transacted", "its one seat is sold")

            let negotiable = try await Self.publishedListing(api, owner: keys.owner, modes: ["assignment"], askFen: nil)
            let opened = try await Self.offer(api, listing: negotiable, key: firms[0], mode: "assignment", priceFen: 800_000_00, terms: "分三期付款")
            #expect(opened.object["status"] as? String == "open", "\(opened.text)")
            #expect(opened.object["awaiting"] as? String == "institution")
            let offerID = try #require(opened.object["id"] as? Int)
            let countered = try await api.send(
                .post, "/v1/offers/\(offerID)/counter", key: keys.owner, json: ["priceFen": 1_000_000_00, "terms": "一次付清"], headers: Self.idempotency())
            #expect(countered.object["status"] as? String == "countered", "\(countered.text)")
            #expect((countered.object["counter"] as? [String: Any])?["priceFen"] as? Int == 1_000_000_00)
            let back = try await api.send(
                .post, "/v1/offers/\(offerID)/counter", key: firms[0], json: ["priceFen": 900_000_00], headers: Self.idempotency())
            #expect(back.object["status"] as? String == "open", "\(back.text)")
            #expect(back.object["priceFen"] as? Int == 900_000_00)
            let accepted = try await api.send(.post, "/v1/offers/\(offerID)/accept", key: keys.owner, headers: Self.idempotency())
            #expect(accepted.status == .ok, "\(accepted.text)")
            #expect(accepted.object["status"] as? String == "filled")
            #expect((accepted.object["deal"] as? [String: Any])?["priceFen"] as? Int == 900_000_00)
            let steps = try #require(accepted.object["steps"] as? [[String: Any]]).map { $0["kind"] as? String ?? "" }
            #expect(steps == ["offered", "countered", "countered_back", "accepted"])

            let read = try await api.send(.get, "/v1/offers/\(offerID)", key: firms[0])
            #expect(read.text == accepted.text, "the read is the answer, byte for byte")
            let mine = try await api.send(.get, "/v1/offers?status=filled", key: firms[0])
            #expect(mine.items.map { $0["id"] as? Int } == [offerID], "a firm sees its own offers only")
            for listing in [licensed, negotiable] {
                let onMyListing = try await api.send(.get, "/v1/offers?status=filled&listingId=\(listing)", key: keys.owner)
                #expect(onMyListing.items.count == 1, "the institution sees the offers on its listings")
            }
            try await Self.expectReplaysClean(licensed, pool: pool)
            try await Self.expectReplaysClean(negotiable, pool: pool)
        }
    }

    @Test func eachSideMayMakeOnlyItsOwnMoves() async throws {
        let keys = keys
        try await withAPI { api, _ in
            let listing = try await Self.publishedListing(api, owner: keys.owner, modes: ["assignment"], askFen: 1_000_000_00)
            let byInstitution = try await Self.offer(api, listing: listing, key: keys.owner, mode: "assignment", priceFen: 1_000_000_00)
            #expect(byInstitution.status == .forbidden, "an institution cannot offer on its own listing: \(byInstitution.text)")
            let wrongMode = try await Self.offer(api, listing: listing, key: keys.firm, mode: "equity", priceFen: 10)
            #expect(wrongMode.status == .unprocessableContent)
            #expect(wrongMode.problemCode == "mode_not_offered")

            let opened = try await Self.offer(api, listing: listing, key: keys.firm, mode: "assignment", priceFen: 600_000_00)
            let id = try #require(opened.object["id"] as? Int)
            let again = try await Self.offer(api, listing: listing, key: keys.firm, mode: "assignment", priceFen: 700_000_00)
            #expect(again.status == .conflict)
            #expect(again.problemCode == "open_offer_exists")
            #expect((again.object["values"] as? [String: Any])?["offerId"] as? Int == id)

            let ownAccept = try await api.send(.post, "/v1/offers/\(id)/accept", key: keys.firm, headers: Self.idempotency())
            #expect(ownAccept.status == .conflict, "a firm cannot accept its own offer")
            #expect(ownAccept.problemCode == "not_your_turn")
            let otherInstitution = try await api.send(.post, "/v1/offers/\(id)/accept", key: keys.otherInstitution, headers: Self.idempotency())
            #expect(otherInstitution.status == .notFound, "another institution does not see the offer")
            let admin = try await api.send(.post, "/v1/offers/\(id)/accept", key: keys.admin, headers: Self.idempotency())
            #expect(admin.status == .forbidden, "the operator reads offers but moves for neither side")
            let regulator = try await api.send(.get, "/v1/offers/\(id)", key: keys.regulator)
            #expect(regulator.status == .forbidden)
            let highCounter = try await api.send(
                .post, "/v1/offers/\(id)/counter", key: keys.owner, json: ["priceFen": 1_000_000_00], headers: Self.idempotency())
            #expect(highCounter.problemCode == "counter_at_or_above_ask")
            #expect((highCounter.object["values"] as? [String: Any])?["askFen"] as? Int == 1_000_000_00)
            let noReason = try await api.send(.post, "/v1/offers/\(id)/reject", key: keys.owner, json: [String: Any](), headers: Self.idempotency())
            #expect(noReason.status == .badRequest)
            #expect(noReason.errorFields == ["reason"])
            let noKey = try await api.send(.post, "/v1/offers/\(id)/reject", key: keys.owner, json: ["reason": "价格过低"])
            #expect(noKey.problemCode == "idempotency_key_required")

            let retryKey = Self.idempotency()
            let rejected = try await api.send(.post, "/v1/offers/\(id)/reject", key: keys.owner, json: ["reason": "价格过低"], headers: retryKey)
            #expect(rejected.object["status"] as? String == "rejected", "\(rejected.text)")
            let replayed = try await api.send(.post, "/v1/offers/\(id)/reject", key: keys.owner, json: ["reason": "价格过低"], headers: retryKey)
            #expect(replayed.text == rejected.text)
            #expect(replayed.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let late = try await api.send(.post, "/v1/offers/\(id)/withdraw", key: keys.firm, headers: Self.idempotency())
            #expect(late.problemCode == "offer_not_live")
            let anew = try await Self.offer(api, listing: listing, key: keys.firm, mode: "assignment", priceFen: 700_000_00)
            #expect(anew.status == .created, "after a rejection the firm may offer again: \(anew.text)")
        }
    }

    /// With continuous matching the first offer to arrive takes the one seat and the rest are
    /// refused as sold out; none is left live.
    @Test func sixtyFourFirmsAtOnceOnAOneSeatListingMakeOneDeal() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let firms = try await Self.firms(64, pool: pool)
            let listing = try await Self.publishedListing(api, owner: keys.owner, modes: ["licence_exclusive"], askFen: 300_000_00)
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for (i, firm) in firms.enumerated() {
                    group.addTask { try await Self.offer(api, listing: listing, key: firm, mode: "licence_exclusive", priceFen: 300_000_00 + Int64(i)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.filter { $0.status == .created && $0.object["status"] as? String == "filled" }.count == 1)
            #expect(replies.filter { $0.problemCode == "sold_out" }.count == 63, "\(Set(replies.map(\.text)).prefix(3))")
            let live = try await pool.withConnection { connection in
                try connection.query("SELECT count(*) AS n FROM offers WHERE listing_id = $1 AND status IN ('open', 'countered')", Int64(listing))[0]
                    .decode("n", as: Int.self)
            }
            #expect(live == 0)
            try await Self.expectReplaysClean(listing, pool: pool)
        }
    }

    /// With an offer window, 64 offers collect; at the close the highest price (the earlier on a
    /// tie) takes each seat and every other offer expires.
    @Test(arguments: [1, 5])
    func anOfferWindowFillsItsSeatsInPriorityOrderAtTheClose(seats: Int) async throws {
        let keys = keys
        try await withAPI { api, pool in
            let firms = try await Self.firms(64, pool: pool)
            let listing = try await Self.publishedListing(
                api, owner: keys.owner, modes: [seats == 1 ? "licence_exclusive" : "licence_non_exclusive"], askFen: 100_000_00)
            let mode = seats == 1 ? "licence_exclusive" : "licence_non_exclusive"
            let closes = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3_600))
            let terms = try await api.send(
                .patch, "/v1/listings/\(listing)/sale-terms", key: keys.owner, json: ["licenceSeats": seats, "offerWindowClosesAt": closes],
                headers: Self.idempotency())
            #expect(terms.status == .ok, "\(terms.text)")
            // Prices repeat in fours, so that ties are decided by arrival.
            let prices = (0..<64).map { 100_000_00 + Int64($0 % 16) * 1_000_00 }
            var ids: [Int] = []
            for (i, firm) in firms.enumerated() {
                let reply = try await Self.offer(api, listing: listing, key: firm, mode: mode, priceFen: prices[i])
                #expect(reply.object["status"] as? String == "open", "\(reply.text)")
                ids.append(try #require(reply.object["id"] as? Int))
            }
            let store = PostgresMarketStore(pool: pool)
            #expect(try await OfferService(store: store).closeDue().windowsClosed == 0, "the window is still open")
            try await pool.withConnection { connection in
                _ = try connection.query("UPDATE offer_books SET window_closes_at = now() - interval '1 second' WHERE listing_id = $1", Int64(listing))
            }
            let report = try await OfferService(store: store).closeDue()
            #expect(report.windowsClosed == 1)
            #expect(report.deals == seats)
            let expected = ids.indices.sorted { prices[$0] > prices[$1] || (prices[$0] == prices[$1] && $0 < $1) }.prefix(seats).map { ids[$0] }
            let filled = try await api.send(.get, "/v1/offers?status=filled&listingId=\(listing)", key: keys.owner)
            let bySeat = filled.items.sorted { (($0["deal"] as? [String: Any])?["seat"] as? Int ?? 0) < (($1["deal"] as? [String: Any])?["seat"] as? Int ?? 0) }
            #expect(bySeat.map { $0["id"] as? Int } == expected.map { Optional($0) })
            let expired = try await api.send(.get, "/v1/offers?status=expired&listingId=\(listing)&limit=100", key: keys.owner)
            #expect(expired.items.count == 64 - seats)
            try await Self.expectReplaysClean(listing, pool: pool)
        }
    }
}
