import Foundation
import Market
import Testing

/// The counting rules with no database: which totals an act moves, on which side, in which
/// band; the plan's path; the forecast; the report's figures.
@Suite struct VolumeRulesTests {
    static func code(_ text: String) -> RegionCode { RegionCode(text)! }
    static let deqing = [code("330521"), code("330500"), code("330000")]
    static let anji = [code("330523"), code("330500"), code("330000")]
    static let hangzhou = [code("330100"), code("330000")]
    static let songjiang = [code("310117"), code("310000")]
    static let shenzhen = [code("440300"), code("440000")]

    static func act(_ deltaFen: Int64, on day: String = "2025-03-04", contracts: Int64 = 1) -> VolumeAct {
        VolumeAct(
            day: Day(day)!, deltaFen: deltaFen, contractDelta: contracts, sellerRegion: code("330521"), buyerRegion: code("330100"),
            fieldCode: "geographic_information", type: .licence)
    }

    @Test func aContractInsideTheCountyCountsOnceInTheTotalAndOnBothSides() {
        let cells = VolumeRules.cells(for: Self.act(100), sellerAncestry: Self.deqing, buyerAncestry: Self.deqing)
        let county = cells.filter { $0.key.region == Self.code("330521") }
        #expect(county.count == 4)
        for cell in county { #expect(cell.sides == VolumeSides(totalFen: 100, sellerFen: 100, buyerFen: 100, contractCount: 1)) }
        #expect(county.first { $0.key.dimension == .band }?.key.value == "inside")
        // Each region once: the county, Huzhou, Zhejiang.
        #expect(Set(cells.map(\.key.region)) == Set(Self.deqing))
    }

    @Test func eachSideCountsWhereItIsAndTheBandIsTheCounterpartsPlace() {
        let cells = VolumeRules.cells(for: Self.act(100), sellerAncestry: Self.deqing, buyerAncestry: Self.hangzhou)
        func cell(_ region: String, _ dimension: VolumeDimension) -> VolumeCell? {
            cells.first { $0.key.region == Self.code(region) && $0.key.dimension == dimension }
        }
        #expect(cell("330521", .total)?.sides == VolumeSides(totalFen: 100, sellerFen: 100, buyerFen: 0, contractCount: 1))
        #expect(cell("330100", .total)?.sides == VolumeSides(totalFen: 100, sellerFen: 0, buyerFen: 100, contractCount: 1))
        #expect(cell("330000", .total)?.sides == VolumeSides(totalFen: 100, sellerFen: 100, buyerFen: 100, contractCount: 1))
        #expect(cell("330521", .band)?.key.value == "rest_of_province")
        #expect(cell("330500", .band)?.key.value == "rest_of_province")
        #expect(cell("330000", .band)?.key.value == "inside")
        #expect(cell("330100", .band)?.key.value == "rest_of_province")
    }

    @Test func bandsFromTheCounty() {
        func band(_ other: [RegionCode]) -> VolumeBand {
            VolumeRules.band(of: Self.code("330521"), sellerAncestry: Self.deqing, buyerAncestry: other)
        }
        #expect(band(Self.deqing) == .inside)
        #expect(band(Self.anji) == .restOfCity)
        #expect(band(Self.hangzhou) == .restOfProvince)
        #expect(band(Self.songjiang) == .restOfDelta)
        #expect(band(Self.shenzhen) == .elsewhere)
        // Seen from the buyer's side too.
        #expect(VolumeRules.band(of: Self.code("330521"), sellerAncestry: Self.songjiang, buyerAncestry: Self.deqing) == .restOfDelta)
    }

    @Test func changesCountByTheirDifferenceAndTerminationsTakeTheAmountOut() throws {
        let seller = ContractParty(partyID: nil, name: "中科卫星应用德清研究院", creditCode: "123305214416538244", regionCode: Self.code("330521"))
        let buyer = ContractParty(partyID: nil, name: "杭州澄图", creditCode: "91330521MA4YE7238T", regionCode: Self.code("330100"))
        let draft = ContractDraft(
            type: .service, title: "服务", seller: seller, buyer: buyer, fieldCode: "other", totalFen: 500_00, costLines: [],
            signedOn: Day("2024-11-01")!, source: .direct, listingID: nil, subject: nil)
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let (registered, first) = try ContractRules.registerDirectly(
            draft, id: ContractID(1), number: "2024330521000001", region: seller.regionCode, today: Day("2024-12-20")!, missing: [], by: .regulator,
            at: now)
        let (changed, change) = try ContractRules.change(
            registered, to: ContractTerms(title: "服务", totalFen: 800_00, costLines: []), reason: "增加", by: .regulator, at: now)
        let (again, second) = try ContractRules.register(
            changed, declaredCosts: nil, number: nil, region: seller.regionCode, today: Day("2025-02-01")!, by: .regulator, at: now)
        let (_, end) = try ContractRules.terminate(again, reason: "解除", region: seller.regionCode, today: Day("2026-05-05")!, by: .regulator, at: now)
        #expect(VolumeRules.act(of: first, registered).map { ($0.day.text, $0.deltaFen, $0.contractDelta) } ?? ("", 0, 0) == ("2024-12-20", 500_00, 1))
        #expect(VolumeRules.act(of: change, changed) == nil, "a change counts only once registered")
        #expect(VolumeRules.act(of: second, again).map { ($0.day.text, $0.deltaFen, $0.contractDelta) } ?? ("", 0, 0) == ("2025-02-01", 300_00, 0))
        #expect(VolumeRules.act(of: end, again).map { ($0.day.text, $0.deltaFen, $0.contractDelta) } ?? ("", 0, 0) == ("2026-05-05", -800_00, -1))
    }

    @Test func thePlansPathRunsFromTheBaselineToTheTargetAtAbout15Point8Percent() {
        #expect(abs(VolumeRules.planAnnualGrowth - 0.15812) < 0.00001)
        #expect(VolumeRules.planMilestoneFen(2020) == 120_000_000_000)
        #expect(VolumeRules.planMilestoneFen(2025) == 250_000_000_000)
        let milestones = (2020...2027).compactMap(VolumeRules.planMilestoneFen)
        #expect(zip(milestones, milestones.dropFirst()).allSatisfy { $0 < $1 })
        #expect(VolumeRules.planMilestoneFen(2021) == 138_973_821_100 && VolumeRules.planMilestoneFen(2024) == 215_867_994_200)
        #expect(VolumeRules.target(region: Self.code("330521"), year: 2024, set: nil)?.source == .plan)
        #expect(VolumeRules.target(region: Self.code("330521"), year: 2027, set: nil)?.source == .planExtended)
        #expect(VolumeRules.target(region: Self.code("330100"), year: 2024, set: nil) == nil)
        let set = VolumeTarget(
            id: 1, regionCode: Self.code("330521"), year: 2026, targetFen: 300_000_000_000, note: "十五五", revision: 1, setByRole: .regulator,
            setByPartyID: nil, setAt: Date())
        #expect(VolumeRules.target(region: Self.code("330521"), year: 2026, set: set)?.targetFen == 300_000_000_000)
    }

    static func days(_ pairs: [(String, Int64)]) -> [VolumeDay] {
        pairs.map { VolumeDay(day: Day($0.0)!, sides: VolumeSides(totalFen: $0.1, sellerFen: $0.1, buyerFen: 0, contractCount: 1)) }
    }

    @Test func theForecastScalesByEarlierYearsShareByTheSameDayOrDrawsAStraightLine() {
        // 2023 and 2024 each had a quarter of their year by 30 June: 2025's half-year 100 → 400.
        let history = Self.days([("2023-03-01", 25), ("2023-11-01", 75), ("2024-06-30", 50), ("2024-12-01", 150), ("2025-02-02", 100)])
        let through = Day("2025-06-30")!
        let seasonal = VolumeRules.forecast(year: 2025, through: through, started: true, ytdFen: 100, months: VolumeMonth.rollUp(history, through: through))
        #expect(seasonal.method == .seasonal && seasonal.totalFen == 400 && seasonal.historyYears == [2023, 2024])
        let short = VolumeRules.forecast(
            year: 2025, through: through, started: true, ytdFen: 181, months: VolumeMonth.rollUp(Self.days([("2025-02-02", 181)]), through: through))
        #expect(short.method == .straightLine && short.totalFen == 181 * 365 / 181)
        let over = VolumeRules.forecast(year: 2024, through: Day("2024-12-31")!, started: true, ytdFen: 7, months: [])
        #expect(over.method == .final && over.totalFen == 7)
    }

    @Test func theReportGivesTheShareTheGapAndTheSameDayLastYear() {
        let days = Self.days([("2024-03-01", 60_000_000_000), ("2024-09-01", 10), ("2025-03-01", 125_000_000_000), ("2025-10-01", 5)])
        let names = VolumeNames(
            ancestry: [
                Region(code: Self.code("330521"), name: "德清县", nameEn: "Deqing", level: .county, parentCode: Self.code("330500")),
                Region(code: Self.code("330500"), name: "湖州市", nameEn: "Huzhou", level: .city, parentCode: Self.code("330000")),
                Region(code: Self.code("330000"), name: "浙江省", nameEn: "Zhejiang", level: .province, parentCode: nil),
            ],
            fieldNames: ["other": "其他"])
        let report = VolumeRules.report(
            year: 2025, asOf: Day("2025-06-30")!, months: VolumeMonth.rollUp(days, through: Day("2025-06-30")!), shares: [], setTargets: [:], names: names)
        #expect(report.totalFen == 125_000_000_000 && report.target?.targetFen == 250_000_000_000)
        #expect(report.shareOfTarget == 0.5 && report.gapFen == 125_000_000_000)
        #expect(report.sameDayLastYear.through == Day("2024-06-30")! && report.sameDayLastYear.sides.totalFen == 60_000_000_000)
        #expect(report.series.map(\.year) == Array(2020...2025) && report.series.last?.complete == false && report.series[4].totalFen == 60_000_000_010)
        #expect(report.breakdowns?.region.map(\.label) == ["德清县内", "湖州市其他县区", "浙江省其他地区", "长三角其他省市", "其他地区"])
        #expect(report.breakdowns?.month.count == 12 && report.breakdowns?.month[2].totalFen == 125_000_000_000)
    }

    @Test func amountsReadIn100MillionYuan() {
        #expect(VolumeText.yi(250_000_000_000) == "25.00")
        #expect(VolumeText.yi(123_456_789_012) == "12.35")
        #expect(VolumeText.yi(-50_000_000) == "-0.01" && VolumeText.yi(-49_999_999) == "0.00")
        #expect(VolumeText.yi(0) == "0.00")
        #expect(VolumeText.percent(0.5123) == "51.2%")
    }
}
