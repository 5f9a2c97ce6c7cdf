import Foundation
import Testing
import TestSupport

/// `ledger trial-balance` and `ledger statement` as an admin reads them, run as the built binary
/// on the demo ledger: names that say what and whose, never cut; columns aligned in terminal
/// columns; kinds with subtotals that add up to the total; a voucher's statement found by its
/// number, its transfers shown as business steps, its balance on its normal side; and the same
/// figures in table, CSV and JSON.
@Suite struct LedgerReadingTests {
    let cli = CommandLineTests()

    /// Terminal columns of `text` (an ideograph or a fullwidth form takes two).
    static func columns(_ text: Substring) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ((0x2E80...0x9FFF).contains($1.value) || (0xFF00...0xFF60).contains($1.value) ? 2 : 1) }
    }

    func json(_ output: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output.prefix(500))")
    }

    @Test func theTrialBalanceIsGroupedByKindWithSubtotalsAndAligned() async throws {
        try await TestDatabase.with { database in
            let url = database.conninfo
            let table = try cli.run(["ledger", "trial-balance", "--database-url", url])
            #expect(table.status == 0, "\(table.error)")
            let lines = table.output.split(separator: "\n")
            #expect(table.output.contains("创新券 330521-2026-000003 · 德清县莫干智能装备有限公司"), "\(table.output)")
            #expect(table.output.contains("应付 上海松测检验检测技术有限公司 (分片 3) · 德清县"), "\(table.output)")
            #expect(table.output.contains("财政资金 德清县 (330521)"))
            // The last column is right-aligned, so every row of the table ends in the same terminal column.
            let rows = lines.filter { !$0.hasPrefix("balanced") }
            #expect(Set(rows.map(Self.columns)).count == 1, "rows of different widths:\n\(table.output)")
            // The test databases hold the voucher demo, not the hand-made accounts of Fixtures/ledger.json.
            let kinds = ["treasury", "program budget", "voucher", "payable", "settled"]
            #expect(lines.filter { $0.contains("subtotal (") }.count == kinds.count, "\(table.output)")
            #expect(lines.last == "balanced: debits equal credits, posted and pending (the total's balance is Dr−Cr)")

            let document = try json(try cli.run(["ledger", "trial-balance", "--format", "json", "--database-url", url]).output)
            let groups = try #require(document["groups"] as? [[String: Any]])
            #expect(groups.map { $0["kind"] as? String } == kinds)
            var debits = 0, credits = 0, accounts = 0
            for group in groups {
                let members = try #require(group["accounts"] as? [[String: Any]])
                let subtotal = try #require(group["subtotal"] as? [String: Any])
                let sum = members.reduce(0) { $0 + ($1["balanceFen"] as? Int ?? 0) }
                #expect(subtotal["balanceFen"] as? Int == sum, "\(group["kind"] ?? "")")
                debits += subtotal["debitsFen"] as? Int ?? 0
                credits += subtotal["creditsFen"] as? Int ?? 0
                accounts += members.count
            }
            let total = try #require(document["total"] as? [String: Any])
            #expect(total["debitsFen"] as? Int == debits && total["creditsFen"] as? Int == credits && debits == credits && debits > 0)
            #expect(total["accounts"] as? Int == accounts && document["balanced"] as? Bool == true)

            let csv = try cli.run(["ledger", "trial-balance", "--format", "csv", "--database-url", url]).output.split(separator: "\n")
            #expect(csv.first == "kind,account,name,debits,credits,side,balance,pending Dr,pending Cr")
            #expect(csv.count == 1 + accounts + groups.count + 1)
            #expect(csv.last?.hasPrefix("total,,\(accounts) accounts,\(Self.yuan(debits)),\(Self.yuan(credits)),") == true, "\(csv.last ?? "")")
        }
    }

    static func yuan(_ fen: Int) -> String { "\(fen / 100).\(fen % 100 < 10 ? "0" : "")\(fen % 100)" }

    @Test func aVouchersStatementIsFoundByItsNumberInBusinessSteps() async throws {
        try await TestDatabase.with { database in
            let url = database.conninfo
            let number = "330521-2026-000003"
            let table = try cli.run(["ledger", "statement", "--voucher", number, "--database-url", url])
            #expect(table.status == 0, "\(table.error)")
            let lines = table.output.split(separator: "\n")
            #expect(lines.first?.hasSuffix("创新券 \(number) · 德清县莫干智能装备有限公司") == true, "\(table.output)")
            #expect(lines.contains { $0.contains("normal side, credit (Cr)") })
            #expect(table.output.contains("VC·issue·") && table.output.contains("VC·hold·") && table.output.contains("VC·approve·"), "\(table.output)")
            #expect(!table.output.contains(" -"), "a negative figure: \(table.output)")

            // An auction deposit's steps read the same way.
            #expect(try cli.run(["deposits", "receive", "--firm", "deqing-xingtu", "--amount", "100", "--reference", "ICBC-STMT", "--database-url", url]).status == 0)
            let bidder = try cli.run(["ledger", "statement", "--party", "deqing-xingtu", "--database-url", url])
            #expect(bidder.output.contains("AU·receive·"), "\(bidder.output)\(bidder.error)")

            let byNumber = try json(try cli.run(["ledger", "statement", "--voucher", number, "--format", "json", "--database-url", url]).output)
            let account = try #require(byNumber["account"] as? Int)
            let byID = try json(try cli.run(["ledger", "statement", String(account), "--format", "json", "--database-url", url]).output)
            #expect(NSDictionary(dictionary: byNumber) == NSDictionary(dictionary: byID))
            let entries = try #require(byNumber["lines"] as? [[String: Any]])
            let credited = entries.filter { $0["side"] as? String == "credit" }.reduce(0) { $0 + ($1["postedFen"] as? Int ?? 0) }
            let debited = entries.filter { $0["side"] as? String == "debit" }.reduce(0) { $0 + ($1["postedFen"] as? Int ?? 0) }
            #expect(byNumber["closingBalanceFen"] as? Int == credited - debited && credited > 0)
            #expect(byNumber["normalSide"] as? String == "Cr" && byNumber["kind"] as? String == "voucher")
            for entry in entries {
                let step = try #require(entry["transfer"] as? String)
                let hex = try #require(entry["transferId"] as? String)
                #expect(step.hasPrefix("VC·") && hex.hasPrefix("0x5643"), "\(step) \(hex)")
            }

            let firm = try json(try cli.run(["ledger", "statement", "--party", "deqing-mogan-equip", "--format", "json", "--database-url", url]).output)
            let statements = try #require(firm["statements"] as? [[String: Any]])
            #expect(statements.contains { $0["account"] as? Int == account })
            let missing = try cli.run(["ledger", "statement", "--voucher", "330521-2026-999999", "--database-url", url])
            #expect(missing.status == 1 && missing.error.contains("no voucher"))
            let two = try cli.run(["ledger", "statement", String(account), "--voucher", number, "--database-url", url])
            #expect(two.status != 0 && two.error.contains("name one account"))
        }
    }
}
