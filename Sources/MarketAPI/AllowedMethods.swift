import Foundation
import HTTPTypes
import Hummingbird

/// The methods each path of the OpenAPI document takes (HEAD wherever GET is), read from the
/// document once: the document is the contract, so a path it names answers a method it does not
/// name with 405 and `Allow`, and an unknown path stays a 404.
struct AllowedMethods: Sendable {
    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter
    }

    private let paths: [(segments: [Segment], methods: [String])]

    /// The methods in the order an `Allow` header lists them.
    static let methodOrder = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    init(document: Data) {
        let object = (try? JSONSerialization.jsonObject(with: document)) as? [String: Any]
        let items = (object?["paths"] as? [String: Any]) ?? [:]
        paths = items.compactMap { template, item in
            guard let item = item as? [String: Any] else { return nil }
            var methods = Set(item.keys.map { $0.uppercased() }.filter { Self.methodOrder.contains($0) })
            if methods.contains("GET") { methods.insert("HEAD") }
            let segments = template.split(separator: "/").map { part -> Segment in
                part.hasPrefix("{") && part.hasSuffix("}") ? .parameter : .literal(String(part))
            }
            return (segments, Self.methodOrder.filter(methods.contains))
        }
    }

    /// The methods `path` takes, or nil when the document has no such path.
    func methods(forPath path: String) -> [String]? {
        let parts = path.split(separator: "/")
        return paths.first { candidate in
            candidate.segments.count == parts.count
                && zip(candidate.segments, parts).allSatisfy { segment, part in
                    if case .literal(let text) = segment { return text == part }
                    return true
                }
        }?.methods
    }
}

/// Turns the router's 404 for a known path with another method into 405 problem+json with
/// `Allow`, the methods the OpenAPI document gives that path.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: AllowedMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let methods = allowed.methods(forPath: request.uri.path), !methods.contains(request.method.rawValue) else { throw error }
            var problem = Problem(
                status: .methodNotAllowed, code: "method_not_allowed", title: "Method not allowed",
                detail: "\(request.uri.path) takes \(methods.joined(separator: ", ")), not \(request.method.rawValue)")
            problem.headers[.allow] = methods.joined(separator: ", ")
            throw problem
        }
    }
}

/// Answers HEAD as GET without the body, errors included: added before every other middleware,
/// so that a problem's body is dropped too.
struct HeadMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        return request.method == .head ? response.createHeadResponse() : response
    }
}
