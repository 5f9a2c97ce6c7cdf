import Foundation
import Market
import Postgres
import PostgresStore
import SeededRandom
import Testing
import TestSupport
import VolumeTestSupport

/// The running totals in PostgreSQL: written in the transaction of each registration, change
/// and termination through the use cases, added by the bulk load of the contract history, and
/// always what a recount of the registered contracts gives.
@Suite struct VolumeStoreTests {
    static let admin = Principal(keyID: 0, role: .admin, partyID: nil, regionCode: nil, channel: .commandLine)

    static func regulator(of region: RegionCode) -> Principal {
        Principal(keyID: 0, role: .regulator, partyID: nil, regionCode: region, channel: .commandLine)
    }

    /// Plays the workload through `ContractService` on the database, each act on its day.
    static func play(_ workload: VolumeWorkload, _ store: PostgresMarketStore) async throws -> [ContractHistory] {
        var ids: [Int: ContractID] = [:]
        for step in workload.steps {
            let contracts = ContractService(store: store, today: { step.day })
            switch step {
            case .register(let index, _):
                let draft = workload.drafts[index]
                ids[index] = try await contracts.registerDirectly(draft, by: regulator(of: draft.seller.regionCode)).contract.id
            case .change(let index, _, let total):
                guard let id = ids[index] else { continue }
                _ = try await contracts.change(
                    id, ContractChange(title: nil, totalFen: total, costLines: [], reason: "变更"), by: regulator(of: workload.drafts[index].seller.regionCode))
            case .reregister(let index, _):
                guard let id = ids[index] else { continue }
                _ = try await contracts.register(id, declaredCosts: nil, by: regulator(of: workload.drafts[index].seller.regionCode))
            case .terminate(let index, _):
                guard let id = ids[index] else { continue }
                _ = try await contracts.terminate(id, reason: "终止", by: regulator(of: workload.drafts[index].seller.regionCode))
            }
        }
        var histories: [ContractHistory] = []
        for id in ids.values.sorted(by: { $0.value < $1.value }) { histories.append(try await ContractService(store: store).contract(id, for: admin)) }
        return histories
    }

    static func addRegions(_ pool: PostgresPool) async throws {
        try await pool.withConnection { connection in
            for region in VolumeWorkload.extraRegions.sorted(by: { ($0.parentCode == nil ? 0 : 1) < ($1.parentCode == nil ? 0 : 1) }) {
                _ = try connection.query(
                    "INSERT INTO regions (code, name, name_en, level, parent_code) VALUES ($1, $2, $3, $4, $5)", region.code.value, region.name,
                    region.nameEn, region.level.rawValue, region.parentCode?.value)
            }
        }
    }

    @Test(arguments: Seeds.list(count: 3, salt: 0x7067_766F))
    func theReportIsTheNaiveRecountOfWhatTheUseCasesRegistered(seed: UInt64) async throws {
        try await TestDatabase.with(demo: false) { database in
            let pool = database.pool()
            let store = PostgresMarketStore(pool: pool)
            try await Self.addRegions(pool)
            let workload = VolumeWorkload(seed: seed, contracts: 40)
            let histories = try await Self.play(workload, store)
            var rng = SplitMix64(seed: seed)
            for region in ["330521", "330500", "330000", "310000", "440000"].compactMap(RegionCode.init) {
                let year = 2020 + rng.below(7)
                let asOf = rng.chance(30) ? VolumeRules.lastDay(year) : VolumeRules.adding(days: rng.int(0...364), to: VolumeRules.firstDay(year))
                let report = try await VolumeService(store: store).report(region: region, year: year, asOf: asOf)
                let naive = NaiveVolume(
                    region: region, year: year, through: min(asOf, VolumeRules.lastDay(year)), histories: histories, regions: VolumeWorkload.regions)
                #expect(naive.differences(from: report).isEmpty, "seed \(seed) (TEST_SEED=\(seed)), \(region) \(year) as of \(asOf): \(naive.differences(from: report))")
            }
            let verification = try await VolumeService(store: store).verify()
            #expect(verification.differences.isEmpty && verification.actCount > 0, "seed \(seed): \(verification.differences.prefix(3))")
            // In pages of a few versions, some of which move nothing (a change registered at the
            // same amount), the recount reads them all just the same.
            let paged = try await VolumeService(store: store).verify(pageSize: 3)
            #expect(paged.differences.isEmpty && paged.actCount == verification.actCount, "seed \(seed): \(paged.actCount) of \(verification.actCount)")
            await pool.close()
        }
    }

    @Test func theLoadedHistoryRecountsCleanAndATamperedTotalIsFoundAndRepaired() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool()
            let store = PostgresMarketStore(pool: pool)
            let volume = VolumeService(store: store)
            let clean = try await volume.verify()
            #expect(clean.actCount > 1_000 && clean.differences.isEmpty, "\(clean.differences.prefix(3))")
            // The history's acts were added by volume_add_acts in SQL; the recount is VolumeRules in Swift.
            let report = try await volume.report(year: 2025, asOf: Day("2026-01-10")!)
            #expect(report.totalFen > 0 && report.series.count == 6)
            try await pool.withConnection { connection in
                try connection.execute(
                    "UPDATE volume_cells SET seller_fen = seller_fen + 1 WHERE (region_code, day, dimension, value) = (SELECT region_code, day, dimension, value FROM volume_cells ORDER BY day LIMIT 1)")
            }
            // The repair reports what it found, then writes the recount.
            let repaired = try await volume.verify(repair: true)
            #expect(repaired.differences.count == 1 && repaired.differences.first?.stored.sellerFen == (repaired.differences.first?.recounted.sellerFen ?? 0) + 1)
            #expect(try await volume.verify().differences.isEmpty)
            await pool.close()
        }
    }
}
