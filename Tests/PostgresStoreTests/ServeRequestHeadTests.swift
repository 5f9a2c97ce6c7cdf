import Foundation
import Testing

/// A request head the HTTP decoder refuses is answered 400 problem+json naming why, not an
/// empty 400.
@Suite struct ServeRequestHeadTests {
    static let oversized = String(repeating: "a", count: 100 * 1024)

    @Test(arguments: [
        "GET /v1 HTTP/1.1\r\nHost: localhost\r\nX-Big: \(oversized)\r\n\r\n",
        "GET /v1/\(oversized) HTTP/1.1\r\nHost: localhost\r\n\r\n",
    ])
    func anOversizedHeaderOrURLIsA400Problem(request: String) async throws {
        try await ServeTimeoutTests.serving([]) { port, _ in
            let connection = try RawConnection(port: port)
            connection.send(request)
            let reply = try await connection.readUntilClosed(seconds: 5)
            #expect(reply.text.hasPrefix("HTTP/1.1 400"), "\(reply.text.prefix(300))")
            #expect(reply.text.contains("application/problem+json") && reply.text.contains(#""code":"bad_request_head""#), "\(reply.text)")
            #expect(reply.closed)
        }
    }
}
