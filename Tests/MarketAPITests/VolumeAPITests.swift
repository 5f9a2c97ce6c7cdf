import Foundation
import HTTPTypes
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// `GET /v1/volume`, its chart, the targets and the dashboard through HTTP on a fresh database
/// holding Deqing's contract history.
@Suite struct VolumeAPITests {
    let keys: DemoKeys

    init() throws { keys = try DemoKeys.load() }

    @Test func theReportIsPublicAndARegistrationMovesItAtOnce() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let year = VolumeRules.year(Day.today())
            let before = try await api.send(.get, "/v1/volume")
            #expect(before.status == .ok, "\(before.text)")
            #expect((before.object["region"] as? [String: Any])?["code"] as? String == "330521" && before.object["year"] as? Int == year)
            let series = try #require(before.object["series"] as? [[String: Any]])
            #expect(series.first?["year"] as? Int == 2020 && series.last?["year"] as? Int == year)
            #expect((series.first { $0["year"] as? Int == 2025 })?["targetFen"] as? Int == 250_000_000_000)
            let total = try #require(before.object["totalFen"] as? Int)
            // The demo institute (Deqing) sells to a Hangzhou firm: 300 000 yuan, 50 000 of it equipment.
            let created = try await api.send(
                .post, "/v1/contracts", key: keys.regulator, json: try await ContractsAPITests.directBody(pool), headers: VouchersAPITests.idempotency())
            #expect(created.status == .created, "\(created.text)")
            let after = try await api.send(.get, "/v1/volume")
            #expect(after.object["totalFen"] as? Int == total + 250_000_00)
            #expect(after.object["sellerFen"] as? Int == (before.object["sellerFen"] as? Int ?? 0) + 250_000_00)
            #expect(after.object["buyerFen"] as? Int == before.object["buyerFen"] as? Int)
            let bands = try #require((after.object["breakdowns"] as? [String: Any])?["region"] as? [[String: Any]])
            #expect(bands.map { $0["label"] as? String ?? "" } == ["德清县内", "湖州市其他县区", "浙江省其他地区", "长三角其他省市", "其他地区"])
            // Hangzhou's report counts it on the buyer's side.
            let hangzhou = try await api.send(.get, "/v1/volume?region=330100&breakdowns=false")
            #expect(hangzhou.status == .ok && hangzhou.object["breakdowns"] == nil && (hangzhou.object["buyerFen"] as? Int ?? 0) >= 250_000_00)
            #expect(hangzhou.object["target"] == nil)
        }
    }

    @Test func badParametersAreNamed() async throws {
        try await withAPI { api, _ in
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("/v1/volume?region=33052", .badRequest, "region"), ("/v1/volume?year=1999", .badRequest, "year"),
                ("/v1/volume?asOf=2026-02-30", .badRequest, "asOf"), ("/v1/volume?breakdowns=yes", .badRequest, "breakdowns"),
                ("/v1/volume?colour=red", .badRequest, "colour"), ("/v1/volume?region=999999", .unprocessableContent, "region"),
                ("/v1/volume/chart.svg?region=999999", .unprocessableContent, "region"), ("/dashboard?year=abc", .badRequest, "year"),
                ("/v1/volume/targets?cursor=x1", .badRequest, "cursor"),
            ]
            for (uri, status, field) in cases {
                let reply = try await api.send(.get, uri)
                #expect(reply.status == status && reply.errorFields == [field], "\(uri): \(reply.status) \(reply.text)")
                #expect(reply.headers[.contentType] == "application/problem+json", "\(uri)")
            }
        }
    }

    @Test func aRegulatorSetsTheNextPlansTargetKeptWithWhoAndWhen() async throws {
        let keys = keys
        try await withAPI { api, _ in
            let key = VouchersAPITests.idempotency()
            let body: [String: Any] = ["targetFen": 300_000_000_000, "note": "十五五规划"]
            let set = try await api.send(.put, "/v1/volume/targets/330521/2026", key: keys.regulator, json: body, headers: key)
            #expect(set.status == .ok, "\(set.text)")
            #expect(set.object["revision"] as? Int == 1 && set.object["setByRole"] as? String == "regulator" && set.object["setAt"] is String)
            let again = try await api.send(.put, "/v1/volume/targets/330521/2026", key: keys.regulator, json: body, headers: key)
            #expect(again.body == set.body && again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            // The same target under another key adds no revision; a new one does.
            let same = try await api.send(.put, "/v1/volume/targets/330521/2026", key: keys.regulator, json: body, headers: VouchersAPITests.idempotency())
            #expect(same.object["revision"] as? Int == 1)
            let admin = try await api.send(
                .put, "/v1/volume/targets/330521/2026", key: keys.admin, json: ["targetFen": 310_000_000_000], headers: VouchersAPITests.idempotency())
            #expect(admin.object["revision"] as? Int == 2 && admin.object["setByRole"] as? String == "admin")
            let report = try await api.send(.get, "/v1/volume?year=2026")
            let target = try #require(report.object["target"] as? [String: Any])
            #expect(target["targetFen"] as? Int == 310_000_000_000 && target["source"] as? String == "set")
            let listed = try await api.send(.get, "/v1/volume/targets?region=330521&limit=1")
            #expect(listed.items.count == 1 && listed.object["nextCursor"] as? String != nil)
            // Refused: a firm, a bad amount, a year out of range, an unknown region, no key.
            #expect(try await api.send(.put, "/v1/volume/targets/330521/2026", key: keys.firm, json: body, headers: VouchersAPITests.idempotency()).status == .forbidden)
            let zero = try await api.send(.put, "/v1/volume/targets/330521/2026", key: keys.admin, json: ["targetFen": 0], headers: VouchersAPITests.idempotency())
            #expect(zero.status == .badRequest && zero.errorFields == ["targetFen"])
            let year = try await api.send(.put, "/v1/volume/targets/330521/1900", key: keys.admin, json: body, headers: VouchersAPITests.idempotency())
            #expect(year.status == .badRequest && year.errorFields == ["year"])
            let unknown = try await api.send(.put, "/v1/volume/targets/999999/2026", key: keys.admin, json: body, headers: VouchersAPITests.idempotency())
            #expect(unknown.status == .unprocessableContent && unknown.errorFields == ["region"])
            #expect(try await api.send(.put, "/v1/volume/targets/330521/2026", key: keys.admin, json: body).status == .badRequest)
        }
    }

    @Test func theChartAndTheDashboardShowTheReportsFigures() async throws {
        try await withAPI { api, _ in
            let report = try await api.send(.get, "/v1/volume?year=2025&asOf=2025-12-31")
            let chart = try await api.send(.get, "/v1/volume/chart.svg?year=2025&asOf=2025-12-31")
            #expect(chart.status == .ok && chart.headers[.contentType]?.hasPrefix("image/svg+xml") == true)
            #expect(chart.text.hasPrefix("<svg") && chart.text.contains("2025年目标 25.00亿元") && chart.text.contains("12月") && chart.text.contains("亿元"))
            let page = try await api.send(.get, "/dashboard?region=330521&year=2025&asOf=2025-12-31")
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
            let total = try #require(report.object["totalFen"] as? Int)
            #expect(page.text.contains(#"data-figure="totalFen" data-fen="\#(total)""#), "the page shows the report's total")
            #expect(page.text.contains("德清县技术交易额 2025年") && page.text.contains(#"<form method="get" action="/dashboard">"#))
            #expect(page.text.contains("/v1/volume/chart.svg?region=330521&amp;year=2025&amp;asOf=2025-12-31"))
            #expect(page.text.contains("<td>"), "the latest registrations are listed")
        }
    }
}

extension VolumeAPITests {
    /// The edges of the years a report may name answer, and never crash the server.
    @Test func theFirstAndLastYearsAndDaysAnswer() async throws {
        try await withAPI { api, _ in
            for uri in [
                "/v1/volume?year=2001&asOf=2000-01-01", "/v1/volume?year=2001", "/v1/volume?year=2100&asOf=2200-12-31",
                "/v1/volume/chart.svg?year=2001&asOf=2000-06-30", "/dashboard?year=2001&asOf=2000-02-29", "/v1/volume?region=330000&year=2020",
            ] {
                let reply = try await api.send(.get, uri)
                #expect(reply.status == .ok, "\(uri): \(reply.status) \(reply.text.prefix(300))")
            }
            let outside = try await api.send(.get, "/v1/volume?asOf=2000-06-30")
            #expect(outside.status == .unprocessableContent && outside.errorFields == ["asOf"], "\(outside.text)")
            #expect(try await api.send(.get, "/v1/volume?year=2000").status == .badRequest)
        }
    }
}
