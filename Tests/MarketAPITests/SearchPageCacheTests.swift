import Foundation
import HTTPTypes
import Hummingbird
@testable import MarketAPI
import Postgres
import Synchronization
import Testing
import TestSupport

/// Public search pages are answered from their encoded copy only while the database's search
/// generation is unchanged: a change made through this server, or behind its back as another
/// server would, shows at once.
@Suite struct SearchPageCacheTests {
    let keys: DemoKeys

    init() throws { keys = try DemoKeys.load() }

    static func q(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }

    @Test func aRepeatedSearchIsTheSamePageFromTheCache() async throws {
        let pages = SearchPageCache()
        try await withAPI(searchPages: pages) { api, pool in
            let first = try await api.send(.get, "/v1/listings?q=\(Self.q("遥感"))")
            #expect(first.status == .ok && !first.items.isEmpty)
            #expect(pages.count == 1)
            let second = try await api.send(.get, "/v1/listings?q=\(Self.q("遥感"))")
            #expect(second.body == first.body)
            #expect(second.headers[.contentType] == first.headers[.contentType])
            #expect(pages.count == 1)
            // Proof that it came from the cache: a change the generation does not see (its
            // trigger off) is not in the page served.
            try await Self.retitleUnseen(try #require(first.items.first?["id"] as? Int), pool)
            let third = try await api.send(.get, "/v1/listings?q=\(Self.q("遥感"))")
            #expect(third.body == first.body)
        }
    }

    /// Changes a listing's title with the search generation's trigger off, as nothing in the
    /// application ever does, so that a page served from the cache and a page computed differ.
    static func retitleUnseen(_ id: Int, _ pool: PostgresPool) async throws {
        try await pool.withConnection { connection in
            try connection.execute("ALTER TABLE listings DISABLE TRIGGER listings_advance_generation")
            try connection.query("UPDATE listings SET title = title || '（改）' WHERE id = $1", Int64(id))
            try connection.execute("ALTER TABLE listings ENABLE TRIGGER listings_advance_generation")
        }
    }

    @Test func changesBehindTheServersBackShowAtOnce() async throws {
        let pages = SearchPageCache()
        try await withAPI(searchPages: pages) { api, pool in
            let path = "/v1/listings?q=\(Self.q("遥感"))&limit=5"
            let before = try await api.send(.get, path)
            let top = try #require(before.items.first)
            let id = try #require(top["id"] as? Int)
            let institution = Int64(try #require(top["institutionId"] as? Int))
            // Another server renames the institution and withdraws the top listing.
            try await pool.withConnection { connection in
                _ = try connection.query("UPDATE parties SET name = name || '（更名）' WHERE id = $1", institution)
            }
            let renamed = try await api.send(.get, path)
            #expect((renamed.items.first?["institutionName"] as? String)?.hasSuffix("（更名）") == true, "\(renamed.text)")
            try await pool.withConnection { connection in
                _ = try connection.query("UPDATE listings SET status = 'withdrawn' WHERE id = $1", Int64(id))
            }
            let after = try await api.send(.get, path)
            #expect(!after.items.contains { $0["id"] as? Int == id }, "a withdrawn listing was still found")
        }
    }

    @Test func writesThroughTheAPIShowAtOnce() async throws {
        let keys = keys
        let pages = SearchPageCache()
        try await withAPI(searchPages: pages) { api, _ in
            let path = "/v1/listings?q=\(Self.q("鑫淼焱垚"))"
            #expect(try await api.send(.get, path).items.isEmpty)
            let created = try await api.send(.post, "/v1/listings", key: keys.owner, json: validListing(title: "鑫淼焱垚木基装饰材料", reference: "C-1"))
            let id = try #require(created.object["id"] as? Int)
            #expect(try await api.send(.get, path).items.isEmpty, "a draft is not public")
            #expect(try await api.send(.post, "/v1/listings/\(id)/publish", key: keys.owner).status == .ok)
            #expect(try await api.send(.get, path).items.map { $0["id"] as? Int } == [id])
        }
    }

    @Test func pagesAKeyDecidesAreNeverKept() async throws {
        let keys = keys
        let pages = SearchPageCache()
        try await withAPI(searchPages: pages) { api, _ in
            _ = try await api.send(.post, "/v1/listings", key: keys.owner, json: validListing(reference: "D-1"))
            let drafts = try await api.send(.get, "/v1/listings?status=draft", key: keys.owner)
            #expect(drafts.status == .ok && !drafts.items.isEmpty)
            #expect(try await api.send(.get, "/v1/listings?status=draft").status == .unauthorized)
            #expect(pages.count == 0)
        }
    }

    @Test func turnedOffEverySearchGoesToTheDatabase() async throws {
        try await withAPI(searchPages: nil) { api, pool in
            let first = try await api.send(.get, "/v1/listings?q=\(Self.q("遥感"))")
            #expect(first.status == .ok && !first.items.isEmpty)
            // Even a change the search generation does not see shows: nothing is kept.
            let id = try #require(first.items.first?["id"] as? Int)
            try await Self.retitleUnseen(id, pool)
            let second = try await api.send(.get, "/v1/listings?q=\(Self.q("遥感"))")
            let retitled = second.items.first { $0["id"] as? Int == id }?["title"] as? String
            #expect(retitled?.hasSuffix("（改）") == true, "\(second.text.prefix(300))")
        }
    }

    @Test func theOldestPageGoesFirstAndAnotherGenerationReplacesThePages() {
        let pages = SearchPageCache(entryCountMax: 2)
        let page = ByteBuffer(string: "{}")
        pages.store(page, for: "a", generation: 5)
        pages.store(page, for: "b", generation: 5)
        pages.store(page, for: "c", generation: 5)
        #expect(pages.page(for: "a", generation: 5) == nil)
        #expect(pages.page(for: "b", generation: 5) == page && pages.page(for: "c", generation: 5) == page)
        #expect(pages.page(for: "b", generation: 6) == nil, "a page is used only at its own generation")
        pages.store(page, for: "d", generation: 6)
        #expect(pages.count == 1, "pages of generation 5 are gone once 6 is seen")
        #expect(pages.page(for: "b", generation: 5) == nil && pages.page(for: "d", generation: 6) == page)
        pages.store(page, for: "b", generation: 5)  // a generation may come back (a restored database)
        #expect(pages.page(for: "d", generation: 6) == nil && pages.page(for: "b", generation: 5) == page)
        let many = SearchPageCache(entryCountMax: 3)
        for index in 0..<5_000 { many.store(page, for: "k\(index)", generation: 1) }
        #expect(many.count == 3)
        #expect((4_997..<5_000).allSatisfy { many.page(for: "k\($0)", generation: 1) == page })
        let off = SearchPageCache(entryCountMax: 0)
        off.store(page, for: "a", generation: 1)
        #expect(off.count == 0)
    }

    final class Calls: Sendable { let count = Mutex(0) }
    struct Refused: Error {}

    @Test func requestsThatMissTheSamePageTogetherShareOneSearch() async throws {
        let pages = SearchPageCache()
        let calls = Calls()
        let compute: @Sendable () async throws -> ByteBuffer = {
            calls.count.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(200))
            return ByteBuffer(string: "{}")
        }
        let results = try await withThrowingTaskGroup(of: ByteBuffer.self) { group in
            for _ in 0..<16 { group.addTask { try await pages.page(for: "q", generation: 7, compute: compute) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 16 && results.allSatisfy { $0 == ByteBuffer(string: "{}") })
        #expect(calls.count.withLock { $0 } == 1)
        _ = try await pages.page(for: "q", generation: 8, compute: compute)  // another generation: computed again
        #expect(calls.count.withLock { $0 } == 2)

        // A search that fails fails for those waiting on it, and is not kept: the next one tries again.
        let failing: @Sendable () async throws -> ByteBuffer = {
            calls.count.withLock { $0 += 1 }
            throw Refused()
        }
        await #expect(throws: Refused.self) { try await pages.page(for: "bad", generation: 8, compute: failing) }
        await #expect(throws: Refused.self) { try await pages.page(for: "bad", generation: 8, compute: failing) }
        #expect(calls.count.withLock { $0 } == 4)
    }
}
