import Foundation
import Market
import SeededRandom

/// A seeded random history of contracts for the volume's consistency tests: registrations on
/// both sides of the county's boundary (inside the county, elsewhere in Huzhou, Zhejiang, the
/// Delta, and outside it), changes registered later (some in a later year), terminations. Run
/// through the rules in memory (`histories`) or through the use cases on a real database.
public struct VolumeWorkload: Sendable {
    /// One act of the history, in day order.
    public enum Step: Sendable {
        case register(contract: Int, day: Day)
        case change(contract: Int, day: Day, totalFen: Int64)
        case reregister(contract: Int, day: Day)
        case terminate(contract: Int, day: Day)

        public var day: Day {
            switch self {
            case .register(_, let day), .change(_, let day, _), .reregister(_, let day), .terminate(_, let day): return day
            }
        }
    }

    public var seed: UInt64
    public var drafts: [ContractDraft]
    public var steps: [Step]

    /// The regions the workload uses: the fixtures' and two outside the Delta (the DB tests add them).
    public static let regions: [Region] = {
        func region(_ code: String, _ name: String, _ level: Region.Level, _ parent: String?) -> Region {
            Region(code: RegionCode(code)!, name: name, nameEn: name, level: level, parentCode: parent.flatMap(RegionCode.init))
        }
        return [
            region("330000", "浙江省", .province, nil), region("310000", "上海市", .province, nil), region("320000", "江苏省", .province, nil),
            region("340000", "安徽省", .province, nil), region("440000", "广东省", .province, nil), region("110000", "北京市", .province, nil),
            region("330100", "杭州市", .city, "330000"), region("330500", "湖州市", .city, "330000"), region("320500", "苏州市", .city, "320000"),
            region("440300", "深圳市", .city, "440000"), region("310117", "松江区", .county, "310000"), region("330502", "吴兴区", .county, "330500"),
            region("330521", "德清县", .county, "330500"), region("330523", "安吉县", .county, "330500"),
        ]
    }()

    /// The regions that are not in the fixtures.
    public static let extraRegions: [Region] = regions.filter { ["440000", "110000", "440300"].contains($0.code.value) }

    public static let fields = ["geographic_information", "artificial_intelligence", "intelligent_equipment", "new_materials", "other"]
    static let sellerCode = "123305214416538244"
    static let buyerCode = "91330521MA4YE7238T"

    public init(seed: UInt64, contracts: Int = 60, firstYear: Int = 2020, lastYear: Int = 2026) {
        self.seed = seed
        var rng = SplitMix64(seed: seed)
        // Deqing weighs most, so that contracts inside the county and across its boundary are common.
        let places = ["330521", "330521", "330521", "330502", "330523", "330100", "330500", "330000", "310117", "320500", "440300", "110000"]
            .compactMap(RegionCode.init)
        func day(_ year: Int, after floor: Day? = nil) -> Day {
            let first = VolumeRules.firstDay(year)
            var start = VolumeRules.dayNumber(first)
            if let floor { start = max(start, VolumeRules.dayNumber(floor) + 1) }
            let end = VolumeRules.dayNumber(VolumeRules.lastDay(year))
            return VolumeRules.adding(days: (start > end ? end : rng.int(start...end)) - VolumeRules.dayNumber(first), to: first)
        }
        var drafts: [ContractDraft] = []
        var steps: [Step] = []
        for index in 0..<contracts {
            let seller = rng.pick(places), buyer = rng.pick(places)
            drafts.append(ContractDraft(
                type: rng.pick(ContractType.allCases), title: "随机合同 \(index)",
                seller: ContractParty(partyID: nil, name: "卖方\(index)", creditCode: Self.sellerCode, regionCode: seller),
                buyer: ContractParty(partyID: nil, name: "买方\(index)", creditCode: Self.buyerCode, regionCode: buyer),
                fieldCode: rng.pick(Self.fields), totalFen: rng.int(1...5_000) * 10_000_00,
                costLines: rng.chance(30) ? [CostLine(kind: .equipment, amountFen: 5_000_00)] : [], signedOn: Day("2019-12-01")!, source: .direct,
                listingID: nil, subject: "CN2021101234\(index % 10)"))
            let year = firstYear + rng.below(lastYear - firstYear + 1)
            var last = day(year)
            steps.append(.register(contract: index, day: last))
            if rng.chance(35) {
                // A change, registered again, sometimes in the next year.
                let laterYear = min(lastYear, year + (rng.chance(40) ? 1 : 0))
                last = day(laterYear, after: last)
                // Now and then at the same technology amount: registered again, it moves nothing.
                let draft = drafts[index]
                let same = ContractTerms(title: draft.title, totalFen: draft.totalFen, costLines: draft.costLines).technologyFen
                steps.append(.change(contract: index, day: last, totalFen: rng.chance(20) ? same : rng.int(1...5_000) * 10_000_00))
                steps.append(.reregister(contract: index, day: last))
            }
            if rng.chance(20) {
                let laterYear = min(lastYear, VolumeRules.year(last) + (rng.chance(50) ? 1 : 0))
                steps.append(.terminate(contract: index, day: day(laterYear, after: last)))
            }
        }
        self.drafts = drafts
        // Day order; one contract's acts keep their order (their days rise).
        self.steps = steps.enumerated().sorted { ($0.element.day, $0.offset) < ($1.element.day, $1.offset) }.map(\.element)
    }

