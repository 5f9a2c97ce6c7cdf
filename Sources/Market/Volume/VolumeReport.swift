import Foundation

/// A region's 技术交易额 for a year as it stood on a day (`GET /v1/volume`, the dashboard, the
/// CLI): one shape, encoded as it is. Amounts in fen.
public struct VolumeReport: Sendable, Hashable, Codable {
    public struct RegionName: Sendable, Hashable, Codable {
        public var code: RegionCode
        public var name: String
    }

    /// Where a target comes from.
    public enum TargetSource: String, Sendable, Hashable, Codable {
        /// The county plan's path (2020 ¥1.2bn → 2025 ¥2.5bn).
        case plan
        /// The plan's path continued at its rate past 2025, until a regulator sets the year's.
        case planExtended = "plan_extended"
        /// Set by a regulator or the operator (`PUT /v1/volume/targets/{region}/{year}`).
        case set
    }

    public struct Target: Sendable, Hashable, Codable {
        public var targetFen: Int64
        public var source: TargetSource
        public var note: String?
        public var setByRole: Role?
        public var setAt: Date?
    }

    /// The plan's headline figures.
    public struct Plan: Sendable, Hashable, Codable {
        public var baselineYear: Int
        public var baselineFen: Int64
        public var targetYear: Int
        public var targetFen: Int64
        /// (2.5 / 1.2)^(1/5) − 1.
        public var annualGrowth: Double
    }

    /// Counted through a day (inclusive).
    public struct Span: Sendable, Hashable, Codable {
        public var through: Day
        public var sides: VolumeSides
    }

    public enum ForecastMethod: String, Sendable, Hashable, Codable {
        /// Year to date ÷ the share of a year's volume that earlier years had registered by the same day.
        case seasonal
        /// Year to date × days in the year ÷ days gone (too little history for the seasonal one).
        case straightLine = "straight_line"
        /// The year is over: the forecast is what was registered.
        case final
        /// The year has not begun on the report's day.
        case notStarted = "not_started"
    }

    public struct Forecast: Sendable, Hashable, Codable {
        public var totalFen: Int64
        public var method: ForecastMethod
        /// The earlier years the seasonal forecast learned from.
        public var historyYears: [Int]
        /// Their share of a year's volume registered by the same day (seasonal only). A ratio.
        public var shareByThisDay: Double?
    }

    /// One row of a breakdown.
    public struct Item: Sendable, Hashable, Codable {
        public var key: String
        public var label: String
        public var totalFen: Int64
        public var sellerFen: Int64
        public var buyerFen: Int64
        public var contractCount: Int64
    }

    public struct Breakdowns: Sendable, Hashable, Codable {
        public var field: [Item]
        /// Where the counterpart is: inside the region, the rest of its city, of its province, of the Delta, elsewhere.
        public var region: [Item]
        public var type: [Item]
        /// Each month of the year, "01" to "12".
        public var month: [Item]
    }

    /// One year of the series from 2020.
    public struct Year: Sendable, Hashable, Codable {
        public var year: Int
        public var totalFen: Int64
        public var sellerFen: Int64
        public var buyerFen: Int64
        public var contractCount: Int64
        /// False for the report's year while it runs.
        public var complete: Bool
        public var targetFen: Int64?
        public var targetSource: TargetSource?
    }

    public var region: RegionName
    public var year: Int
    public var asOf: Day
    /// The year's total and sides, counted through `yearToDate.through`.
    public var totalFen: Int64
    public var sellerFen: Int64
    public var buyerFen: Int64
    public var contractCount: Int64
    public var target: Target?
    /// Total ÷ target (a ratio); nil without a target.
    public var shareOfTarget: Double?
    /// Target − total (below 0 once the target is passed); nil without a target.
    public var gapFen: Int64?
    public var plan: Plan
    public var yearToDate: Span
    public var sameDayLastYear: Span
    public var forecast: Forecast
    /// Nil when the caller asked for none.
    public var breakdowns: Breakdowns?
    public var series: [Year]
}

/// The names a report's labels use: the region and those above it, the fields.
public struct VolumeNames: Sendable {
    /// The region first, then those above it.
    public var ancestry: [Region]
    public var fieldNames: [String: String]

