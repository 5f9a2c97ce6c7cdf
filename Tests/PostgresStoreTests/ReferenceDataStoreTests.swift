import Foundation
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

@Suite struct ReferenceDataStoreTests {
    @Test func fixturesLoadTwiceWithoutDuplicates() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool()
            let store = PostgresMarketStore(pool: pool)
            let data = try ReferenceData.load(from: ProjectPaths.fixtures)
            try await store.upsert(data)  // the template already holds them once
            try await store.upsert(data)
            #expect(try await store.regions(RegionQuery()).count == data.regions.count)
            #expect(try await store.alliances().count == 2)
            #expect(try await store.fields().count == 9)
            let memberCount = try await pool.withConnection {
                try $0.query("SELECT count(*) AS n FROM alliance_members")[0].decode("n", as: Int.self)
            }
            #expect(memberCount == data.alliances.map(\.members.count).reduce(0, +))
            await pool.close()
        }
    }

    @Test func deqingSitsUnderHuzhouAndInsideTheG60Corridor() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool()
            let store = PostgresMarketStore(pool: pool)
            let deqing = try #require(try await store.region(RegionCode("330521")!))
            #expect(deqing.name == "德清县")
            #expect(deqing.parentCode == RegionCode("330500"))
            let g60 = try await store.regions(RegionQuery(allianceCode: "g60")).map(\.code.value)
            #expect(g60.contains("330521"))  // through Huzhou, a member
            #expect(g60.contains("310117"))
            #expect(!g60.contains("310000"))  // Shanghai as a whole is not in the corridor
            let yrd = try await store.regions(RegionQuery(allianceCode: "yrd")).map(\.code.value)
            #expect(yrd.contains("330521") && yrd.contains("310117") && yrd.contains("341800"))
            let huzhouCounties = try await store.regions(RegionQuery(parentCode: RegionCode("330500"))).map(\.code.value)
            #expect(huzhouCounties.contains("330521"))
            #expect(try await store.regions(RegionQuery(level: .province)).count == 4)
            await pool.close()
        }
    }

    @Test func inconsistentFixturesAreRefused() throws {
        let orphan = ReferenceData(
            regions: [Region(code: RegionCode("330521")!, name: "德清县", nameEn: "Deqing", level: .county, parentCode: RegionCode("330500"))],
            alliances: [], fields: [])
        #expect(throws: FixtureError.self) { try orphan.validate() }
    }
}
