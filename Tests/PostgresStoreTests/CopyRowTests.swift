import Foundation
import Ledger
import Postgres
@testable import PostgresStore
import Testing
import TestSupport

/// `CopyRow` reads PostgreSQL's binary COPY format, which `ledger verify` streams every entry in.
@Suite struct CopyRowTests {
    /// A binary COPY of integers of each width, a 32-byte bytea and a text reads back as written.
    @Test func readsWhatTheServerSends() async throws {
        try await TestDatabase.with(demo: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            let row = CopyRow(fieldCount: 5)
            var seen: [(Int64, Int64, Int64, EntryHash, String)] = []
            var trailers = 0
            try connection.copyOut(
                """
                COPY (SELECT * FROM (VALUES
                    ((-9223372036854775808)::bigint, (-32768)::smallint, 2147483647::integer,
                     decode(repeat('ab', 32), 'hex'), E'tab\\there\\n德清'),
                    (9223372036854775807, 1, -1, decode(repeat('00', 31) || '01', 'hex'), '')) AS t
                ) TO STDOUT (FORMAT binary)
                """
            ) { bytes in
                guard try row.read(bytes) else { trailers += 1; return }
                seen.append((try row.int64(0), try row.int64(1), try row.int64(2), try row.hash(3), try row.text(4)))
            }
            #expect(trailers == 1)
            try #require(seen.count == 2)
            #expect(seen[0].0 == .min && seen[0].1 == -32_768 && seen[0].2 == 2_147_483_647)
            #expect(seen[0].3.hex == String(repeating: "ab", count: 32))
            #expect(seen[0].4 == "tab\there\n德清")
            #expect(seen[1].0 == .max && seen[1].1 == 1 && seen[1].2 == -1)
            #expect(seen[1].3 == EntryHash(word0: 0, word1: 0, word2: 0, word3: 1))
            #expect(seen[1].4 == "")
        }
    }

    /// Bytes that are not a well-formed row are refused, never read past their end.
    @Test func refusesMalformedRows() throws {
        let header = CopyRow.signature + [0, 0, 0, 0, 0, 0, 0, 0]
        func field(_ bytes: [UInt8]) -> [UInt8] { withUnsafeBytes(of: Int32(bytes.count).bigEndian, Array.init) + bytes }
        let good = header + [0, 2] + field([0, 0, 0, 0, 0, 0, 0, 7]) + field(Array(repeating: 1, count: 32))
        let cases: [(String, [UInt8])] = [
            ("no signature", Array(good.dropFirst())),
            ("an unknown critical flag", CopyRow.signature + [0, 1, 0, 0, 0, 0, 0, 0] + Array(good.dropFirst(header.count))),
            ("a negative header extension", CopyRow.signature + [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF] + Array(good.dropFirst(header.count))),
            ("a field count that is not the table's", header + [0, 1] + field([0, 7])),
            ("a null", header + [0, 2] + [0xFF, 0xFF, 0xFF, 0xFF] + field([0, 7])),
            ("a field longer than its row", Array(good.dropLast())),
            ("bytes after the last field", good + [0]),
        ]
        for (name, bytes) in cases {
            let row = CopyRow(fieldCount: 2)
            #expect(throws: PostgresDecodingError.self, "\(name)") { try bytes.withUnsafeBufferPointer { _ = try row.read($0) } }
        }
        let row = CopyRow(fieldCount: 2)
        let read = try good.withUnsafeBufferPointer { bytes in
            (try row.read(bytes), try row.int64(0), (try? row.hash(0)) == nil, (try? row.int64(1)) == nil)
        }
        #expect(read.0 && read.1 == 7)
        #expect(read.2, "8 bytes are no hash")
        #expect(read.3, "nor are 32 an integer")
        let trailer = try ([0xFF, 0xFF] as [UInt8]).withUnsafeBufferPointer { try row.read($0) }
        #expect(!trailer)
    }
}
