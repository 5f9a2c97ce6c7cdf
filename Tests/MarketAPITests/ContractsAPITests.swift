import Foundation
import HTTPTypes
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// Contracts and their registration through PostgreSQL and HTTP, each test on a fresh database.
@Suite struct ContractsAPITests {
    let keys: DemoKeys

    init() throws { keys = try DemoKeys.load() }

    static func party(_ handle: String, _ pool: PostgresPool) async throws -> Party {
        try #require(try await PostgresMarketStore(pool: pool).party(handle: handle), "Fixtures/parties.json has \(handle)")
    }

    /// A contract the demo institute (casdq) sells to the demo firm, as the offers area writes a
    /// deal's: through `PostgresContractWork(connection:)` inside its own open transaction.
    static func signedContract(_ pool: PostgresPool, totalFen: Int64 = 800_000_00) async throws -> Int {
        let seller = ContractParty(try await party("casdq", pool))
        let buyer = ContractParty(try await party("deqing-mogan-equip", pool))
        let draft = ContractDraft(
            type: .licence, title: "卫星遥感影像智能解译系统 普通许可", seller: seller, buyer: buyer, fieldCode: "geographic_information",
            totalFen: totalFen, signedOn: Day.today(), source: .offer(Int64.random(in: 1...Int64(Int32.max))), listingID: nil,
            subject: "CN202110123456.7")
        return Int(try await pool.withTransaction { connection in
            _ = try connection.query("SELECT 1")
            return try PostgresContractWork(connection: connection).insertSignedContract(draft).value
        })
    }

    /// A direct registration's body: the demo institute sells a service to a Hangzhou firm that
    /// is not a participant (or to the participant `buyer`).
    static func directBody(_ pool: PostgresPool, seller handle: String = "casdq", buyer: String? = nil, totalFen: Int64 = 300_000_00) async throws
        -> [String: Any]
    {
        let seller = try await party(handle, pool)
        var body: [String: Any] = [
            "type": "service", "title": "遥感影像解译技术服务", "field": "geographic_information", "totalFen": totalFen,
            "nonTechnicalCosts": [["kind": "equipment", "amountFen": 50_000_00, "note": "采集设备"]], "signedOn": "2026-10-15",
            "seller": ["partyId": seller.id.value, "name": seller.name, "creditCode": seller.creditCode ?? "", "regionCode": seller.regionCode.value],
            "buyer": ["name": "杭州澄图空间信息技术有限公司", "creditCode": "913301005055752646", "regionCode": "330100"],
        ]
        if let buyer {
            let party = try await party(buyer, pool)
            body["buyer"] = ["partyId": party.id.value, "name": party.name, "creditCode": party.creditCode ?? "", "regionCode": party.regionCode.value]
        }
        return body
    }

    static func registrationNumber(_ reply: Reply) -> String? { (reply.object["registration"] as? [String: Any])?["number"] as? String }
    static func revision(_ reply: Reply) -> Int? { (reply.object["registration"] as? [String: Any])?["revision"] as? Int }

