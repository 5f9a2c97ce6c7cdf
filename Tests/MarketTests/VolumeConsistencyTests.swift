import Foundation
import Market
import SeededRandom
import Testing
import VolumeTestSupport

/// The report the running totals give equals a naive recount of the contracts' versions, on
/// seeded random histories (replay one with `TEST_SEED=n`): the rules and the report's
/// assembly with no database.
@Suite struct VolumeConsistencyTests {
    static let tree = RegionTree(VolumeWorkload.regions.map { ($0.code, $0.parentCode) })
    static let fieldNames = Dictionary(VolumeWorkload.fields.map { ($0, $0) }, uniquingKeysWith: { first, _ in first })

    /// What a store would hold: every counted act's cells, added up.
    static func cells(_ histories: [ContractHistory]) -> [VolumeCell.Key: VolumeSides] {
        var sums: [VolumeCell.Key: VolumeSides] = [:]
        for history in histories {
            for version in history.versions {
                guard let act = VolumeRules.act(of: version, history.contract) else { continue }
                for cell in VolumeRules.cells(for: act, sellerAncestry: tree.ancestry(act.sellerRegion), buyerAncestry: tree.ancestry(act.buyerRegion)) {
                    sums[cell.key, default: VolumeSides()] += cell.sides
                }
            }
        }
        return sums
    }

    /// The report as `VolumeService` reads it from such a store.
    static func report(_ cells: [VolumeCell.Key: VolumeSides], region: RegionCode, year: Int, asOf: Day) -> VolumeReport {
        let through = min(asOf, VolumeRules.lastDay(year))
        let days = cells.filter { $0.key.region == region && $0.key.dimension == .total && $0.key.day <= through }
            .map { VolumeDay(day: $0.key.day, sides: $0.value) }.sorted { $0.day < $1.day }
        let shares = cells.filter {
            $0.key.region == region && $0.key.dimension != .total && $0.key.day >= VolumeRules.firstDay(year) && $0.key.day <= through
        }.map { VolumeShare(dimension: $0.key.dimension, value: $0.key.value, sides: $0.value) }
        let ancestry = tree.ancestry(region).compactMap { code in VolumeWorkload.regions.first { $0.code == code } }
        return VolumeRules.report(
            year: year, asOf: asOf, months: VolumeMonth.rollUp(days, through: through), shares: shares, setTargets: [:], names: VolumeNames(ancestry: ancestry, fieldNames: fieldNames))
    }

    @Test(arguments: Seeds.list(count: 40, salt: 0x766F_6C75_6D65))
    func theReportIsTheNaiveRecount(seed: UInt64) throws {
        let workload = VolumeWorkload(seed: seed)
        let histories = try workload.histories()
        let cells = Self.cells(histories)
        var rng = SplitMix64(seed: seed ^ 0x5EED)
        for region in ["330521", "330500", "330000", "310000", "440000", "330523"].compactMap(RegionCode.init) {
            let year = 2020 + rng.below(7)
            let asOf = rng.chance(30) ? VolumeRules.lastDay(year + 1) : VolumeRules.adding(days: rng.int(0...364), to: VolumeRules.firstDay(year))
            let report = Self.report(cells, region: region, year: year, asOf: asOf)
            let naive = NaiveVolume(
                region: region, year: year, through: min(asOf, VolumeRules.lastDay(year)), histories: histories, regions: VolumeWorkload.regions)
            let differences = naive.differences(from: report)
            #expect(differences.isEmpty, "seed \(seed) (TEST_SEED=\(seed) to replay), region \(region), \(year) as of \(asOf): \(differences)")
        }
    }

    @Test(arguments: Seeds.list(count: 10, salt: 0x626F_7468))
    func aContractInsideTheCountyIsOnBothSidesAndOnceInTheTotal(seed: UInt64) throws {
        let histories = try VolumeWorkload(seed: seed).histories()
        let cells = Self.cells(histories)
        let county = RegionCode("330521")!
        for (key, sides) in cells where key.region == county && key.dimension == .band && key.value == VolumeBand.inside.rawValue {
            #expect(sides.sellerFen == sides.totalFen && sides.buyerFen == sides.totalFen, "seed \(seed): \(key)")
        }
        // Every day: total = seller + buyer − inside.
        for (key, sides) in cells where key.region == county && key.dimension == .total {
            let inside = cells[VolumeCell.Key(region: county, day: key.day, dimension: .band, value: VolumeBand.inside.rawValue)]?.totalFen ?? 0
            #expect(sides.totalFen == sides.sellerFen + sides.buyerFen - inside, "seed \(seed): \(key.day)")
        }
    }
}
