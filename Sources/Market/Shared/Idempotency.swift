/// A response kept for an `Idempotency-Key`, returned again on a retry.
public struct StoredResponse: Sendable, Equatable {
    public var status: Int
    public var body: String

    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }
}

/// How an `Idempotency-Key` that was sent before answers, in place of the use case.
public enum IdempotencyAnswer: Sendable, Equatable {
    /// The key was used with the same request: here is the first response.
    case replay(StoredResponse)
    /// The key was used with another request.
    case reusedWithOtherRequest
    /// The first request with this key is still running.
    case inProgress
}

/// Thrown by a use case whose `Idempotency-Key` was sent before: it did nothing, and `answer`
/// says what to tell the client.
public struct IdempotencyKeyAnswered: Error, Sendable, Equatable {
    public var answer: IdempotencyAnswer

    public init(_ answer: IdempotencyAnswer) {
        self.answer = answer
    }
}

/// The `Idempotency-Key` of a use case that moves money. The store claims the key in the use
/// case's own transaction (the first request with a key holds it until that transaction ends)
/// and keeps the response with the money it moved, so that a retry can never do the work twice:
/// a key sent before makes the use case throw `IdempotencyKeyAnswered` without doing anything.
public struct IdempotencyRecord<Result>: Sendable {
    public var apiKeyID: Int64
    public var key: String
    /// What the key was sent with (method, path and canonical body); the store keeps its hash.
    public var request: [UInt8]
    /// The response to keep for a result.
    public var render: @Sendable (Result) throws -> StoredResponse
    /// The response to keep for a refusal; nil for an error a retry should meet afresh (a
    /// refusal about the current state, a failure), which keeps nothing.
    public var renderRefusal: @Sendable (any Error) -> StoredResponse?

    public init(
        apiKeyID: Int64, key: String, request: [UInt8], render: @escaping @Sendable (Result) throws -> StoredResponse,
        renderRefusal: @escaping @Sendable (any Error) -> StoredResponse?
    ) {
        self.apiKeyID = apiKeyID
        self.key = key
        self.request = request
        self.render = render
        self.renderRefusal = renderRefusal
    }
}
