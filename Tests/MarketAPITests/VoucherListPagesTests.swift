import Foundation
import Testing
import TestSupport

/// The voucher lists are cursor pages: bounded by `limit`, walked whole and once by `nextCursor`,
/// and a cursor fits only the list it came from.
@Suite struct VoucherListPagesTests {
    let keys: DemoKeys

    init() throws { keys = try DemoKeys.load() }

    /// Each list and the field that identifies its items.
    @Test(arguments: [("/v1/voucher-programs", "id"), ("/v1/vouchers", "number"), ("/v1/redemptions", "id")])
    func aListWalkedTwoAtATimeIsTheWholeListOnce(path: String, identity: String) async throws {
        let keys = keys
        try await withAPI { api, _ in
            let whole = try await api.send(.get, "\(path)?limit=100", key: keys.admin)
            #expect(whole.status == .ok, "\(whole.text)")
            #expect(whole.object["nextCursor"] is NSNull, "one page holds the demo's list")
            let expected = whole.items.compactMap { $0[identity].map { "\($0)" } }
            #expect(expected.count > 4, "the demo has several pages of two on \(path)")

            var walked: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await api.send(.get, "\(path)?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), key: keys.admin)
                #expect(page.status == .ok, "\(page.text)")
                #expect(page.items.count <= 2)
                walked += page.items.compactMap { $0[identity].map { "\($0)" } }
                cursor = page.object["nextCursor"] as? String
                pages += 1
            } while cursor != nil && pages <= expected.count
            #expect(walked == expected, "every item once, in the list's order")
            #expect(pages == (expected.count + 1) / 2)
        }
    }

    @Test func limitsAndForeignCursorsAreRefusedByName() async throws {
        let keys = keys
        try await withAPI { api, _ in
            let vouchers = try await api.send(.get, "/v1/vouchers?limit=1", key: keys.admin)
            let cursor = try #require(vouchers.object["nextCursor"] as? String)
            let foreign = try await api.send(.get, "/v1/redemptions?cursor=\(cursor)", key: keys.admin)
            #expect(foreign.status == .badRequest, "\(foreign.text)")
            #expect(foreign.errorFields == ["cursor"])
            for limit in ["0", "101", "x"] {
                let refused = try await api.send(.get, "/v1/voucher-programs?limit=\(limit)", key: keys.admin)
                #expect(refused.status == .badRequest, "limit=\(limit): \(refused.text)")
                #expect(refused.errorFields == ["limit"])
            }
            let unpaged = try await api.send(.get, "/v1/redemptions", key: keys.admin)
            #expect(unpaged.items.count <= 50, "the default page is \(50) items")
        }
    }
}
