import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Postgres
import Testing
import TestSupport

/// `serve`'s timeouts against the live server, over raw sockets, with each timeout set low:
/// a client that says nothing, sends its header slowly, or never finishes its body is closed or
/// answered within its timeout; an answer that is not ready by the deadline is a 503; and a pool
/// with no free connection answers 503 at once rather than after the pool's own 10 s.
@Suite struct ServeTimeoutTests {
    /// How long past a timeout the test waits before it calls the connection held.
    static let slackSeconds = 1.5

    @Test func anIdleConnectionIsClosed() async throws {
        try await Self.serving(["--idle-timeout-ms", "300", "--header-timeout-ms", "20000"]) { port, _ in
            let connection = try RawConnection(port: port)
            let reply = try await connection.readUntilClosed(seconds: 0.3 + Self.slackSeconds)
            #expect(reply.closed, "an idle connection was held \(reply.seconds) s")
            #expect(reply.text.isEmpty)
        }
    }

    @Test func aSlowHeaderIsClosed() async throws {
        try await Self.serving(["--idle-timeout-ms", "20000", "--header-timeout-ms", "400"]) { port, _ in
            let connection = try RawConnection(port: port)
            connection.send("GET /v1 HTTP/1.1\r\nHost: localhost\r\n")
            let started = ContinuousClock.now
            var closed = false
            // One header line every 100 ms, each well inside any idle clock: only the header's catches it.
            while !closed && ContinuousClock.now - started < .seconds(0.4 + Self.slackSeconds) {
                connection.send("X-Slow: \(Int.random(in: 0..<1000))\r\n")
                closed = try await connection.readUntilClosed(seconds: 0.1).closed
            }
            #expect(closed, "a header sent a line at a time was held past \(0.4 + Self.slackSeconds) s")
        }
    }

