import Foundation
import Market
import Postgres

extension PostgresMarketStore {
    /// What loading the market fixture did.
    public struct FixtureLoad: Sendable {
        public var parties = 0
        public var listingsAdded = 0
        public var keys = 0
    }

    /// Loads participants, listings and demo keys in one transaction. Participants are updated to
    /// match the file; listings are added once (by institution and reference) and then left to
    /// their institutions; keys are installed once.
    public func load(_ fixture: MarketFixture) async throws -> FixtureLoad {
        try await pool.withTransaction { connection in try Self.load(fixture, on: connection) }
    }

    public static func load(_ fixture: MarketFixture, on connection: PostgresConnection) throws -> FixtureLoad {
        var result = FixtureLoad()
        for group in fixture.groups {
            try connection.query(
                """
                INSERT INTO party_groups (code, name, controller) VALUES ($1, $2, $3)
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, controller = excluded.controller
                """,
                group.code, group.name, group.controller)
        }
        var ids: [String: PartyID] = [:]
        for row in fixture.parties {
            ids[row.handle] = try register(try row.newParty.validated(), on: connection, replacing: true).id
            result.parties += 1
        }
        // Spread the demo listings over the past two years, oldest first, so that "newest" means something.
        for (index, row) in fixture.listings.enumerated() {
            let institution = ids[row.institution]!
            let exists = try connection.query(
                "SELECT 1 FROM listings WHERE institution_id = $1 AND reference = $2", institution.value, row.reference
            ).count > 0
            if exists { continue }
            let listing = try insertListing(institution: institution, content: row.content, status: row.status, on: connection)
            let daysAgo = Int64((fixture.listings.count - index) * 730 / max(fixture.listings.count, 1))
            try connection.query(
                """
                UPDATE listings SET created_at = now() - $2::bigint * interval '1 day' - interval '3 days',
                    updated_at = now() - $2::bigint * interval '1 day',
                    published_at = CASE WHEN published_at IS NULL THEN NULL ELSE now() - $2::bigint * interval '1 day' END,
                    listed_at = CASE WHEN published_at IS NULL THEN now() - $2::bigint * interval '1 day' - interval '3 days'
                                     ELSE now() - $2::bigint * interval '1 day' END
                WHERE id = $1
                """,
                listing.id.value, daysAgo)
            result.listingsAdded += 1
        }
        for row in fixture.keys {
            _ = try installKey(row.key, role: row.role, party: row.party.flatMap { ids[$0] }, label: row.label, on: connection)
            result.keys += 1
        }
        return result
    }
}
