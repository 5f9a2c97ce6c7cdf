import Foundation
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// `techmarket volume` and `techmarket volume verify`, run as the built binary against a test
/// database holding Deqing's contract history.
@Suite struct VolumeCommandTests {
    let cli = CommandLineTests()

    @Test func theReportPrintsTheServicesFiguresAsATableCSVAndJSON() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool(size: 1)
            let report = try await VolumeService(store: PostgresMarketStore(pool: pool)).report(year: 2025, asOf: Day("2026-01-01")!)
            await pool.close()
            let url = database.conninfo
            let table = try cli.run(["volume", "--year", "2025", "--as-of", "2026-01-01", "--by", "region", "--database-url", url])
            #expect(table.status == 0, "\(table.error)")
            #expect(table.output.contains("德清县（330521）2025年技术交易额") && table.output.contains(VolumeText.yi(report.totalFen)))
            #expect(table.output.contains("完成 \(VolumeText.percent(report.shareOfTarget ?? 0))"), "piped: plain text, no bar\n\(table.output)")
            #expect(!table.output.contains("█"))
            // The CJK names line up: every row of the breakdown is as wide as its header.
            let rows = table.output.split(separator: "\n").drop { !$0.hasPrefix("region") }.prefix(7)
            #expect(rows.count == 7)
            let widths = Set(rows.filter { !$0.hasPrefix("─") }.map { line in
                line.unicodeScalars.reduce(0) { $0 + ((0x4E00...0x9FFF).contains($1.value) || (0xFF00...0xFF60).contains($1.value) ? 2 : 1) }
            })
            #expect(widths.count <= 2, "\(rows.joined(separator: "\n"))")
            let csv = try cli.run(["volume", "--year", "2025", "--as-of", "2026-01-01", "--format", "csv", "--database-url", url])
            #expect(csv.status == 0 && csv.output.hasPrefix("field,名称,合计元,输出元,吸纳元,合同数\n"), "\(csv.output.prefix(200))")
            let json = try cli.run(["volume", "--year", "2025", "--as-of", "2026-01-01", "--format", "json", "--database-url", url])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
            #expect(object["totalFen"] as? Int64 == report.totalFen || (object["totalFen"] as? Int).map(Int64.init) == report.totalFen)
            let bad = try cli.run(["volume", "--region", "33", "--database-url", url])
            #expect(bad.status != 0 && bad.error.contains("--region"))
        }
    }

    @Test func verifyExitsOneOnADifferenceAndRepairMendsIt() async throws {
        try await TestDatabase.with { database in
            let url = database.conninfo
            let clean = try cli.run(["volume", "verify", "--database-url", url])
            #expect(clean.status == 0 && clean.output.contains("clean"), "\(clean.output)\(clean.error)")
            let pool = database.pool(size: 1)
            try await pool.withConnection { connection in
                try connection.execute("UPDATE volume_cells SET total_fen = total_fen + 7 WHERE region_code = '330521' AND dimension = 'total' AND day = (SELECT min(day) FROM volume_cells WHERE region_code = '330521' AND dimension = 'total')")
            }
            await pool.close()
            let dirty = try cli.run(["volume", "verify", "--database-url", url])
            #expect(dirty.status == 1 && dirty.output.contains("DIFFERENCE: 330521"), "\(dirty.output)")
            let repaired = try cli.run(["volume", "verify", "--repair", "--database-url", url])
            #expect(repaired.status == 0 && repaired.output.contains("repaired: 1 total(s)"), "\(repaired.output)")
        }
    }
}