    public init(ancestry: [Region], fieldNames: [String: String]) {
        self.ancestry = ancestry
        self.fieldNames = fieldNames
    }

    /// The Chinese label of a band, seen from the region.
    public func label(_ band: VolumeBand) -> String {
        let region = ancestry.first
        let city = ancestry.count >= 3 ? ancestry[1] : nil
        let province = ancestry.count >= 2 ? ancestry.last : nil
        switch band {
        case .inside: return "\(region?.name ?? "本地区")内"
        case .restOfCity: return "\(city?.name ?? "本市")其他县区"
        case .restOfProvince: return "\(province?.name ?? "本省")其他地区"
        case .restOfDelta: return "长三角其他省市"
        case .elsewhere: return "其他地区"
        }
    }

    /// The bands a region can have: a city has no "rest of its city", a province neither.
    public var bands: [VolumeBand] {
        switch ancestry.count {
        case 3...: return VolumeBand.allCases
        case 2: return VolumeBand.allCases.filter { $0 != .restOfCity }
        default: return VolumeBand.allCases.filter { $0 != .restOfCity && $0 != .restOfProvince }
        }
    }
}

extension ContractType {
    /// 技术开发, 技术转让, …
    public var chineseName: String {
        switch self {
        case .development: return "技术开发"
        case .transfer: return "技术转让"
        case .licence: return "技术许可"
        case .consulting: return "技术咨询"
        case .service: return "技术服务"
        }
    }
}

extension VolumeRules {
    /// The report of `year` as it stood on `asOf`, from the region's monthly totals since the
    /// series start (through `asOf`: `VolumeMonth`), the year's breakdown sums (nil: none asked
    /// for), the targets set for the region by year, and the names of its labels.
    public static func report(
        year: Int, asOf: Day, months: [VolumeMonth], shares: [VolumeShare]?, setTargets: [Int: VolumeTarget], names: VolumeNames
    ) -> VolumeReport {
        guard let region = names.ancestry.first else { preconditionFailure("a report names its region") }
        let through = min(asOf, lastDay(year))
        let started = through >= firstDay(year)
        var byYear: [Int: VolumeSides] = [:], byYearToSameDay: [Int: VolumeSides] = [:]
        for month in months {
            byYear[month.year, default: VolumeSides()] += month.sides
            byYearToSameDay[month.year, default: VolumeSides()] += month.sidesBySameDay
        }
        let ytd = started ? byYear[year] ?? VolumeSides() : VolumeSides()
        // The same day a year earlier: its year's months up to the report's month and day (29
        // February stands for the 28th in a common year, which holds no later day).
        let lastYearThrough = started ? through.addingYears(-1) : lastDay(year - 1)
        let lastYear = started ? byYearToSameDay[year - 1] ?? VolumeSides() : VolumeSides()
        let target = self.target(region: region.code, year: year, set: setTargets[year])

        let series = year < seriesStartYear ? [] : (seriesStartYear...year).map { seriesYear -> VolumeReport.Year in
            let sides = byYear[seriesYear] ?? VolumeSides()
            let target = self.target(region: region.code, year: seriesYear, set: setTargets[seriesYear])
            return .init(
                year: seriesYear, totalFen: sides.totalFen, sellerFen: sides.sellerFen, buyerFen: sides.buyerFen,
                contractCount: sides.contractCount, complete: lastDay(seriesYear) <= asOf, targetFen: target?.targetFen,
                targetSource: target?.source)
        }

        var breakdowns: VolumeReport.Breakdowns?
        if let shares {
            func items(_ dimension: VolumeDimension, _ keys: [String], _ label: (String) -> String) -> [VolumeReport.Item] {
                var sums: [String: VolumeSides] = [:]
                for share in shares where share.dimension == dimension { sums[share.value, default: VolumeSides()] += share.sides }
                // Every known key, then any other the sums hold (a field added later), each once.
                let ordered = keys + sums.keys.filter { !keys.contains($0) }.sorted()
                return ordered.map { key in
                    let sides = sums[key] ?? VolumeSides()
                    return .init(
                        key: key, label: label(key), totalFen: sides.totalFen, sellerFen: sides.sellerFen, buyerFen: sides.buyerFen,
                        contractCount: sides.contractCount)
                }
            }
            var monthly = [VolumeSides](repeating: VolumeSides(), count: 12)
            for month in months where month.year == year && (1...12).contains(month.month) { monthly[month.month - 1] += month.sides }
            breakdowns = .init(
                field: items(.field, Array(names.fieldNames.keys).sorted()) { names.fieldNames[$0] ?? $0 },
                region: items(.band, names.bands.map(\.rawValue)) { VolumeBand(rawValue: $0).map(names.label) ?? $0 },
                type: items(.type, ContractType.allCases.map(\.rawValue)) { ContractType(rawValue: $0)?.chineseName ?? $0 },
                month: monthly.enumerated().map { index, sides in
                    .init(
                        key: index < 9 ? "0\(index + 1)" : "\(index + 1)", label: "\(index + 1)月", totalFen: sides.totalFen,
                        sellerFen: sides.sellerFen, buyerFen: sides.buyerFen, contractCount: sides.contractCount)
                })
        }

        return VolumeReport(
            region: .init(code: region.code, name: region.name), year: year, asOf: asOf, totalFen: ytd.totalFen, sellerFen: ytd.sellerFen,
            buyerFen: ytd.buyerFen, contractCount: ytd.contractCount, target: target,
            shareOfTarget: target.map { Double(ytd.totalFen) / Double($0.targetFen) }, gapFen: target.map { $0.targetFen - ytd.totalFen },
            plan: .init(
                baselineYear: planBaselineYear, baselineFen: planBaselineFen, targetYear: planTargetYear, targetFen: planTargetFen,
                annualGrowth: planAnnualGrowth),
            yearToDate: .init(through: started ? through : firstDay(year), sides: ytd),
            sameDayLastYear: .init(through: lastYearThrough, sides: lastYear),
            forecast: forecast(year: year, through: through, started: started, ytdFen: ytd.totalFen, months: months),
            breakdowns: breakdowns, series: series)
    }

