import Foundation
import HTTPTypes
import Testing
import TestSupport

/// Input the OpenAPI document allows but a rule it cannot state refuses — one between fields, or
/// one about what exists — is 422 naming the field; input that breaks what the document states
/// stays 400. schemathesis's positive_data_acceptance holds the server to the first half.
@Suite struct RuleRefusalTests {
    let keys: DemoKeys

    init() throws { keys = try DemoKeys.load() }

    static func idempotency() -> HTTPFields { [HTTPField.Name("Idempotency-Key")!: UUID().uuidString] }

    @Test func wellFormedInputThatBreaksARuleIs422NamingTheField() async throws {
        let keys = keys
        try await withAPI { api, _ in
            func expect422(_ reply: Reply, _ field: String, _ what: String) {
                #expect(reply.status == .unprocessableContent, "\(what): \(reply.text)")
                #expect(reply.problemCode == "invalid_parameter", "\(what)")
                #expect(reply.errorFields == [field], "\(what): \(reply.text)")
            }
            for (uri, field) in [
                ("/v1/listings?trlMin=7&trlMax=3", "trlMin"), ("/v1/listings?priceMin=9&priceMax=3", "priceMin"),
                ("/v1/listings?priceMax=3&negotiable=true", "negotiable"), ("/v1/listings?sort=relevance", "sort"),
                ("/v1/listings?q=%21%21%21", "q"),
            ] {
                expect422(try await api.send(.get, uri), field, uri)
            }

            var listing = validListing()
            listing["field"] = "astrology"
            expect422(try await api.send(.post, "/v1/listings", key: keys.owner, json: listing), "field", "an unknown field code")
            let created = try await api.send(.post, "/v1/listings", key: keys.owner, json: validListing())
            let id = try #require(created.object["id"] as? Int, "\(created.text)")
            let disagreeing = try await api.send(
                .patch, "/v1/listings/\(id)", key: keys.owner, json: ["trl": 8, "version": 2], headers: [.ifMatch: "\"1\""])
            expect422(disagreeing, "version", "If-Match and version disagree")
            let negotiable = try await api.send(.post, "/v1/listings", key: keys.owner, json: validListing().merging(["negotiable": true]) { $1 }
                .filter { $0.key != "askingPriceFen" })
            let negotiableID = try #require(negotiable.object["id"] as? Int, "\(negotiable.text)")
            let unpriced = try await api.send(.patch, "/v1/listings/\(negotiableID)", key: keys.owner, json: ["negotiable": false, "version": 1])
            expect422(unpriced, "askingPriceFen", "priced again without a price")

            let program: [String: Any] = [
                "year": 2026, "name": "规则测试券", "budgetFen": 100_00, "useBy": "2027-12-31", "claimBy": "2027-06-30", "honours": ["kind": "own"],
            ]
            expect422(
                try await api.send(.post, "/v1/voucher-programs", key: keys.regulator, json: program, headers: Self.idempotency()), "claimBy",
                "claimBy before useBy")
            var unknownAlliance = program
            unknownAlliance["claimBy"] = "2028-03-31"
            unknownAlliance["honours"] = ["kind": "alliance", "alliance": "nowhere"]
            expect422(
                try await api.send(.post, "/v1/voucher-programs", key: keys.regulator, json: unknownAlliance, headers: Self.idempotency()),
                "honours.alliance", "an unknown alliance")

            let programs = try await api.send(.get, "/v1/voucher-programs", key: keys.regulator)
            let programID = try #require(programs.items.first { $0["issuerRegion"] as? String == "330521" }?["id"] as? Int)
            expect422(
                try await api.send(
                    .post, "/v1/voucher-programs/\(programID)/vouchers", key: keys.regulator, json: ["firmId": 987_654_321, "faceValueFen": 100_00],
                    headers: Self.idempotency()), "firmId", "an unknown firm")

            let number = try #require(try await api.send(.get, "/v1/vouchers", key: keys.firm).items.first?["number"] as? String)
            let labID = try #require((try await api.send(.get, "/v1/me", key: keys.provider).object["party"] as? [String: Any])?["id"] as? Int)
            let redemption: [String: Any] = [
                "providerId": labID, "contractReference": "RULE-1", "contractAmountFen": 100_00, "voucherAmountFen": 200_00, "ownPaymentFen": 0,
            ]
            expect422(
                try await api.send(.post, "/v1/vouchers/\(number)/redemptions", key: keys.firm, json: redemption, headers: Self.idempotency()),
                "voucherAmountFen", "a voucher amount above the contract amount")

            let party: [String: Any] = ["handle": "nowhere-office", "kind": "regulator", "name": "无名局", "regionCode": "100000"]
            expect422(try await api.send(.post, "/v1/parties", key: keys.admin, json: party), "regionCode", "an unknown region")

            // Malformed input stays 400, and wins when a request is both.
            var both = program
            both["year"] = 1999
            let malformed = try await api.send(.post, "/v1/voucher-programs", key: keys.regulator, json: both, headers: Self.idempotency())
            #expect(malformed.status == .badRequest, "\(malformed.text)")
            #expect(Set(malformed.errorFields) == ["year", "claimBy"], "\(malformed.text)")
        }
    }
}
