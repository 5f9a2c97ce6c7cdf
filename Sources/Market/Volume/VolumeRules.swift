import Foundation

/// The counting rules of 技术交易额 (DOMAIN.md, "Counting the volume"; docs/volume.md), as pure
/// functions: which running totals an act moves, the plan's path, the forecast.
public enum VolumeRules {
    // MARK: - The plan

    /// The region whose five-year plan sets the default path: 德清县.
    public static let planRegion = RegionCode("330521")!
    public static let planBaselineYear = 2020
    /// ¥1.2bn in 2020.
    public static let planBaselineFen: Int64 = 120_000_000_000
    public static let planTargetYear = 2025
    /// ¥2.5bn in 2025.
    public static let planTargetFen: Int64 = 250_000_000_000
    /// The first year of every report's series: the plan's baseline.
    public static let seriesStartYear = planBaselineYear
    /// The Yangtze River Delta's provinces (the `yrd` alliance): 上海, 江苏, 浙江, 安徽.
    public static let deltaProvinces: Set<RegionCode> = ["310000", "320000", "330000", "340000"].compactMap(RegionCode.init).reduce(into: []) {
        $0.insert($1)
    }
    /// A target no region sets: ¥10tn.
    public static let targetFenMax: Int64 = 1_000_000_000_000_000
    public static let targetNoteLengthMax = 200
    /// Years a report, a target or a chart may name: from 2001, so that the year before (the
    /// same day last year, the chart's last year) is a day too.
    public static let yearRange = 2001...2100
    /// Earlier years the seasonal forecast needs; with fewer it draws a straight line.
    public static let forecastHistoryYearsMin = 2
    /// How many of the latest registrations a dashboard lists.
    public static let latestRegistrationsMax = 10

    /// The plan's implied annual growth, (2.5 / 1.2)^(1/5) − 1 ≈ 15.8%. A ratio, not money.
    public static var planAnnualGrowth: Double {
        pow(Double(planTargetFen) / Double(planBaselineFen), 1 / Double(planTargetYear - planBaselineYear)) - 1
    }

    /// The plan's milestone for `year` (from the baseline year on), to the whole yuan: the
    /// baseline grown by the implied rate; the target year's is the target itself.
    public static func planMilestoneFen(_ year: Int) -> Int64? {
        guard year >= planBaselineYear else { return nil }
        if year == planBaselineYear { return planBaselineFen }
        if year == planTargetYear { return planTargetFen }
        // The growth is a ratio: a Double for the power, the result rounded to whole yuan.
        let grown = Double(planBaselineFen) * pow(1 + planAnnualGrowth, Double(year - planBaselineYear))
        return Int64((grown / 100).rounded()) * 100
    }

    /// The target that holds for a region's year: one set by a regulator or the operator, else
    /// for the plan's region the plan's path (extended past 2025 at the same rate until the
    /// next plan's figures are set), else none.
    public static func target(region: RegionCode, year: Int, set: VolumeTarget?) -> VolumeReport.Target? {
        if let set {
            return .init(targetFen: set.targetFen, source: .set, note: set.note, setByRole: set.setByRole, setAt: set.setAt)
        }
        guard region == planRegion, let milestone = planMilestoneFen(year) else { return nil }
        return .init(targetFen: milestone, source: year <= planTargetYear ? .plan : .planExtended, note: nil, setByRole: nil, setAt: nil)
    }

    // MARK: - Counting

    /// Whether an act of a contract version moves the volume, and how many contracts it adds:
    /// the first registration +1, a termination −1, a change registered again 0.
    public static func act(of version: ContractVersion, _ contract: Contract) -> VolumeAct? {
        guard let registration = version.registration else { return nil }
        return act(
            version.act, revision: registration.revision, registeredOn: registration.registeredOn, deltaFen: version.countedDeltaFen,
            sellerRegion: contract.seller.regionCode, buyerRegion: contract.buyer.regionCode, fieldCode: contract.fieldCode, type: contract.type)
    }

    /// The same from a version's columns as the store keeps them.
    public static func act(
        _ kind: ContractVersion.Act, revision: Int, registeredOn: Day, deltaFen: Int64, sellerRegion: RegionCode, buyerRegion: RegionCode,
        fieldCode: String, type: ContractType
    ) -> VolumeAct? {
        let contracts: Int64
        switch kind {
        case .registeredDirectly: contracts = 1
        case .registered: contracts = revision == 0 ? 1 : 0
        case .terminated: contracts = -1
        case .signed, .changed: return nil
        }
        if deltaFen == 0 && contracts == 0 { return nil }
        return VolumeAct(
            day: registeredOn, deltaFen: deltaFen, contractDelta: contracts, sellerRegion: sellerRegion, buyerRegion: buyerRegion,
            fieldCode: fieldCode, type: type)
    }

