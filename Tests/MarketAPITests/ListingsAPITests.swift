import Foundation
import HTTPTypes
import Market
import Postgres
import Testing
import TestSupport

@Suite struct ListingsAPITests {
    let keys: DemoKeys

    init() throws { keys = try DemoKeys.load() }

    /// The README's walk-through: create a draft, edit it, publish it, find it in Chinese.
    @Test func institutionCreatesEditsPublishesAndFindsAListing() async throws {
        let keys = keys
        try await withAPI { api, _ in
            let created = try await api.send(.post, "/v1/listings", key: keys.owner, json: validListing(title: "鑫淼焱垚木基装饰材料", reference: "T-1"))
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.object["id"] as? Int)
            #expect(created.headers[.location] == "/v1/listings/\(id)")
            #expect(created.headers[.eTag] == "\"1\"")
            #expect(created.object["status"] as? String == "draft")
            #expect(created.object["negotiable"] as? Bool == false)

            let edited = try await api.send(
                .patch, "/v1/listings/\(id)", key: keys.owner, json: ["summary": "一种用于木基装饰材料的犇骉胶黏剂，甲醛释放量低于0.025mg/m³。", "negotiable": true],
                headers: [.ifMatch: "\"1\""])
            #expect(edited.status == .ok, "\(edited.text)")
            #expect(edited.object["version"] as? Int == 2)
            #expect(edited.object["negotiable"] as? Bool == true)
            #expect(edited.object["askingPriceFen"] is NSNull)

            // Not findable while a draft.
            #expect(try await api.send(.get, "/v1/listings?q=\("鑫淼".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)").items.isEmpty)

            let published = try await api.send(.post, "/v1/listings/\(id)/publish", key: keys.owner)
            #expect(published.status == .ok, "\(published.text)")
            #expect(published.object["status"] as? String == "published")
            #expect(published.object["publishedAt"] is String)

            for query in ["鑫淼", "淼焱", "鑫淼焱垚", "垚", "犇骉", "骉胶黏", "焱垚 犇骉", "鑫 木基"] {
                let found = try await api.send(.get, "/v1/listings?q=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
                #expect(found.status == .ok)
                #expect(found.items.contains { $0["id"] as? Int == id }, "q=\(query)")
            }
            let missing = try await api.send(.get, "/v1/listings?q=\("鑫淼 无人机".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(!missing.items.contains { $0["id"] as? Int == id })
        }
    }

    @Test func chineseSearchFindsBigramsPhrasesAndBothTerms() async throws {
        try await withAPI { api, _ in
            func search(_ q: String, _ extra: String = "") async throws -> [[String: Any]] {
                let reply = try await api.send(.get, "/v1/listings?limit=100&q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)\(extra)")
                #expect(reply.status == .ok, "\(reply.text)")
                return reply.items
            }
            // Everything that is indexed: title, keywords, IP assets, summary, benefit, institution.
            let text = { (item: [String: Any]) in
                [item["title"], item["summary"], item["benefit"], item["institutionName"]].compactMap { $0 as? String }.joined(separator: "|")
                    + ((item["keywords"] as? [String]) ?? []).joined(separator: "|")
                    + ((item["ipAssets"] as? [[String: Any]]) ?? []).compactMap { $0["title"] as? String }.joined(separator: "|")
            }
            let remote = try await search("遥感")
            #expect(remote.contains { ($0["title"] as? String)?.contains("卫星遥感影像智能解译") == true })
            #expect(remote.allSatisfy { text($0).contains("遥感") })
            #expect(remote.allSatisfy { $0["status"] as? String == "published" })

            let both = try await search("无人机 群控")
            #expect(!both.isEmpty)
            #expect(both.allSatisfy { text($0).contains("无人机") && text($0).contains("群控") })
            let uavOnly = try await search("无人机")
            #expect(uavOnly.count > both.count, "some listings mention 无人机 without 群控")

            // Ranked: matches in the title, keywords or IP assets come before matches elsewhere,
            // and within each tier the newest come first.
            let head = { (item: [String: Any]) in
                ([item["title"] as? String ?? ""] + ((item["keywords"] as? [String]) ?? [])
                    + ((item["ipAssets"] as? [[String: Any]]) ?? []).compactMap { $0["title"] as? String }).joined(separator: "|")
            }
            let tiers = remote.map { head($0).contains("遥感") ? 1 : 2 }
            #expect(tiers == tiers.sorted(), "\(tiers)")
            #expect(tiers.contains(1) && tiers.contains(2))
            for tier in [1, 2] {
                let times = zip(remote, tiers).filter { $0.1 == tier }.compactMap { $0.0["publishedAt"] as? String }
                #expect(times == times.sorted(by: >), "tier \(tier) newest first")
            }
            // Filters narrow a search.
            let field = try await search("遥感", "&field=geographic_information&trlMin=5&trlMax=9")
            #expect(!field.isEmpty)
            #expect(field.allSatisfy { $0["field"] as? String == "geographic_information" && ($0["trl"] as? Int ?? 0) >= 5 })
        }
    }

    @Test func asciiWordsAndPatentNumbersAreFound() async throws {
        let keys = keys
        try await withAPI { api, _ in
            var body = validListing(title: "UWB室内定位基站")
            body["ipAssets"] = [["kind": "patent", "number": "ZL201910654321.6", "title": "一种UWB定位方法"]]
            let created = try await api.send(.post, "/v1/listings", key: keys.owner, json: body)
            let id = try #require(created.object["id"] as? Int, "\(created.text)")
            #expect(try await api.send(.post, "/v1/listings/\(id)/publish", key: keys.owner).status == .ok)
            for q in ["uwb", "UWB", "ＵＷＢ", "CN201910654321.6", "201910654321", "ZL201910654321.6", "室内定位"] {
                let found = try await api.send(.get, "/v1/listings?q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
                #expect(found.items.contains { $0["id"] as? Int == id }, "q=\(q)")
            }
        }
    }

    /// Every role against every endpoint, allowed and refused.
    @Test func everyRoleGetsTheRightAnswerOnEveryEndpoint() async throws {
        let keys = keys
        try await withAPI { api, _ in
            func newListing(published: Bool) async throws -> Int {
                let reply = try await api.send(.post, "/v1/listings", key: keys.owner, json: validListing())
                let id = try #require(reply.object["id"] as? Int, "\(reply.text)")
                if published { try #require(try await api.send(.post, "/v1/listings/\(id)/publish", key: keys.owner).status == .ok) }
                return id
            }
            let draft = try await newListing(published: false)
            let published = try await newListing(published: true)

            func check(_ expected: [String: Int], _ request: (String?) async throws -> Reply, _ what: String) async throws {
                for (name, key) in keys.everyone {
                    let reply = try await request(key)
                    #expect(Int(reply.status.code) == expected[name], "\(what) as \(name): \(reply.status.code) \(reply.text)")
                    if reply.status.code >= 400 {
                        #expect(reply.headers[.contentType] == "application/problem+json", "\(what) as \(name)")
                    }
                    if reply.status == .unauthorized { #expect(reply.headers[HTTPField.Name("WWW-Authenticate")!] != nil) }
                }
            }
            let writers = ["firm": 403, "provider": 403, "regulator": 403, "admin": 403, "anonymous": 401, "bad key": 401]
            try await check(
                writers.merging(["owner": 201, "other institution": 201]) { $1 },
                { try await api.send(.post, "/v1/listings", key: $0, json: validListing()) }, "POST /v1/listings")
            try await check(
                ["anonymous": 404, "bad key": 401, "owner": 200, "other institution": 404, "firm": 404, "provider": 404, "regulator": 404, "admin": 200],
                { try await api.send(.get, "/v1/listings/\(draft)", key: $0) }, "GET a draft")
            try await check(
                ["anonymous": 200, "bad key": 401, "owner": 200, "other institution": 200, "firm": 200, "provider": 200, "regulator": 200, "admin": 200],
                { try await api.send(.get, "/v1/listings/\(published)", key: $0) }, "GET a published listing")
            try await check(
                ["anonymous": 200, "bad key": 401, "owner": 200, "other institution": 200, "firm": 200, "provider": 200, "regulator": 200, "admin": 200],
                { try await api.send(.get, "/v1/listings?q=%E9%81%A5%E6%84%9F", key: $0) }, "GET /v1/listings")
            try await check(
                ["anonymous": 401, "bad key": 401, "owner": 200, "other institution": 200, "firm": 403, "provider": 403, "regulator": 403, "admin": 200],
                { try await api.send(.get, "/v1/listings?status=draft", key: $0) }, "GET drafts")
            try await check(
                writers.merging(["owner": 200, "other institution": 403]) { $1 },
                { key in
                    // Each allowed edit moves the version on, so read it first.
                    let version = try await api.send(.get, "/v1/listings/\(published)", key: keys.owner).object["version"] as? Int ?? 0
                    return try await api.send(.patch, "/v1/listings/\(published)", key: key, json: ["trl": 7, "version": version])
                }, "PATCH a published listing")
            try await check(
                writers.merging(["owner": 200, "other institution": 404]) { $1 },
                { key in
                    // A fresh draft for each caller, so that one caller's success does not change the next one's answer.
                    try await api.send(.post, "/v1/listings/\(try await newListing(published: false))/publish", key: key)
                }, "POST publish")
            try await check(
                writers.merging(["owner": 200, "other institution": 403]) { $1 },
                { try await api.send(.post, "/v1/listings/\(try await newListing(published: true))/withdraw", key: $0) }, "POST withdraw")

            // Withdrawn listings: each institution sees only its own.
            #expect(try await api.send(.post, "/v1/listings/\(published)/withdraw", key: keys.owner).status == .ok)
            let own = try await api.send(.get, "/v1/listings?status=withdrawn", key: keys.owner)
            #expect(own.items.contains { $0["id"] as? Int == published })
            let others = try await api.send(.get, "/v1/listings?status=withdrawn", key: keys.otherInstitution)
            #expect(!others.items.contains { $0["id"] as? Int == published })
            let ownerID = own.items.first?["institutionId"] as? Int ?? 0
            let asking = try await api.send(.get, "/v1/listings?status=draft&institution=\(ownerID)", key: keys.otherInstitution)
            #expect(asking.status == .forbidden)
        }
    }

    @Test func staleVersionsAndMissingVersionsAreRefused() async throws {
        let keys = keys
        try await withAPI { api, _ in
            let id = try #require(try await api.send(.post, "/v1/listings", key: keys.owner, json: validListing()).object["id"] as? Int)
            let first = try await api.send(.patch, "/v1/listings/\(id)", key: keys.owner, json: ["trl": 7], headers: [.ifMatch: "\"1\""])
            #expect(first.status == .ok)
            let staleHeader = try await api.send(.patch, "/v1/listings/\(id)", key: keys.owner, json: ["trl": 8], headers: [.ifMatch: "\"1\""])
            #expect(staleHeader.status == .preconditionFailed)
            #expect(staleHeader.problemCode == "precondition_failed")
            let staleField = try await api.send(.patch, "/v1/listings/\(id)", key: keys.owner, json: ["trl": 8, "version": 1])
            #expect(staleField.status == .conflict)
            #expect(staleField.problemCode == "version_conflict")
            let none = try await api.send(.patch, "/v1/listings/\(id)", key: keys.owner, json: ["trl": 8])
            #expect(none.status.code == 428)
            // Bad input is a 400 on its field even with a stale version (schemathesis found a 412).
            let staleAndBad = try await api.send(
                .patch, "/v1/listings/\(id)", key: keys.owner, json: ["keywords": ["a", "b", "c", "d", "e", "f"]], headers: [.ifMatch: "\"1\""])
            #expect(staleAndBad.status == .badRequest, "\(staleAndBad.text)")
            #expect(staleAndBad.errorFields == ["keywords"], "\(staleAndBad.text)")
            let current = try await api.send(.get, "/v1/listings/\(id)", key: keys.owner)
            #expect(current.object["trl"] as? Int == 7)
            #expect(current.object["version"] as? Int == 2)

            #expect(try await api.send(.post, "/v1/listings/\(id)/withdraw", key: keys.owner).status == .ok)
            let republish = try await api.send(.post, "/v1/listings/\(id)/publish", key: keys.owner)
            #expect(republish.status == .conflict)
            #expect(republish.problemCode == "invalid_transition")
            let edit = try await api.send(.patch, "/v1/listings/\(id)", key: keys.owner, json: ["trl": 8, "version": 3])
            #expect(edit.status == .conflict)
        }
    }

    /// Concurrent edits of one version: exactly one wins.
    @Test func concurrentEditsOfOneVersionLetExactlyOneWin() async throws {
        let keys = keys
        try await withAPI { api, _ in
            let id = try #require(try await api.send(.post, "/v1/listings", key: keys.owner, json: validListing()).object["id"] as? Int)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for trl in 1...8 {
                    group.addTask {
                        Int(try await api.send(.patch, "/v1/listings/\(id)", key: keys.owner, json: ["trl": trl], headers: [.ifMatch: "\"1\""]).status.code)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 412 }.count == 7, "\(statuses)")
        }
    }

    @Test func badInputIsRefusedWithTheFieldNamedAndNothingWritten() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let before = try await pool.withConnection { try $0.query("SELECT count(*) AS n FROM listings")[0].decode("n", as: Int64.self) }
            func modified(_ change: (inout [String: Any]) -> Void) -> [String: Any] {
                var body = validListing()
                change(&body)
                return body
            }
            let cases: [(String, [String: Any], [String])] = [
                ("trl 0", modified { $0["trl"] = 0 }, ["trl"]),
                ("trl 10", modified { $0["trl"] = 10 }, ["trl"]),
                ("trl text", modified { $0["trl"] = "six" }, ["trl"]),
                ("negative price", modified { $0["askingPriceFen"] = -5 }, ["askingPriceFen"]),
                ("huge price", modified { $0["askingPriceFen"] = 1e30 }, ["askingPriceFen"]),
                ("fractional price", modified { $0["askingPriceFen"] = 10.5 }, ["askingPriceFen"]),
                ("unknown mode", modified { $0["transferModes"] = ["assignment", "lease"] }, ["transferModes[1]"]),
                ("unknown field", modified { $0["colour"] = "red" }, ["colour"]),
                ("six keywords", modified { $0["keywords"] = ["a", "b", "c", "d", "e", "f"] }, ["keywords"]),
                ("bad patent", modified { $0["ipAssets"] = [["kind": "patent", "number": "CN202110123456.8", "title": "x"]] }, ["ipAssets[0].number"]),
                ("unknown asset field", modified { $0["ipAssets"] = [["kind": "know_how", "title": "x", "secret": 1]] }, ["ipAssets[0].secret"]),
                ("no price", modified { $0["askingPriceFen"] = nil }, ["askingPriceFen"]),
                ("price and negotiable", modified { $0["negotiable"] = true }, ["negotiable"]),
                ("missing title, empty summary", modified { $0["title"] = nil; $0["summary"] = "" }, ["title", "summary"]),
                ("control characters", modified { $0["title"] = "abc\u{7}def" }, ["title"]),
                ("bad reference", modified { $0["reference"] = "a b" }, ["reference"]),
            ]
            for (name, body, fields) in cases {
                let reply = try await api.send(.post, "/v1/listings", key: keys.owner, json: body)
                #expect(reply.status == .badRequest, "\(name): \(reply.status) \(reply.text)")
                #expect(reply.headers[.contentType] == "application/problem+json", "\(name)")
                #expect(Set(reply.errorFields) == Set(fields), "\(name): \(reply.text)")
            }
            let raw: [(String, Data, HTTPFields, Int)] = [
                ("invalid UTF-8", Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]), [.contentType: "application/json"], 400),
                ("not JSON", Data("title=x".utf8), [.contentType: "application/json"], 400),
                ("an array", Data("[1,2]".utf8), [.contentType: "application/json"], 400),
                ("no content type", Data("{}".utf8), [:], 415),
                ("oversized", Data(("{\"title\":\"" + String(repeating: "长", count: 30_000) + "\"}").utf8), [.contentType: "application/json"], 413),
            ]
            for (name, data, headers, status) in raw {
                let reply = try await api.send(.post, "/v1/listings", key: keys.owner, raw: data, headers: headers)
                #expect(Int(reply.status.code) == status, "\(name): \(reply.text)")
                #expect(reply.headers[.contentType] == "application/problem+json", "\(name)")
            }
            let after = try await pool.withConnection { try $0.query("SELECT count(*) AS n FROM listings")[0].decode("n", as: Int64.self) }
            #expect(after == before)

            for (uri, field) in [
                ("/v1/listings?trlMin=0", "trlMin"), ("/v1/listings?trlMax=10", "trlMax"), ("/v1/listings?mode=rent", "mode"),
                ("/v1/listings?priceMin=-1", "priceMin"), ("/v1/listings?priceMax=99999999999999999999", "priceMax"),
                ("/v1/listings?cursor=not-a-cursor", "cursor"), ("/v1/listings?sort=random", "sort"), ("/v1/listings?limit=1000", "limit"),
                ("/v1/listings?status=lost", "status"), ("/v1/listings?colour=red", "colour"),
                ("/v1/listings?region=33O521", "region"), ("/v1/listings/abc", "id"),
            ] {
                let reply = try await api.send(.get, uri)
                #expect(reply.status == .badRequest, "\(uri): \(reply.text)")
                #expect(reply.errorFields == [field], "\(uri): \(reply.text)")
            }
            // SQL-looking text is only text: stored as written, searched as words.
            let sqlish = "Robert'); DROP TABLE listings;-- 测试"
            let created = try await api.send(.post, "/v1/listings", key: keys.owner, json: validListing(title: sqlish))
            #expect(created.status == .created)
            #expect(created.object["title"] as? String == sqlish)
            let search = try await api.send(.get, "/v1/listings?status=draft&q=\(sqlish.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", key: keys.owner)
            #expect(search.status == .ok, "\(search.text)")
            #expect(search.items.count == 1)
        }
    }

    @Test func pagesWalkTheWholeResultOnceInAStableOrder() async throws {
        try await withAPI { api, _ in
            for sort in ["newest", "price_asc", "price_desc"] {
                let all = try await api.send(.get, "/v1/listings?limit=100&sort=\(sort)").items.map { $0["id"] as? Int ?? 0 }
                var walked: [Int] = []
                var prices: [Int?] = []
                var pageCount = 0
                var cursor: String?
                repeat {
                    let uri = "/v1/listings?limit=7&sort=\(sort)" + (cursor.map { "&cursor=\($0)" } ?? "")
                    let page = try await api.send(.get, uri)
                    #expect(page.status == .ok, "\(page.text)")
                    walked += page.items.map { $0["id"] as? Int ?? 0 }
                    prices += page.items.map { $0["askingPriceFen"] as? Int }
                    pageCount += 1
                    cursor = page.object["nextCursor"] as? String
                } while cursor != nil && walked.count < 1000
                #expect(all.count > 7 && pageCount > all.count / 7, "sort=\(sort): \(all.count) listings in \(pageCount) pages")
                #expect(walked.count >= min(all.count, 100))
                #expect(Array(walked.prefix(all.count)) == all, "sort=\(sort)")
                #expect(Set(walked).count == walked.count, "sort=\(sort): no listing twice")
                if sort == "price_asc" {
                    // The whole walk: the priced listings by price, then the negotiable ones (both kinds are in the fixtures).
                    let priced = prices.prefix { $0 != nil }.map { $0! }
                    #expect(priced.count > 1 && priced.count < prices.count, "\(priced.count) of \(prices.count) priced")
                    #expect(priced == priced.sorted())
                    #expect(prices.dropFirst(priced.count).allSatisfy { $0 == nil }, "negotiable listings come last")
                }
            }
            var relevance: [Int] = []
            var cursor: String?
            repeat {
                let page = try await api.send(.get, "/v1/listings?limit=3&q=%E9%81%A5%E6%84%9F" + (cursor.map { "&cursor=\($0)" } ?? ""))
                relevance += page.items.map { $0["id"] as? Int ?? 0 }
                cursor = page.object["nextCursor"] as? String
            } while cursor != nil && relevance.count < 500
            let whole = try await api.send(.get, "/v1/listings?limit=100&q=%E9%81%A5%E6%84%9F").items.map { $0["id"] as? Int ?? 0 }
            #expect(whole.count > 3, "the walk by relevance takes more than one page")
            #expect(relevance == whole)
            // A cursor only fits the search it came from.
            let first = try await api.send(.get, "/v1/listings?limit=2&sort=newest")
            let next = try #require(first.object["nextCursor"] as? String)
            let misuse = try await api.send(.get, "/v1/listings?limit=2&sort=newest&field=other&cursor=\(next)")
            #expect(misuse.status == .unprocessableContent, "\(misuse.text)")
            #expect(misuse.errorFields == ["cursor"])
        }
    }
}
