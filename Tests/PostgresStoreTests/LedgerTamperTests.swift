import Foundation
import Ledger
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// A superuser with the append-only trigger out of the way edits history; verification names the
/// first entry at fault, and the command line exits 1.
@Suite struct LedgerTamperTests {
    /// A small ledger of 12 posted transfers among 3 accounts.
    func seed(_ database: TestDatabase) async throws {
        let pool = database.pool(size: 1)
        let store = PostgresLedgerStore(pool: pool)
        _ = try await store.createAccounts((1...3).map { LabelledAccount(Account(id: AccountID(UInt64($0)), code: 1), name: "账户\($0)") })
        var transfers: [Transfer] = []
        for index in 1...12 {
            let debit = AccountID(UInt64(index % 3 + 1))
            let credit = AccountID(UInt64((index + 1) % 3 + 1))
            transfers.append(
                Transfer(
                    id: TransferID(UInt128(index)), debitAccountID: debit, creditAccountID: credit,
                    amountFen: Int64(index * 100), code: 1, reference: "t\(index)"))
        }
        #expect(try await store.submit(transfers, atMs: 1_000).allSatisfy { $0 == .ok })
        await pool.close()
    }

    func audit(_ database: TestDatabase) throws -> LedgerAudit.Audit {
        let connection = try PostgresConnection(conninfo: database.conninfo)
        defer { connection.close() }
        return try LedgerAudit(connection: connection).verify(atMs: 2_000)
    }

    /// Runs SQL as the superuser with user triggers off (session_replication_role = replica).
    func tamper(_ database: TestDatabase, _ sql: String) throws {
        let connection = try PostgresConnection(conninfo: database.conninfo)
        defer { connection.close() }
        try connection.execute("SET session_replication_role = replica; \(sql)")
    }

    func firstFaultEntryID(_ audit: LedgerAudit.Audit) -> Int64? {
        guard let fault = audit.report.faults.first else { return nil }
        switch fault {
        case .hashMismatch(let at, _), .sequenceGap(let at, _, _, _), .brokenLink(let at, _, _), .unknownAccount(let at, _):
            return audit.entryID(at: at.index)
        default:
            return nil
        }
    }

    @Test func theTriggerRefusesEditsDeletesAndTruncates() async throws {
        try await TestDatabase.with(demo: false) { database in
            try await seed(database)
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            for sql in ["UPDATE ledger_entries SET amount_fen = 1", "DELETE FROM ledger_entries", "TRUNCATE ledger_entries CASCADE"] {
                let error = #expect(throws: PostgresError.self) { try connection.execute(sql) }
                #expect(error?.message.contains("append-only") == true, "\(sql)")
            }
            #expect(try audit(database).isClean)
        }
    }

    @Test func accountsAreNeverDeleted() async throws {
        try await TestDatabase.with(demo: false) { database in
            try await seed(database)
            let pool = database.pool(size: 1)
            _ = try await PostgresLedgerStore(pool: pool).createAccounts([LabelledAccount(Account(id: AccountID(999), code: 1), name: "unused")])
            await pool.close()
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            for sql in ["DELETE FROM ledger_accounts WHERE id = 999", "DELETE FROM ledger_accounts", "TRUNCATE ledger_accounts CASCADE"] {
                let error = #expect(throws: PostgresError.self) { try connection.execute(sql) }
                #expect(error?.message.contains("never deleted") == true, "\(sql)")
            }
            #expect(try connection.query("SELECT count(*) AS n FROM ledger_accounts WHERE id = 999")[0].decode("n", as: Int.self) == 1)
            #expect(try audit(database).isClean)
        }
    }

    @Test func anEntryOnAMissingAccountIsNamed() async throws {
        try await TestDatabase.with(demo: false) { database in
            try await seed(database)
            // Entries have no foreign keys (Schema/0010): with the no-delete trigger out of the way,
            // an account with entries can go, and verification is what names its first entry
            // (entry 1 credits account 3), as an entry on an unknown account, not as an edit.
            try tamper(database, "DELETE FROM ledger_accounts WHERE id = 3")
            let found = try audit(database)
            #expect(!found.isClean)
            #expect(firstFaultEntryID(found) == 1)
            guard case .unknownAccount(_, let account) = found.report.faults.first else {
                Issue.record("expected an unknown account first: \(found.report.faults.prefix(2))")
                return
            }
            #expect(account == AccountID(3))
        }
    }

    @Test func anEditedAmountIsNamed() async throws {
        try await TestDatabase.with(demo: false) { database in
            try await seed(database)
            try tamper(database, "UPDATE ledger_entries SET amount_fen = amount_fen + 1 WHERE entry_id = 5")
            let found = try audit(database)
            #expect(!found.isClean)
            #expect(firstFaultEntryID(found) == 5)
        }
    }

    @Test func changedAccountsAreNamed() async throws {
        try await TestDatabase.with(demo: false) { database in
            try await seed(database)
            // Entry 4 moved money from account 2 to account 3; now it says account 1.
            // (Its sequence moves too, past the unique constraint on each account's chain.)
            try tamper(database, "UPDATE ledger_entries SET credit_account_id = 1, credit_sequence = 1000 WHERE entry_id = 4")
            let found = try audit(database)
            #expect(!found.isClean)
            #expect(firstFaultEntryID(found) == 4)
        }
    }

