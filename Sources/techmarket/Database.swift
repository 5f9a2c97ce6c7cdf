import ArgumentParser
import EmbeddedPostgres
import Foundation
import Market
import Postgres
import PostgresStore

/// Where the database is: flags, then `DATABASE_URL`, then the `PG*` variables; with none of
/// them, a private cluster under the working directory.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "libpq URL or connection string (default: $DATABASE_URL, then the PG* variables, then the embedded cluster).")
    var databaseURL: String?

    @Option(name: .customLong("data-dir"), help: "Folder of the embedded cluster (default: ./.techmarket/postgres).")
    var dataDirectory: String = ".techmarket/postgres"

    static let embeddedDatabaseName = "techmarket"

    /// The configured server, or nil when the embedded cluster is to be used.
    var externalConninfo: String? {
        if let databaseURL, !databaseURL.isEmpty { return databaseURL }
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["DATABASE_URL"], !url.isEmpty { return url }
        if ["PGHOST", "PGDATABASE", "PGPORT", "PGSERVICE"].contains(where: { environment[$0]?.isEmpty == false }) {
            return ""  // libpq reads the PG* variables itself
        }
        return nil
    }

    /// Opens the database, starting the embedded cluster when no server is configured.
    func open(log: (String) -> Void) throws -> OpenDatabase {
        if let conninfo = externalConninfo {
            return OpenDatabase(conninfo: conninfo, embedded: nil)
        }
        let cluster = try EmbeddedPostgres(directory: URL(fileURLWithPath: dataDirectory))
        let wasRunning = cluster.isRunning
        if !wasRunning { log("starting embedded PostgreSQL in \(cluster.directory.path)") }
        try cluster.start()
        let admin = try PostgresConnection(conninfo: cluster.conninfo())
        defer { admin.close() }
        let exists = try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", Self.embeddedDatabaseName).count > 0
        if !exists {
            do {
                try admin.execute("CREATE DATABASE \(Self.embeddedDatabaseName)")
            } catch let error as PostgresError where error.sqlState == .duplicateDatabase {
                // Another process created it first.
            }
        }
        return OpenDatabase(conninfo: cluster.conninfo(database: Self.embeddedDatabaseName), embedded: wasRunning ? nil : cluster)
    }
}

/// An open database: its connection string and, when this process started it, the cluster.
struct OpenDatabase {
    var conninfo: String
    /// Set when this process started the embedded cluster, so that it stops it on exit.
    var embedded: EmbeddedPostgres?

    /// A pool of `size` connections; a caller waits `acquireTimeoutMs` for a free one (the pool's
    /// own default when nil).
    func pool(size: Int, acquireTimeoutMs: Int? = nil, observer: (any PostgresPoolObserver)? = nil) -> PostgresPool {
        var configuration = PostgresPool.Configuration(conninfo: conninfo, connectionCountMax: size, observer: observer)
        if let acquireTimeoutMs { configuration.acquireTimeoutMs = acquireTimeoutMs }
        return PostgresPool(configuration)
    }
}

/// Finds the project's Schema/ and Fixtures/ folders: an environment variable, then the working
/// directory, then up from the executable (`.build/debug/techmarket`), then the source tree.
enum ProjectFolder {
    static func locate(_ name: String, environmentKey: String) throws -> URL {
        let manager = FileManager.default
        var candidates: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment[environmentKey], !explicit.isEmpty {
            candidates.append(URL(fileURLWithPath: explicit))
        }
        candidates.append(URL(fileURLWithPath: manager.currentDirectoryPath).appendingPathComponent(name))
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent(name))
            folder = folder.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(name))
        var isDirectory: ObjCBool = false
        for candidate in candidates where manager.fileExists(atPath: candidate.path, isDirectory: &isDirectory) && isDirectory.boolValue {
            return candidate
        }
        throw ValidationError("cannot find the \(name)/ folder; run from the project folder or set \(environmentKey)")
    }

    static func schema() throws -> URL { try locate("Schema", environmentKey: "TECHMARKET_SCHEMA_DIR") }
    static func fixtures() throws -> URL { try locate("Fixtures", environmentKey: "TECHMARKET_FIXTURES_DIR") }
}

/// Prints to standard error, for messages that are not the command's output.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
