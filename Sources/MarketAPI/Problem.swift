import Foundation
import HTTPTypes
import Hummingbird
import Market

/// An RFC 9457 problem detail: every error the API returns is one of these, as
/// `application/problem+json`, never an empty body.
public struct Problem: HTTPResponseError, Encodable, Sendable {
    /// One input that was refused, named by its JSON path or query parameter.
    public struct FieldError: Encodable, Sendable, Equatable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var status: HTTPResponse.Status
    /// A stable, machine-readable code (`not_found`, `invalid_parameter`, …).
    public var code: String
    public var title: String
    public var detail: String?
    public var errors: [FieldError]
    /// The request id, so a user's report can be found in the logs.
    public var requestID: String?
    /// The numbers behind a refusal (`remainingFen`, `capFen`, …).
    public var values: [String: Int64] = [:]
    /// Header fields the answer carries beside its body (`Retry-After`, `Allow`).
    public var headers: HTTPFields = [:]

    /// `Retry-After` of a 503 that names none: a store or pool that is busy or away is asked
    /// again this soon.
    public static let retryAfterSecondsUnavailable = 1

    public init(status: HTTPResponse.Status, code: String, title: String, detail: String? = nil, errors: [FieldError] = []) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors
    }

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, code, errors, instance, values
        case requestID = "requestId"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("https://techmarket.example/problems/\(code.replacingOccurrences(of: "_", with: "-"))", forKey: .type)
        try container.encode(title, forKey: .title)
        try container.encode(status.code, forKey: .status)
        try container.encode(code, forKey: .code)
        try container.encodeIfPresent(detail, forKey: .detail)
        if !errors.isEmpty { try container.encode(errors, forKey: .errors) }
        if !values.isEmpty { try container.encode(values, forKey: .values) }
        try container.encodeIfPresent(requestID, forKey: .requestID)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var problem = self
        problem.requestID = problem.requestID ?? context.id
        let body = try AppRequestContext.jsonEncoder.encode(problem)  // as the API writes everything, so a replayed refusal has the live bytes
        var headers = headers
        headers[.contentType] = "application/problem+json"
        headers[.requestID] = context.id
        if status == .unauthorized { headers[.wwwAuthenticate] = #"Bearer realm="techmarket""# }
        if status == .serviceUnavailable && headers[.retryAfter] == nil { headers[.retryAfter] = String(Self.retryAfterSecondsUnavailable) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// 400 for query parameters or body fields that were refused, each named.
    public static func invalid(_ errors: [FieldError]) -> Problem {
        Problem(
            status: .badRequest, code: "invalid_parameter", title: "Some input was not accepted",
            detail: errors.map { "\($0.field): \($0.message)" }.joined(separator: "; "), errors: errors)
    }

    /// 404 for a resource that does not exist.
    public static func notFound(_ what: String) -> Problem {
        Problem(status: .notFound, code: "not_found", title: "Not found", detail: what)
    }
}

extension Problem {
    /// The answer to any area's refusal: its kind sets the status, and its code, words, fields
    /// and numbers are the body.
    init(_ refusal: any Refusal) {
        let status: HTTPResponse.Status
        switch refusal.kind {
        case .invalid: status = .badRequest
        case .unauthenticated: status = .unauthorized
        case .forbidden: status = .forbidden
        case .notFound: status = .notFound
        case .conflict: status = .conflict
        case .rule: status = .unprocessableContent
        }
        self.init(
            status: status, code: refusal.code, title: refusal.title, detail: refusal.detail,
            errors: refusal.fieldIssues.map { FieldError(field: $0.field, message: $0.message) })
        values = refusal.values
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
    static let wwwAuthenticate = HTTPField.Name("WWW-Authenticate")!
    static let requestID = HTTPField.Name("X-Request-Id")!
}