    @Test func aDeletedEntryIsNamed() async throws {
        try await TestDatabase.with(demo: false) { database in
            try await seed(database)
            try tamper(database, "DELETE FROM ledger_entries WHERE entry_id = 6")
            let found = try audit(database)
            #expect(!found.isClean)
            // The next entry of one of its accounts no longer follows on.
            let named = try #require(firstFaultEntryID(found))
            #expect(named > 6 && named <= 9)
            #expect(found.orphanTransfers.count == 1, "the deleted entry's transfer has no entry left")
        }
    }

    @Test func twoReorderedEntriesAreNamed() async throws {
        try await TestDatabase.with(demo: false) { database in
            try await seed(database)
            try tamper(
                database,
                """
                UPDATE ledger_entries SET entry_id = -7 WHERE entry_id = 7;
                UPDATE ledger_entries SET entry_id = 7 WHERE entry_id = 8;
                UPDATE ledger_entries SET entry_id = 8 WHERE entry_id = -7;
                """)
            let found = try audit(database)
            #expect(!found.isClean)
            #expect(firstFaultEntryID(found) == 7)
        }
    }

    @Test func anInsertedEntryIsNamed() async throws {
        try await TestDatabase.with(demo: false) { database in
            try await seed(database)
            // A forged copy of entry 3 slipped in before entry 4.
            try tamper(
                database,
                """
                INSERT INTO ledger_entries (entry_id, kind, transfer_id_high, transfer_id_low, pending_id_high, pending_id_low,
                    debit_account_id, debit_sequence, debit_previous_hash, credit_account_id, credit_sequence, credit_previous_hash,
                    ledger, code, amount_fen, released_fen, timestamp_ms, expires_at_ms, reference, hash)
                SELECT 0, kind, transfer_id_high, 99, pending_id_high, pending_id_low, debit_account_id, debit_sequence + 100,
                    debit_previous_hash, credit_account_id, credit_sequence + 100, credit_previous_hash, ledger, code, amount_fen,
                    released_fen, timestamp_ms, expires_at_ms, reference, hash
                FROM ledger_entries WHERE entry_id = 3;
                """)
            let found = try audit(database)
            #expect(!found.isClean)
            #expect(firstFaultEntryID(found) == 0, "\(found.report.faults) \(found.orphanEntries)")
            #expect(found.orphanEntries == [0], "the forged entry names a transfer that does not exist")
        }
    }

    @Test func theCommandLineExitsOneAndNamesTheEntry() async throws {
        try await TestDatabase.with(demo: false) { database in
            try await seed(database)
            let binary = ProjectPaths.root.appendingPathComponent(".build/debug/techmarket")
            try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build techmarket first (scripts/test does)")
            let clean = try run(binary, ["ledger", "verify", "--database-url", database.conninfo])
            #expect(clean.status == 0, "\(clean.output)")
            #expect(clean.output.contains("result     clean"))
            #expect(clean.output.contains("digest"))
            try tamper(database, "UPDATE ledger_entries SET amount_fen = 1 WHERE entry_id = 9")
            let tampered = try run(binary, ["ledger", "verify", "--database-url", database.conninfo])
            #expect(tampered.status == 1, "\(tampered.output)")
            #expect(tampered.output.contains("[entry_id 9]"))
            let unreachable = try run(binary, ["ledger", "verify", "--database-url", "host=/nonexistent port=1 dbname=x connect_timeout=1"])
            #expect(unreachable.status == 2)
        }
    }

    func run(_ binary: URL, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = ProjectPaths.root
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// `ledger verify` reads entries by binary COPY; every character a reference may hold must
/// come back as it was written, or an honest ledger would look tampered with.
@Suite struct LedgerCopyReadingTests {
    @Test func referencesWithEscapesAndExtremeNumbersVerifyClean() async throws {
        try await TestDatabase.with(demo: false) { database in
            let pool = database.pool(size: 1)
            let store = PostgresLedgerStore(pool: pool)
            _ = try await store.createAccounts([1, 2].map { LabelledAccount(Account(id: AccountID($0), code: 1), name: "a\($0)") })
            let references = [
                "tab\there", "line\nbreak", "back\\slash", "\\N", "carriage\rreturn", "bell\u{7}", "复杂的参考号：创新券/2026", "",
                "quote'\"", "\\x41", "trailing\\",
            ]
            let transfers = references.enumerated().map { index, reference in
                Transfer(
                    id: TransferID(high: UInt64.max, low: UInt64(index)), debitAccountID: AccountID(1), creditAccountID: AccountID(2),
                    amountFen: index == 0 ? LedgerLimits.transferAmountFenMax : Int64(index + 1), code: 65_535, reference: reference)
            }
            #expect(try await store.submit(transfers, atMs: Int64.max / 2).allSatisfy { $0 == .ok })
            await pool.close()
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            let audit = try LedgerAudit(connection: connection).verify(atMs: Int64.max / 2)
            #expect(audit.isClean, "\(audit.report.faults)")
            #expect(audit.report.entryCount == references.count)
        }
    }
}
