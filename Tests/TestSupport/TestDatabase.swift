import EmbeddedPostgres
import Foundation
import Market
import Postgres
import PostgresStore
import Synchronization

/// The project's folders, found from this file's place in the tree.
public enum ProjectPaths {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let schema = root.appendingPathComponent("Schema")
    public static let fixtures = root.appendingPathComponent("Fixtures")
    public static let sources = root.appendingPathComponent("Sources")
}

/// The embedded cluster every test shares: started on first use, fast but not durable. The test
/// script stops it when the suite is done.
public enum TestCluster {
    public static let directory = ProjectPaths.root.appendingPathComponent(".build/test-postgres")
    private static let started = Mutex<EmbeddedPostgres?>(nil)

    /// The running cluster; starts it (initdb the first time) when needed.
    public static func shared() throws -> EmbeddedPostgres {
        try started.withLock { cluster in
            if let cluster { return cluster }
            let fresh = try EmbeddedPostgres(directory: directory, durable: false)
            try fresh.start()
            cluster = fresh
            return fresh
        }
    }
}

/// A database of its own for one test, cloned from a migrated template that holds the fixtures,
/// and dropped afterwards.
public struct TestDatabase: Sendable {
    public let name: String
    public let conninfo: String
    public let cluster: EmbeddedPostgres

    /// A pool on this database.
    public func pool(size: Int = 4) -> PostgresPool {
        PostgresPool(.init(conninfo: conninfo, connectionCountMax: size))
    }

    /// Runs `body` with a fresh database; `migrated` false gives an empty one (no schema).
    /// `demo` false leaves out the demo participants, listings and vouchers (and so their
    /// ledger entries), for tests that compare the whole ledger with a model.
    public static func with<T>(
        migrated: Bool = true, demo: Bool = true, _ body: (TestDatabase) async throws -> T
    ) async throws -> T {
        let cluster = try TestCluster.shared()
        let admin = await Admin.shared.pool(cluster)
        let name = "test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20))"
        let template = migrated ? try await Admin.shared.template(cluster, demo: demo) : "template0"
        try await admin.withConnection { try $0.execute("CREATE DATABASE \(name) TEMPLATE \(template)") }
        let database = TestDatabase(name: name, conninfo: cluster.conninfo(database: name), cluster: cluster)
        do {
            let result = try await body(database)
            try await database.drop(admin)
            return result
        } catch {
            try? await database.drop(admin)
            throw error
        }
    }

    private func drop(_ admin: PostgresPool) async throws {
        let name = name
        try await admin.withConnection { try $0.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
    }
}

/// Creates and drops test databases, and builds the migrated template once per process.
actor Admin {
    static let shared = Admin()
    private var adminPool: PostgresPool?
    private var templateTasks: [Bool: Task<String, any Error>] = [:]

    func pool(_ cluster: EmbeddedPostgres) -> PostgresPool {
        if let adminPool { return adminPool }
        // Creating databases queues here when many tests start at once on a busy machine: wait, do not fail.
        let pool = PostgresPool(.init(conninfo: cluster.conninfo(), connectionCountMax: 4, acquireTimeoutMs: 300_000))
        adminPool = pool
        return pool
    }

    /// The template's name; every caller waits on the one task that builds it.
    func template(_ cluster: EmbeddedPostgres, demo: Bool) async throws -> String {
        if let task = templateTasks[demo] { return try await task.value }
        let admin = pool(cluster)
        let task = Task { try await Self.buildTemplate(cluster, admin: admin, demo: demo) }
        templateTasks[demo] = task
        return try await task.value
    }

    /// Named after a checksum of Schema/, Fixtures/ and the adapter that loads them, so that a change to any makes a new one.
    private static func buildTemplate(_ cluster: EmbeddedPostgres, admin: PostgresPool, demo: Bool) async throws -> String {
        let migrator = try Migrator(directory: ProjectPaths.schema)
        let fixtures = try ReferenceData.load(from: ProjectPaths.fixtures)
        let market = try MarketFixture.load(from: ProjectPaths.fixtures)
        // The fixtures, and the code that loads them (vouchers and offers go through the use
        // cases), every file of every subfolder.
        let loaders = ["PostgresStore", "Market"].map { ProjectPaths.sources.appendingPathComponent($0) }
        let fixtureText = ([ProjectPaths.fixtures] + loaders).flatMap { folder in
            (FileManager.default.subpaths(atPath: folder.path) ?? []).sorted()
                .map { (try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) ?? "" }
        }.joined()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (migrator.migrations.map(\.checksum).joined() + fixtureText).utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let name = "template_\(demo ? "demo" : "base")_\(String(hash, radix: 16))"
        let building = name + "_building"
        return try await admin.withConnection { connection in
            // Another test process may be making the same template: an advisory lock orders them.
            try connection.query("SELECT pg_advisory_lock(4242)")
            defer { _ = try? connection.query("SELECT pg_advisory_unlock(4242)") }
            if try connection.query("SELECT 1 FROM pg_database WHERE datname = $1", name).count > 0 { return name }
            try connection.execute("DROP DATABASE IF EXISTS \(building)")
            try connection.execute("CREATE DATABASE \(building)")
            let target = try PostgresConnection(conninfo: cluster.conninfo(database: building))
            try migrator.migrate(on: target)
            try target.transaction { try PostgresMarketStore.upsert(fixtures, on: $0) }
            if demo {
                _ = try target.transaction { try PostgresMarketStore.load(market, on: $0) }
                let history = try ContractHistoryFixture.load(from: ProjectPaths.fixtures)
                _ = try target.transaction { try PostgresMarketStore.load(history, on: $0) }
            }
            target.close()
            // The vouchers and offers go through the (async) use cases, so that the ledger and the
            // books hold them; this
            // closure runs on the admin connection's thread, which may wait.
            let conninfo = cluster.conninfo(database: building)
            if demo { try waitFor {
                let pool = PostgresPool(.init(conninfo: conninfo, connectionCountMax: 1))
                _ = try await PostgresMarketStore(pool: pool).load(try VoucherFixture.load(from: ProjectPaths.fixtures))
                _ = try await PostgresMarketStore(pool: pool).load(try OfferFixture.load(from: ProjectPaths.fixtures))
                await pool.close()
            } }
            try connection.execute("ALTER DATABASE \(building) RENAME TO \(name)")
            return name
        }
    }
}

/// Runs async work from a thread that is not part of Swift's cooperative pool, and waits for it.
func waitFor(_ work: @escaping @Sendable () async throws -> Void) throws {
    let done = DispatchSemaphore(value: 0)
    let failure = Mutex<(any Error)?>(nil)
    Task {
        do { try await work() } catch { failure.withLock { $0 = error } }
        done.signal()
    }
    done.wait()
    if let error = failure.withLock({ $0 }) { throw error }
}
