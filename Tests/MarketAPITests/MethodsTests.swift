import Foundation
import HTTPTypes
@testable import MarketAPI
import Testing

/// HEAD works wherever GET does; a method a known path does not take is 405 with `Allow`, the
/// methods the OpenAPI document gives it; an unknown path stays 404.
@Suite struct MethodsTests {
    @Test func headIsGetWithoutTheBody() async throws {
        try await withAPI { api, _ in
            let get = try await api.send(.get, "/v1/regions")
            let head = try await api.send(.head, "/v1/regions")
            #expect(head.status == .ok)
            #expect(head.body.isEmpty)
            #expect(head.headers[.contentType] == get.headers[.contentType])
            let missing = try await api.send(.head, "/v1/listings/999999")
            #expect(missing.status == .notFound)
            #expect(missing.body.isEmpty)
        }
    }

    @Test func everyPathOfTheDocumentAnswersAnotherMethod405WithAllow() async throws {
        let document = try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.data) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]]).mapValues { item in
            var methods = Set(item.keys.map { $0.uppercased() })
            if methods.contains("GET") { methods.insert("HEAD") }
            return methods
        }
        try await withAPI { api, _ in
            for (template, methods) in paths {
                let path = template.replacingOccurrences(of: #"\{[^}]+\}"#, with: "1", options: .regularExpression)
                for method in [HTTPRequest.Method.put, .delete, .patch, .post] where !methods.contains(method.rawValue) {
                    let reply = try await api.send(method, path)
                    #expect(reply.status == .methodNotAllowed, "\(method) \(path) → \(reply.status.code)")
                    #expect(reply.problemCode == "method_not_allowed")
                    let allow = Set((reply.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                    #expect(allow == methods, "\(method) \(path): Allow is \(reply.headers[.allow] ?? "absent")")
                }
            }
            #expect(try await api.send(.delete, "/v1/nowhere").status == .notFound)
            #expect(try await api.send(.get, "/v1/listings/1/nowhere").status == .notFound)
        }
    }
}
