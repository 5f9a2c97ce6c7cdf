import Foundation
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// Deqing's contract history as the demo loads it (Fixtures/contract-history.csv): the county's
/// technology volume, counted as DOMAIN.md says, meets the plan's path, and the contracts spread
/// as a county's do.
@Suite struct ContractHistoryTests {
    /// Each year's volume is within this share of the plan's figure.
    static let tolerance = 0.03
    static let plan2020Fen: Int64 = 1_200_000_000_00
    static let plan2025Fen: Int64 = 2_500_000_000_00

    /// 技术交易额 by registration year: the acts' counted deltas where a Deqing party (or one of
    /// a region below it) is seller or buyer, each contract once.
    static let volumeSQL = """
        SELECT registered_year AS year, sum(counted_delta_fen)::bigint AS fen FROM contract_versions
        WHERE counted_delta_fen <> 0
          AND (seller_region IN (SELECT unnest(region_and_below('330521'))) OR buyer_region IN (SELECT unnest(region_and_below('330521'))))
        GROUP BY registered_year ORDER BY registered_year
        """

    @Test func theCountysVolumeGrowsFromTheBaselineToThePlansTarget() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool(size: 1)
            let volume = try await pool.withConnection { connection in
                Dictionary(uniqueKeysWithValues: try connection.query(Self.volumeSQL).map { (try $0.decode("year", as: Int.self), try $0.decode("fen", as: Int64.self)) })
            }
            await pool.close()
            func near(_ year: Int, _ planFen: Int64) -> Bool {
                guard let fen = volume[year] else { return false }
                return abs(Double(fen - planFen)) <= Self.tolerance * Double(planFen)
            }
            #expect(near(2020, Self.plan2020Fen), "2020: \(volume[2020] ?? 0) fen, plan \(Self.plan2020Fen)")
            #expect(near(2025, Self.plan2025Fen), "2025: \(volume[2025] ?? 0) fen, plan \(Self.plan2025Fen)")
            // On the path between: about 15.8% a year, every year higher than the one before, 2026 past 2025.
            for year in 2021...2024 {
                let pathFen = Int64(Double(Self.plan2020Fen) * pow(Double(Self.plan2025Fen) / Double(Self.plan2020Fen), Double(year - 2020) / 5))
                #expect(near(year, pathFen), "\(year): \(volume[year] ?? 0) fen, path \(pathFen)")
            }
            for year in 2021...2026 { #expect((volume[year] ?? 0) > (volume[year - 1] ?? .max), "\(year) grows") }
            #expect(Set(volume.keys) == Set(2020...2026), "\(volume.keys.sorted())")
        }
    }

    @Test func theHistorySpreadsOverTypesFieldsSidesMonthsAndSizes() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool(size: 1)
            let facts = try await pool.withConnection { connection in
                let row = try connection.query(
                    """
                    SELECT (SELECT count(DISTINCT type) FROM contracts) AS types, (SELECT count(DISTINCT field_code) FROM contracts) AS fields,
                        (SELECT count(*) FROM contracts WHERE seller_region = '330521' AND buyer_region <> '330521') AS exported,
                        (SELECT count(*) FROM contracts WHERE buyer_region = '330521' AND seller_region <> '330521') AS absorbed,
                        (SELECT count(*) FROM contracts WHERE buyer_region = '330521' AND seller_region = '330521') AS inside,
                        (SELECT count(DISTINCT buyer_region) + count(DISTINCT seller_region) FROM contracts) AS regions,
                        (SELECT min(n) FROM (SELECT count(*) AS n FROM contracts WHERE registered_year BETWEEN 2020 AND 2025
                                             GROUP BY registered_year, registered_month) AS m) AS fewest_in_a_month,
                        (SELECT count(*) FROM contracts WHERE type = 'service') AS services,
                        (SELECT count(*) FROM contracts WHERE type = 'transfer') AS transfers,
                        (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY total_fen) FROM contracts WHERE type = 'service') AS service_median,
                        (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY total_fen) FROM contracts WHERE type = 'transfer') AS transfer_median,
                        (SELECT count(*) FROM contracts WHERE status = 'terminated') AS terminated,
                        (SELECT count(*) FROM contract_versions WHERE act = 'registered') AS reregistered,
                        (SELECT count(*) FROM contracts WHERE seller_party_id IS NOT NULL OR buyer_party_id IS NOT NULL) AS participants
                    """)[0]
                var values: [String: Int64] = [:]
                for column in ["types", "fields", "exported", "absorbed", "inside", "regions", "fewest_in_a_month", "services", "transfers",
                               "service_median", "transfer_median", "terminated", "reregistered", "participants"] {
                    values[column] = try row.decode(column, as: Int64.self)
                }
                return values
            }
            await pool.close()
            func value(_ column: String) throws -> Int64 { try #require(facts[column], "\(column)") }
            #expect(try value("types") == 5 && value("fields") == 9)
            #expect(try value("exported") > value("absorbed") && value("absorbed") > value("inside") && value("inside") > 100)
            #expect(try value("regions") >= 15)
            #expect(try value("fewest_in_a_month") >= 10, "every month of every year has registrations")
            // Many small service contracts, few large transfers.
            #expect(try value("services") > 5 * value("transfers"))
            #expect(try value("transfer_median") > 5 * value("service_median"))
            #expect(try value("terminated") > 10 && value("reregistered") > 50 && value("participants") > 100)
        }
    }
}
