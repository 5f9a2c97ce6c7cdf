import Foundation
import Market
import Postgres
@testable import PostgresStore
import Testing
import TestSupport

/// An offer's steps as `offers.steps` keeps them (Schema/0021): written by hand as JSON, read back
/// through PostgreSQL's jsonb, and moved there from the old `offer_steps` rows by the migration.
@Suite struct OfferStepsStoreTests {
    static let awkward = [
        "压测 \"quoted\" back\\slash", "line\nbreak\ttab\r", "control \u{1}\u{1f} end", "😀 emoji, 德清县", "</script>", "",
    ]

    /// A time as PostgreSQL keeps it, in whole microseconds.
    static func at(_ seconds: Int64, _ micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    static func steps() -> [OfferStep] {
        let base = at(1_796_000_000, 123_456)
        return [
            OfferStep(kind: .offered, byPartyID: PartyID(84), priceFen: 100_000, terms: awkward[0], at: base),
            OfferStep(kind: .countered, byPartyID: PartyID(2), priceFen: 1_000_000_000_000, terms: awkward[1], at: at(1_796_000_001, 123_456)),
            OfferStep(kind: .counteredBack, byPartyID: PartyID(84), priceFen: 1, terms: awkward[2], at: at(1_796_000_000, 123_457)),
            OfferStep(kind: .rejected, byPartyID: PartyID(2), reason: awkward[3], at: at(-86_401, 500_000)),
            OfferStep(kind: .withdrawn, byPartyID: PartyID(84), terms: awkward[4], reason: awkward[5], at: base),
            OfferStep(kind: .matched, byPartyID: nil, priceFen: 100_000, at: base),
            OfferStep(kind: .expired, byPartyID: nil, at: at(0, 0)),
        ]
    }

    /// What the adapter writes is what it reads back after PostgreSQL's jsonb has parsed and
    /// rewritten it (keys reordered, spaces added, escapes normalised), for every kind of step.
    @Test func stepsReadBackAsWrittenThroughJSONB() async throws {
        try await TestDatabase.with(demo: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            let steps = Self.steps()
            let text: String = try connection.query("SELECT $1::jsonb::text AS steps", OfferStepsJSON.text(steps))[0].decode("steps")
            #expect(try OfferStepsJSON.steps(text) == steps)
            #expect(try OfferStepsJSON.steps("[]").isEmpty)
            // Appending, as a new step's UPDATE does.
            let appended: String = try connection.query(
                "SELECT ($1::jsonb || $2::jsonb)::text AS steps", OfferStepsJSON.text(steps.prefix(2)), OfferStepsJSON.text(steps.dropFirst(2))
            )[0].decode("steps")
            #expect(try OfferStepsJSON.steps(appended) == steps)
        }
    }

    @Test func aStepThatIsNotOneIsADecodingErrorNamingTheColumn() throws {
        for text in [#"{"kind":"offered"}"#, #"[{"kind":"haggled","at":"2026-12-07 00:00:00+00"}]"#, #"[{"kind":"offered","at":"yesterday"}]"#] {
            #expect(throws: PostgresDecodingError.self) { try OfferStepsJSON.steps(text) }
        }
    }

    /// Schema/0021 moves every step of the old table into its offer's row, in order, and leaves
    /// an offer without steps an empty array.
    @Test func theMigrationMovesEveryStepIntoItsOffer() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            let all = try Migrator(directory: ProjectPaths.schema).migrations
            try Migrator(migrations: all.filter { $0.version < 21 }).migrate(on: connection)
            // Offers alone, without the parties and listings their keys need.
            try connection.execute(
                """
                ALTER TABLE offers DROP CONSTRAINT offers_listing_id_fkey, DROP CONSTRAINT offers_institution_id_fkey,
                    DROP CONSTRAINT offers_firm_id_fkey;
                ALTER TABLE offer_steps DROP CONSTRAINT offer_steps_by_party_id_fkey;
                INSERT INTO offers (id, listing_id, institution_id, mode, firm_id, price_fen, terms, valid_until, status, created_at, updated_at)
                SELECT id, id, 2, 'transfer', 84, 100, '', now(), 'open', now(), now() FROM generate_series(1, 3) id
                """)
            let steps = Self.steps()
            for (index, step) in steps.enumerated().reversed() {  // inserted out of order
                _ = try connection.query(
                    "INSERT INTO offer_steps (offer_id, step, kind, by_party_id, price_fen, terms, reason, at) VALUES (1, $1::integer, $2, $3::bigint, $4::bigint, $5, $6, $7)",
                    Int64(index), step.kind.rawValue, step.byPartyID?.value, step.priceFen, step.terms, step.reason, step.at)
            }
            _ = try connection.query("INSERT INTO offer_steps (offer_id, step, kind, at) VALUES (2, 0, 'offered', $1)", steps[0].at)
            try Migrator(migrations: all).migrate(on: connection)
            let rows = try connection.query("SELECT id, steps FROM offers ORDER BY id")
            #expect(try OfferStepsJSON.steps(try rows[0].decode("steps")) == steps)
            #expect(try OfferStepsJSON.steps(try rows[1].decode("steps")) == [OfferStep(kind: .offered, byPartyID: nil, at: steps[0].at)])
            #expect(try OfferStepsJSON.steps(try rows[2].decode("steps")).isEmpty)
            #expect(try connection.query("SELECT to_regclass('offer_steps') IS NULL AS gone")[0].decode("gone", as: Bool.self))
        }
    }
}
