import ArgumentParser
import Foundation
import Ledger
import Postgres
import PostgresStore
#if canImport(Glibc)
import Glibc
#endif

/// `techmarket ledger …`: the admins' audit of the double-entry ledger, reading the database directly.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "Audit the double-entry ledger.",
        subcommands: [Verify.self, Head.self, TrialBalance.self, Statement.self, Export.self])

    /// Opens one connection to the configured database (migrating first, so a new database audits clean).
    static func audit(_ database: DatabaseOptions) throws -> LedgerAudit {
        let opened = try database.open(log: printError)
        let connection = try PostgresConnection(conninfo: opened.conninfo)
        try Migrator(directory: try ProjectFolder.schema()).migrate(on: connection)
        return LedgerAudit(connection: connection)
    }

    static func parseTime(_ text: String?, option: String) throws -> Int64? {
        guard let text else { return nil }
        for format in ["yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        }
        throw ValidationError("\(option) must be a date (2026-01-31) or a time (2026-01-31T09:00:00+08:00), not '\(text)'")
    }

    static func time(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        // CJK characters take two columns on a terminal.
        let columns = text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 && $1.properties.isIdeographic ? 2 : 1) }
        let fill = String(repeating: " ", count: max(0, width - columns))
        return right ? fill + text : text + fill
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every chain, balance and limit; print the head digest. Exit 0 clean, 1 faults found, 2 could not run.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Also recompute the digest of this checkpoint (from `ledger head`).")
        var checkpoint: Int64?
        @Option(help: "The digest kept outside the database for --checkpoint; verification fails if it differs.")
        var digest: String?

        func run() async throws {
            do {
                try verify()
            } catch let exit as ExitCode {
                throw exit
            } catch {
                printError("ledger verify could not run: \(error)")
                throw ExitCode(2)
            }
        }

        func verify() throws {
            let audit = try LedgerCommand.audit(database)
            var cut: [AccountID: UInt64] = [:]
            if let checkpoint {
                guard let found = try audit.checkpoint(checkpoint) else {
                    printError("no checkpoint \(checkpoint)")
                    throw ExitCode(2)
                }
                cut = found
            }
            let terminal = isatty(STDERR_FILENO) == 1
            var lastPrinted = 0
            let started = Date()
            let result = try audit.verify(checkpoint: cut, atMs: LedgerCommand.nowMs()) { done, total in
                if terminal {
                    let width = 30
                    let filled = total == 0 ? width : width * done / max(total, 1)
                    let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                    FileHandle.standardError.write(Data("\r\(bar) \(done)/\(total) entries".utf8))
                    if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
                } else if done - lastPrinted >= 200_000 || (done == total && done != lastPrinted) {
                    printError("verified \(done) of \(total) entries")
                    lastPrinted = done
                }
            }
            let seconds = Date().timeIntervalSince(started)
            let report = result.report
            print("entries    \(report.entryCount)")
            print("accounts   \(report.accountCount)")
            print("debits     posted \(MoneyFormat.yuan(report.totals.debitsPostedFen))   pending \(MoneyFormat.yuan(report.totals.debitsPendingFen))")
            print("credits    posted \(MoneyFormat.yuan(report.totals.creditsPostedFen))   pending \(MoneyFormat.yuan(report.totals.creditsPendingFen))")
            print("pending    \(report.heldPendingCount) held, \(report.overduePendingCount) past their timeout")
            for overdue in report.overduePendings.prefix(20) {
                print("  overdue  \(overdue.transferID) \(MoneyFormat.yuan(overdue.amountFen)) due \(LedgerCommand.time(overdue.expiresAtMs))")
            }
            print("digest     \(report.digest.hash.hex)")
            print("speed      \(Int(Double(report.entryCount) / max(seconds, 0.001))) entries/s")
            var failed = false
            if let checkpointDigest = report.checkpointDigest {
                print("checkpoint \(checkpoint ?? 0): \(checkpointDigest.hash.hex)")
                if let digest, digest.lowercased() != checkpointDigest.hash.hex {
                    print("FAULT: checkpoint \(checkpoint ?? 0) recomputes to a digest other than the one kept outside (\(digest))")
                    failed = true
                }
            }
            for fault in report.faults {
                var line = "FAULT: \(fault)"
                if let location = Self.location(fault), let entryID = result.entryID(at: location) { line += " [entry_id \(entryID)]" }
                print(line)
                failed = true
            }
            for transfer in result.orphanTransfers {
                print("FAULT: \(transfer) has no entry (a transfer row without its entry)")
                failed = true
            }
            for entryID in result.orphanEntries {
                print("FAULT: entry_id \(entryID) has no transfer row")
                failed = true
            }
            if failed {
                print("result     FAULTS FOUND")
                throw ExitCode(1)
            }
            print("result     clean")
        }

        static func location(_ fault: VerificationFault) -> Int? {
            switch fault {
            case .hashMismatch(let at, _), .malformed(let at, _), .unknownAccount(let at, _), .sequenceGap(let at, _, _, _),
                .brokenLink(let at, _, _), .pending(let at, _), .overflow(let at, _), .limitExceeded(let at, _):
                return at.index
            default:
                return nil
            }
        }
    }

    struct Head: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the ledger digest (keep it outside the database) and record it as a checkpoint.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (id, digest) = try LedgerCommand.audit(database).head()
            print("checkpoint \(id)")
            print("accounts   \(digest.accountCount)")
            print("entries    \(digest.entryCount)")
            print("digest     \(digest.hash.hex)")
            print("check later with: techmarket ledger verify --checkpoint \(id) --digest \(digest.hash.hex)")
        }
    }

    struct TrialBalance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "trial-balance", abstract: "Every account's debits, credits and balance, in yuan.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let lines = try LedgerCommand.audit(database).trialBalance()
            func p(_ text: String, _ width: Int, right: Bool = false) -> String { LedgerCommand.pad(text, width, right: right) }
            print(p("account", 10) + p("name", 34) + p("debits", 20, right: true) + p("credits", 20, right: true)
                + p("balance (Dr−Cr)", 20, right: true) + p("pending Dr", 16, right: true) + p("pending Cr", 16, right: true))
            var debits: Int64 = 0, credits: Int64 = 0, pendingDebits: Int64 = 0, pendingCredits: Int64 = 0
            for line in lines {
                let b = line.account.balances
                debits += b.debitsPostedFen
                credits += b.creditsPostedFen
                pendingDebits += b.debitsPendingFen
                pendingCredits += b.creditsPendingFen
                print(
                    p(String(line.account.id.rawValue), 10) + p(String(line.name.prefix(16)), 34)
                        + p(MoneyFormat.yuan(b.debitsPostedFen), 20, right: true) + p(MoneyFormat.yuan(b.creditsPostedFen), 20, right: true)
                        + p(MoneyFormat.yuan(Int128(b.debitsPostedFen) - Int128(b.creditsPostedFen)), 20, right: true)
                        + p(MoneyFormat.yuan(b.debitsPendingFen), 16, right: true) + p(MoneyFormat.yuan(b.creditsPendingFen), 16, right: true))
            }
            print(
                p("total", 44) + p(MoneyFormat.yuan(debits), 20, right: true) + p(MoneyFormat.yuan(credits), 20, right: true)
                    + p(MoneyFormat.yuan(Int128(debits) - Int128(credits)), 20, right: true)
                    + p(MoneyFormat.yuan(pendingDebits), 16, right: true) + p(MoneyFormat.yuan(pendingCredits), 16, right: true))
            print(debits == credits && pendingDebits == pendingCredits ? "balanced" : "NOT BALANCED")
        }
    }

    struct Statement: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One account's entries with a running balance, in yuan.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The account id.") var account: UInt64
        @Option(help: "From this date or time (inclusive, China time).") var from: String?
        @Option(help: "To this date or time (exclusive, China time).") var to: String?

        func run() async throws {
            let audit = try LedgerCommand.audit(database)
            let id = AccountID(account)
            guard let name = try audit.accountName(id) else {
                printError("no account \(account)")
                throw ExitCode(1)
            }
            let fromMs = try LedgerCommand.parseTime(from, option: "--from")
            let toMs = try LedgerCommand.parseTime(to, option: "--to")
            func p(_ text: String, _ width: Int, right: Bool = false) -> String { LedgerCommand.pad(text, width, right: right) }
            print("statement of account \(account) \(name)")
            print(p("time", 21) + p("kind", 15) + p("transfer", 40) + p("debit", 18, right: true) + p("credit", 18, right: true)
                + p("balance (Dr−Cr)", 20, right: true) + "  reference")
            var balance: Int128 = 0
            var pending: Int128 = 0
            try audit.entries(account: id, fromMs: fromMs, toMs: toMs) { page in
                for (_, entry) in page {
                    let isDebit = entry.debitAccountID == id
                    let posted = Int128(entry.postedDeltaFen)
                    balance += isDebit ? posted : -posted
                    pending += Int128(entry.pendingDeltaFen) * (isDebit ? 1 : -1)
                    let amount = entry.postedDeltaFen != 0 ? MoneyFormat.yuan(entry.postedDeltaFen) : "(" + MoneyFormat.yuan(entry.pendingDeltaFen) + ")"
                    print(
                        p(LedgerCommand.time(entry.timestampMs), 21) + p("\(entry.kind)", 15) + p("\(entry.transferID.rawValue)", 40)
                            + p(isDebit ? amount : "", 18, right: true) + p(isDebit ? "" : amount, 18, right: true)
                            + p(MoneyFormat.yuan(balance), 20, right: true) + "  " + entry.reference)
                }
            }
            print("posted balance \(MoneyFormat.yuan(balance)) (Dr−Cr over the period); amounts in parentheses are holds, net pending \(MoneyFormat.yuan(pending))")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write every entry as CSV or JSON lines to standard output.")
        enum Format: String, ExpressibleByArgument { case csv, jsonl }
        @OptionGroup var database: DatabaseOptions
        @Option(help: "csv or jsonl.") var format: Format = .csv
        @Option(help: "From this date or time (inclusive, China time).") var from: String?
        @Option(help: "To this date or time (exclusive, China time).") var to: String?

        static let columns = [
            "entry_id", "kind", "transfer_id", "pending_id", "debit_account_id", "debit_sequence", "credit_account_id",
            "credit_sequence", "ledger", "code", "amount_fen", "amount_yuan", "released_fen", "timestamp_ms", "expires_at_ms",
            "reference", "hash",
        ]

        func run() async throws {
            let audit = try LedgerCommand.audit(database)
            let fromMs = try LedgerCommand.parseTime(from, option: "--from")
            let toMs = try LedgerCommand.parseTime(to, option: "--to")
            let output = FileHandle.standardOutput
            if format == .csv { output.write(Data((Self.columns.joined(separator: ",") + "\n").utf8)) }
            try audit.entries(fromMs: fromMs, toMs: toMs) { page in
                var text = ""
                for (entryID, e) in page {
                    let values: [String] = [
                        String(entryID), "\(e.kind)", String(e.transferID.rawValue), String(e.pendingID.rawValue),
                        String(e.debitAccountID.rawValue), String(e.debitSequence), String(e.creditAccountID.rawValue),
                        String(e.creditSequence), String(e.ledger), String(e.code), String(e.amountFen),
                        MoneyFormat.yuan(e.amountFen, grouping: false), String(e.releasedFen), String(e.timestampMs),
                        String(e.expiresAtMs), e.reference, e.hash.hex,
                    ]
                    switch format {
                    case .csv:
                        text += values.map(Self.csvField).joined(separator: ",") + "\n"
                    case .jsonl:
                        let object = Dictionary(uniqueKeysWithValues: zip(Self.columns, values))
                        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                        text += String(decoding: data, as: UTF8.self) + "\n"
                    }
                }
                output.write(Data(text.utf8))
            }
        }

        static func csvField(_ value: String) -> String {
            guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }
}
