import ArgumentParser
import Foundation
import Ledger
import Market
import PostgresStore

/// How a listing command writes its figures: the same figures in each.
enum ListingFormat: String, CaseIterable, ExpressibleByArgument {
    /// Aligned columns for people (CJK characters count two columns).
    case table
    /// One header line and one line per row; amounts in yuan without grouping.
    case csv
    /// One JSON document; amounts in fen.
    case json
}

/// Columns that fit their widest value, never cut, aligned on a terminal where a CJK character
/// takes two columns.
struct TextTable {
    enum Alignment { case left, right }
    var headers: [String]
    var alignments: [Alignment]
    /// A row of cells, or nil for a rule between groups.
    var rows: [[String]?] = []

    init(_ columns: [(String, Alignment)]) {
        headers = columns.map(\.0)
        alignments = columns.map(\.1)
    }

    mutating func add(_ cells: [String]) {
        precondition(cells.count == headers.count, "one cell per column")
        rows.append(cells)
    }

    mutating func rule() { rows.append(nil) }

    func render() -> String {
        var widths = headers.map(Self.width)
        for case let row? in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], Self.width(cell)) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in Self.pad(cell, widths[index], alignments[index]) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var text = line(headers) + "\n"
        let ruleLine = widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n"
        text += ruleLine
        for row in rows { text += row.map { line($0) + "\n" } ?? ruleLine }
        return text
    }

    /// Terminal columns of `text`: two for East Asian wide and fullwidth characters.
    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + (isWide($1) ? 2 : 1) }
    }

    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xAC00...0xD7A3,
            0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    static func pad(_ text: String, _ width: Int, _ alignment: Alignment) -> String {
        let fill = String(repeating: " ", count: max(0, width - Self.width(text)))
        return alignment == .right ? fill + text : text + fill
    }

    /// The same rows as CSV (rules left out).
    func csv() -> String {
        ([headers] + rows.compactMap { $0 }).map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// What the audit commands call an account: its kind, a name that says what and whose in
/// Chinese, and the side its balance is normally on.
struct AccountLabel {
    /// The kinds in the order the trial balance groups them.
    enum Kind: String, CaseIterable {
        case treasury, programBudget = "program budget", voucher, payable, settled, deposit, escrow, other
    }
    var kind: Kind
    var name: String
    /// Debit for the treasury (money leaves it for the budgets); credit for every account that
    /// holds money for someone (a budget, a voucher, what is owed or paid, a deposit).
    var normalSideIsDebit: Bool

    init(_ owned: LedgerAudit.OwnedAccount) {
        let owner = owned.owner
        func region(_ code: String?, _ name: String?) -> String { [name, code.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ") }
        switch owner.kind {
        case .treasury:
            kind = .treasury
            name = "财政资金 " + region(owner.regionCode, owner.regionName)
        case .programBudget:
            kind = .programBudget
            name = "创新券预算 " + (owner.programName ?? "项目 \(owner.programID ?? 0)")
        case .voucher:
            kind = .voucher
            name = "创新券 \(owner.voucherNumber ?? "") · \(owner.partyName ?? owner.partyHandle ?? "")"
        case .payable:
            kind = .payable
            name = "应付 \(owner.partyName ?? owner.partyHandle ?? "") (分片 \(owner.shard ?? 0)) · \(owner.regionName ?? owner.regionCode ?? "")"
        case .settled:
            kind = .settled
            name = "已结算 \(owner.partyName ?? owner.partyHandle ?? "")"
        case .other:
            // The demo's hand-made accounts (Fixtures/ledger.json) are named in Chinese already;
            // their codes say their kind.
            kind = Self.fixtureKinds[owned.account.code] ?? .other
            name = owned.storedName
        }
        normalSideIsDebit = kind == .treasury
    }

    /// The kinds of the demo ledger's account codes (Fixtures/ledger.json).
    static let fixtureKinds: [UInt16: Kind] = [1: .treasury, 2: .programBudget, 3: .voucher, 4: .payable, 5: .deposit, 6: .escrow]

    var normalSide: String { normalSideIsDebit ? "Dr" : "Cr" }

    /// `debitsFen − creditsFen` turned to this account's normal side.
    func normal(_ debitMinusCreditFen: Int128) -> Int128 { normalSideIsDebit ? debitMinusCreditFen : -debitMinusCreditFen }
}

/// A transfer id as the business step that made it: `VC·hold·13` is the hold of redemption 13
/// (VoucherLedger.Step), `AU·escrow·4` the deposit of lot registration 4 (AuctionLedger.Step);
/// the low half is the step's business object. `#3` is a small hand-made id, else the id in hex.
enum TransferLabel {
    static let stepNames: [UInt64: String] = [1: "fund", 2: "issue", 3: "hold", 4: "approve", 5: "release", 6: "settle"]

    static func step(_ id: TransferID) -> String {
        if id.high & 0xFFFF_0000_0000_0000 == 0x5643_0000_0000_0000, let name = stepNames[id.high & 0xFFFF] {
            return "VC·\(name)·\(id.low)"
        }
        if let step = AuctionLedger.Step.allCases.first(where: { $0.high == id.high }) {
            return "AU·\(step)·\(id.low)"
        }
        if id.high == 0 && id.low < 1_000_000 { return "#\(id.low)" }
        return hex(id)
    }

    static func hex(_ id: TransferID) -> String { "0x" + String(id.rawValue, radix: 16) }
}

/// Writes `object` as one JSON document on standard output, keys sorted.
func printJSON(_ object: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted])
    print(String(decoding: data, as: UTF8.self))
}

/// Progress of a long command on standard error, never on standard output: on a terminal a bar
/// redrawn in place once the command has run for `quietSeconds` (a quick run shows none); piped,
/// a plain line (`verified 200000 of 1000000 entries`) every `lineSeconds` and one at the end.
final class ProgressReport {
    let verb: String
    let noun: String
    let terminal = isatty(STDERR_FILENO) == 1
    let started = Date()
    var lastLine = Date()
    var drawn = false
    /// A run on a terminal shorter than this shows no bar.
    static let quietSeconds = 2.0
    /// How often a piped run writes a line.
    static let lineSeconds = 2.0
    static let barWidth = 30

    /// `verb` and `noun` say what is counted: "verified", "entries".
    init(_ verb: String, _ noun: String) {
        self.verb = verb
        self.noun = noun
    }

    /// `done` of `total` (nil: not known in advance).
    func update(_ done: Int, of total: Int?) {
        let now = Date()
        if terminal {
            guard now.timeIntervalSince(started) >= Self.quietSeconds else { return }
            var bar = ""
            if let total {
                let filled = total == 0 ? Self.barWidth : min(Self.barWidth, Self.barWidth * done / max(total, 1))
                bar = String(repeating: "█", count: filled) + String(repeating: "░", count: Self.barWidth - filled) + " "
            }
            FileHandle.standardError.write(Data("\r\(bar)\(total.map { "\(done)/\($0)" } ?? "\(done)") \(noun)".utf8))
            drawn = true
        } else if now.timeIntervalSince(lastLine) >= Self.lineSeconds {
            printError(line(done, total))
            lastLine = now
        }
    }

    /// The last figure: the bar's line ended on a terminal, the last plain line when piped.
    func finish(_ done: Int, of total: Int?) {
        if terminal {
            if drawn {
                update(done, of: total)
                FileHandle.standardError.write(Data("\n".utf8))
            }
        } else {
            printError(line(done, total))
        }
    }

    private func line(_ done: Int, _ total: Int?) -> String {
        "\(verb) \(done)\(total.map { " of \($0)" } ?? "") \(noun)"
    }
}
