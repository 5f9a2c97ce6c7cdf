import ArgumentParser
import Foundation
import Ledger
import Market
import PostgresStore
#if canImport(Glibc)
import Glibc
#endif

/// `techmarket volume …`: the 技术交易额 report (the figures of `GET /v1/volume`) and the
/// recount that checks the running totals.
struct VolumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume", abstract: "Technology transaction volume (技术交易额) toward the plan's target.",
        subcommands: [Report.self, Verify.self], defaultSubcommand: Report.self)

    /// Which breakdown the table lists.
    enum Breakdown: String, CaseIterable, ExpressibleByArgument {
        case field, region, type, month
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a region's volume for a year: total, sides, target, forecast and one breakdown (default: by field).")
        @Option(help: "The region's GB/T 2260 code (default 330521, 德清县).")
        var region: String = VolumeRules.planRegion.value
        @Option(help: "The year (default: this year).")
        var year: Int?
        @Option(name: .customLong("as-of"), help: "The report as it stood on this day, YYYY-MM-DD (default today).")
        var asOf: String?
        @Option(help: "The breakdown to list: field, region (the counterpart's), type or month.")
        var by: Breakdown = .field
        @Option(help: "table (aligned, for people), csv (amounts in yuan) or json (the report as GET /v1/volume gives it).")
        var format: ListingFormat = .table
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard RegionCode(region) != nil else { throw ValidationError("--region must be a six-digit region code, not '\(region)'") }
            if let year, !VolumeRules.yearRange.contains(year) {
                throw ValidationError("--year must be from \(VolumeRules.yearRange.lowerBound) to \(VolumeRules.yearRange.upperBound)")
            }
            if let asOf, Day(asOf) == nil { throw ValidationError("--as-of must be a date such as 2026-11-30, not '\(asOf)'") }
        }

        func run() async throws {
            try await withStore(database) { store in
                let report = try await VolumeService(store: store).report(
                    region: RegionCode(region) ?? VolumeRules.planRegion, year: year, asOf: asOf.flatMap(Day.init))
                switch format {
                case .json:
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                    encoder.dateEncodingStrategy = .iso8601
                    print(String(decoding: try encoder.encode(report), as: UTF8.self))
                case .csv:
                    print(VolumeCommand.table(report, by: by, yuan: true).csv(), terminator: "")
                case .table:
                    print(VolumeCommand.summary(report, terminal: isatty(STDOUT_FILENO) == 1))
                    print(VolumeCommand.table(report, by: by, yuan: false).render(), terminator: "")
                }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recount the volume's running totals from every registered contract and compare. Exit 0 equal, 1 different, 2 could not run.")
        @Flag(help: "Write the recount over the stored totals (registrations wait meanwhile).")
        var repair = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            var differences = 0
            do {
                try await withStore(database) { store in
                    let terminal = isatty(STDERR_FILENO) == 1
                    let verification = try await VolumeService(store: store).verify(repair: repair) { count in
                        if terminal { FileHandle.standardError.write(Data("\rrecounted \(count) acts".utf8)) }
                    }
                    if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
                    print("acts       \(verification.actCount)")
                    print("totals     \(verification.cellCount) stored, \(verification.recounted.count) recounted")
                    for difference in verification.differences.prefix(VolumeCommand.differencesShownMax) {
                        let key = difference.key
                        print(
                            "DIFFERENCE: \(key.region) \(key.day) \(key.dimension.rawValue) \(key.value.isEmpty ? "-" : key.value): stored \(VolumeCommand.sides(difference.stored)), recounted \(VolumeCommand.sides(difference.recounted))")
                    }
                    if verification.differences.count > VolumeCommand.differencesShownMax {
                        print("… and \(verification.differences.count - VolumeCommand.differencesShownMax) more")
                    }
                    differences = verification.differences.count
                    if differences == 0 {
                        print("clean: the running totals equal the recount")
                    } else if repair {
                        print("repaired: \(differences) total(s) rewritten from the recount")
                    }
                }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                printError("volume verify could not run: \(error)")
                throw ExitCode(2)
            }
            if differences > 0 && !repair { throw ExitCode(1) }
        }
    }

    static let differencesShownMax = 50
    /// Cells of the progress bar toward the target.
    static let progressBarWidth = 30

    static func sides(_ sides: VolumeSides) -> String {
        "total \(sides.totalFen) seller \(sides.sellerFen) buyer \(sides.buyerFen) contracts \(sides.contractCount)"
    }

    /// The headline figures, with a bar toward the target on a terminal.
    static func summary(_ report: VolumeReport, terminal: Bool) -> String {
        var lines = ["\(report.region.name)（\(report.region.code)）\(report.year)年技术交易额，统计至 \(report.yearToDate.through)"]
        var figures = TextTable([("", .left), ("亿元", .right), ("fen", .right)])
        func add(_ label: String, _ fen: Int64) { figures.add([label, VolumeText.yi(fen), String(fen)]) }
        add("总额", report.totalFen)
        add("技术输出", report.sellerFen)
        add("技术吸纳", report.buyerFen)
        if let target = report.target {
            add("目标（\(VolumeText.source(target.source))）", target.targetFen)
            if let gap = report.gapFen { add(gap >= 0 ? "差距" : "超出", gap >= 0 ? gap : -gap) }
        }
        add("去年同期", report.sameDayLastYear.sides.totalFen)
        add("全年预测（\(VolumeText.method(report.forecast.method))）", report.forecast.totalFen)
        lines.append(figures.render())
        if let share = report.shareOfTarget {
            if terminal {
                let filled = min(max(Int((share * Double(progressBarWidth)).rounded(.down)), 0), progressBarWidth)
                lines.append(
                    String(repeating: "█", count: filled) + String(repeating: "░", count: progressBarWidth - filled) + " \(VolumeText.percent(share)) 完成")
            } else {
                lines.append("完成 \(VolumeText.percent(share))")
            }
        } else {
            lines.append("未设定目标")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// One breakdown as a table: in 亿元 for people, in yuan for CSV.
    static func table(_ report: VolumeReport, by: Breakdown, yuan: Bool) -> TextTable {
        let items: [VolumeReport.Item]
        switch by {
        case .field: items = report.breakdowns?.field ?? []
        case .region: items = report.breakdowns?.region ?? []
        case .type: items = report.breakdowns?.type ?? []
        case .month: items = report.breakdowns?.month ?? []
        }
        let unit = yuan ? "元" : "亿元"
        func amount(_ fen: Int64) -> String { yuan ? MoneyFormat.yuan(fen, grouping: false) : VolumeText.yi(fen) }
        var table = TextTable([
            (by.rawValue, .left), ("名称", .left), ("合计\(unit)", .right), ("输出\(unit)", .right), ("吸纳\(unit)", .right), ("合同数", .right),
        ])
        for item in items {
            table.add([item.key, item.label, amount(item.totalFen), amount(item.sellerFen), amount(item.buyerFen), String(item.contractCount)])
        }
        if !yuan {
            table.rule()
            table.add(["", "合计", amount(report.totalFen), amount(report.sellerFen), amount(report.buyerFen), String(report.contractCount)])
        }
        return table
    }
}