    @Test func aRegulatorRegistersAContractSignedOutsideTheMarket() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let key = VouchersAPITests.idempotency()
            let body = try await Self.directBody(pool)
            let created = try await api.send(.post, "/v1/contracts", key: keys.regulator, json: body, headers: key)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.object["id"] as? Int)
            #expect(created.headers[.location] == "/v1/contracts/\(id)")
            let number = try #require(Self.registrationNumber(created))
            #expect(number.hasPrefix(String(Day.today().text.prefix(4)) + "330521") && number.count == 16, "\(number)")
            #expect(created.object["status"] as? String == "registered")
            #expect(created.object["totalFen"] as? Int == 300_000_00 && created.object["technologyFen"] as? Int == 250_000_00)
            #expect(created.object["registeredTechnologyFen"] as? Int == 250_000_00)
            let versions = try #require(created.object["versions"] as? [[String: Any]])
            #expect(versions.count == 1 && versions[0]["act"] as? String == "registered_directly" && versions[0]["countedDeltaFen"] as? Int == 250_000_00)
            // A retry replays the first answer; the read shows the same.
            let again = try await api.send(.post, "/v1/contracts", key: keys.regulator, json: body, headers: key)
            #expect(again.status == .created && again.body == created.body && again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let read = try await api.send(.get, "/v1/contracts/\(id)", key: keys.regulator)
            #expect(read.object as NSDictionary == created.object as NSDictionary, "\(read.text)")
            // The seller sees it; another region's regulator does not.
            #expect(try await api.send(.get, "/v1/contracts/\(id)", key: keys.owner).status == .ok)
            #expect(try await api.send(.get, "/v1/contracts/\(id)", key: keys.otherInstitution).status == .notFound)
        }
    }

    @Test func onlyARegulatorOfTheSellersRegionOrAboveRegisters() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let store = PostgresMarketStore(pool: pool)
            let songjiang = try await store.issueKey(role: .regulator, party: try await Self.party("songjiang-kw", pool).id, label: "t").key
            let huzhou = try await store.issueKey(role: .regulator, party: try await Self.party("huzhou-kjj", pool).id, label: "t").key
            let hangzhou = try await store.issueKey(role: .regulator, party: try await Self.party("hangzhou-kjj", pool).id, label: "t").key
            let body = try await Self.directBody(pool)
            let other = try await api.send(.post, "/v1/contracts", key: songjiang, json: body, headers: VouchersAPITests.idempotency())
            #expect(other.status == .forbidden && other.problemCode == "not_seller_side_regulator", "\(other.text)")
            // The buyer's regulator is not the seller's side either.
            let buyerSide = try await api.send(.post, "/v1/contracts", key: hangzhou, json: body, headers: VouchersAPITests.idempotency())
            #expect(buyerSide.status == .forbidden && buyerSide.problemCode == "not_seller_side_regulator", "\(buyerSide.text)")
            // The city above the county registers, in its own numbers.
            let above = try await api.send(.post, "/v1/contracts", key: huzhou, json: body, headers: VouchersAPITests.idempotency())
            #expect(above.status == .created, "\(above.text)")
            #expect(Self.registrationNumber(above)?.dropFirst(4).hasPrefix("330500") == true)
            // A signed contract of a Deqing seller: Songjiang cannot see it, Hangzhou cannot register it.
            let signed = try await Self.signedContract(pool)
            let unseen = try await api.send(.post, "/v1/contracts/\(signed)/registration", key: songjiang, headers: VouchersAPITests.idempotency())
            #expect(unseen.status == .notFound, "\(unseen.text)")
            let admin = try await api.send(.post, "/v1/contracts/\(signed)/registration", key: keys.admin, headers: VouchersAPITests.idempotency())
            #expect(admin.status == .forbidden && admin.problemCode == "forbidden")
        }
    }

    @Test func aDealsContractIsRegisteredChangedRegisteredAgainAndTerminated() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let id = try await Self.signedContract(pool)
            let signed = try await api.send(.get, "/v1/contracts/\(id)", key: keys.firm)
            #expect(signed.object["status"] as? String == "signed" && signed.object["registration"] is NSNull, "\(signed.text)")
            #expect((signed.object["source"] as? [String: Any])?["kind"] as? String == "offer")

            let registered = try await api.send(
                .post, "/v1/contracts/\(id)/registration", key: keys.regulator,
                json: ["nonTechnicalCosts": [["kind": "instruments", "amountFen": 100_000_00]]], headers: VouchersAPITests.idempotency())
            #expect(registered.status == .ok, "\(registered.text)")
            let number = try #require(Self.registrationNumber(registered))
            #expect(Self.revision(registered) == 0 && registered.object["technologyFen"] as? Int == 700_000_00)
            let twice = try await api.send(.post, "/v1/contracts/\(id)/registration", key: keys.regulator, headers: VouchersAPITests.idempotency())
            #expect(twice.status == .conflict && twice.problemCode == "invalid_transition", "\(twice.text)")

            let changed = try await api.send(
                .post, "/v1/contracts/\(id)/changes", key: keys.firm,
                json: ["totalFen": 1_000_000_00, "nonTechnicalCosts": [["kind": "instruments", "amountFen": 100_000_00]], "reason": "增加许可期限"],
                headers: VouchersAPITests.idempotency())
            #expect(changed.status == .ok && changed.object["status"] as? String == "changed", "\(changed.text)")
            #expect(changed.object["registeredTechnologyFen"] as? Int == 700_000_00)

            let again = try await api.send(.post, "/v1/contracts/\(id)/registration", key: keys.regulator, headers: VouchersAPITests.idempotency())
            #expect(again.status == .ok && Self.registrationNumber(again) == number && Self.revision(again) == 1, "\(again.text)")
            #expect(again.object["registeredTechnologyFen"] as? Int == 900_000_00)

            let ended = try await api.send(
                .post, "/v1/contracts/\(id)/termination", key: keys.regulator, json: ["reason": "双方协商解除"], headers: VouchersAPITests.idempotency())
            #expect(ended.status == .ok && ended.object["status"] as? String == "terminated" && Self.revision(ended) == 2, "\(ended.text)")

            let history = try await api.send(.get, "/v1/contracts/\(id)", key: keys.owner)
            let versions = try #require(history.object["versions"] as? [[String: Any]])
            #expect(versions.map { $0["act"] as? String } == ["signed", "registered", "changed", "registered", "terminated"])
            #expect(versions.map { $0["countedDeltaFen"] as? Int } == [0, 700_000_00, 0, 200_000_00, -900_000_00])
            // What the volume reads: the acts' deltas in the table, summing to nothing once terminated.
            let counted = try await pool.withConnection { connection in
                try connection.query("SELECT sum(counted_delta_fen)::bigint AS n FROM contract_versions WHERE contract_id = $1", Int64(id))[0]
                    .decode("n", as: Int64.self)
            }
            #expect(counted == 0)
        }
    }

    @Test func refusalsAreProblemsWithStableCodesAndTheirNumbers() async throws {
        let keys = keys
        try await withAPI { api, pool in
            func post(_ body: [String: Any], headers: HTTPFields = VouchersAPITests.idempotency()) async throws -> Reply {
                try await api.send(.post, "/v1/contracts", key: keys.regulator, json: body, headers: headers)
            }
            var body = try await Self.directBody(pool)
            let noKey = try await post(body, headers: [:])
            #expect(noKey.status == .badRequest && noKey.problemCode == "idempotency_key_required")
            body["buyer"] = ["name": "杭州澄图空间信息技术有限公司", "creditCode": "913301005055752647", "regionCode": "330100"]
            let badCode = try await post(body)
            #expect(badCode.status == .unprocessableContent && badCode.problemCode == "credit_code_invalid", "\(badCode.text)")
            body = try await Self.directBody(pool)
            body["nonTechnicalCosts"] = [["kind": "raw_materials", "amountFen": 300_000_01]]
            let costs = try await post(body)
            #expect(costs.status == .unprocessableContent && costs.problemCode == "costs_exceed_total", "\(costs.text)")
            #expect((costs.object["values"] as? [String: Any])?["nonTechnicalCostFen"] as? Int == 300_000_01)
            body = try await Self.directBody(pool)
            body["type"] = "transfer"
            let subject = try await post(body)
            #expect(subject.status == .unprocessableContent && subject.problemCode == "subject_required", "\(subject.text)")
            body["subject"] = "CN202110123456.7"
            body["seller"] = ["partyId": 999_999, "name": "不存在", "creditCode": "123305214416538244", "regionCode": "330521"]
            let unknown = try await post(body)
            #expect(unknown.status == .unprocessableContent && unknown.problemCode == "party_unknown", "\(unknown.text)")
            body = try await Self.directBody(pool)
            body["field"] = "astrology"
            body["buyer"] = ["name": "某公司", "creditCode": "913301005055752646", "regionCode": "999999"]
            let invalid = try await post(body)
            #expect(invalid.status == .unprocessableContent && Set(invalid.errorFields) == ["field", "buyer.regionCode"], "\(invalid.text)")
        }
    }

    /// Serials are drawn under a lock per region and year: registrars at once never share one.
    @Test func registrarsAtOnceNeverGetOneNumber() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let body = try JSONSerialization.data(withJSONObject: try await Self.directBody(pool))
            let numbers = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        var headers = VouchersAPITests.idempotency()
                        headers[.contentType] = "application/json"
                        return Self.registrationNumber(try await api.send(.post, "/v1/contracts", key: keys.regulator, raw: body, headers: headers))
                    }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            let serials = numbers.compactMap { $0.flatMap { Int($0.suffix(6)) } }.sorted()
            #expect(serials.count == 16 && Set(serials).count == 16, "\(numbers)")
            #expect(serials.last! - serials.first! == 15, "consecutive: \(serials)")
        }
    }

    @Test func listsArePagedAndFilteredWithinWhatTheCallerMaySee() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let signed = try await Self.signedContract(pool)
            var consulting: Set<Int> = []
            for index in 0..<3 {
                var body = try await Self.directBody(pool, seller: "zju-rsgis", totalFen: 100_000_00 + Int64(index))
                body["type"] = "consulting"
                let reply = try await api.send(.post, "/v1/contracts", key: keys.regulator, json: body, headers: VouchersAPITests.idempotency())
                consulting.insert(try #require(reply.object["id"] as? Int, "\(reply.text)"))
            }
            // The firm is the buyer of the signed contract, and the seller of nothing.
            let firm = try await api.send(.get, "/v1/contracts?side=buyer", key: keys.firm)
            #expect(firm.status == .ok && firm.items.map { $0["id"] as? Int } == [signed], "\(firm.text)")
            #expect(try await api.send(.get, "/v1/contracts?side=seller", key: keys.firm).items.isEmpty)
            // The other institution sells the three consulting contracts (and a demo deal): two pages of two.
            let first = try await api.send(.get, "/v1/contracts?type=consulting&limit=2", key: keys.otherInstitution)
            let cursor = try #require(first.object["nextCursor"] as? String, "\(first.text)")
            let second = try await api.send(.get, "/v1/contracts?type=consulting&limit=2&cursor=\(cursor)", key: keys.otherInstitution)
            #expect(second.object["nextCursor"] is NSNull)
            #expect(Set((first.items + second.items).compactMap { $0["id"] as? Int }) == consulting && first.items.count == 2)
            // A regulator's filters combine, within its region.
            let year = String(Day.today().text.prefix(4))
            let filtered = try await api.send(
                .get, "/v1/contracts?type=consulting&status=registered&year=\(year)&side=buyer&region=330100&limit=100", key: keys.regulator)
            #expect(consulting.isSubset(of: Set(filtered.items.compactMap { $0["id"] as? Int })), "\(filtered.text)")
            #expect(filtered.items.allSatisfy {
                $0["type"] as? String == "consulting" && ($0["buyer"] as? [String: Any])?["regionCode"] as? String == "330100"
                    && ((($0["registration"] as? [String: Any])?["firstRegisteredOn"] as? String)?.hasPrefix(year) ?? false)
            })
            // The demo's deals are signed too, not yet registered.
            let signedOnly = try await api.send(.get, "/v1/contracts?status=signed&limit=100", key: keys.regulator)
            #expect(signedOnly.items.contains { $0["id"] as? Int == signed }, "\(signedOnly.text)")
            #expect(signedOnly.items.allSatisfy { $0["status"] as? String == "signed" })
            #expect(!signedOnly.items.contains { consulting.contains($0["id"] as? Int ?? 0) })
            // Songjiang's regulator sees none of these; an admin names the region a side is in.
            let store = PostgresMarketStore(pool: pool)
            let songjiang = try await store.issueKey(role: .regulator, party: try await Self.party("songjiang-kw", pool).id, label: "t").key
            let theirs = try await api.send(.get, "/v1/contracts?limit=100", key: songjiang)
            #expect(theirs.items.allSatisfy { !consulting.contains($0["id"] as? Int ?? 0) && $0["id"] as? Int != signed })
            let adminSide = try await api.send(.get, "/v1/contracts?side=buyer", key: keys.admin)
            #expect(adminSide.status.code == 422 && adminSide.errorFields == ["side"], "\(adminSide.text)")
            #expect(try await api.send(.get, "/v1/contracts?cursor=v12", key: keys.admin).errorFields == ["cursor"])
            #expect(try await api.send(.get, "/v1/contracts?type=loan", key: keys.admin).errorFields == ["type"])
        }
    }
}
