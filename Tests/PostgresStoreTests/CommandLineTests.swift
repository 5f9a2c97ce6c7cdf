import Foundation
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// The admins' commands for keys and vouchers, run as the built binary against a test database.
@Suite struct CommandLineTests {
    static let binary = ProjectPaths.root.appendingPathComponent(".build/debug/techmarket")

    /// The modules the binary is linked from, whose object files sit beside it.
    static let linkedModules = ["techmarket", "Market", "MarketAPI", "PostgresStore", "Postgres", "EmbeddedPostgres", "Ledger", "Matching"]

    /// No test target builds the binary, so a plain `swift test`, which compiles the modules
    /// again for the tests, could run one linked from older code: refused unless it is at least
    /// as new as every object file of the modules it is linked from.
    static func checkBinaryIsCurrent() throws {
        let files = FileManager.default
        try #require(files.isExecutableFile(atPath: binary.path), "build techmarket first (scripts/test does): \(binary.path) is missing")
        func modified(_ url: URL) throws -> Date {
            try #require(try url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate, "\(url.path)")
        }
        let built = try modified(binary)
        let objects = try linkedModules.flatMap { module in
            let folder = binary.deletingLastPathComponent().appendingPathComponent("\(module).build")
            return try files.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.contentModificationDateKey]).filter { $0.pathExtension == "o" }
        }
        try #require(objects.count >= linkedModules.count, "no object files beside \(binary.path)")
        let newer = try objects.filter { try modified($0) > built }.map { "\($0.deletingLastPathComponent().lastPathComponent)/\($0.lastPathComponent)" }
        try #require(newer.isEmpty, "\(binary.path) is older than the code it is built from (\(newer.sorted().prefix(5))): run `swift build` (scripts/test does)")
    }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try Self.checkBinaryIsCurrent()
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = ProjectPaths.root
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
    }

    @Test func keysAreIssuedOnceListedByHintAndRevoked() async throws {
        try await TestDatabase.with { database in
            let url = database.conninfo
            let issued = try run(["keys", "issue", "--party", "casdq", "--role", "institution", "--label", "test", "--database-url", url])
            #expect(issued.status == 0, "\(issued.error)")
            let key = issued.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(APIKeyText.isWellFormed(key))
            let pool = database.pool(size: 1)
            let principal = try #require(try await PostgresMarketStore(pool: pool).principal(forKey: key))
            let listed = try run(["keys", "list", "--database-url", url])
            #expect(listed.output.contains(String(key.prefix(10))) && !listed.output.contains(key))
            let revoked = try run(["keys", "revoke", String(principal.keyID), "--database-url", url])
            #expect(revoked.status == 0)
            #expect(try await PostgresMarketStore(pool: pool).principal(forKey: key) == nil)
            let again = try run(["keys", "revoke", String(principal.keyID), "--database-url", url])
            #expect(again.status == 1 && again.error.contains("no active key"))
            let wrongRole = try run(["keys", "issue", "--party", "casdq", "--role", "firm", "--database-url", url])
            #expect(wrongRole.status == 1 && wrongRole.error.contains("role"), "\(wrongRole.error)")
            let noParty = try run(["keys", "issue", "--party", "nobody", "--role", "firm", "--database-url", url])
            #expect(noParty.status != 0 && noParty.error.contains("no participant"))
            await pool.close()
        }
    }

    /// A command offers only the options it uses: the pool's size is the server's alone.
    @Test func onlyServeOffersAPoolSize() throws {
        let ledger = try run(["ledger", "verify", "--pool-size", "2"])
        #expect(ledger.status != 0 && ledger.error.contains("--pool-size"), "\(ledger.error)")
        let serve = try run(["serve", "--help"])
        #expect(serve.status == 0 && serve.output.contains("--pool-size"), "\(serve.output)")
        for command in [["ledger", "verify"], ["keys", "list"], ["vouchers", "settle"], ["db", "status"]] {
            let help = try run(command + ["--help"])
            #expect(help.status == 0 && !help.output.contains("--pool-size"), "\(command): \(help.output)")
        }
    }

    @Test func sweepAndSettleFromTheCommandLine() async throws {
        try await TestDatabase.with { database in
            let url = database.conninfo
            let settled = try run(["vouchers", "settle", "--issuer", "330521", "--database-url", url])
            #expect(settled.status == 0, "\(settled.error)")
            #expect(settled.output.hasPrefix("provider_region,provider_id,provider,redemption_id"))
            #expect(settled.output.contains("310117"))
            #expect(settled.error.contains("settlement"))
            let nothing = try run(["vouchers", "settle", "--issuer", "330521", "--database-url", url])
            #expect(nothing.status == 0 && nothing.output.contains("nothing to settle"))
            let badRegion = try run(["vouchers", "settle", "--issuer", "Deqing", "--database-url", url])
            #expect(badRegion.status != 0 && badRegion.error.contains("six-digit"))
            let swept = try run(["vouchers", "sweep", "--as-of", "2099-01-01", "--database-url", url])
            #expect(swept.status == 0 && swept.output.contains("lapsed 2"), "\(swept.output)")
            let twice = try run(["vouchers", "sweep", "--as-of", "2099-01-01", "--database-url", url])
            #expect(twice.output.contains("lapsed 0"))
            let badDay = try run(["vouchers", "sweep", "--as-of", "2099-02-30", "--database-url", url])
            #expect(badDay.status != 0 && badDay.error.contains("date"))
            let verify = try run(["ledger", "verify", "--database-url", url])
            #expect(verify.status == 0 && verify.output.contains("result     clean"), "\(verify.output)")
        }
    }
}
