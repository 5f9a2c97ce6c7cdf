import Foundation
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

@Suite struct KeyStoreTests {
    @Test func issuedKeysWorkUntilRevokedAndOnlyTheirHashIsStored() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool()
            let store = PostgresMarketStore(pool: pool)
            let institution = try #require(try await store.parties(PartyQuery(kind: .institution, limit: 1)).first)
            let (key, info) = try await store.issueKey(role: .institution, party: institution.id, label: "test")
            #expect(APIKeyText.isWellFormed(key))
            let principal = try #require(try await store.principal(forKey: key))
            #expect(principal.role == .institution && principal.partyID == institution.id && principal.keyID == info.id)
            #expect(principal.regionCode == institution.regionCode)

            let (hash, hint) = try await pool.withConnection { connection in
                let row = try connection.query("SELECT encode(key_hash, 'hex') AS h, hint FROM api_keys WHERE id = $1", info.id)[0]
                return (try row.decode("h", as: String.self), try row.decode("hint", as: String.self))
            }
            #expect(hash.count == 64 && !hash.contains(key))
            #expect(hint.count < 16 && key.hasPrefix(hint.dropLast()))
            let anywhere = try await pool.withConnection { connection in
                try connection.query("SELECT count(*) AS n FROM api_keys WHERE hint = $1 OR label = $1", key)[0].decode("n", as: Int64.self)
            }
            #expect(anywhere == 0)

            #expect(try await store.revokeKey(id: info.id))
            #expect(try await store.principal(forKey: key) == nil)
            #expect(try await store.revokeKey(id: info.id) == false)
            #expect(try await store.principal(forKey: "tmk_" + String(repeating: "a", count: 32)) == nil)
            #expect(try await store.principal(forKey: "'; DROP TABLE api_keys;--") == nil)
            await pool.close()
        }
    }

    /// With a key cache, a key's caller is kept in the server: a change PostgreSQL does not
    /// announce is not seen (so the caller came from the cache), an announced one drops it, and a
    /// revocation (announced by the trigger) is refused a moment after its commit.
    @Test func aKeyCacheServesKeptCallersUntilKeysChange() async throws {
        try await TestDatabase.with { database in
            let (pool, cache, store, institution) = try await Self.cachedStore(database)
            defer { cache.stop() }
            let (key, info) = try await Self.keptKey(store, cache, party: institution)

            // Revoked without the notice: the kept caller still answers.
            try await Self.revokeUnannounced(info.id, pool)
            #expect(try await store.principal(forKey: key)?.keyID == info.id)
            // The notice drops it.
            try await Self.notify(store, cache)
            #expect(cache.keptCount == 0)
            #expect(try await store.principal(forKey: key) == nil)

            // A revocation through the store is announced by the trigger.
            let (other, otherInfo) = try await Self.keptKey(store, cache, party: institution)
            #expect(try await store.revokeKey(id: otherInfo.id))
            #expect(try await Self.eventually { try await store.principal(forKey: other) == nil })
            await pool.close()
        }
    }

    /// Kept callers are dropped when a party moves to another region (its callers' region), and
    /// when the cache's listening connection is lost: notices sent while it was away are lost,
    /// so nothing kept before counts after it.
    @Test func aKeyCacheDropsCallersOnARegionChangeAndOnALostListener() async throws {
        try await TestDatabase.with { database in
            let (pool, cache, store, institution) = try await Self.cachedStore(database)
            defer { cache.stop() }
            let (key, info) = try await Self.keptKey(store, cache, party: institution)
            // The trigger's notice, and then the marker's: two, not only the marker's.
            let before = cache.noticeCount
            try await pool.withConnection { connection in
                _ = try connection.query("UPDATE parties SET region_code = region_code WHERE id = $1", institution.id.value)
            }
            try await Self.notify(store, cache)
            #expect(cache.noticeCount == before + 2)
            #expect(cache.keptCount == 0)

            // Kept again, then revoked without a notice, then the listener's connection is lost.
            #expect(try await store.principal(forKey: key)?.keyID == info.id)
            try await Self.revokeUnannounced(info.id, pool)
            #expect(try await store.principal(forKey: key)?.keyID == info.id, "kept")
            let ended = try await pool.withConnection { connection in
                try connection.query(
                    "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'"
                )[0].decode("n", as: Int64.self)
            }
            #expect(ended == 1)
            #expect(try await Self.eventually { try await store.principal(forKey: key) == nil })
            #expect(await cache.waitUntilListening())
            #expect(try await store.principal(forKey: key) == nil)
            await pool.close()
        }
    }

    /// A store with a listening key cache, and an institution to issue keys to.
    static func cachedStore(_ database: TestDatabase) async throws -> (PostgresPool, KeyCache, PostgresMarketStore, Party) {
        let pool = database.pool()
        let cache = KeyCache(conninfo: database.conninfo)
        #expect(await cache.waitUntilListening())
        let store = PostgresMarketStore(pool: pool, keyCache: cache)
        let institution = try #require(try await store.parties(PartyQuery(kind: .institution, limit: 1)).first)
        return (pool, cache, store, institution)
    }

    /// A new key whose caller the cache now keeps (and nothing else). The issue's own notice is
    /// awaited first, or it would drop what is kept: notices arrive in commit order.
    static func keptKey(_ store: PostgresMarketStore, _ cache: KeyCache, party: Party) async throws -> (String, APIKeyInfo) {
        let (key, info) = try await store.issueKey(role: .institution, party: party.id, label: "cached")
        try await notify(store, cache)
        #expect(try await store.principal(forKey: key)?.keyID == info.id)
        #expect(cache.keptCount == 1)
        return (key, info)
    }

    /// Revokes a key with the trigger off, so that no notice is sent.
    static func revokeUnannounced(_ id: Int64, _ pool: PostgresPool) async throws {
        try await pool.withConnection { connection in
            try connection.execute("ALTER TABLE api_keys DISABLE TRIGGER api_keys_changed")
            _ = try connection.query("UPDATE api_keys SET revoked_at = now() WHERE id = $1", id)
            try connection.execute("ALTER TABLE api_keys ENABLE TRIGGER api_keys_changed")
        }
    }

    /// Sends a notice on the cache's channel and waits until the cache has received it, and so
    /// every notice committed before it.
    static func notify(_ store: PostgresMarketStore, _ cache: KeyCache) async throws {
        let marker = UUID().uuidString
        try await store.pool.withConnection { connection in _ = try connection.query("SELECT pg_notify($1, $2)", KeyCache.channel, marker) }
        #expect(try await eventually { cache.lastNoticePayload == marker })
    }

    /// True once `condition` holds, checked every 10 ms for up to two seconds.
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    @Test func aKeysRoleMustMatchItsParticipant() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool()
            let store = PostgresMarketStore(pool: pool)
            let firm = try #require(try await store.parties(PartyQuery(kind: .firm, limit: 1)).first)
            await #expect(throws: MarketError.self) { try await store.issueKey(role: .institution, party: firm.id, label: "") }
            await #expect(throws: MarketError.self) { try await store.issueKey(role: .admin, party: firm.id, label: "") }
            await #expect(throws: MarketError.self) { try await store.issueKey(role: .firm, party: nil, label: "") }
            await #expect(throws: MarketError.self) { try await store.issueKey(role: .firm, party: PartyID(999_999), label: "") }
            let count = try await pool.withConnection { try $0.query("SELECT count(*) AS n FROM api_keys WHERE label = ''")[0].decode("n", as: Int64.self) }
            #expect(count == 0)
            await pool.close()
        }
    }
}
