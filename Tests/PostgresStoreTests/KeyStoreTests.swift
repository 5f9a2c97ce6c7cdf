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
