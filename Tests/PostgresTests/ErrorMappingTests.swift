import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct ErrorMappingTests {
    @Test func constraintViolationsCarrySQLState() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            try connection.execute("CREATE TABLE t (id int PRIMARY KEY, amount int CHECK (amount > 0))")
            try connection.query("INSERT INTO t VALUES ($1, $2)", 1, 5)
            let unique = #expect(throws: PostgresError.self) { try connection.query("INSERT INTO t VALUES ($1, $2)", 1, 5) }
            #expect(unique?.isUniqueViolation == true)
            #expect(unique?.kind == .server)
            #expect(unique?.constraint == "t_pkey")
            let check = #expect(throws: PostgresError.self) { try connection.query("INSERT INTO t VALUES ($1, $2)", 2, -1) }
            #expect(check?.isCheckViolation == true)
            #expect(check?.sqlState == .checkViolation)
            let syntax = #expect(throws: PostgresError.self) { try connection.query("SELEC 1") }
            #expect(syntax?.sqlState == .syntaxError)
            // The connection stays usable after errors.
            #expect(try connection.query("SELECT count(*) AS n FROM t")[0].decode("n", as: Int64.self) == 1)
        }
    }

    @Test func serializationFailureIsRecognised() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let first = try PostgresConnection(conninfo: database.conninfo)
            let second = try PostgresConnection(conninfo: database.conninfo)
            defer { first.close(); second.close() }
            try first.execute("CREATE TABLE c (id int PRIMARY KEY, n int); INSERT INTO c VALUES (1, 0)")
            try first.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            try first.query("SELECT n FROM c WHERE id = 1")
            try second.execute("UPDATE c SET n = n + 1 WHERE id = 1")
            let error = #expect(throws: PostgresError.self) { try first.query("UPDATE c SET n = n + 1 WHERE id = 1") }
            #expect(error?.isSerializationFailure == true)
            #expect(error?.isRetryableConflict == true)
            try first.execute("ROLLBACK")
        }
    }

    @Test func deadlockIsRecognised() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let setup = try PostgresConnection(conninfo: database.conninfo)
            try setup.execute("CREATE TABLE d (id int PRIMARY KEY); INSERT INTO d VALUES (1), (2)")
            setup.close()
            let pool = database.pool(size: 2)
            // Two transactions lock the rows in opposite orders; PostgreSQL aborts one of them.
            async let a: Void = pool.withTransaction { c in
                try c.query("SELECT 1 FROM d WHERE id = 1 FOR UPDATE")
                try c.query("SELECT pg_sleep(0.3)")
                try c.query("SELECT 1 FROM d WHERE id = 2 FOR UPDATE")
            }
            async let b: Void = pool.withTransaction { c in
                try c.query("SELECT 1 FROM d WHERE id = 2 FOR UPDATE")
                try c.query("SELECT pg_sleep(0.3)")
                try c.query("SELECT 1 FROM d WHERE id = 1 FOR UPDATE")
            }
            var results: [Result<Void, any Error>] = []
            do { try await a; results.append(.success(())) } catch { results.append(.failure(error)) }
            do { try await b; results.append(.success(())) } catch { results.append(.failure(error)) }
            let failures = results.compactMap { result -> PostgresError? in
                if case .failure(let error) = result { return error as? PostgresError }
                return nil
            }
            #expect(failures.count == 1)
            #expect(failures.first?.isDeadlock == true)
            await pool.close()
        }
    }

    @Test func terminatedConnectionIsReportedAsLost() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let victim = try PostgresConnection(conninfo: database.conninfo)
            let killer = try PostgresConnection(conninfo: database.conninfo)
            defer { victim.close(); killer.close() }
            try killer.query("SELECT pg_terminate_backend($1)", Int64(victim.backendProcessID))
            try await Task.sleep(for: .milliseconds(100))
            let error = #expect(throws: PostgresError.self) { try victim.query("SELECT 1") }
            #expect(error?.isConnectionLost == true)
            #expect(victim.isUsable == false)
        }
    }

    @Test func unreachableServerFailsToConnect() throws {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(conninfo: "host=/nonexistent-socket-dir port=1 user=x dbname=x connect_timeout=2")
        }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.isConnectionLost == true)
    }
}

