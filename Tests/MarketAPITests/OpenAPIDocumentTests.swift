import Foundation
import Hummingbird
@testable import MarketAPI
import PostgresStore
import Postgres
import Testing
import TestSupport

@Suite struct OpenAPIDocumentTests {
    /// `GET /v1/listings/:id` as the router names it, `GET /v1/listings/{id}` as the document does.
    static func normalised(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws {
        let pool = PostgresPool(.init(conninfo: "host=/nonexistent dbname=x", connectionCountMax: 1))
        let router = buildRouter(store: PostgresMarketStore(pool: pool))
        var routed = Set(router.routes.map { "\($0.method.rawValue) \(Self.normalised("\($0.path)"))" })
        routed = Set(routed.map { $0.hasSuffix("/") && $0.count > 5 ? String($0.dropLast()) : $0 })
        let document = try #require(OpenAPIContract.document as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, item in
            item.keys.filter { ["get", "post", "put", "patch", "delete"].contains($0) }.map { "\($0.uppercased()) \(path)" }
        })
        #expect(routed.subtracting(documented).isEmpty, "routes missing from the document: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented routes that do not exist: \(documented.subtracting(routed).sorted())")
        #expect(routed.count >= 16)
    }

    @Test func everyOperationHasAnIdAndDeclaresItsProblems() throws {
        let document = try #require(OpenAPIContract.document as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var ids: Set<String> = []
        for (path, item) in paths {
            for (method, value) in item {
                guard let operation = value as? [String: Any], ["get", "post", "patch"].contains(method) else { continue }
                let id = try #require(operation["operationId"] as? String, "\(method) \(path)")
                #expect(ids.insert(id).inserted, "operationId \(id) is used twice")
                let responses = try #require(operation["responses"] as? [String: Any])
                #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(method) \(path) declares no success")
            }
        }
    }

    /// Every `$ref` (schemas, responses, parameters, headers) names something the document holds.
    @Test func everyReferenceResolves() throws {
        let document = try #require(OpenAPIContract.document as? [String: Any])
        var references: [String] = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                if let reference = object["$ref"] as? String { references.append(reference) }
                object.values.forEach(collect)
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        collect(document)
        #expect(references.count > 300)
        for reference in Set(references) {
            var target: Any? = document
            for part in reference.dropFirst(2).split(separator: "/") { target = (target as? [String: Any])?[String(part)] }
            #expect(reference.hasPrefix("#/") && target is [String: Any], "\(reference) names nothing")
        }
    }

    @Test func theServerServesTheDocument() async throws {
        try await withAPI { api, _ in
            let reply = try await api.send(.get, "/openapi.json")
            #expect(reply.status == .ok)
            #expect((reply.object["info"] as? [String: Any])?["title"] != nil)
            #expect((reply.object["paths"] as? [String: Any])?["/v1/listings"] != nil)
            let index = try await api.send(.get, "/v1")
            #expect(index.status == .ok)
            #expect((index.object["links"] as? [String: String])?["listings"] == "/v1/listings")
        }
    }
}
