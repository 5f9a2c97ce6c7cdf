import HTTPTypes
import Hummingbird
import Market

/// The key of an `Authorization: Bearer …` header, read one way for everything that reads it.
enum BearerKey {
    /// The key, or nil when the header is not `Bearer <something>` (the scheme in any case).
    static func parse(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingWhitespace
    }
}

/// Finds the caller of a request from its `Authorization: Bearer …` header.
struct Authenticator<Keys: KeyStore>: Sendable {
    let keys: Keys

    /// The caller, or nil when the request has no `Authorization` header. A header that is not a
    /// bearer key, or a key that is unknown or revoked, is refused (401) even where a key is
    /// optional: a client that sends a key expects it to count.
    func principal(_ request: Request) async throws -> Principal? {
        guard let header = request.headers[.authorization] else { return nil }
        guard let key = BearerKey.parse(header) else {
            throw MarketError.unauthenticated("the Authorization header must be 'Bearer <API key>'")
        }
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
                // An empty or odd name is named as a body's odd key is (`[""]`), never as "".
                issues.add(FieldPath.appending(key: key, to: ""), known.isEmpty ? "is not a known parameter (this endpoint takes none)"
                    : "is not a known parameter (known: \(known.joined(separator: ", ")))")
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

    /// `limit` and `cursor`: a cursor is the page's last id behind a letter naming the list
    /// (`v120` for vouchers), so that a cursor of one list is refused by another.
    mutating func page(cursorPrefix: Character) -> PageRequest {
        let limit = integer("limit", in: 1...Int64(PageRequest.limitMax)).map(Int.init) ?? PageRequest.limitDefault
        let after = value("cursor", "the nextCursor of an earlier page of this list") { text in
            text.first == cursorPrefix ? Int64(text.dropFirst()).flatMap { $0 > 0 ? $0 : nil } : nil
        }
        return PageRequest(limit: limit, afterID: after)
    }

    func finish() throws(MarketError) { try issues.throwIfAny() }
}

/// A page of a list: its items and the cursor of the next page (null on the last).
struct ListPage<Item: Encodable & Sendable>: ResponseEncodable {
    var items: [Item]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey { case items, nextCursor }

    /// `found` was read with one more than the page's limit, to tell whether a next page exists.
    init<Found>(_ found: [Found], page: PageRequest, cursorPrefix: Character, id: (Found) -> Int64, render: (Found) -> Item) {
        let shown = found.prefix(page.limit)
        items = shown.map(render)
        nextCursor = found.count > page.limit ? shown.last.map { "\(cursorPrefix)\(id($0))" } : nil
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

extension PageRequest {
    /// The same page with one item more, to see whether another page follows.
    var withOneMore: PageRequest { PageRequest(limit: limit + 1, afterID: afterID) }
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

extension Substring {
    /// The text without the whitespace at its ends, as `trimmingCharacters(in: .whitespaces)`
    /// trims it (Unicode's space separators, the tab and, as Foundation's set has it, the zero
    /// width space; scalar by scalar), without bridging to NSString: on the bench that bridging
    /// was 1.5% of the server's CPU per request.
    var trimmingWhitespace: String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == "\t" || scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(Substring(scalars[first...last]))
    }
}