    /// The run-rate forecast of `year`'s total (docs/volume.md): year to date scaled by the
    /// share of a year's volume that the earlier complete years (from the series start) had
    /// registered by the same day of the year; with fewer than `forecastHistoryYearsMin` such
    /// years, or none registered by that day, a straight line.
    public static func forecast(year: Int, through: Day, started: Bool, ytdFen: Int64, months: [VolumeMonth]) -> VolumeReport.Forecast {
        guard started else { return .init(totalFen: 0, method: .notStarted, historyYears: [], shareByThisDay: nil) }
        if through == lastDay(year) { return .init(totalFen: ytdFen, method: .final, historyYears: [], shareByThisDay: nil) }
        var full: [Int: Int64] = [:], byThisDay: [Int: Int64] = [:]
        for month in months where month.year >= seriesStartYear && month.year < year {
            full[month.year, default: 0] += month.sides.totalFen
            byThisDay[month.year, default: 0] += month.sidesBySameDay.totalFen
        }
        let history = full.keys.filter { (full[$0] ?? 0) > 0 }.sorted()
        let fullSum = history.reduce(Int64(0)) { $0 + (full[$1] ?? 0) }
        let byDaySum = history.reduce(Int64(0)) { $0 + (byThisDay[$1] ?? 0) }
        if history.count >= forecastHistoryYearsMin, byDaySum > 0 {
            let scaled = Int128(ytdFen) * Int128(fullSum) / Int128(byDaySum)
            return .init(
                totalFen: Int64(clamping: scaled), method: .seasonal, historyYears: history,
                shareByThisDay: Double(byDaySum) / Double(fullSum))
        }
        let gone = dayNumber(through) - dayNumber(firstDay(year)) + 1
        let scaled = Int128(ytdFen) * Int128(daysIn(year)) / Int128(gone)
        return .init(totalFen: Int64(clamping: scaled), method: .straightLine, historyYears: [], shareByThisDay: nil)
    }
}
