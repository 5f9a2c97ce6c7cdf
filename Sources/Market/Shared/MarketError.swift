/// One input that was refused, named by its JSON path (`keywords[2]`) or query parameter.
public struct FieldIssue: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    /// The input is well-formed (the OpenAPI document allows it) and a rule the document cannot
    /// state refuses it: one between fields, or one about what exists (422, not 400).
    public var isRule: Bool

    /// Input that breaks what the OpenAPI document states: a type, pattern, range, enum (400).
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
        self.isRule = false
    }

    /// Well-formed input refused by a rule between fields or about what exists (422).
    public static func rule(_ field: String, _ message: String) -> FieldIssue {
        var issue = FieldIssue(field, message)
        issue.isRule = true
        return issue
    }

    public var description: String { "\(field): \(message)" }
}

/// The refusals every area shares: bad input, keys, access, existence, versions, lifecycles,
/// unique values. Each case maps to one HTTP status and one CLI message.
public enum MarketError: Refusal, Equatable {
    /// The input broke rules; every broken rule is listed. Malformed input (400) unless every
    /// issue is a rule's (422): see `kind`.
    case invalid([FieldIssue])
    /// The caller has no valid key (401).
    case unauthenticated(String)
    /// The caller is known but may not do this (403).
    case forbidden(String)
    /// No such thing, or the caller may not know it exists (404).
    case notFound(String)
    /// The client edited a version that is no longer current.
    case staleVersion(expected: Int, current: Int)
    /// The lifecycle of a `resource` ("listing", "redemption") does not allow this move from
    /// the current status (409).
    case invalidTransition(resource: String, from: String, action: String)
    /// A unique value is taken (409), for example a listing reference.
    case duplicate(field: String, message: String)

    public var kind: RefusalKind {
        switch self {
        // The one rule: 400 when the request breaks what the OpenAPI document states, 422 when the
        // document allows it and only rules it cannot state refuse it.
        case .invalid(let issues): return !issues.isEmpty && issues.allSatisfy(\.isRule) ? .rule : .invalid
        case .unauthenticated: return .unauthenticated
        case .forbidden: return .forbidden
        case .notFound: return .notFound
        case .staleVersion, .invalidTransition, .duplicate: return .conflict
        }
    }

    public var code: String {
        switch self {
        case .invalid: return "invalid_parameter"
        case .unauthenticated: return "unauthenticated"
        case .forbidden: return "forbidden"
        case .notFound: return "not_found"
        case .staleVersion: return "version_conflict"
        case .invalidTransition: return "invalid_transition"
        case .duplicate(let field, _):
            return "duplicate_" + field.unicodeScalars.map { $0.properties.isUppercase ? "_" + String($0).lowercased() : String($0) }.joined()
        }
    }

    public var title: String {
        switch self {
        case .invalid: return "Some input was not accepted"
        case .unauthenticated: return "An API key is needed"
        case .forbidden: return "Not allowed"
        case .notFound: return "Not found"
        case .staleVersion: return "The listing has changed"
        case .invalidTransition: return "Not allowed in this state"
        case .duplicate: return "Already exists"
        }
    }

    public var detail: String {
        switch self {
        case .invalid(let issues): return issues.map(\.description).joined(separator: "; ")
        case .unauthenticated(let reason), .forbidden(let reason), .notFound(let reason): return reason
        case .staleVersion(let expected, let current):
            return "version \(expected) is stale; the listing is at version \(current): read it again and reapply the change"
        case .invalidTransition(let resource, let from, let action):
            return "\("aeiou".contains(from.first ?? "x") ? "an" : "a") \(from) \(resource) cannot be \(action)"
        case .duplicate(let field, let message): return "\(field): \(message)"
        }
    }

    public var fieldIssues: [FieldIssue] {
        switch self {
        case .invalid(let issues): return issues
        case .duplicate(let field, let message): return [FieldIssue(field, message)]
        default: return []
        }
    }

    public var clearsOnRetry: Bool {
        switch self {
        case .invalidTransition, .staleVersion: return true
        default: return false
        }
    }
}

/// Collects field issues so that one answer lists every bad field, not only the first (up to
/// `countMax`: a body of ten thousand unknown keys gets a short answer).
public struct FieldIssues: Sendable {
    public static let countMax = 50
    public private(set) var all: [FieldIssue] = []

    public init() {}

    /// Input that breaks what the OpenAPI document states (400).
    public mutating func add(_ field: String, _ message: String) {
        add(FieldIssue(field, message))
    }

    /// Well-formed input refused by a rule between fields or about what exists (422).
    public mutating func addRule(_ field: String, _ message: String) {
        add(.rule(field, message))
    }

    /// An issue as it was found, a rule's or not.
    public mutating func add(_ issue: FieldIssue) {
        if all.count < Self.countMax { all.append(issue) }
    }

    public var isEmpty: Bool { all.isEmpty }

    public func throwIfAny() throws(MarketError) {
        if !all.isEmpty { throw .invalid(all) }
    }
}

/// Checks shared by every free-text field: length in characters and no control characters.
enum TextRule {
    static func check(
        _ text: String, _ field: String, length: ClosedRange<Int>, multiline: Bool = false, into issues: inout FieldIssues
    ) {
        // Code points, as JSON Schema's maxLength counts them.
        let count = text.unicodeScalars.count
        if count < length.lowerBound || count > length.upperBound {
            issues.add(field, length.lowerBound == 0
                ? "must be at most \(length.upperBound) characters, not \(count)"
                : "must be \(length.lowerBound) to \(length.upperBound) characters, not \(count)")
        } else if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !(multiline && ($0 == "\n" || $0 == "\t")) }) {
            issues.add(field, "must not contain control characters")
        } else if text.trimmingWhitespace.isEmpty && length.lowerBound > 0 {
            issues.add(field, "must not be blank")
        }
    }
}

extension String {
    var trimmingWhitespace: Substring {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return Substring(scalars[first...last])
    }
}
