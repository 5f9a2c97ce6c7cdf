import Foundation
import HTTPTypes
import Testing
import TestSupport

/// The defects an outside tester found at the input boundary, each kept fixed: bodies that
/// crashed the server, NUL characters that reached PostgreSQL as 500s, repeated keys where the
/// first won, and field names that were empty.
@Suite struct InputBoundaryTests {
    let keys: DemoKeys

    init() throws { keys = try DemoKeys.load() }

    static func raw(_ text: String) -> Data { Data(text.utf8) }

    @Test func oddKeysAreRefusedByNameNotTrappedOn() async throws {
        let keys = keys
        try await withAPI { api, _ in
            for (body, field) in [(#"{"":1}"#, #"[""]"#), (#"{"[":1}"#, #"["["]"#), (#"{".":1}"#, #"["."]"#), (#"{"a\u0000":1}"#, #"["a\u0000"]"#)] {
                let reply = try await api.send(
                    .post, "/v1/listings", key: keys.firm, raw: Self.raw(body), headers: [.contentType: "application/json"])
                #expect(reply.status == .badRequest, "\(body) → \(reply.text)")
                #expect(reply.errorFields.contains(field), "\(body) → \(reply.errorFields)")
                #expect(!reply.errorFields.contains(""))
            }
            let health = try await api.send(.get, "/health")
            #expect(health.status == .ok)
        }
    }

    @Test func aNulInAnyFieldIsA400NamingItAndStaysOneOnRetry() async throws {
        let keys = keys
        try await withAPI { api, _ in
            var listing = validListing()
            listing["field"] = "ab\u{0}cd"
            let created = try await api.send(.post, "/v1/listings", key: keys.owner, json: listing)
            #expect(created.status == .badRequest, "\(created.text)")
            #expect(created.errorFields == ["field"])

            let draft = try await api.send(.post, "/v1/listings", key: keys.owner, json: validListing())
            let id = try #require(draft.object["id"] as? Int)
            let patched = try await api.send(.patch, "/v1/listings/\(id)", key: keys.owner, json: ["field": "ab\u{0}cd", "version": 1])
            #expect(patched.status == .badRequest, "\(patched.text)")
            #expect(patched.errorFields == ["field"])

            let program: [String: Any] = [
                "year": 2027, "name": "测试", "budgetFen": 100_000_00, "useBy": "2027-12-31", "claimBy": "2028-03-31",
                "honours": ["kind": "alliance", "alliance": "g6\u{0}"],
            ]
            let key = VouchersAPITests.idempotency()
            for attempt in 1...2 {
                let reply = try await api.send(.post, "/v1/voucher-programs", key: keys.regulator, json: program, headers: key)
                #expect(reply.status == .badRequest, "attempt \(attempt): \(reply.text)")
                #expect(reply.errorFields == ["honours.alliance"], "attempt \(attempt)")
            }

            let regions = try await api.send(.get, "/v1/regions?alliance=g6%00")
            #expect(regions.status == .badRequest, "\(regions.text)")
            #expect(regions.errorFields == ["alliance"])
            // A parameter with no name is named, never as "".
            let unnamed = try await api.send(.get, "/v1/listings?=x")
            #expect(unnamed.status == .badRequest, "\(unnamed.text)")
            #expect(unnamed.errorFields == [#"[""]"#], "\(unnamed.text)")
            let voucher = try await api.send(.get, "/v1/vouchers/3305%0021-2026", key: keys.firm)
            #expect(voucher.status == .badRequest, "\(voucher.text)")
            #expect(voucher.errorFields == ["path"])
        }
    }

    @Test func newlinesOnlyWhereAFieldAllowsThem() async throws {
        let keys = keys
        try await withAPI { api, _ in
            var listing = validListing()
            listing["summary"] = "第一行\n第二行\t说明"
            let multiline = try await api.send(.post, "/v1/listings", key: keys.owner, json: listing)
            #expect(multiline.status == .created, "\(multiline.text)")
            listing["title"] = "标题\n换行"
            let title = try await api.send(.post, "/v1/listings", key: keys.owner, json: listing)
            #expect(title.status == .badRequest, "\(title.text)")
            #expect(title.errorFields == ["title"])
        }
    }

    @Test func aRepeatedKeyIsRefusedNotReadFirstWins() async throws {
        let keys = keys
        try await withAPI { api, _ in
            let programs = try await api.send(.get, "/v1/voucher-programs", key: keys.regulator)
            let programID = try #require(programs.items.first { $0["issuerRegion"] as? String == "330521" }?["id"] as? Int)
            let firmID = try #require((try await api.send(.get, "/v1/me", key: keys.firm).object["party"] as? [String: Any])?["id"] as? Int)
            let body = #"{"firmId":\#(firmID),"faceValueFen":1,"faceValueFen":2}"#
            var headers = VouchersAPITests.idempotency()
            headers[.contentType] = "application/json"
            let reply = try await api.send(
                .post, "/v1/voucher-programs/\(programID)/vouchers", key: keys.regulator, raw: Self.raw(body), headers: headers)
            #expect(reply.status == .badRequest, "\(reply.text)")
            #expect(reply.errorFields == ["faceValueFen"])
            let vouchers = try await api.send(.get, "/v1/vouchers", key: keys.regulator)
            #expect(!vouchers.items.contains { $0["faceValueFen"] as? Int == 1 || $0["faceValueFen"] as? Int == 2 })
        }
    }

    @Test func loneSurrogatesAndDeepNestingAreRefused() async throws {
        let keys = keys
        try await withAPI { api, _ in
            let surrogate = try await api.send(
                .post, "/v1/listings", key: keys.owner, raw: Self.raw(#"{"title":"\ud800"}"#), headers: [.contentType: "application/json"])
            #expect(surrogate.status == .badRequest, "\(surrogate.text)")
            #expect(surrogate.errorFields.contains("title"))
            let deep = String(repeating: #"{"a":"#, count: 5_000) + "1" + String(repeating: "}", count: 5_000)
            let nested = try await api.send(.post, "/v1/listings", key: keys.owner, raw: Self.raw(deep), headers: [.contentType: "application/json"])
            #expect(nested.status == .badRequest, "\(nested.text)")
        }
    }
}
