import Foundation
import Testing

/// A request head the HTTP decoder refuses is answered 400 problem+json naming why, not an
/// empty 400.
@Suite struct ServeRequestHeadTests {
    @Test func anOversizedHeaderIsA400Problem() async throws {
        try await ServeTimeoutTests.serving([]) { port, _ in
            let connection = try RawConnection(port: port)
            connection.send("GET /v1 HTTP/1.1\r\nHost: localhost\r\nX-Big: \(String(repeating: "a", count: 100 * 1024))\r\n\r\n")
            let reply = try await connection.readUntilClosed(seconds: 5)
            #expect(reply.text.hasPrefix("HTTP/1.1 400"), "\(reply.text.prefix(300))")
            #expect(reply.text.contains("application/problem+json") && reply.text.contains(#""code":"bad_request_head""#), "\(reply.text)")
            #expect(reply.closed)
        }
    }

    @Test func anOversizedURLIsA400Problem() async throws {
        try await ServeTimeoutTests.serving([]) { port, _ in
            let connection = try RawConnection(port: port)
            connection.send("GET /v1/\(String(repeating: "a", count: 100 * 1024)) HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let reply = try await connection.readUntilClosed(seconds: 5)
            #expect(reply.text.hasPrefix("HTTP/1.1 400"), "\(reply.text.prefix(300))")
            #expect(reply.text.contains(#""code":"bad_request_head""#), "\(reply.text)")
        }
    }
}
