import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Market
@testable import MarketAPI
import Postgres
import PostgresStore
import Testing
import TestSupport

/// One answer of the API, read whole.
struct Reply: @unchecked Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: Data

    var json: Any? { try? JSONSerialization.jsonObject(with: body) }
    var object: [String: Any] { (json as? [String: Any]) ?? [:] }
    var items: [[String: Any]] { (object["items"] as? [[String: Any]]) ?? [] }
    var problemCode: String? { object["code"] as? String }
    var errorFields: [String] { ((object["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String } }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// The demo keys of the fixtures, by who holds them.
struct DemoKeys {
    let owner: String
    let otherInstitution: String
    let firm: String
    let provider: String
    let regulator: String
    let admin: String

    static func load() throws -> DemoKeys {
        let fixture = try MarketFixture.load(from: ProjectPaths.fixtures)
        func key(_ role: Role, _ index: Int = 0) throws -> String {
            let keys = fixture.keys.filter { $0.role == role }
            return try #require(keys.count > index ? keys[index].key : nil, "Fixtures/keys.json needs \(index + 1) \(role) key(s)")
        }
        return DemoKeys(
            owner: try key(.institution), otherInstitution: try key(.institution, 1), firm: try key(.firm),
            provider: try key(.provider), regulator: try key(.regulator), admin: try key(.admin))
    }

    /// Every kind of caller, with a name for messages: nil is no key at all.
    var everyone: [(name: String, key: String?)] {
        [
            ("anonymous", nil), ("bad key", "tmk_not_a_key_that_exists_0000"), ("owner", owner),
            ("other institution", otherInstitution), ("firm", firm), ("provider", provider), ("regulator", regulator),
            ("admin", admin),
        ]
    }
}

/// Sends requests to the router of a fresh database, with a few conveniences.
struct APIClient {
    let client: any TestClientProtocol

    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, key: String? = nil, json: Any? = nil, raw: Data? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        } else if let raw {
            body = ByteBuffer(bytes: raw)
        }
        let reply = try await client.execute(uri: uri, method: method, headers: headers, body: body) { response in
            Reply(status: response.status, headers: response.headers, body: Data(buffer: response.body))
        }
        OpenAPIContract.check(reply, method: method, uri: uri)
        return reply
    }
}

/// Every answer the tests see is checked against the OpenAPI document: its status must be
/// declared for the operation, and its body must match the declared schema.
enum OpenAPIContract {
    nonisolated(unsafe) static let document: Any = (try? JSONSerialization.jsonObject(with: OpenAPIDocument.data)) ?? [:]
    static let validator = JSONSchemaValidator(document: document)

    static func check(_ reply: Reply, method: HTTPRequest.Method, uri: String) {
        let path = String(uri.split(separator: "?", maxSplits: 1)[0])
        let contentType = reply.headers[.contentType] ?? ""
        if method == .head {
            // HEAD is GET without the body: GET must declare the status.
            #expect(reply.body.isEmpty, "HEAD \(uri) answered a body")
            if validator.operation(path: path, method: "GET") != nil {
                let declared = validator.responseSchema(path: path, method: "GET", status: Int(reply.status.code), contentType: contentType)
                #expect(declared != nil, "HEAD \(uri) answered \(reply.status.code) \(contentType), which GET does not declare")
            }
            return
        }
        guard validator.operation(path: path, method: method.rawValue) != nil else {
            // Unknown routes answer 404/405 problems; nothing to check them against but the Problem schema.
            if reply.status.code >= 400 {
                let errors = validator.validate(reply.json ?? [:], component: "Problem")
                #expect(errors.isEmpty, "\(method) \(uri) → \(reply.status.code): \(errors)")
            }
            return
        }
        guard let schema = validator.responseSchema(path: path, method: method.rawValue, status: Int(reply.status.code), contentType: contentType)
        else {
            Issue.record("\(method) \(uri) answered \(reply.status.code) \(contentType), which the OpenAPI document does not declare: \(reply.text)")
            return
        }
        let errors = validator.validate(reply.json ?? NSNull(), against: schema)
        #expect(errors.isEmpty, "\(method) \(uri) → \(reply.status.code) breaks its schema: \(errors)")
    }
}

/// Fair-use limits that the tests' bursts of requests with one key stay under; FairUseTests sets its own.
let testFairUse = FairUseLimits(concurrentMax: 1_000, ratePerSecond: 1_000_000, burstMax: 1_000_000)

/// Runs `body` against the whole API on a fresh database with the fixtures loaded.
func withAPI(
    searchPages: SearchPageCache? = SearchPageCache(), fairUse: FairUseLimits = testFairUse, auctions: AuctionSettings = AuctionSettings(),
    _ body: @Sendable (APIClient, PostgresPool) async throws -> Void
) async throws {
    try await TestDatabase.with { database in
        let pool = database.pool()
        let bell = PostgresLotBell(conninfo: database.conninfo)
        defer { bell.stop() }
        let app = Application(
            router: buildRouter(store: PostgresMarketStore(pool: pool), searchPages: searchPages, fairUse: fairUse, auctions: auctions, lotBell: bell))
        do {
            try await app.test(.router) { client in try await body(APIClient(client: client), pool) }
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
}

/// A listing body that passes every rule.
func validListing(title: String = "卫星遥感影像智能解译系统", reference: String? = nil) -> [String: Any] {
    var body: [String: Any] = [
        "title": title,
        "summary": "基于深度学习的高分辨率卫星遥感影像自动解译，支持地物分类与变化检测，精度优于92%。",
        "benefit": "比人工判读快20倍",
        "field": "geographic_information",
        "keywords": ["遥感", "影像解译"],
        "trl": 6,
        "ipAssets": [["kind": "patent", "number": "CN202110123456.7", "title": "一种遥感影像变化检测方法"]],
        "transferModes": ["assignment", "licence_non_exclusive"],
        "askingPriceFen": 1_200_000_00,
    ]
    if let reference { body["reference"] = reference }
    return body
}