    /// The history played through `ContractRules` in memory.
    public func histories() throws -> [ContractHistory] {
        var histories: [Int: ContractHistory] = [:]
        var serials: [String: Int] = [:]
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        for step in steps {
            switch step {
            case .register(let index, let day):
                let draft = drafts[index]
                let prefix = "\(VolumeRules.year(day))\(draft.seller.regionCode.value)"
                let number = try ContractRules.registrationNumber(
                    region: draft.seller.regionCode, year: VolumeRules.year(day), after: serials[prefix, default: 0])
                serials[prefix, default: 0] += 1
                let (contract, version) = try ContractRules.registerDirectly(
                    draft, id: ContractID(Int64(index + 1)), number: number, region: draft.seller.regionCode, today: day, missing: [],
                    by: .regulator, at: at)
                histories[index] = ContractHistory(contract: contract, versions: [version])
            case .change(let index, _, let total):
                guard var history = histories[index] else { continue }
                let (next, version) = try ContractRules.change(
                    history.contract, to: ContractTerms(title: history.contract.terms.title, totalFen: total, costLines: []), reason: "变更",
                    by: .regulator, at: at)
                history.contract = next
                history.versions.append(version)
                histories[index] = history
            case .reregister(let index, let day):
                guard var history = histories[index] else { continue }
                let (next, version) = try ContractRules.register(
                    history.contract, declaredCosts: nil, number: nil, region: history.contract.seller.regionCode, today: day, by: .regulator, at: at)
                history.contract = next
                history.versions.append(version)
                histories[index] = history
            case .terminate(let index, let day):
                guard var history = histories[index] else { continue }
                let (next, version) = try ContractRules.terminate(
                    history.contract, reason: "终止", region: history.contract.seller.regionCode, today: day, by: .regulator, at: at)
                history.contract = next
                history.versions.append(version)
                histories[index] = history
            }
        }
        return histories.keys.sorted().compactMap { histories[$0] }
    }
}

/// A deliberately naive recount of a region's volume straight from the contracts' versions:
/// the regions below by walking every region's parents, each version looked at on its own, the
/// band by the regions' levels. Shares nothing with `VolumeRules` but the day arithmetic.
public struct NaiveVolume {
    public var total: Int64 = 0
    public var seller: Int64 = 0
    public var buyer: Int64 = 0
    public var contracts: Int64 = 0
    public var byField: [String: Int64] = [:]
    public var byType: [String: Int64] = [:]
    public var byBand: [String: Int64] = [:]
    public var byMonth: [Int: Int64] = [:]
    public var byYear: [Int: Int64] = [:]
    public var sameDayLastYear: Int64 = 0

