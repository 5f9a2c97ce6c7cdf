import Foundation
import HTTPTypes
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// Every operation of the OpenAPI document × every kind of caller: the status each gets. An
/// operation the document lists without a row here fails the test, so a new endpoint cannot
/// ship without its row; a row for an operation the document lacks fails it too.
@Suite struct AuthorizationMatrixTests {
    /// The callers, in the order of each row's statuses.
    static let callerNames = [
        "anonymous", "bad key", "owner", "other institution", "firm", "provider", "regulator", "other region's regulator", "admin",
    ]

    /// Statuses in `callerNames`' order.
    static func row(_ statuses: Int...) -> [String: Int] {
        precondition(statuses.count == callerNames.count, "one status per caller")
        return Dictionary(uniqueKeysWithValues: zip(callerNames, statuses))
    }

    static let open = row(200, 200, 200, 200, 200, 200, 200, 200, 200)
    static let openKeyChecked = row(200, 401, 200, 200, 200, 200, 200, 200, 200)

    /// The expected statuses of each operation, by method and path template.
    static let expected: [String: [String: Int]] = [
        "GET /health": open, "GET /v1": open, "GET /openapi.json": open,
        "GET /metrics": row(401, 401, 403, 403, 403, 403, 403, 403, 200),
        "GET /v1/regions": open, "GET /v1/regions/{code}": open, "GET /v1/alliances": open, "GET /v1/fields": open,
        "GET /v1/parties": openKeyChecked, "GET /v1/parties/{id}": openKeyChecked,
        "POST /v1/parties": row(401, 401, 403, 403, 403, 403, 403, 403, 201),
        "GET /v1/me": row(401, 401, 200, 200, 200, 200, 200, 200, 200),
        "GET /v1/listings": openKeyChecked, "GET /v1/listings/{id}": openKeyChecked,
        "POST /v1/listings": row(401, 401, 201, 201, 403, 403, 403, 403, 403),
        "PATCH /v1/listings/{id}": row(401, 401, 200, 403, 403, 403, 403, 403, 403),
        "POST /v1/listings/{id}/publish": row(401, 401, 200, 404, 403, 403, 403, 403, 403),
        "POST /v1/listings/{id}/withdraw": row(401, 401, 200, 403, 403, 403, 403, 403, 403),
        "GET /v1/voucher-programs": row(401, 401, 403, 403, 403, 403, 200, 200, 200),
        "POST /v1/voucher-programs": row(401, 401, 403, 403, 403, 403, 201, 201, 403),
        "GET /v1/voucher-programs/{id}": row(401, 401, 403, 403, 403, 403, 200, 404, 200),
        "POST /v1/voucher-programs/{id}/vouchers": row(401, 401, 403, 403, 403, 403, 201, 403, 403),
        "GET /v1/vouchers": row(401, 401, 403, 403, 200, 403, 200, 200, 200),
        "GET /v1/vouchers/{number}": row(401, 401, 403, 403, 200, 403, 200, 404, 200),
        "POST /v1/vouchers/{number}/redemptions": row(401, 401, 404, 404, 201, 404, 403, 404, 403),
        "GET /v1/redemptions": row(401, 401, 200, 200, 200, 200, 200, 200, 200),
        "GET /v1/redemptions/{id}": row(401, 401, 404, 404, 200, 200, 200, 404, 200),
        "POST /v1/redemptions/{id}/claim": row(401, 401, 404, 404, 403, 200, 403, 404, 403),
        "POST /v1/redemptions/{id}/approve": row(401, 401, 404, 404, 403, 403, 200, 404, 403),
        "POST /v1/redemptions/{id}/reject": row(401, 401, 404, 404, 403, 403, 200, 404, 403),
        "POST /v1/settlements": row(401, 401, 403, 403, 403, 403, 200, 200, 403),
        "GET /v1/settlements/{id}": row(401, 401, 404, 404, 404, 404, 200, 404, 200),
        "GET /v1/contracts": row(401, 401, 200, 200, 200, 200, 200, 200, 200),
        "POST /v1/contracts": row(401, 401, 403, 403, 403, 403, 201, 403, 403),
        "GET /v1/contracts/{id}": row(401, 401, 200, 404, 200, 404, 200, 404, 200),
        "POST /v1/contracts/{id}/registration": row(401, 401, 403, 404, 403, 404, 200, 404, 403),
        "POST /v1/contracts/{id}/changes": row(401, 401, 200, 404, 200, 404, 200, 404, 403),
        "POST /v1/contracts/{id}/termination": row(401, 401, 403, 404, 403, 404, 200, 404, 403),
        "POST /v1/listings/{id}/offers": row(401, 401, 403, 403, 201, 403, 403, 403, 403),
        "GET /v1/listings/{id}/sale-terms": openKeyChecked,
        "PATCH /v1/listings/{id}/sale-terms": row(401, 401, 200, 403, 403, 403, 403, 403, 403),
        "GET /v1/offers": row(401, 401, 200, 200, 200, 403, 403, 403, 200),
        "GET /v1/offers/{id}": row(401, 401, 200, 404, 200, 403, 403, 403, 200),
        "POST /v1/offers/{id}/accept": row(401, 401, 200, 404, 409, 403, 403, 403, 403),
        "POST /v1/offers/{id}/counter": row(401, 401, 200, 404, 409, 403, 403, 403, 403),
        "POST /v1/offers/{id}/reject": row(401, 401, 200, 404, 403, 403, 403, 403, 403),
        "POST /v1/offers/{id}/withdraw": row(401, 401, 403, 404, 200, 403, 403, 403, 403),
        "GET /v1/sessions": openKeyChecked,
        "POST /v1/sessions": row(401, 401, 403, 403, 403, 403, 403, 403, 201),
        "POST /v1/sessions/{id}/lots": row(401, 401, 403, 403, 403, 403, 403, 403, 201),
        "GET /v1/lots": openKeyChecked, "GET /v1/lots/{id}": openKeyChecked, "GET /v1/lots/{id}/bids": openKeyChecked,
        "POST /v1/lots/{id}/consent": row(401, 401, 200, 403, 403, 403, 403, 403, 403),
        "POST /v1/lots/{id}/registrations": row(401, 401, 403, 403, 201, 403, 403, 403, 403),
        // A firm's bid before the lot starts is refused by the lot (409); the auctioneer's names no paddle (422).
        "POST /v1/lots/{id}/bids": row(401, 401, 403, 403, 409, 403, 403, 403, 422),
        "POST /v1/lots/{id}/default": row(401, 401, 403, 403, 403, 403, 403, 403, 409),
        // The matrix's sessions are not live: the operator's hammer is refused by the session.
        "POST /v1/lots/{id}/hammer": row(401, 401, 403, 403, 403, 403, 403, 403, 409),
        // A payment is for a sold lot: the matrix's lot is open.
        "POST /v1/lots/{id}/payment": row(401, 401, 403, 403, 403, 403, 403, 403, 409),
        "POST /v1/deposits": row(401, 401, 403, 403, 403, 403, 403, 403, 201),
        "GET /v1/registrations": row(401, 401, 403, 403, 200, 403, 403, 403, 403),
        "GET /v1/lots/{id}/events": openKeyChecked,
        "GET /v1/volume": openKeyChecked, "GET /v1/volume/chart.svg": openKeyChecked, "GET /v1/volume/targets": openKeyChecked,
        "PUT /v1/volume/targets/{region}/{year}": row(401, 401, 403, 403, 403, 403, 200, 403, 200),
        "GET /dashboard": open,
    ]

