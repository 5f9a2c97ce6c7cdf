import Foundation
import Postgres
import PostgresStore
import Testing
import TestSupport

@Suite struct MigratorTests {
    func migration(_ version: Int, _ name: String, _ sql: String) -> Migration {
        Migration(version: version, name: name, sql: sql)
    }

    @Test func appliesInOrderOnceEach() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            // Given out of order: 2 needs 1's table.
            let migrator = try Migrator(migrations: [
                migration(2, "add_column", "ALTER TABLE a ADD COLUMN note text;"),
                migration(1, "create", "CREATE TABLE a (id int); INSERT INTO a VALUES (1);"),
            ])
            #expect(try migrator.migrate(on: connection).map(\.version) == [1, 2])
            #expect(try migrator.migrate(on: connection).isEmpty)
            let statuses = try migrator.status(on: connection)
            #expect(statuses.map(\.state) == [.applied, .applied])
            #expect(try connection.query("SELECT count(*) AS n FROM a")[0].decode("n", as: Int.self) == 1)
        }
    }

    @Test func refusesAChangedOrMissingFile() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            try Migrator(migrations: [migration(1, "create", "CREATE TABLE a (id int);")]).migrate(on: connection)

            let changed = try Migrator(migrations: [
                migration(1, "create", "CREATE TABLE a (id bigint);"), migration(2, "more", "CREATE TABLE b (id int);"),
            ])
            #expect(throws: MigrationError.self) { try changed.migrate(on: connection) }
            #expect(try changed.status(on: connection).map(\.state) == [.changed, .pending])
            // Nothing of migration 2 was applied.
            #expect(try connection.query("SELECT to_regclass('b') IS NULL AS absent")[0].decode("absent", as: Bool.self))

            let missing = try Migrator(migrations: [migration(2, "more", "CREATE TABLE b (id int);")])
            let error = #expect(throws: MigrationError.self) { try missing.migrate(on: connection) }
            #expect(error == .missingFile(version: 1, name: "create"))
            #expect(try missing.status(on: connection).map(\.state) == [.missing, .pending])
        }
    }

    @Test func aFailingMigrationLeavesNothing() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            let migrator = try Migrator(migrations: [
                migration(1, "half", "CREATE TABLE half (id int); INSERT INTO half VALUES ('not a number');")
            ])
            let error = #expect(throws: MigrationError.self) { try migrator.migrate(on: connection) }
            #expect(error?.description.contains("migration 1 (half) failed") == true)
            #expect(try connection.query("SELECT to_regclass('half') IS NULL AS absent")[0].decode("absent", as: Bool.self))
            #expect(try migrator.status(on: connection).map(\.state) == [.pending])
        }
    }

    @Test func readsNumberedFilesAndRefusesOthers() throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tm-schema-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "SELECT 1;".write(to: folder.appendingPathComponent("0002_second.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1;".write(to: folder.appendingPathComponent("0001_first.sql"), atomically: true, encoding: .utf8)
        #expect(try Migrator(directory: folder).migrations.map(\.name) == ["first", "second"])
        try "SELECT 1;".write(to: folder.appendingPathComponent("third.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.badFileName("third.sql")) { try Migrator(directory: folder) }
    }

    @Test func checksumIsSHA256OfTheFile() {
        // The SHA-256 of "abc" (FIPS 180-4's first example).
        #expect(Migration(version: 1, name: "x", sql: "abc").checksum == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Migration(version: 1, name: "x", sql: "").checksum == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func theProjectSchemaApplies() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            let migrator = try Migrator(directory: ProjectPaths.schema)
            #expect(try migrator.migrate(on: connection).count == migrator.migrations.count)
            #expect(try migrator.status(on: connection).allSatisfy { $0.state == .applied })
        }
    }
}
