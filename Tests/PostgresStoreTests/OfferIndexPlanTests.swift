import Foundation
import Postgres
import Testing
import TestSupport

/// A firm's live offer is looked up through `offers_one_live` whatever the statistics say
/// (Schema/0022). On statistics gathered while few offers were live, PostgreSQL used to take the
/// sweep's `offers_lapse` for the lookup and read every live offer of the market; now that index
/// cannot serve the lookup at all, and still serves the sweep.
@Suite struct OfferIndexPlanTests {
    static let lookup = """
        SELECT (SELECT id FROM offers WHERE listing_id = $1 AND mode = $2 AND firm_id = $3 AND status IN ('open', 'countered')) AS live_id
        """
    static let sweep = "SELECT id FROM offers WHERE status IN ('open', 'countered') AND valid_until <= $1"

    /// The generic plan's text (a prepared statement's, as the server runs it).
    static func plan(_ name: String, _ sql: String, _ parameters: String, on connection: PostgresConnection) throws -> String {
        try connection.execute("PREPARE \(name) AS \(sql)")
        return try connection.query("EXPLAIN EXECUTE \(name)\(parameters)", parameters: [], prepared: false)
            .map { try $0.decode("QUERY PLAN", as: String.self) }.joined(separator: "\n")
    }

    /// Which index could the planner take? With every other index of the lookup's columns gone
    /// and sequential scans priced out, it takes any index whose predicate the query implies.
    @Test func theSweepsIndexCannotServeTheLiveOfferLookup() async throws {
        try await TestDatabase.with(demo: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            try connection.execute(
                """
                BEGIN;
                DROP INDEX offers_one_live, offers_listing, offers_firm, offers_institution;
                SET LOCAL enable_seqscan = off;
                SET LOCAL plan_cache_mode = force_generic_plan;
                """)
            let lookup = try Self.plan("lookup", Self.lookup, "(1, 'licence_non_exclusive', 1)", on: connection)
            let sweep = try Self.plan("sweep", Self.sweep, "(now())", on: connection)
            // For contrast, the index as Schema/0015 made it.
            try connection.execute("CREATE INDEX offers_lapse_0015 ON offers (valid_until) WHERE status IN ('open', 'countered')")
            let before = try Self.plan("lookup_before", Self.lookup, "(1, 'licence_non_exclusive', 1)", on: connection)
            try connection.execute("ROLLBACK")
            #expect(!lookup.contains("offers_lapse"), "the lookup may not scan the sweep's index: \(lookup)")
            #expect(sweep.contains("offers_lapse"), "the sweep reads its index: \(sweep)")
            #expect(before.contains("offers_lapse_0015"), "Schema/0015's predicate let the lookup scan it: \(before)")
        }
    }
}
