import Foundation
import Postgres
import PostgresStore
import Testing
import TestSupport

/// The server's role of docs/operations.md, "Against an external PostgreSQL": no CREATE, no
/// ownership, the grants listed there. With them it starts (the migrator finds nothing to do)
/// and audits the ledger; the ledger's entries stay closed to it.
@Suite struct LeastPrivilegeTests {
    @Test func theServersRoleMigratesNothingAndCannotRewriteTheLedger() async throws {
        try await TestDatabase.with { database in
            let role = "tm_app_\(UInt32.random(in: 1...UInt32.max))"
            let owner = try PostgresConnection(conninfo: database.conninfo)
            defer { owner.close() }
            try owner.execute("""
                CREATE ROLE \(role) LOGIN;
                REVOKE CREATE ON SCHEMA public FROM PUBLIC;
                GRANT USAGE ON SCHEMA public TO \(role);
                GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO \(role);
                GRANT DELETE ON alliance_members TO \(role);
                GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO \(role);
                GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO \(role);
                """)
            defer { try? owner.execute("DROP OWNED BY \(role); DROP ROLE \(role)") }
            let app = try PostgresConnection(conninfo: database.conninfo + " user=\(role)")
            defer { app.close() }
            #expect(try Migrator(directory: ProjectPaths.schema).migrate(on: app).isEmpty)
            #expect(try LedgerAudit(connection: app).verify(atMs: 0).isClean)
            #expect(throws: PostgresError.self) { try app.execute("CREATE TABLE planted (id int)") }
            #expect(throws: PostgresError.self) { try app.execute("DELETE FROM ledger_entries") }
        }
    }
}