    /// The running totals an act moves: for every region that is, or is above, the seller's or
    /// the buyer's (each once), the day's total and its field, type and band, each side counted
    /// where that side is in the region. Ancestries start with the region itself.
    public static func cells(for act: VolumeAct, sellerAncestry: [RegionCode], buyerAncestry: [RegionCode]) -> [VolumeCell] {
        var regions: [RegionCode] = []
        for region in sellerAncestry + buyerAncestry where !regions.contains(region) { regions.append(region) }
        var cells: [VolumeCell] = []
        cells.reserveCapacity(regions.count * VolumeDimension.allCases.count)
        for region in regions {
            let sellerIn = sellerAncestry.contains(region), buyerIn = buyerAncestry.contains(region)
            let sides = VolumeSides(
                totalFen: act.deltaFen, sellerFen: sellerIn ? act.deltaFen : 0, buyerFen: buyerIn ? act.deltaFen : 0,
                contractCount: act.contractDelta)
            let band = self.band(of: region, sellerAncestry: sellerAncestry, buyerAncestry: buyerAncestry)
            for (dimension, value) in [(VolumeDimension.total, ""), (.field, act.fieldCode), (.type, act.type.rawValue), (.band, band.rawValue)] {
                cells.append(VolumeCell(key: .init(region: region, day: act.day, dimension: dimension, value: value), sides: sides))
            }
        }
        return cells
    }

    /// Where the counterpart is, seen from `region` (which holds one side or both).
    public static func band(of region: RegionCode, sellerAncestry: [RegionCode], buyerAncestry: [RegionCode]) -> VolumeBand {
        let sellerIn = sellerAncestry.contains(region), buyerIn = buyerAncestry.contains(region)
        if sellerIn && buyerIn { return .inside }
        let (inside, other) = sellerIn ? (sellerAncestry, buyerAncestry) : (buyerAncestry, sellerAncestry)
        // The region and those above it: [county, city, province], [city, province] or [province].
        let above = Array(inside.drop { $0 != region })
        let city = above.count >= 3 ? above[1] : nil
        let province = above.count >= 2 ? above.last : nil
        if let city, other.contains(city) { return .restOfCity }
        if let province, other.contains(province) { return .restOfProvince }
        if let top = other.last, deltaProvinces.contains(top) { return .restOfDelta }
        return .elsewhere
    }

    /// Cells with the same key added together, in key order (the order the store writes them,
    /// so that two transactions lock shared rows in one order).
    public static func merged(_ cells: [VolumeCell]) -> [VolumeCell] {
        var sums: [VolumeCell.Key: VolumeSides] = [:]
        for cell in cells { sums[cell.key, default: VolumeSides()] += cell.sides }
        return sums.map { VolumeCell(key: $0.key, sides: $0.value) }.sorted { $0.key < $1.key }
    }

    // MARK: - Input

    /// A target as a caller asks to set it, before any database.
    public static func checkTarget(_ request: VolumeTargetRequest) throws(MarketError) {
        var issues = FieldIssues()
        if !yearRange.contains(request.year) { issues.add("year", "must be from \(yearRange.lowerBound) to \(yearRange.upperBound), not \(request.year)") }
        if request.targetFen <= 0 || request.targetFen > targetFenMax {
            issues.add("targetFen", "must be from 1 to \(targetFenMax) fen, not \(request.targetFen)")
        }
        if let note = request.note { TextRule.check(note, "note", length: 1...targetNoteLengthMax, into: &issues) }
        try issues.throwIfAny()
    }

    // MARK: - Days

    /// The year of a day.
    public static func year(_ day: Day) -> Int {
        day.text.utf8.prefix(4).reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// The month (1–12) of a day.
    public static func month(_ day: Day) -> Int {
        day.text.utf8.dropFirst(5).prefix(2).reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// Month × 100 + day: 229 for 29 February, to compare days of the year across years.
    public static func monthDay(_ day: Day) -> Int {
        month(day) * 100 + day.text.utf8.suffix(2).reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// 1 January and 31 December of `year`.
    public static func firstDay(_ year: Int) -> Day { day(year, 1, 1) }
    public static func lastDay(_ year: Int) -> Day { day(year, 12, 31) }

    /// The day of `year`, `month` and `day` (all in range: a caller bug otherwise).
    static func day(_ year: Int, _ month: Int, _ dayOfMonth: Int) -> Day {
        guard let day = Day(year: year, month: month, day: dayOfMonth) else { preconditionFailure("\(year)-\(month)-\(dayOfMonth) is a day") }
        return day
    }

    /// Days from 1970-01-01.
    public static func dayNumber(_ day: Day) -> Int64 { day.daysSince1970 }

    /// The day `count` days after `day`.
    public static func adding(days count: Int64, to day: Day) -> Day {
        let (year, month, dayOfMonth) = Day.civil(fromDaysSince1970: dayNumber(day) + count)
        return self.day(Int(year), Int(month), Int(dayOfMonth))
    }

    /// Days of `year`: 365 or 366.
    public static func daysIn(_ year: Int) -> Int64 { dayNumber(lastDay(year)) - dayNumber(firstDay(year)) + 1 }
}
