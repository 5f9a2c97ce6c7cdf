import Foundation
import HTTPTypes
import Hummingbird
import Market
import Synchronization

/// Runs a POST that moves money under its `Idempotency-Key`: the store claims the key and keeps
/// the first response (or refusal) with the money it moved; a retry of the same request gets
/// that response again, the same key with another request is 422, and while the first is
/// running 409. A request refused before its use case runs (a malformed body, a missing key)
/// keeps nothing: the same request is refused the same way again.
struct IdempotentPost {
    static var keyLengthMax: Int { 100 }

    func run<Result: Sendable>(
        _ request: Request, body: [UInt8], caller: Principal, context: AppRequestContext,
        status: HTTPResponse.Status = .ok, locationPath: String? = nil, render: @escaping @Sendable (Result) -> any Encodable & Sendable,
        _ work: (IdempotencyRecord<Result>) async throws -> Result
    ) async throws -> Response {
        guard let key = request.headers[.idempotencyKey], !key.isEmpty, key.count <= Self.keyLengthMax,
              key.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x21 && $0.value < 0x7F })
        else {
            throw Problem(
                status: .badRequest, code: "idempotency_key_required", title: "An Idempotency-Key is needed",
                detail: "a POST that moves money needs an Idempotency-Key header of 1 to \(Self.keyLengthMax) visible ASCII characters (a UUID will do)",
                errors: [.init(field: "Idempotency-Key", message: "is required")])
        }
        let encoder = context.responseEncoder
        let requestID = context.id
        // The store renders the answer to keep it with the money; the response reuses that
        // rendering (the last, should the store's transaction have been retried).
        let kept = KeptResponse()
        let record = IdempotencyRecord<Result>(
            apiKeyID: caller.keyID, key: key, request: Array("\(request.method) \(request.uri.path)\n".utf8) + Self.canonical(body),
            render: { result in
                let rendered = render(result)
                let bytes = try (rendered as? any PrewrittenJSON)?.jsonBytes ?? Array(encoder.encode(rendered))
                let stored = StoredResponse(status: Int(status.code), body: String(decoding: bytes, as: UTF8.self))
                kept.value.withLock { $0 = stored }
                return stored
            },
            renderRefusal: { error in
                guard let problem = Self.keptProblem(for: error, requestID: requestID),
                      let body = try? AppRequestContext.jsonEncoder.encode(problem)
                else { return nil }
                return StoredResponse(status: Int(problem.status.code), body: String(decoding: body, as: UTF8.self))
            })
        do {
            let result = try await work(record)
            return Self.response(try kept.value.withLock { $0 } ?? record.render(result), locationPath: locationPath)
        } catch let answered as IdempotencyKeyAnswered {
            switch answered.answer {
            case .replay(let stored):
                var response = Self.response(stored, locationPath: locationPath)
                response.headers[.idempotentReplayed] = "true"
                return response
            case .reusedWithOtherRequest:
                throw Problem(
                    status: .unprocessableContent, code: "idempotency_key_reused", title: "The Idempotency-Key was used for another request",
                    detail: "this key was first sent with a different method, path or body; use a new key for a new request")
            case .inProgress:
                throw Self.inProgress
            }
        } catch {
            // A refusal is answered as it was kept.
            throw Self.keptProblem(for: error, requestID: requestID) ?? error
        }
    }

    /// The problem a refusal is answered and kept with; nil for what a retry should meet afresh:
    /// a refusal about the current state (a claim arrives, a hold is released) or a failure.
    static func keptProblem(for error: any Error, requestID: String) -> Problem? {
        guard let refusal = error as? any Refusal, !refusal.clearsOnRetry else { return nil }
        var problem = Problem(refusal)
        problem.requestID = requestID
        return problem
    }

    static var inProgress: Problem {
        Problem(
            status: .conflict, code: "idempotency_key_in_use", title: "The first request with this key is still running",
            detail: "retry once it has finished")
    }

    /// The body with its keys sorted and no spaces, so that the same JSON written another way
    /// is the same request: a flat object by hand (`CanonicalJSON`), anything else by
    /// JSONSerialization, whose form the hand-written one keeps.
    static func canonical(_ body: [UInt8]) -> [UInt8] {
        CanonicalJSON.flatObject(body) ?? serializationCanonical(body)
    }

    /// The canonical form as JSONSerialization parses and writes it; the body itself when it is
    /// not JSON.
    static func serializationCanonical(_ body: [UInt8]) -> [UInt8] {
        guard !body.isEmpty, let value = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
        else { return body }
        return Array(data)
    }

    /// The response kept for a key; a 201 under `locationPath` gets a Location from the body's id.
    static func response(_ stored: StoredResponse, locationPath: String? = nil) -> Response {
        let contentType = stored.status >= 400 ? "application/problem+json" : "application/json; charset=utf-8"
        var headers: HTTPFields = [.contentType: contentType]
        if stored.status == 201, let locationPath, let range = stored.body.range(of: #""id":"#) {
            let id = stored.body[range.upperBound...].prefix { $0.isNumber }
            if !id.isEmpty { headers[.location] = "\(locationPath)/\(id)" }
        }
        return Response(status: HTTPResponse.Status(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: stored.body)))
    }
}

/// The response a store kept for an Idempotency-Key, as it rendered it.
final class KeptResponse: Sendable {
    let value = Mutex<StoredResponse?>(nil)
}
