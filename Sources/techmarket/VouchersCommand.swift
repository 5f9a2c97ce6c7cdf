import ArgumentParser
import Foundation
import Ledger
import Market
import PostgresStore

/// `techmarket vouchers …`: the scheduled jobs of the voucher scheme.
struct VouchersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vouchers", abstract: "Lapse unclaimed holds; settle approved claims.", subcommands: [Sweep.self, Settle.self])

    /// The command line acts as the market operator.

    struct Sweep: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Void every hold not claimed by its program's claim-by date (safe from cron, safe to run twice).")
        @Option(help: "The day to sweep as of (default: today, China time), as 2028-04-01.")
        var asOf: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let today: Day
            if let asOf {
                guard let day = Day(asOf) else { throw ValidationError("--as-of must be a date such as 2028-04-01, not '\(asOf)'") }
                today = day
            } else {
                today = Day.today()
            }
            try await withStore(database) { store in
                let count = try await VoucherService(store: store).sweep(today: today)
                print("lapsed \(count) unclaimed hold(s) as of \(today)")
            }
        }
    }

    struct Settle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pay every approved, unpaid claim on an issuing region in one batch, and print it as CSV.")
        @Option(help: "The issuing region (a six-digit code such as 330521).")
        var issuer: String
        @Option(help: "Also write the batch's CSV to this file.")
        var csv: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let region = RegionCode(issuer) else { throw ValidationError("--issuer must be a six-digit region code, not '\(issuer)'") }
            try await withStore(database) { store in
                guard let batch = try await VoucherService(store: store).settle(issuer: region, by: .commandLineOperator) else {
                    print("nothing to settle for \(region)")
                    return
                }
                printError("settlement \(batch.id): \(batch.lines.count) claim(s), ¥\(MoneyFormat.yuan(batch.totalFen)) in all")
                for (providerRegion, total) in batch.totalsByRegion {
                    printError("  to providers in \(providerRegion): ¥\(MoneyFormat.yuan(total))")
                }
                print(batch.csv, terminator: "")
                if let csv { try batch.csv.write(toFile: csv, atomically: true, encoding: .utf8) }
            }
        }
    }
}