    /// The auction clock of the matrix's server: moved past a lot's end to close it, then back.
    static let auctionClock = AuctionTestClock(Date())

    @Test func everyOperationHasARowAndEveryCallerGetsItsStatus() async throws {
        let keys = try DemoKeys.load()
        let documented = Self.documentedOperations()
        #expect(documented.count > 25)
        for operation in documented { #expect(Self.expected[operation] != nil, "\(operation) has no row in the authorization matrix") }
        for operation in Self.expected.keys { #expect(documented.contains(operation), "\(operation) is not in the OpenAPI document") }

        try await withAPI(auctions: Self.auctionClock.settings()) { api, pool in
            let store = PostgresMarketStore(pool: pool)
            let songjiangBureau = try #require(try await store.party(handle: "songjiang-kw"))
            let otherRegulator = try await store.issueKey(role: .regulator, party: songjiangBureau.id, label: "matrix").key
            let callers: [String: String?] = [
                "anonymous": nil, "bad key": "tmk_not_a_key_that_exists_0000", "owner": keys.owner, "other institution": keys.otherInstitution,
                "firm": keys.firm, "provider": keys.provider, "regulator": keys.regulator, "other region's regulator": otherRegulator,
                "admin": keys.admin,
            ]
            let fixtures = try await Fixtures.make(api: api, keys: keys, pool: pool)
            var serial = 0
            for operation in documented.sorted() {
                guard let expected = Self.expected[operation] else { continue }
                for name in Self.callerNames {
                    serial += 1
                    let key = callers[name] ?? nil
                    let reply = try await fixtures.send(operation, as: key, serial: serial)
                    #expect(Int(reply.status.code) == expected[name], "\(operation) as \(name): \(reply.status.code) \(reply.text)")
                    if reply.status.code >= 400 {
                        #expect(reply.headers[.contentType] == "application/problem+json", "\(operation) as \(name)")
                    }
                }
            }
        }
    }

    /// "METHOD /path" of every operation the document lists.
    static func documentedOperations() -> Set<String> {
        guard let paths = (OpenAPIContract.document as? [String: Any])?["paths"] as? [String: [String: Any]] else { return [] }
        var operations: Set<String> = []
        for (path, methods) in paths {
            for method in ["get", "post", "patch", "put", "delete"] where methods[method] != nil {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    /// What the requests refer to, made fresh where a caller's success would change the next
    /// caller's answer (each edit, publication, redemption, claim and decision gets its own).
    struct Fixtures {
        let api: APIClient
        let keys: DemoKeys
        let pool: PostgresPool
        let programID: Int
        let firmID: Int
        let labID: Int
        let publishedID: Int
        let settlementID: Int
        /// A registered contract the owner sells to the firm.
        let contractID: Int

        static func make(api: APIClient, keys: DemoKeys, pool: PostgresPool) async throws -> Fixtures {
            let programs = try await api.send(.get, "/v1/voucher-programs", key: keys.regulator)
            let programID = try #require(programs.items.first { $0["issuerRegion"] as? String == "330521" }?["id"] as? Int)
            let firmID = try #require((try await api.send(.get, "/v1/me", key: keys.firm).object["party"] as? [String: Any])?["id"] as? Int)
            let labID = try #require((try await api.send(.get, "/v1/me", key: keys.provider).object["party"] as? [String: Any])?["id"] as? Int)
            let settled = try await api.send(.post, "/v1/settlements", key: keys.regulator, headers: VouchersAPITests.idempotency())
            var fixtures = Fixtures(
                api: api, keys: keys, pool: pool, programID: programID, firmID: firmID, labID: labID, publishedID: 0, settlementID: 0,
                contractID: 0)
            let settlementID = try #require((settled.object["batch"] as? [String: Any])?["id"] as? Int, "the demo has claims to settle")
            fixtures = Fixtures(
                api: api, keys: keys, pool: pool, programID: programID, firmID: firmID, labID: labID,
                publishedID: try await fixtures.listing(published: true), settlementID: settlementID, contractID: try await fixtures.contract(signed: false))
            return fixtures
        }

        func listing(published: Bool) async throws -> Int {
            let reply = try await api.send(.post, "/v1/listings", key: keys.owner, json: validListing())
            let id = try #require(reply.object["id"] as? Int, "\(reply.text)")
            if published { try #require(try await api.send(.post, "/v1/listings/\(id)/publish", key: keys.owner).status == .ok) }
            return id
        }

        /// The firm's open offer, far below the ask, on a fresh listing of the owner.
        func offer() async throws -> Int {
            let listing = try await listing(published: true)
            let placed = try await api.send(
                .post, "/v1/listings/\(listing)/offers", key: keys.firm,
                json: ["mode": "assignment", "priceFen": 1, "validUntil": OffersAPITests.inADay], headers: VouchersAPITests.idempotency())
            return try #require(placed.object["id"] as? Int, "\(placed.text)")
        }

        /// A lot of a fresh listing of the owner's in a fresh session, consented when `consented`.
        func lot(consented: Bool) async throws -> Int {
            let session = try await AuctionsAPITests.session(api, keys)
            let added = try await api.send(
                .post, "/v1/sessions/\(session)/lots", key: keys.admin, json: AuctionsAPITests.lotBody(listing: try await listing(published: true)),
                headers: VouchersAPITests.idempotency())
            let id = try #require(added.object["id"] as? Int, "\(added.text)")
            if consented {
                try #require(try await api.send(.post, "/v1/lots/\(id)/consent", key: keys.owner, json: [:] as [String: Any], headers: VouchersAPITests.idempotency()).status == .ok)
            }
            return id
        }

        /// A lot closed without a sale: the auction clock moved past its end for the close, then back.
        func closedLot() async throws -> Int {
            let lot = try await lot(consented: true)
            let now = Date()
            AuthorizationMatrixTests.auctionClock.advance(to: now.addingTimeInterval(9 * 86_400))
            _ = try await AuctionService(
                store: PostgresMarketStore(pool: pool), settings: AuthorizationMatrixTests.auctionClock.settings()
            ).closeDue()
            AuthorizationMatrixTests.auctionClock.advance(to: now)
            return lot
        }

        func voucher() async throws -> String {
            let issued = try await api.send(
                .post, "/v1/voucher-programs/\(programID)/vouchers", key: keys.regulator, json: ["firmId": firmID, "faceValueFen": 1_000_00],
                headers: VouchersAPITests.idempotency())
            return try #require(issued.object["number"] as? String, "\(issued.text)")
        }

        func redemptionBody(_ serial: Int) -> [String: Any] {
            ["providerId": labID, "contractReference": "MATRIX-\(serial)", "contractAmountFen": 200, "voucherAmountFen": 100, "ownPaymentFen": 100]
        }

        /// A held redemption, claimed when `claimed`.
        func redemption(_ serial: Int, claimed: Bool) async throws -> Int {
            let number = try await voucher()
            let held = try await api.send(
                .post, "/v1/vouchers/\(number)/redemptions", key: keys.firm, json: redemptionBody(serial), headers: VouchersAPITests.idempotency())
            let id = try #require(held.object["id"] as? Int, "\(held.text)")
            if claimed {
                try #require(try await api.send(.post, "/v1/redemptions/\(id)/claim", key: keys.provider, json: ["evidence": ["报告"]]).status == .ok)
            }
            return id
        }

        /// A contract the owner sells to the firm: signed, as a deal makes it, or registered directly.
        func contract(signed: Bool) async throws -> Int {
            if signed { return try await ContractsAPITests.signedContract(pool) }
            let reply = try await api.send(
                .post, "/v1/contracts", key: keys.regulator, json: try await ContractsAPITests.directBody(pool, buyer: "deqing-mogan-equip"),
                headers: VouchersAPITests.idempotency())
            return try #require(reply.object["id"] as? Int, "\(reply.text)")
        }

        func send(_ operation: String, as caller: String?, serial: Int) async throws -> Reply {
            let idempotency = VouchersAPITests.idempotency()
            switch operation {
            case "POST /v1/parties":
                return try await api.send(
                    .post, "/v1/parties", key: caller,
                    json: [
                        "handle": "matrix-\(serial)", "kind": "provider", "name": "矩阵检测\(serial)", "regionCode": "330521",
                        "creditCode": try PartiesAPITests().validCode(prefix: "91330521MA2B7K8P3"),
                    ])
            case "POST /v1/listings":
                return try await api.send(.post, "/v1/listings", key: caller, json: validListing())
            case "PATCH /v1/listings/{id}":
                let version = try await api.send(.get, "/v1/listings/\(publishedID)").object["version"] as? Int ?? 0
                return try await api.send(.patch, "/v1/listings/\(publishedID)", key: caller, json: ["trl": 7, "version": version])
            case "POST /v1/listings/{id}/publish":
                return try await api.send(.post, "/v1/listings/\(try await listing(published: false))/publish", key: caller)
            case "POST /v1/listings/{id}/withdraw":
                return try await api.send(.post, "/v1/listings/\(try await listing(published: true))/withdraw", key: caller)
            case "POST /v1/voucher-programs":
                return try await api.send(
                    .post, "/v1/voucher-programs", key: caller,
                    json: ["year": 2027, "name": "矩阵 \(serial)", "budgetFen": 100_00, "useBy": "2027-12-31", "claimBy": "2028-03-31", "honours": ["kind": "own"]],
                    headers: idempotency)
            case "POST /v1/voucher-programs/{id}/vouchers":
                return try await api.send(
                    .post, "/v1/voucher-programs/\(programID)/vouchers", key: caller, json: ["firmId": firmID, "faceValueFen": 1_00], headers: idempotency)
            case "POST /v1/vouchers/{number}/redemptions":
                return try await api.send(
                    .post, "/v1/vouchers/\(try await voucher())/redemptions", key: caller, json: redemptionBody(serial), headers: idempotency)
            case "POST /v1/redemptions/{id}/claim":
                return try await api.send(
                    .post, "/v1/redemptions/\(try await redemption(serial, claimed: false))/claim", key: caller, json: ["evidence": ["报告"]])
            case "POST /v1/redemptions/{id}/approve":
                return try await api.send(.post, "/v1/redemptions/\(try await redemption(serial, claimed: true))/approve", key: caller, headers: idempotency)
            case "POST /v1/redemptions/{id}/reject":
                return try await api.send(
                    .post, "/v1/redemptions/\(try await redemption(serial, claimed: true))/reject", key: caller, json: ["reason": "资料不全"],
                    headers: idempotency)
            case "POST /v1/settlements":
                return try await api.send(.post, "/v1/settlements", key: caller, headers: idempotency)
            case "POST /v1/contracts":
                return try await api.send(.post, "/v1/contracts", key: caller, json: try await ContractsAPITests.directBody(pool), headers: idempotency)
            case "POST /v1/contracts/{id}/registration":
                return try await api.send(.post, "/v1/contracts/\(try await contract(signed: true))/registration", key: caller, headers: idempotency)
            case "POST /v1/contracts/{id}/changes":
                return try await api.send(
                    .post, "/v1/contracts/\(try await contract(signed: false))/changes", key: caller,
                    json: ["totalFen": 900_000_00, "nonTechnicalCosts": [] as [Any], "reason": "增加服务内容"], headers: idempotency)
            case "POST /v1/contracts/{id}/termination":
                return try await api.send(
                    .post, "/v1/contracts/\(try await contract(signed: false))/termination", key: caller, json: ["reason": "合同解除"], headers: idempotency)
            case "POST /v1/listings/{id}/offers":
                return try await api.send(
                    .post, "/v1/listings/\(try await listing(published: true))/offers", key: caller,
                    json: ["mode": "assignment", "priceFen": 1, "validUntil": OffersAPITests.inADay], headers: idempotency)
            case "PATCH /v1/listings/{id}/sale-terms":
                return try await api.send(
                    .patch, "/v1/listings/\(try await listing(published: true))/sale-terms", key: caller, json: ["licenceSeats": 3],
                    headers: idempotency)
            case "GET /v1/offers/{id}":
                return try await api.send(.get, "/v1/offers/\(try await offer())", key: caller)
            case "POST /v1/offers/{id}/accept", "POST /v1/offers/{id}/withdraw":
                return try await api.send(.post, operation.dropFirst(5).replacingOccurrences(of: "{id}", with: "\(try await offer())"), key: caller, headers: idempotency)
            case "POST /v1/offers/{id}/counter":
                return try await api.send(.post, "/v1/offers/\(try await offer())/counter", key: caller, json: ["priceFen": 2], headers: idempotency)
            case "POST /v1/offers/{id}/reject":
                return try await api.send(.post, "/v1/offers/\(try await offer())/reject", key: caller, json: ["reason": "价格过低"], headers: idempotency)
            case "POST /v1/sessions":
                return try await api.send(.post, "/v1/sessions", key: caller, json: AuctionsAPITests.sessionBody(), headers: idempotency)
            case "POST /v1/sessions/{id}/lots":
                let session = try await AuctionsAPITests.session(api, keys)
                return try await api.send(
                    .post, "/v1/sessions/\(session)/lots", key: caller, json: AuctionsAPITests.lotBody(listing: try await listing(published: true)),
                    headers: idempotency)
            case "POST /v1/lots/{id}/consent":
                return try await api.send(.post, "/v1/lots/\(try await lot(consented: false))/consent", key: caller, json: [:] as [String: Any], headers: idempotency)
            case "POST /v1/lots/{id}/registrations":
                let lot = try await lot(consented: true)
                try await AuctionsAPITests.deposit(api, keys, firm: firmID, amountFen: 200_000_00)
                return try await api.send(.post, "/v1/lots/\(lot)/registrations", key: caller, headers: idempotency)
            case "POST /v1/lots/{id}/bids":
                let lot = try await lot(consented: true)
                try await AuctionsAPITests.deposit(api, keys, firm: firmID, amountFen: 200_000_00)
                try #require(try await api.send(.post, "/v1/lots/\(lot)/registrations", key: keys.firm, headers: VouchersAPITests.idempotency()).status == .created)
                return try await api.send(.post, "/v1/lots/\(lot)/bids", key: caller, json: ["amountFen": 2_000_000_00], headers: idempotency)
            case "POST /v1/lots/{id}/default", "POST /v1/lots/{id}/hammer":
                return try await api.send(
                    .post, operation.dropFirst(5).replacingOccurrences(of: "{id}", with: "\(try await lot(consented: true))"), key: caller,
                    headers: idempotency)
            case "POST /v1/lots/{id}/payment":
                return try await api.send(
                    .post, "/v1/lots/\(try await lot(consented: true))/payment", key: caller, json: ["amountFen": 1_00, "reference": "MATRIX-\(serial)"],
                    headers: idempotency)
            case "POST /v1/deposits":
                return try await api.send(
                    .post, "/v1/deposits", key: caller, json: ["firmId": firmID, "amountFen": 1_00, "reference": "MATRIX-\(serial)"], headers: idempotency)
            case "GET /v1/lots/{id}/events":
                // A closed lot's stream is its record, and ends.
                return try await api.send(.get, "/v1/lots/\(try await closedLot())/events", key: caller)
            case "GET /v1/lots/{id}", "GET /v1/lots/{id}/bids":
                return try await api.send(.get, operation.dropFirst(4).replacingOccurrences(of: "{id}", with: "\(try await lot(consented: true))"), key: caller)
            case "PUT /v1/volume/targets/{region}/{year}":
                return try await api.send(
                    .put, "/v1/volume/targets/330521/2027", key: caller, json: ["targetFen": 300_000_000_000 + serial, "note": "矩阵"],
                    headers: idempotency)
            case "GET /v1/vouchers/{number}":
                return try await api.send(.get, "/v1/vouchers/\(try await voucher())", key: caller)
            case "GET /v1/redemptions/{id}":
                return try await api.send(.get, "/v1/redemptions/\(try await redemption(serial, claimed: false))", key: caller)
            default:
                let path = String(operation.dropFirst("GET ".count))
                    .replacingOccurrences(of: "{code}", with: "330521")
                    .replacingOccurrences(of: "/v1/listings/{id}", with: "/v1/listings/\(publishedID)")
                    .replacingOccurrences(of: "/v1/voucher-programs/{id}", with: "/v1/voucher-programs/\(programID)")
                    .replacingOccurrences(of: "/v1/parties/{id}", with: "/v1/parties/\(firmID)")
                    .replacingOccurrences(of: "/v1/settlements/{id}", with: "/v1/settlements/\(settlementID)")
                    .replacingOccurrences(of: "/v1/contracts/{id}", with: "/v1/contracts/\(contractID)")
                #expect(operation.hasPrefix("GET ") && !path.contains("{"), "\(operation) needs a case of its own")
                return try await api.send(.get, path, key: caller)
            }
        }
    }
}
