import HTTPTypes
import Hummingbird
import Market

/// Finds the caller of a request from its `Authorization: Bearer …` header.
struct Authenticator<Keys: KeyStore>: Sendable {
    let keys: Keys

    /// The caller, or nil when the request has no `Authorization` header. A header that is not a
    /// bearer key, or a key that is unknown or revoked, is refused (401) even where a key is
    /// optional: a client that sends a key expects it to count.
    func principal(_ request: Request) async throws -> Principal? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw MarketError.unauthenticated("the Authorization header must be 'Bearer <API key>'")
        }
        let key = parts[1].trimmingCharacters(in: .whitespaces)
        guard let principal = try await keys.principal(forKey: key) else {
            throw MarketError.unauthenticated("the API key is unknown or has been revoked")
        }
        return principal
    }

    /// The caller, who must have sent a valid key.
    func require(_ request: Request) async throws -> Principal {
        guard let principal = try await principal(request) else {
            throw MarketError.unauthenticated("an API key is required: send Authorization: Bearer tmk_…")
        }
        return principal
    }
}

/// Query parameters read one by one, each bad one named, unknown ones refused.
struct QueryReader {
    let parameters: [(String, String)]
    let known: [String]
    var issues = FieldIssues()

    init(_ request: Request, known: [String]) {
        parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        self.known = known
        var seen: Set<String> = []
        for (key, _) in parameters {
            if !known.contains(key) {
                issues.add(key, "is not a known parameter (known: \(known.joined(separator: ", ")))")
            } else if !seen.insert(key).inserted {
                issues.add(key, "is given more than once")
            }
        }
    }

    func text(_ key: String) -> String? { parameters.first { $0.0 == key }?.1 }

    mutating func value<T>(_ key: String, _ expected: String, _ parse: (String) -> T?) -> T? {
        guard let text = text(key) else { return nil }
        guard let value = parse(text) else {
            issues.add(key, "must be \(expected)")
            return nil
        }
        return value
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int64>) -> Int64? {
        value(key, "an integer from \(range.lowerBound) to \(range.upperBound)") { text in
            Int64(text).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    mutating func boolean(_ key: String) -> Bool? {
        value(key, "true or false") { ["true": true, "false": false][$0] }
    }

    func finish() throws(MarketError) { try issues.throwIfAny() }
}

extension Request {
    /// The positive integer id in the path.
    func id(_ context: AppRequestContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard let id = Int64(text), id > 0 else {
            throw MarketError.invalid([FieldIssue("id", "must be a positive integer")])
        }
        return id
    }
}