    public init(region: RegionCode, year: Int, through: Day, histories: [ContractHistory], regions: [Region]) {
        let byCode = Dictionary(regions.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        func chain(_ code: RegionCode) -> [Region] {
            var result: [Region] = []
            var next = byCode[code]
            while let region = next {
                result.append(region)
                next = region.parentCode.flatMap { byCode[$0] }
            }
            return result
        }
        let below = Set(regions.filter { chain($0.code).contains { $0.code == region } }.map(\.code))
        let me = chain(region)
        let myCity = me.first { $0.level == .city && $0.code != region }
        let myProvince = me.first { $0.level == .province && $0.code != region }
        let delta = Set(["上海市", "江苏省", "浙江省", "安徽省"])
        let lastYearThrough = through.addingYears(-1)
        for history in histories {
            let contract = history.contract
            let sellerIn = below.contains(contract.seller.regionCode), buyerIn = below.contains(contract.buyer.regionCode)
            guard sellerIn || buyerIn else { continue }
            for version in history.versions {
                guard let registration = version.registration, [.registeredDirectly, .registered, .terminated].contains(version.act) else { continue }
                let day = registration.registeredOn
                let amount = version.countedDeltaFen
                let dayYear = Int(day.text.prefix(4)) ?? 0
                if day <= through { byYear[dayYear, default: 0] += amount }
                if dayYear == year - 1 && day <= lastYearThrough { sameDayLastYear += amount }
                guard dayYear == year, day <= through else { continue }
                total += amount
                if sellerIn { seller += amount }
                if buyerIn { buyer += amount }
                if version.act == .registeredDirectly || (version.act == .registered && registration.revision == 0) { contracts += 1 }
                if version.act == .terminated { contracts -= 1 }
                byField[contract.fieldCode, default: 0] += amount
                byType[contract.type.rawValue, default: 0] += amount
                byMonth[Int(day.text.dropFirst(5).prefix(2)) ?? 0, default: 0] += amount
                let band: String
                if sellerIn && buyerIn {
                    band = "inside"
                } else {
                    let other = chain(sellerIn ? contract.buyer.regionCode : contract.seller.regionCode)
                    let otherCity = other.first { $0.level == .city }
                    let otherProvince = other.first { $0.level == .province }
                    if let myCity, otherCity?.code == myCity.code {
                        band = "rest_of_city"
                    } else if let myProvince, otherProvince?.code == myProvince.code {
                        band = "rest_of_province"
                    } else if let name = otherProvince?.name, delta.contains(name) {
                        band = "rest_of_delta"
                    } else {
                        band = "elsewhere"
                    }
                }
                byBand[band, default: 0] += amount
            }
        }
    }

    /// Where `report` differs from this recount, one line each; empty when it agrees.
    public func differences(from report: VolumeReport) -> [String] {
        var found: [String] = []
        func check(_ name: String, _ reported: Int64, _ recounted: Int64) {
            if reported != recounted { found.append("\(name): report \(reported), recount \(recounted)") }
        }
        check("total", report.totalFen, total)
        check("seller", report.sellerFen, seller)
        check("buyer", report.buyerFen, buyer)
        check("contracts", report.contractCount, contracts)
        check("same day last year", report.sameDayLastYear.sides.totalFen, sameDayLastYear)
        if let breakdowns = report.breakdowns {
            func items(_ name: String, _ items: [VolumeReport.Item], _ expected: [String: Int64]) {
                let reported = Dictionary(items.map { ($0.key, $0.totalFen) }, uniquingKeysWith: +).filter { $0.value != 0 }
                if reported != expected.filter({ $0.value != 0 }) { found.append("\(name): report \(reported), recount \(expected)") }
            }
            items("by field", breakdowns.field, byField)
            items("by type", breakdowns.type, byType)
            items("by band", breakdowns.region, byBand)
            items("by month", breakdowns.month, Dictionary(byMonth.map { ($0.key < 10 ? "0\($0.key)" : "\($0.key)", $0.value) }, uniquingKeysWith: +))
        }
        for year in report.series { check("series \(year.year)", year.totalFen, byYear[year.year] ?? 0) }
        return found
    }
}
