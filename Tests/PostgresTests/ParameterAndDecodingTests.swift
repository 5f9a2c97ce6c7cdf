import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct ParameterAndDecodingTests {
    @Test func parametersRoundTripWithNulls() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            let none: String? = nil
            let rows = try connection.query(
                "SELECT $1::text AS a, $2::bigint AS b, $3::text AS c, $4::int AS d", "x", Int64(7), none, Int32?.none)
            #expect(try rows[0].decode("a", as: String.self) == "x")
            #expect(try rows[0].decode("b", as: Int64.self) == 7)
            #expect(try rows[0].decode("c", as: String?.self) == nil)
            #expect(try rows[0].decode("d", as: Int32?.self) == nil)
            #expect(try rows[0].isNull("c"))
            #expect(throws: PostgresDecodingError.unexpectedNull(column: "c")) { try rows[0].decode("c", as: String.self) }
        }
    }

    @Test func eachTypeDecodes() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            let when = Date(timeIntervalSince1970: 1_764_000_000.123456)
            let id = UUID()
            let bytes = PostgresBytes([0, 1, 0xfe, 0xff, 0x5c])
            let row = try connection.query(
                """
                SELECT $1::bigint AS i8, $2::int AS i4, $3::text AS t, $4::bool AS b, $5::float8 AS f,
                       $6::timestamptz AS ts, $7::bytea AS by, $8::uuid AS u, $9::jsonb AS j,
                       '德清县'::text AS cjk, (-9223372036854775808)::bigint AS min8
                """,
                Int64.max, Int32.min, "héllo 遥感", true, 0.1, when, bytes, id, PostgresJSON(#"{"a": [1, "二"]}"#)
            )[0]
            #expect(try row.decode("i8", as: Int64.self) == .max)
            #expect(try row.decode("min8", as: Int64.self) == .min)
            #expect(try row.decode("i4", as: Int32.self) == .min)
            #expect(try row.decode("t", as: String.self) == "héllo 遥感")
            #expect(try row.decode("cjk", as: String.self) == "德清县")
            #expect(try row.decode("b", as: Bool.self) == true)
            #expect(try row.decode("f", as: Double.self) == 0.1)
            let decoded = try row.decode("ts", as: Date.self)
            #expect(abs(decoded.timeIntervalSince1970 - when.timeIntervalSince1970) < 0.000_001)
            #expect(try row.decode("by", as: PostgresBytes.self) == bytes)
            #expect(try row.decode("u", as: UUID.self) == id)
            let json = try row.decode("j", as: PostgresJSON.self)
            #expect(json.text.contains("\"二\""))
        }
    }

    @Test func timestampsWithOffsetsParse() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            // The session is UTC, but a value read with another zone still means the same instant.
            try connection.execute("SET TimeZone = 'Asia/Kolkata'")
            let row = try connection.query("SELECT '2026-11-26 10:00:00+00'::timestamptz AS t, '1960-01-01 00:00:00.5+00'::timestamptz AS old")[0]
            #expect(try row.decode("t", as: Date.self) == Date(timeIntervalSince1970: 1_795_687_200))
            #expect(try row.decode("old", as: Date.self) == Date(timeIntervalSince1970: -315_619_199.5))
        }
    }

    @Test func missingColumnAndWrongTypeAreClearErrors() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            let row = try connection.query("SELECT 1::int AS n, 'x'::text AS s")[0]
            #expect(throws: PostgresDecodingError.missingColumn("m", available: ["n", "s"])) {
                try row.decode("m", as: Int64.self)
            }
            #expect(throws: PostgresDecodingError.typeMismatch(column: "s", expected: "Int64", actualTypeOID: 25)) {
                try row.decode("s", as: Int64.self)
            }
            #expect(throws: PostgresDecodingError.typeMismatch(column: "n", expected: "Bool", actualTypeOID: 23)) {
                try row.decode("n", as: Bool.self)
            }
            let error = PostgresDecodingError.typeMismatch(column: "s", expected: "Int64", actualTypeOID: 25)
            #expect(error.description.contains("text"))
            #expect(throws: PostgresDecodingError.columnIndexOutOfRange(5, count: 2)) { try row.decode(at: 5, as: Int.self) }
        }
    }

    @Test func nulInATextParameterIsRefused() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            let error = #expect(throws: PostgresError.self) { try connection.query("SELECT $1::text AS t", "a\u{0}b") }
            #expect(error?.kind == .client)
        }
    }

    @Test func sqlLookingInputIsJustData() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            try connection.execute("CREATE TABLE notes (body text)")
            let hostile = "'); DROP TABLE notes; --"
            try connection.query("INSERT INTO notes (body) VALUES ($1)", hostile)
            #expect(try connection.query("SELECT body FROM notes")[0].decode("body", as: String.self) == hostile)
        }
    }
}
