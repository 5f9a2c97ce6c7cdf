import Foundation
import HTTPTypes
import SeededRandom
import Testing
import TestSupport

/// No body a client sends may crash the server or reach a 500: odd JSON, generated from a seed,
/// sent to every POST and PATCH operation the OpenAPI document lists, by every kind of caller.
/// `ODD_BODIES_SEED=n swift test --filter OddBodiesTests` replays one run.
@Suite struct OddBodiesTests {
    static let bodiesPerOperationAndCaller = 12

    @Test func everyOperationAnswersOddBodiesWithAProblemNeverA500() async throws {
        let keys = try DemoKeys.load()
        let seed = ProcessInfo.processInfo.environment["ODD_BODIES_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64(UInt32.max))
        let operations = Self.bodyOperations()
        #expect(operations.count >= 10, "the document lists the POST and PATCH operations (\(operations.count) found)")
        try await withAPI { api, _ in
            var random = SplitMix64(seed: seed)
            // Bodies refused as bodies (400 naming fields), per operation: an operation whose
            // bodies never got past authentication or routing was not tested at all.
            var refusedAsInput: [String: Int] = [:]
            for operation in operations {
                for caller in keys.everyone {
                    for _ in 0..<Self.bodiesPerOperationAndCaller {
                        let body = OddJSON.body(fields: operation.fields, &random)
                        var headers: HTTPFields = [.contentType: "application/json", HTTPField.Name("Idempotency-Key")!: UUID().uuidString]
                        if random.chance(10) { headers[.contentType] = "text/plain" }
                        let reply = try await api.send(operation.method, operation.uri, key: caller.key, raw: body, headers: headers)
                        if reply.status == .badRequest && reply.problemCode == "invalid_parameter" {
                            refusedAsInput["\(operation.method) \(operation.uri)", default: 0] += 1
                        }
                        let shown = String(decoding: body.prefix(300), as: UTF8.self)
                        #expect(
                            reply.status.code < 500, "seed \(seed): \(operation.method) \(operation.uri) as \(caller.name) → \(reply.status.code) \(reply.text) for \(shown)")
                        if reply.status.code >= 400 {
                            #expect(
                                reply.headers[.contentType] == "application/problem+json",
                                "seed \(seed): \(operation.method) \(operation.uri) → \(reply.status.code) without problem+json for \(shown)")
                            #expect(
                                !reply.errorFields.contains(""), "seed \(seed): an unnamed field in \(reply.text) for \(shown)")
                        }
                    }
                }
            }
            for operation in operations where operation.takesBody {
                #expect(
                    refusedAsInput["\(operation.method) \(operation.uri)", default: 0] > 0,
                    "seed \(seed): no odd body reached the body checks of \(operation.method) \(operation.uri)")
            }
            let health = try await api.send(.get, "/health")
            #expect(health.status == .ok, "seed \(seed): the server still answers")
        }
    }

    struct Operation {
        var method: HTTPRequest.Method
        var uri: String
        /// The body's fields as the document names them, so that bodies reach past unknown-field checks.
        var fields: [String]
        /// Whether the document gives the operation a body (publish and withdraw take none, and
        /// what is sent to them is not read).
        var takesBody: Bool
    }

    /// Every POST and PATCH of the document, its path parameters filled with a plausible value.
    static func bodyOperations() -> [Operation] {
        guard let document = OpenAPIContract.document as? [String: Any], let paths = document["paths"] as? [String: [String: Any]] else {
            return []
        }
        var operations: [Operation] = []
        for (path, methods) in paths.sorted(by: { $0.key < $1.key }) {
            for (name, method) in [("post", HTTPRequest.Method.post), ("patch", .patch)] {
                guard let operation = methods[name] as? [String: Any] else { continue }
                let uri = path.replacingOccurrences(of: "{number}", with: "330521-2026-000001")
                    .replacingOccurrences(of: #"\{[a-z]+\}"#, with: "1", options: .regularExpression)
                operations.append(
                    Operation(method: method, uri: uri, fields: properties(of: operation, in: document), takesBody: operation["requestBody"] != nil))
            }
        }
        return operations
    }

    static func properties(of operation: [String: Any], in document: [String: Any]) -> [String] {
        var schema = ((((operation["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"]) as? [String: Any])?["schema"]
            as? [String: Any]
        if let reference = schema?["$ref"] as? String {
            let name = String(reference.split(separator: "/").last ?? "")
            schema = ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] as? [String: Any]
        }
        return ((schema?["properties"] as? [String: Any])?.keys).map { Array($0).sorted() } ?? []
    }
}

/// Odd JSON, written as text so that it can hold what a JSON encoder never writes: repeated
/// keys, lone surrogates, numbers past Int64, nesting past the limit, bytes that are not UTF-8.
enum OddJSON {
    static let oddKeys = ["", "[", ".", "a.b", "x[0]", #"\u0000"#, "\\\"", String(repeating: "k", count: 300), #"\ud800"#, "标题", "\u{85}"]
    static let strings = [
        "", "abc", "遥感", #"\u0000"#, #"ab\u0000cd"#, #"\ud800"#, #"\udc00x"#, #"line\nnext"#, #"tab\t"#, #"\u001f"#, "\u{85}", "\u{7F}",
        String(repeating: "长", count: 3_000), "2026-01-01", "0560-01-01", "g60", "own", "geographic_information", "licence_exclusive",
        "330521", "CN202110123456.7", "patent", "firm", #"\\"#, #"\/"#, "\u{1F600}", "  ",
    ]
    static let numbers = [
        "0", "-1", "1", "7", "100", "1.5", "-0", "1e400", "1E2", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "123456789012345678901234567890", "0.0000001", "2026", "50000000", "1e-5",
    ]

    static func body(fields: [String], _ random: inout SplitMix64) -> Data {
        switch random.below(20) {
        case 0: return Data([0xFF, 0xFE, 0x7B, 0x7D])  // not UTF-8
        case 1: return Data(String(repeating: "[", count: 40 + random.below(2_000)).utf8)
        case 2:
            let text = object(fields: fields, depth: 0, &random)
            return Data(text.prefix(random.below(max(text.count, 1))).utf8)  // cut short
        case 3: return Data(value(fields: fields, depth: 0, &random).utf8)  // any value at the top
        case 4: return Data()
        default: return Data(object(fields: fields, depth: 0, &random).utf8)
        }
    }

    static func object(fields: [String], depth: Int, _ random: inout SplitMix64) -> String {
        var members: [String] = []
        for _ in 0..<random.below(6) {
            let key = random.chance(70) && !fields.isEmpty ? random.pick(fields) : random.pick(oddKeys)
            members.append("\"\(key)\":\(value(fields: fields, depth: depth + 1, &random))")
            if random.chance(10), let last = members.last { members.append(last) }  // a repeated key
        }
        return "{" + members.joined(separator: random.chance(10) ? " , " : ",") + "}"
    }

    static func value(fields: [String], depth: Int, _ random: inout SplitMix64) -> String {
        let deep = depth > 3
        switch random.below(deep ? 6 : 9) {
        case 0, 1: return "\"\(random.pick(strings))\""
        case 2, 3: return random.pick(numbers)
        case 4: return random.pick(["true", "false", "null"])
        case 5: return random.chance(3) ? String(repeating: "[", count: 35) + String(repeating: "]", count: 35) : "[]"
        case 6: return object(fields: fields, depth: depth, &random)
        default:
            let items = (0..<random.below(4)).map { _ in value(fields: fields, depth: depth + 1, &random) }
            return "[" + items.joined(separator: ",") + "]"
        }
    }
}
