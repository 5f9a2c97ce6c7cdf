import Foundation
import Postgres

/// One numbered file of Schema/: `NNNN_name.sql`.
public struct Migration: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// SHA-256 of the file's bytes, hex; what the database records when the file is applied.
    public var checksum: String { SHA256.hex(Array(sql.utf8)) }
}

/// Where an applied or pending migration stands.
public struct MigrationStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        case applied, pending
        /// Applied, but the file now has other content.
        case changed
        /// Applied, but the file is gone.
        case missing
    }

    public var version: Int
    public var name: String
    public var state: State
    public var appliedAt: Date?
}

/// Why migrating stopped.
public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case badFileName(String)
    case duplicateVersion(Int)
    case changedAfterApplying(version: Int, name: String, recorded: String, file: String)
    case missingFile(version: Int, name: String)
    case failed(version: Int, name: String, reason: String)

    public var description: String {
        switch self {
        case .badFileName(let name):
            return "schema file \(name) is not named NNNN_name.sql"
        case .duplicateVersion(let version):
            return "two schema files carry version \(version)"
        case let .changedAfterApplying(version, name, recorded, file):
            return "migration \(version) (\(name)) was changed after it was applied: recorded checksum \(recorded.prefix(12))…, file has \(file.prefix(12))…; add a new migration instead of editing an applied one"
        case let .missingFile(version, name):
            return "migration \(version) (\(name)) was applied to this database but its file is gone"
        case let .failed(version, name, reason):
            return "migration \(version) (\(name)) failed and was rolled back: \(reason)"
        }
    }
}

/// Applies Schema/ in order, each file in its own transaction, recording a checksum of each.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(migrations: [Migration]) throws {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.version == next.version {
            throw MigrationError.duplicateVersion(next.version)
        }
        self.migrations = sorted
    }

    /// Reads every `NNNN_name.sql` in `directory`.
    public init(directory: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        try self.init(
            migrations: names.map { fileName in
                let stem = fileName.dropLast(4)
                guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]),
                    stem[..<underscore].count == 4
                else { throw MigrationError.badFileName(fileName) }
                let sql = try String(contentsOf: directory.appendingPathComponent(fileName), encoding: .utf8)
                return Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql)
            })
    }

    static let createTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    integer PRIMARY KEY,
            name       text NOT NULL,
            checksum   text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """
    /// Held while migrating, so that two servers starting at once do not both apply a file.
    static let advisoryLockKey: Int64 = 0x7465_6368_6d6b_7401

    /// Applies the pending migrations; returns those it applied. Stops, changing nothing, when an
    /// applied file was changed or removed.
    @discardableResult
    public func migrate(on connection: PostgresConnection) throws -> [Migration] {
        try connection.query("SELECT pg_advisory_lock($1)", Self.advisoryLockKey)
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", Self.advisoryLockKey) }
        // Created only when missing: `CREATE TABLE IF NOT EXISTS` needs the CREATE privilege even
        // when the table exists, and a server's role has none (docs/operations.md).
        if try !connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")[0].decode("present", as: Bool.self) {
            try connection.execute(Self.createTable)
        }
        let recorded = try appliedRows(connection)
        try checkApplied(recorded)
        var applied: [Migration] = []
        for migration in migrations where recorded[migration.version] == nil {
            do {
                try connection.transaction { connection in
                    try connection.execute(migration.sql)
                    try connection.query(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        migration.version, migration.name, migration.checksum)
                }
            } catch let error as PostgresError {
                throw MigrationError.failed(version: migration.version, name: migration.name, reason: error.description)
            }
            applied.append(migration)
        }
        return applied
    }

    /// Every migration, applied or not, and every applied one whose file is gone or changed.
    public func status(on connection: PostgresConnection) throws -> [MigrationStatus] {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")[0]
            .decode("present", as: Bool.self)
        let recorded = exists ? try appliedRows(connection) : [:]
        var statuses: [MigrationStatus] = migrations.map { migration in
            guard let row = recorded[migration.version] else {
                return MigrationStatus(version: migration.version, name: migration.name, state: .pending)
            }
            return MigrationStatus(
                version: migration.version, name: migration.name,
                state: row.checksum == migration.checksum ? .applied : .changed, appliedAt: row.appliedAt)
        }
        let known = Set(migrations.map(\.version))
        for (version, row) in recorded where !known.contains(version) {
            statuses.append(MigrationStatus(version: version, name: row.name, state: .missing, appliedAt: row.appliedAt))
        }
        return statuses.sorted { $0.version < $1.version }
    }

    private struct AppliedRow {
        var name: String
        var checksum: String
        var appliedAt: Date
    }

    private func appliedRows(_ connection: PostgresConnection) throws -> [Int: AppliedRow] {
        var rows: [Int: AppliedRow] = [:]
        for row in try connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations") {
            rows[try row.decode("version", as: Int.self)] = AppliedRow(
                name: try row.decode("name"), checksum: try row.decode("checksum"), appliedAt: try row.decode("applied_at"))
        }
        return rows
    }

    private func checkApplied(_ recorded: [Int: AppliedRow]) throws {
        let byVersion = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, row) in recorded.sorted(by: { $0.key < $1.key }) {
            guard let migration = byVersion[version] else {
                throw MigrationError.missingFile(version: version, name: row.name)
            }
            if migration.checksum != row.checksum {
                throw MigrationError.changedAfterApplying(
                    version: version, name: migration.name, recorded: row.checksum, file: migration.checksum)
            }
        }
    }
}
