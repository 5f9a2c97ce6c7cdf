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

    /// `text` padded to `width` terminal columns (CJK characters take two: `TextTable.width`).
    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String { TextTable.pad(text, width, right ? .right : .left) }

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
            let started = Date()
            let progress = ProgressReport("verified", "entries")
            let result = try audit.verify(checkpoint: cut, atMs: LedgerCommand.nowMs()) { done, total in
                if done == total { progress.finish(done, of: total) } else { progress.update(done, of: total) }
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
        static let configuration = CommandConfiguration(
            commandName: "trial-balance",
            abstract: "Every account's debits, credits and balance in yuan, grouped by kind, with subtotals and the total.",
            discussion: """
                Each account is named for what it is and whose (创新券 330521-2026-000009 · 德清县莫干智能装备有限公司). \
                Its balance is on its normal side (the side column): Dr for the treasury, from which budgets are funded; \
                Cr for every account that holds money for someone. "pending" columns are holds not yet posted or voided.
                """)
        @OptionGroup var database: DatabaseOptions
        @Option(help: "table, csv or json.") var format: ListingFormat = .table

        func run() async throws {
            let accounts = try LedgerCommand.audit(database).ownedAccounts()
            let labelled = accounts.map { ($0, AccountLabel($0)) }
            struct Sums {
                var debits: Int128 = 0, credits: Int128 = 0, pendingDebits: Int128 = 0, pendingCredits: Int128 = 0
                mutating func add(_ b: Balances) {
                    debits += Int128(b.debitsPostedFen)
                    credits += Int128(b.creditsPostedFen)
                    pendingDebits += Int128(b.debitsPendingFen)
                    pendingCredits += Int128(b.creditsPendingFen)
                }
            }
            var table = TextTable([
                ("kind", .left), ("account", .right), ("name", .left), ("debits", .right), ("credits", .right), ("side", .left),
                ("balance", .right), ("pending Dr", .right), ("pending Cr", .right),
            ])
            var groups: [[String: Any]] = []
            var total = Sums()
            func money<Fen: BinaryInteger>(_ fen: Fen) -> String { format == .csv ? MoneyFormat.yuan(fen, grouping: false) : MoneyFormat.yuan(fen) }
            for kind in AccountLabel.Kind.allCases {
                let members = labelled.filter { $0.1.kind == kind }
                guard !members.isEmpty else { continue }
                var sums = Sums()
                var jsonAccounts: [[String: Any]] = []
                for (owned, label) in members {
                    let b = owned.account.balances
                    sums.add(b)
                    let balance = label.normal(Int128(b.debitsPostedFen) - Int128(b.creditsPostedFen))
                    table.add([
                        kind.rawValue, String(owned.account.id.rawValue), label.name, money(Int128(b.debitsPostedFen)),
                        money(Int128(b.creditsPostedFen)), label.normalSide, money(balance), money(Int128(b.debitsPendingFen)),
                        money(Int128(b.creditsPendingFen)),
                    ])
                    jsonAccounts.append([
                        "account": owned.account.id.rawValue, "name": label.name, "debitsFen": b.debitsPostedFen, "creditsFen": b.creditsPostedFen,
                        "normalSide": label.normalSide, "balanceFen": Int64(clamping: balance), "pendingDebitsFen": b.debitsPendingFen,
                        "pendingCreditsFen": b.creditsPendingFen,
                    ])
                }
                // A kind's accounts share their normal side, so its subtotal balance is on it too.
                let subtotal = (members[0].1).normal(sums.debits - sums.credits)
                table.add([
                    kind.rawValue, "", members.count == 1 ? "subtotal (1 account)" : "subtotal (\(members.count) accounts)", money(sums.debits), money(sums.credits), members[0].1.normalSide,
                    money(subtotal), money(sums.pendingDebits), money(sums.pendingCredits),
                ])
                table.rule()
                total.debits += sums.debits
                total.credits += sums.credits
                total.pendingDebits += sums.pendingDebits
                total.pendingCredits += sums.pendingCredits
                groups.append([
                    "kind": kind.rawValue, "accounts": jsonAccounts,
                    "subtotal": [
                        "debitsFen": Int64(clamping: sums.debits), "creditsFen": Int64(clamping: sums.credits), "normalSide": members[0].1.normalSide,
                        "balanceFen": Int64(clamping: subtotal), "pendingDebitsFen": Int64(clamping: sums.pendingDebits),
                        "pendingCreditsFen": Int64(clamping: sums.pendingCredits),
                    ] as [String: Any],
                ])
            }
            let balanced = total.debits == total.credits && total.pendingDebits == total.pendingCredits
            table.add([
                "total", "", "\(accounts.count) accounts", money(total.debits), money(total.credits), "", money(total.debits - total.credits),
                money(total.pendingDebits), money(total.pendingCredits),
            ])
            switch format {
            case .table:
                print(table.render(), terminator: "")
                print(balanced ? "balanced: debits equal credits, posted and pending (the total's balance is Dr−Cr)" : "NOT BALANCED")
            case .csv:
                print(table.csv(), terminator: "")
            case .json:
                try printJSON([
                    "groups": groups, "balanced": balanced,
                    "total": [
                        "accounts": accounts.count, "debitsFen": Int64(clamping: total.debits), "creditsFen": Int64(clamping: total.credits),
                        "pendingDebitsFen": Int64(clamping: total.pendingDebits), "pendingCreditsFen": Int64(clamping: total.pendingCredits),
                    ] as [String: Any],
                ])
            }
            if !balanced { throw ExitCode(1) }
        }
    }

    struct Statement: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An account's entries with a running balance, in yuan: by account id, voucher number, program or participant.",
            discussion: """
                Each transfer shows as the business step that made it: VC·hold·13 is the hold of redemption 13 (steps: fund, issue, \
                hold, approve, release, settle; the number is the program, voucher, redemption or batch id); AU·escrow·4 is the \
                deposit of lot registration 4 (receive, escrow, release, commission, apply, compensate, forfeit, pay, \
                payCommission, sellerCommission; the number is the receipt, registration or lot id). --hex shows the ids too. \
                The balance is on the account's normal side (the side column says which side the balance stands on); amounts \
                in parentheses are holds, and "held" is what is held now.
                """)
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The account id (or use --voucher, --program or --party).") var account: UInt64?
        @Option(help: "The account of this voucher (330521-2026-000009).") var voucher: String?
        @Option(help: "The budget account of this program id.") var program: Int64?
        @Option(help: "Every account of this participant handle (a firm's vouchers, a provider's payable and settled accounts, a regulator's treasury and budgets).")
        var party: String?
        @Option(help: "From this date or time (inclusive, China time).") var from: String?
        @Option(help: "To this date or time (exclusive, China time).") var to: String?
        @Flag(help: "Show each transfer's id in hex beside its step.") var hex = false
        @Option(help: "table, csv or json.") var format: ListingFormat = .table

        func validate() throws {
            let given = [account != nil, voucher != nil, program != nil, party != nil].filter { $0 }.count
            guard given == 1 else { throw ValidationError("name one account: an id, --voucher, --program or --party") }
        }

        func run() async throws {
            let audit = try LedgerCommand.audit(database)
            let ids: [AccountID]
            if let account {
                ids = [AccountID(account)]
            } else if let voucher {
                guard let id = try audit.voucherAccount(number: voucher) else {
                    printError("no voucher \(voucher)")
                    throw ExitCode(1)
                }
                ids = [id]
            } else if let program {
                guard let id = try audit.programAccount(program) else {
                    printError("no program \(program)")
                    throw ExitCode(1)
                }
                ids = [id]
            } else {
                guard let found = try audit.partyAccounts(handle: party ?? "") else {
                    printError("no participant with handle \(party ?? "")")
                    throw ExitCode(1)
                }
                ids = found
                if found.isEmpty { printError("\(party ?? "") has no ledger accounts") }
            }
            let fromMs = try LedgerCommand.parseTime(from, option: "--from")
            let toMs = try LedgerCommand.parseTime(to, option: "--to")
            var documents: [[String: Any]] = []
            for id in ids {
                guard let owned = try audit.ownedAccounts(id: id).first else {
                    printError("no account \(id.rawValue)")
                    throw ExitCode(1)
                }
                documents.append(try statement(owned, audit: audit, fromMs: fromMs, toMs: toMs))
            }
            if format == .json {
                // One account: its statement; a participant's: every account's, in a list.
                let document: [String: Any] = party == nil ? documents[0] : ["statements": documents]
                try printJSON(document)
            }
        }

        /// Prints (table, csv) or returns (json) one account's statement.
        func statement(_ owned: LedgerAudit.OwnedAccount, audit: LedgerAudit, fromMs: Int64?, toMs: Int64?) throws -> [String: Any] {
            let label = AccountLabel(owned)
            let id = owned.account.id
            func money<Fen: BinaryInteger>(_ fen: Fen) -> String { format == .csv ? MoneyFormat.yuan(fen, grouping: false) : MoneyFormat.yuan(fen) }
            var columns: [(String, TextTable.Alignment)] = [("time", .left), ("transfer", .left)]
            if hex { columns.append(("transfer id", .left)) }
            columns += [
                ("kind", .left), ("debit", .right), ("credit", .right), ("balance", .right), ("side", .left), ("held", .right), ("reference", .left),
            ]
            var table = TextTable(columns)
            var lines: [[String: Any]] = []
            var balance: Int128 = 0  // posted, Dr−Cr
            var held: Int128 = 0  // pending, Dr−Cr
            try audit.entries(account: id, fromMs: fromMs, toMs: toMs) { page in
                for (_, entry) in page {
                    let isDebit = entry.debitAccountID == id
                    balance += Int128(entry.postedDeltaFen) * (isDebit ? 1 : -1)
                    held += Int128(entry.pendingDeltaFen) * (isDebit ? 1 : -1)
                    let amount = entry.postedDeltaFen != 0 ? money(Int128(entry.postedDeltaFen)) : "(" + money(Int128(entry.pendingDeltaFen)) + ")"
                    let normal = label.normal(balance)
                    let side = normal < 0 ? (label.normalSideIsDebit ? "Cr" : "Dr") : label.normalSide
                    let heldNormal = label.normal(held)
                    var cells = [LedgerCommand.time(entry.timestampMs), TransferLabel.step(entry.transferID)]
                    if hex { cells.append(TransferLabel.hex(entry.transferID)) }
                    cells += [
                        "\(entry.kind)", isDebit ? amount : "", isDebit ? "" : amount, money(normal.magnitude), side,
                        money(heldNormal.magnitude), entry.reference,
                    ]
                    table.add(cells)
                    lines.append([
                        "timestampMs": entry.timestampMs, "transfer": TransferLabel.step(entry.transferID), "transferId": TransferLabel.hex(entry.transferID),
                        "kind": "\(entry.kind)", "side": isDebit ? "debit" : "credit", "postedFen": entry.postedDeltaFen,
                        "pendingFen": entry.pendingDeltaFen, "balanceFen": Int64(clamping: normal), "heldFen": Int64(clamping: heldNormal.magnitude),
                        "reference": entry.reference,
                    ])
                }
            }
            let closing = label.normal(balance)
            switch format {
            case .table:
                print("statement of account \(id.rawValue): \(label.name)")
                print("kind \(label.kind.rawValue); balances on its normal side, \(label.normalSideIsDebit ? "debit (Dr)" : "credit (Cr)")")
                print(table.render(), terminator: "")
                print("closing balance \(money(closing.magnitude)) \(closing < 0 ? (label.normalSideIsDebit ? "Cr" : "Dr") : label.normalSide); held \(money(label.normal(held).magnitude))")
                print("")
            case .csv:
                print(table.csv(), terminator: "")
            case .json:
                break
            }
            return [
                "account": id.rawValue, "name": label.name, "kind": label.kind.rawValue, "normalSide": label.normalSide, "lines": lines,
                "closingBalanceFen": Int64(clamping: closing), "heldFen": Int64(clamping: held.magnitude),
            ]
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
            let progress = ProgressReport("exported", "entries")
            var written = 0
            defer { progress.finish(written, of: nil) }
            try audit.entries(fromMs: fromMs, toMs: toMs) { page in
                written += page.count
                progress.update(written, of: nil)
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
                        text += values.map(TextTable.csvField).joined(separator: ",") + "\n"
                    case .jsonl:
                        let object = Dictionary(uniqueKeysWithValues: zip(Self.columns, values))
                        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                        text += String(decoding: data, as: UTF8.self) + "\n"
                    }
                }
                output.write(Data(text.utf8))
            }
        }

    }
}
