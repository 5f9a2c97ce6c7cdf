import EmbeddedPostgres
import Foundation
import Postgres
import Testing

/// Restarting a server would disturb the other tests, so this one uses a cluster of its own.
@Suite struct RestartRecoveryTests {
    @Test func poolAndListenerSurviveARestart() async throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tm-restart-\(UUID().uuidString.prefix(8))")
        let cluster = try EmbeddedPostgres(directory: folder, durable: false)
        try cluster.start()
        defer {
            try? cluster.stop()
            try? FileManager.default.removeItem(at: cluster.directory)
            try? FileManager.default.removeItem(atPath: cluster.directory.path + ".lock")
        }
        let pool = PostgresPool(.init(conninfo: cluster.conninfo(), connectionCountMax: 3))
        // A pool nobody uses while the server is down: its first use afterwards must not fail.
        let quiet = PostgresPool(.init(conninfo: cluster.conninfo(), connectionCountMax: 1))
        let quietBefore = try await quiet.withConnection { Int64($0.backendProcessID) }
        let listener = PostgresListener(conninfo: cluster.conninfo(), channels: ["events"])
        defer { listener.stop() }
        #expect(await listener.waitUntilListening())
        let before = try await pool.withConnection { Int64($0.backendProcessID) }

        try cluster.stop()
        let down = await #expect(throws: PostgresError.self) { try await pool.withConnection { _ = try $0.query("SELECT 1") } }
        #expect(down?.isConnectionLost == true)
        try cluster.start()

        // The first use after the restart notices the closed connection and opens a new one.
        let quietAfter = try await quiet.withConnection { Int64($0.backendProcessID) }
        #expect(quietAfter != quietBefore)
        await quiet.close()
        let after = try await pool.withTransaction { connection in
            try connection.query("SELECT pg_backend_pid() AS pid")[0].decode("pid", as: Int64.self)
        }
        #expect(after != before)
        // The listener reconnects and listens again.
        try await Task.sleep(for: .milliseconds(Int64(PostgresListener.reconnectDelayMs) * 2))
        #expect(await listener.waitUntilListening(timeoutMs: 10_000))
        try await pool.withConnection { try $0.notify("events", payload: "back") }
        let notification = await listener.next(timeoutMs: 10_000)
        #expect(notification?.payload == "back")
        await pool.close()
    }
}
