/// What a refusal is about, which the API maps to one HTTP status (and the CLI to one exit).
public enum RefusalKind: Sendable, Equatable {
    /// The input is malformed: it breaks what the OpenAPI document states (400).
    case invalid
    /// No valid key (401).
    case unauthenticated
    /// Known, but not allowed (403).
    case forbidden
    /// No such thing, or not the caller's to know (404).
    case notFound
    /// The current state does not allow it (409).
    case conflict
    /// Well-formed, but a rule the document cannot state refused it: between fields, about what
    /// exists, a business rule with its numbers (422).
    case rule
}

/// A use case's refusal: a stable code that clients depend on, words for a person, the fields
/// and numbers behind it. Each area has one enum of refusals conforming to this; the API turns
/// any of them into problem+json in one place (`Problem(refusal)`), and a new area's refusals
/// need no new case anywhere.
public protocol Refusal: Error, Sendable, CustomStringConvertible {
    var kind: RefusalKind { get }
    /// Stable and machine-readable: `exceeds_voucher_remaining`, `not_found`.
    var code: String { get }
    /// A short heading for the kind of refusal.
    var title: String { get }
    /// What was refused and why, in full.
    var detail: String { get }
    /// The refused fields, each named (400 or 422), or the field a conflict is about.
    var fieldIssues: [FieldIssue] { get }
    /// The numbers behind the refusal (`remainingFen`, `capFen`, …).
    var values: [String: Int64] { get }
    /// About the current state rather than the request (a retry may be answered otherwise), so
    /// not kept as an Idempotency-Key's answer.
    var clearsOnRetry: Bool { get }
}

extension Refusal {
    public var fieldIssues: [FieldIssue] { [] }
    public var values: [String: Int64] { [:] }
    public var clearsOnRetry: Bool { false }
    public var description: String { detail }
}
