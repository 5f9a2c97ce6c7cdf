import Foundation
import Hummingbird
import HummingbirdTesting
import Market
import MarketAPI
import Postgres
import PostgresStore
import Testing
import TestSupport

@Suite struct HealthAndRegionsTests {
    struct ProblemBody: Decodable {
        var type: String
        var title: String
        var status: Int
        var code: String
        var errors: [Problem.FieldErrorBody]?
    }

    func app(_ pool: PostgresPool) -> some ApplicationProtocol {
        Application(router: buildRouter(store: PostgresMarketStore(pool: pool)))
    }

    @Test func healthIsOkWithTheDatabase() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool()
            try await app(pool).test(.router) { client in
                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .ok)
                    let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    #expect(body?["status"] as? String == "ok")
                    #expect((body?["database"] as? [String: Any])?["reachable"] as? Bool == true)
                }
            }
            await pool.close()
        }
    }

    @Test func healthIs503WithoutTheDatabase() async throws {
        let pool = PostgresPool(.init(conninfo: "host=/nonexistent port=1 user=x dbname=x", connectionCountMax: 1))
        try await app(pool).test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(body?["status"] as? String == "unavailable")
            }
        }
        await pool.close()
    }

    @Test func resourcesAre503ProblemsWithoutTheDatabase() async throws {
        let pool = PostgresPool(.init(conninfo: "host=/nonexistent port=1 user=x dbname=x", connectionCountMax: 1))
        try await app(pool).test(.router) { client in
            try await client.execute(uri: "/v1/regions", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json")
                let problem = try JSONDecoder().decode(ProblemBody.self, from: Data(buffer: response.body))
                #expect(problem.code == "unavailable")
            }
            try await client.execute(uri: "/health", method: .get) { response in
                // No socket paths or host names leak to clients.
                #expect(!String(buffer: response.body).contains("nonexistent"))
            }
        }
        await pool.close()
    }

    @Test func regionsListDeqing() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool()
            try await app(pool).test(.router) { client in
                try await client.execute(uri: "/v1/regions", method: .get) { response in
                    #expect(response.status == .ok)
                    let page = try JSONDecoder().decode(RegionPage.self, from: Data(buffer: response.body))
                    #expect(page.items.contains { $0.code.value == "330521" && $0.name == "德清县" })
                }
                try await client.execute(uri: "/v1/regions?alliance=g60&level=county", method: .get) { response in
                    let page = try JSONDecoder().decode(RegionPage.self, from: Data(buffer: response.body))
                    #expect(Set(page.items.map(\.code.value)).isSuperset(of: ["330521", "310117"]))
                    #expect(page.items.allSatisfy { $0.level == .county })
                }
                try await client.execute(uri: "/v1/regions/330521", method: .get) { response in
                    #expect(response.status == .ok)
                    let region = try JSONDecoder().decode(Region.self, from: Data(buffer: response.body))
                    #expect(region.parentCode?.value == "330500")
                }
                try await client.execute(uri: "/v1/fields", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("地理信息"))
                }
                try await client.execute(uri: "/v1/alliances", method: .get) { response in
                    #expect(String(buffer: response.body).contains("G60科创走廊"))
                }
            }
            await pool.close()
        }
    }

    @Test func badInputIsProblemJSONNamingTheField() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool()
            try await app(pool).test(.router) { client in
                for (uri, field) in [
                    ("/v1/regions?level=town", "level"), ("/v1/regions?parent=33O521", "parent"),
                    ("/v1/regions?color=red", "color"), ("/v1/regions/12", "code"),
                    ("/v1/regions?parent='%20OR%201=1--", "parent"), ("/v1/regions?level=county&=", #"[""]"#),
                ] {
                    try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == .badRequest, "\(uri)")
                        #expect(response.headers[.contentType] == "application/problem+json")
                        let problem = try JSONDecoder().decode(ProblemBody.self, from: Data(buffer: response.body))
                        #expect(problem.status == 400)
                        #expect(problem.errors?.map(\.field) == [field], "\(uri)")
                    }
                }
                for uri in ["/v1/regions/999999", "/v1/nothing"] {
                    try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == .notFound)
                        let problem = try JSONDecoder().decode(ProblemBody.self, from: Data(buffer: response.body))
                        #expect(problem.code == "not_found")
                    }
                }
                try await client.execute(uri: "/v1/regions", method: .delete) { response in
                    #expect(response.status.code >= 400 && response.status.code < 500)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
            await pool.close()
        }
    }

    struct RegionPage: Decodable {
        var items: [Region]
    }
}

extension Problem {
    struct FieldErrorBody: Decodable {
        var field: String
        var message: String
    }
}
