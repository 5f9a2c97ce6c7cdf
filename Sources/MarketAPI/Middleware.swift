import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Market
import NIOCore
import NIOHTTP1

/// Turns every error into problem+json, logs each request once with its id, status and time,
/// and returns the request id in `X-Request-Id`. A client that went away before its request was
/// read is logged as such (status 499, as nginx names it), not as a server error.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The status logged for a request whose client closed its connection first.
    static var clientClosedStatus: HTTPResponse.Status { HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request") }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        var outcome: String?
        do {
            response = try await next(request, context)
            response.headers[.requestID] = context.id
        } catch where Self.clientWentAway(error) {
            // Nobody is left to answer; the status is for the log.
            response = Response(status: Self.clientClosedStatus)
            outcome = "client went away"
        } catch {
            let problem = Self.problem(for: error, context: context)
            response = try problem.response(from: request, context: context)
        }
        let elapsed = ContinuousClock.now - started
        var metadata: Logger.Metadata = [
            "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
            "ms": "\(Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000 + Double(elapsed.components.seconds) * 1000)",
        ]
        if let outcome { metadata["outcome"] = "\(outcome)" }
        context.logger.log(level: response.status.code >= 500 ? .error : .info, "request", metadata: metadata)
        return response
    }

    /// The connection ended under the request: its body cut short, or the channel closed.
    static func clientWentAway(_ error: any Error) -> Bool {
        switch error {
        case let parser as HTTPParserError: return parser == .invalidEOFState || parser == .closedConnection
        case is ChannelError: return true
        default: return false
        }
    }

    static func problem(for error: any Error, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let httpError as HTTPError:
            switch httpError.status {
            case .notFound:
                return Problem(status: .notFound, code: "not_found", title: "Not found", detail: httpError.body ?? "no such resource")
            case .methodNotAllowed:
                return Problem(status: .methodNotAllowed, code: "method_not_allowed", title: "Method not allowed", detail: httpError.body)
            case .contentTooLarge:
                return Problem(status: .contentTooLarge, code: "body_too_large", title: "Request body too large", detail: httpError.body)
            default:
                return Problem(
                    status: httpError.status, code: httpError.status.code >= 500 ? "internal_error" : "bad_request",
                    title: httpError.status.reasonPhrase, detail: httpError.body)
            }
        case let responseError as any HTTPResponseError:
            return Problem(
                status: responseError.status, code: responseError.status == .contentTooLarge ? "body_too_large" : "bad_request",
                title: responseError.status.reasonPhrase)
        case let refusal as any Refusal:
            return Problem(refusal)
        case let unavailable as StoreUnavailable:
            return Problem(
                status: .serviceUnavailable, code: "unavailable", title: "Service unavailable",
                detail: "\(unavailable.reason); try again shortly")
        case let decoding as DecodingError:
            return Problem.invalid([RequestDecoding.fieldError(decoding)])
        default:
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return Problem(
                status: .internalServerError, code: "internal_error", title: "Internal error",
                detail: "The server could not complete the request; quote the request id when reporting it.")
        }
    }
}

/// The boundary rule for the request line, checked once for every route: the path and every
/// query parameter, percent-decoded, are valid UTF-8 without control characters. A refusal is 400
/// naming the parameter (or `path`), before any route reads them.
struct RequestLineMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // On every request, so on bytes: Foundation's percent-decoding cost a search a fifth of
        // its throughput (docs/listings.md).
        if Self.isClean(request.uri.path.utf8[...]), request.uri.query.map({ Self.isClean($0.utf8[...]) }) ?? true {
            return try await next(request, context)
        }
        var issues = FieldIssues()
        if !Self.isClean(request.uri.path.utf8[...]) {
            issues.add("path", "must be UTF-8 without control characters once percent-decoded")
        }
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts.first ?? ""
            guard Self.isClean(name.utf8), let decoded = Self.percentDecoded(name.utf8).flatMap({ String(validating: $0, as: UTF8.self) }) else {
                issues.add("query", "has a parameter name that is not UTF-8 without control characters")
                continue
            }
            if parts.count > 1, !Self.isClean(parts[1].utf8) {
                issues.add(FieldPath.appending(key: decoded, to: ""), "must be UTF-8 without control characters")
            }
        }
        try issues.throwIfAny()
        return try await next(request, context)
    }

    /// Whether percent-decoded `text` is UTF-8 without control characters (C0, DEL, C1).
    static func isClean(_ text: Substring.UTF8View) -> Bool {
        guard !text.contains(UInt8(ascii: "%")) else {
            guard let bytes = percentDecoded(text), let decoded = String(validating: bytes, as: UTF8.self) else { return false }
            return !decoded.unicodeScalars.contains { $0.properties.generalCategory == .control }
        }
        // Nothing escaped: the bytes are the text (the HTTP decoder has already refused raw
        // control bytes in a request line, but a C1 control is two bytes of valid UTF-8).
        var previous: UInt8 = 0
        for byte in text {
            if byte < 0x20 || byte == 0x7F || (previous == 0xC2 && (0x80...0x9F).contains(byte)) { return false }
            previous = byte
        }
        return String(validating: text, as: UTF8.self) != nil
    }

    /// `text` with its %XX escapes decoded; nil when an escape is malformed.
    static func percentDecoded(_ text: Substring.UTF8View) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var iterator = text.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

enum RequestDecoding {
    /// Names the field of a JSON body that failed to decode.
    /// `ipAssets[1].number` for a coding path; empty for the top level.
    static func path(_ codingPath: [any CodingKey]) -> String {
        let text = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.hasPrefix(".") ? String(text.dropFirst()) : text
    }

    static func fieldError(_ error: DecodingError) -> Problem.FieldError {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = Self.path(codingPath)
            return text.isEmpty ? "body" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .init(field: path(context.codingPath + [key]), message: "is required")
        case .typeMismatch(let type, let context):
            return .init(field: path(context.codingPath), message: "must be \(type)")
        case .valueNotFound(let type, let context):
            return .init(field: path(context.codingPath), message: "must be a \(type), not null")
        case .dataCorrupted(let context):
            return .init(field: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return .init(field: "body", message: "could not be read")
        }
    }
}