    @Test func aBodyThatNeverCompletesIsAnswered408() async throws {
        try await Self.serving(["--body-timeout-ms", "400"], demo: true) { port, _ in
            let connection = try RawConnection(port: port)
            connection.send(
                "POST /v1/parties HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer tmk_demo_admin_operator\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"")
            let reply = try await connection.readUntilClosed(seconds: 0.4 + Self.slackSeconds)
            #expect(reply.closed, "a body of 2 bytes out of 10 was held \(reply.seconds) s")
            #expect(reply.text.hasPrefix("HTTP/1.1 408"), "\(reply.text)")
            #expect(reply.text.contains("application/problem+json") && reply.text.contains(#""code":"body_timeout""#), "\(reply.text)")
        }
    }

    @Test func anAnswerPastTheDeadlineIs503() async throws {
        try await Self.serving(["--request-deadline-ms", "500"]) { port, conninfo in
            let lock = try RegionsLock(conninfo: conninfo)
            defer { lock.release() }
            let connection = try RawConnection(port: port)
            connection.send("GET /v1/regions HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let reply = try await connection.readUntilClosed(seconds: 0.5 + Self.slackSeconds)
            #expect(reply.text.hasPrefix("HTTP/1.1 503"), "\(reply.text)")
            #expect(reply.text.lowercased().contains("retry-after: 1"), "\(reply.text)")
            #expect(reply.text.contains(#""code":"deadline_exceeded""#), "\(reply.text)")
            #expect(reply.closed)
        }
    }

    @Test func anExhaustedPoolAnswers503AtOnce() async throws {
        try await Self.serving(["--pool-size", "1", "--pool-wait-ms", "100"]) { port, conninfo in
            let lock = try RegionsLock(conninfo: conninfo)
            defer { lock.release() }
            let holder = try RawConnection(port: port)
            holder.send("GET /v1/regions HTTP/1.1\r\nHost: localhost\r\n\r\n")  // waits on the lock with the pool's one connection
            try await Task.sleep(for: .milliseconds(300))
            let connection = try RawConnection(port: port)
            connection.send("GET /v1/alliances HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            let reply = try await connection.readUntilClosed(seconds: 0.1 + Self.slackSeconds)
            #expect(reply.text.hasPrefix("HTTP/1.1 503"), "no answer within \(reply.seconds) s: \(reply.text)")
            #expect(reply.text.lowercased().contains("retry-after: 1"), "\(reply.text)")
            #expect(reply.text.contains(#""code":"unavailable""#), "\(reply.text)")
        }
    }

    /// Three requests pipelined in one write get three answers, and the connection is not cut
    /// by a body clock left running for a request that had ended.
    @Test func pipelinedRequestsAreAnsweredWithoutASpuriousTimeout() async throws {
        try await Self.serving(["--body-timeout-ms", "300", "--idle-timeout-ms", "20000"]) { port, _ in
            let connection = try RawConnection(port: port)
            connection.send(String(repeating: "GET /v1 HTTP/1.1\r\nHost: localhost\r\n\r\n", count: 3))
            let reply = try await connection.readUntilClosed(seconds: 0.3 + Self.slackSeconds)
            #expect(reply.text.components(separatedBy: "HTTP/1.1 200").count - 1 == 3, "\(reply.text)")
            #expect(!reply.text.contains("408") && !reply.closed, "\(reply.text)")
        }
    }

    /// A client that closes its connection halfway through a body is logged as gone (499, at
    /// info), not as a server error.
    @Test func aClientThatGoesAwayMidBodyIsLoggedAsGoneNotA500() async throws {
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("serve-gone-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: logFile) }
        let log = try FileHandle(forWritingTo: logFile)
        try await TestDatabase.with { database in
            let port = 22_000 + Int.random(in: 0..<2_000)
            try await ServeDemoKeysTests.whileServing(
                ["serve", "--database-url", database.conninfo, "--port", String(port), "--demo", "--no-fixtures"], port: port, log: log,
                logLevel: "info"
            ) {
                let connection = try RawConnection(port: port)
                connection.send(
                    "POST /v1/parties HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer tmk_demo_admin_operator\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"handle\":")
                try await Task.sleep(for: .milliseconds(200))
                connection.close()
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        try log.close()
        let text = try String(contentsOf: logFile, encoding: .utf8)
        let lines = text.split(separator: "\n").filter { $0.contains("path=/v1/parties") }
        #expect(lines.contains { $0.contains("status=499") && $0.contains("level=info") && $0.contains("client went away") }, "\(text)")
        #expect(!text.contains("status=500") && !text.contains("level=error"), "\(text)")
    }

    /// Serves a fresh database (with the demo and its keys when `demo`) with `options`, and runs
    /// `body` with the port and the database's connection string.
    static func serving(_ options: [String], demo: Bool = false, _ body: (Int, String) async throws -> Void) async throws {
        try await TestDatabase.with(migrated: demo) { database in
            let port = 22_000 + Int.random(in: 0..<2_000)
            let arguments = ["serve", "--database-url", database.conninfo, "--port", String(port)] + (demo ? ["--demo"] : []) + options
            try await ServeDemoKeysTests.whileServing(arguments, port: port) { try await body(port, database.conninfo) }
        }
    }
}

/// Holds `regions` locked in a transaction of its own, so that any read of it waits.
final class RegionsLock {
    private let connection: PostgresConnection

    init(conninfo: String) throws {
        connection = try PostgresConnection(conninfo: conninfo)
        try connection.execute("BEGIN")
        try connection.execute("LOCK TABLE regions IN ACCESS EXCLUSIVE MODE")
    }

    func release() {
        try? connection.execute("ROLLBACK")
        connection.close()
    }
}

/// A TCP connection to the server, for the requests an HTTP client will not send.
final class RawConnection {
    private var socketFD: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
        socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socketFD = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        try #require(socketFD >= 0, "socket: \(errno)")
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0, "connect: \(errno)")
        _ = fcntl(socketFD, F_SETFL, fcntl(socketFD, F_GETFL) | O_NONBLOCK)
    }

    deinit { close() }

    /// Ends the connection from this side.
    func close() {
        if socketFD >= 0 {
            #if canImport(Glibc)
            _ = Glibc.close(socketFD)
            #else
            _ = Darwin.close(socketFD)
            #endif
            socketFD = -1
        }
    }

    /// Sends `text`; a connection the server has closed takes it silently (no SIGPIPE).
    func send(_ text: String) {
        let bytes = Array(text.utf8)
        #if canImport(Glibc)
        _ = bytes.withUnsafeBytes { Glibc.send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        #else
        var on: Int32 = 1
        _ = setsockopt(socketFD, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        _ = bytes.withUnsafeBytes { write(socketFD, $0.baseAddress, $0.count) }
        #endif
    }

    /// What arrives until the server closes the connection or `seconds` pass.
    func readUntilClosed(seconds: Double) async throws -> (text: String, closed: Bool, seconds: Double) {
        let started = ContinuousClock.now
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now - started < .seconds(seconds) {
            let count = buffer.withUnsafeMutableBytes { read(socketFD, $0.baseAddress, $0.count) }
            if count > 0 {
                received += buffer[0..<count]
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                return (String(decoding: received, as: UTF8.self), true, Self.seconds(since: started))
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        return (String(decoding: received, as: UTF8.self), false, Self.seconds(since: started))
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
