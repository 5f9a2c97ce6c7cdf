import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// `serve` on a database that is not the embedded demo cluster: it loads no demo data, and it
/// will not start while a publicly known demo key is active there unless `--demo` says so.
@Suite struct ServeDemoKeysTests {
    static let startSecondsMax = 30.0

    @Test func aDatabaseWithActiveDemoKeysIsRefusedUntilTheyAreRevoked() async throws {
        try await TestDatabase.with { database in
            let url = database.conninfo
            let refused = try await Self.exit(["serve", "--database-url", url, "--port", "18999"])
            #expect(refused.status == 1, "\(refused.error)")
            #expect(refused.error.contains("active demo key") && refused.error.contains("techmarket keys revoke"), "\(refused.error)")

            let pool = database.pool(size: 1)
            try await pool.withConnection { connection in
                _ = try connection.query("UPDATE api_keys SET revoked_at = now() WHERE hint LIKE 'tmk\\_demo\\_%'")
            }
            await pool.close()
            let port = 18_000 + Int.random(in: 0..<2_000)
            let answer = try await Self.whileServing(["serve", "--database-url", url, "--port", String(port)], port: port) {
                try await Self.get("http://127.0.0.1:\(port)/v1/me", key: "tmk_demo_admin_operator")
            }
            #expect(answer == 401, "a revoked demo key is refused")
        }
    }

    @Test func aFreshDatabaseGetsTheReferenceDataAndNoDemo() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let port = 20_000 + Int.random(in: 0..<2_000)
            let (me, regions) = try await Self.whileServing(["serve", "--database-url", database.conninfo, "--port", String(port)], port: port) {
                (try await Self.get("http://127.0.0.1:\(port)/v1/me", key: "tmk_demo_admin_operator"),
                 try await Self.get("http://127.0.0.1:\(port)/v1/regions/330521", key: nil))
            }
            #expect(me == 401, "no demo key was loaded")
            #expect(regions == 200, "the reference data was")
            let pool = database.pool(size: 1)
            let (keyCount, listingCount) = try await pool.withConnection { connection in
                let row = try connection.query("SELECT (SELECT count(*) FROM api_keys) AS keys, (SELECT count(*) FROM listings) AS listings")[0]
                return (try row.decode("keys") as Int64, try row.decode("listings") as Int64)
            }
            #expect(keyCount == 0)
            #expect(listingCount == 0)
            await pool.close()
        }
    }

    /// Runs the binary to its exit; one still running after `startSecondsMax` (a server that
    /// started when it should have refused) is stopped and fails the test.
    static func exit(_ arguments: [String]) async throws -> (status: Int32, error: String) {
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = arguments
        process.currentDirectoryURL = ProjectPaths.root
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(startSecondsMax)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("\(arguments.joined(separator: " ")) was still running after \(startSecondsMax) s")
        }
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, text)
    }

    /// Starts the server, waits for /health, runs `body`, and stops the server; its log (at
    /// `logLevel`) goes to `log` when given.
    static func whileServing<T>(
        _ arguments: [String], port: Int, log: FileHandle? = nil, logLevel: String = "warning", _ body: () async throws -> T
    ) async throws -> T {
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = arguments + ["--log-level", logLevel]
        process.currentDirectoryURL = ProjectPaths.root
        process.standardOutput = FileHandle.nullDevice
        process.standardError = log ?? FileHandle.nullDevice
        try process.run()
        do {
            let deadline = Date().addingTimeInterval(startSecondsMax)
            while (try? await get("http://127.0.0.1:\(port)/health", key: nil)) != 200 {
                try #require(process.isRunning, "the server exited with \(process.terminationStatus)")
                try #require(Date() < deadline, "the server did not answer within \(startSecondsMax) s")
                try await Task.sleep(for: .milliseconds(100))
            }
            let result = try await body()
            await stop(process)
            return result
        } catch {
            await stop(process)
            throw error
        }
    }

    /// Stops the server and waits for it to exit, sleeping rather than blocking: a test that
    /// blocked a thread of Swift's small shared pool on `waitUntilExit` (two threads on this
    /// 2-core machine) starved the other tests, among them those whose progress the server's
    /// exit waited for, and the suite hung.
    /// A server that has not exited this long after SIGTERM is killed, and the test fails.
    static let stopSecondsMax = 10.0

    static func stop(_ process: Process) async {
        process.terminate()
        let deadline = Date().addingTimeInterval(stopSecondsMax)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        guard process.isRunning else { return }
        Issue.record("the server was still running \(stopSecondsMax) s after SIGTERM")
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    static func get(_ url: String, key: String?) async throws -> Int {
        var request = URLRequest(url: try #require(URL(string: url)))
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}
