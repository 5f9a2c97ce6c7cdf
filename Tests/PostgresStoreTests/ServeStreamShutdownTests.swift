import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Market
import PostgresStore
import Testing
import TestSupport

/// SIGTERM while a lot's live stream is open: the stream gets a last `shutdown` event and ends,
/// and the server exits 0 at once rather than holding its deadline for the watcher.
@Suite struct ServeStreamShutdownTests {
    /// Well under the server's shutdown deadline (`deadlineMs`): the stream did not hold it.
    static let exitSecondsMax = 5.0
    static let deadlineMs = 20_000

    @Test func aStopEndsALiveStreamWithALastEvent() async throws {
        try CommandLineTests.checkBinaryIsCurrent()
        try await TestDatabase.with { database in
            let pool = database.pool(size: 2)
            let lot = try await AuctionTestLot.english(pool, clock: AuctionTestClock(Date()), minutes: 60)
            await pool.close()
            let port = 24_000 + Int.random(in: 0..<2_000)
            let server = Process()
            server.executableURL = CommandLineTests.binary
            server.arguments = [
                "serve", "--database-url", database.conninfo, "--port", String(port), "--demo", "--no-fixtures",
                "--shutdown-deadline-ms", String(Self.deadlineMs), "--log-level", "warning",
            ]
            server.currentDirectoryURL = ProjectPaths.root
            server.standardOutput = FileHandle.nullDevice
            server.standardError = FileHandle.nullDevice
            try server.run()
            defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
            let started = Date()
            while (try? await ServeDemoKeysTests.get("http://127.0.0.1:\(port)/health", key: nil)) != 200 {
                try #require(server.isRunning && Date().timeIntervalSince(started) < ServeDemoKeysTests.startSecondsMax, "the server did not start")
                try await Task.sleep(for: .milliseconds(100))
            }

            // A watcher, as a browser's EventSource would be: curl reading the stream to its end.
            let watcher = Process()
            watcher.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            watcher.arguments = ["curl", "-sN", "--max-time", "60", "http://127.0.0.1:\(port)/v1/lots/\(lot.lot.id.value)/events"]
            let output = Pipe()
            watcher.standardOutput = output
            try watcher.run()
            defer { if watcher.isRunning { watcher.terminate() } }
            // The stream is open once the server has it among its watchers.
            try await Task.sleep(for: .seconds(1))
            #expect(watcher.isRunning, "the stream ended before the stop")

            let stopped = Date()
            kill(server.processIdentifier, SIGTERM)
            while server.isRunning && Date().timeIntervalSince(stopped) < Double(Self.deadlineMs) / 1000 + 5 {
                try await Task.sleep(for: .milliseconds(50))
            }
            let took = Date().timeIntervalSince(stopped)
            #expect(!server.isRunning && server.terminationStatus == 0, "the server did not exit 0")
            #expect(took < Self.exitSecondsMax, "the stop took \(took) s: the stream held it")
            watcher.waitUntilExit()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(text.hasSuffix(#"event: shutdown\#ndata: {"reason":"the server is stopping; reconnect with Last-Event-ID"}\#n\#n"#), "\(text)")
        }
    }
}
