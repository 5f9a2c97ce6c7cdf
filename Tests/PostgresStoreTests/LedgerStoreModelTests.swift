import Foundation
import Ledger
import LedgerTestSupport
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// The PostgreSQL store must answer every transfer of LedgerTests' seeded workload exactly as
/// the naive `ReferenceModel` does, hold the balances it computes, and leave a ledger that
/// verifies clean, with the hash chains (which the model does not compute) of `LedgerState`.
@Suite struct LedgerStoreModelTests {
    static let batchCount = 400

    @Test(arguments: Seeds.list(count: 8, salt: 0x5704E))
    func storeAgreesWithTheModel(seed: UInt64) async throws {
        try await TestDatabase.with(demo: false) { database in
            let pool = database.pool(size: 2)
            let store = PostgresLedgerStore(pool: pool)
            var workload = Workload(seed: seed)
            var model = ReferenceModel()
            var chains = LedgerState()
            let accounts = workload.accounts()
            for account in accounts {
                model.open(account.id, ledger: account.ledger, code: account.code, flags: account.flags)
                _ = chains.createAccount(account)
            }
            let created = try await store.createAccounts(accounts.map { LabelledAccount($0, name: "account \($0.id.rawValue)") })
            #expect(created.allSatisfy { $0 == .ok })
            #expect(try await store.createAccounts([LabelledAccount(accounts[0], name: "again")]) == [.exists])

            var outcomes: [TransferResult: Int] = [:]
            for batchNumber in 0..<Self.batchCount {
                let (batch, atMs) = workload.batch()
                let predicted = model.apply(batch, atMs: atMs)
                _ = chains.apply(batch, atMs: atMs)
                _ = try await store.expirePending(atMs: atMs)
                let actual = try await store.submit(batch, atMs: atMs)
                #expect(actual == predicted, "seed \(seed), batch \(batchNumber): \(batch)")
                if actual != predicted { break }
                for result in actual { outcomes[result, default: 0] += 1 }
            }
            for account in accounts {
                let stored = try #require(try await store.account(account.id))
                #expect(stored.balances == model.balances(of: account.id), "seed \(seed): \(account.id)")
                #expect(stored == chains.accounts[account.id], "seed \(seed): \(account.id)")
            }
            // The stored ledger verifies clean, and its digest is that of the same chains kept in memory.
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            let audit = try LedgerAudit(connection: connection).verify(atMs: workload.nowMs)
            #expect(audit.isClean, "seed \(seed): \(audit.report.faults)")
            #expect(audit.report.heldPendingCount == model.heldPendingCount, "seed \(seed)")
            #expect(audit.report.digest == chains.digest)
            #expect(audit.report.entryCount == chains.entries.count)
            // The workload must reach the interesting answers, or agreement proves little.
            for expected: TransferResult in [
                .ok, .exists, .refused(.exceedsCredits), .refused(.exceedsPendingAmount), .refused(.linkedEventFailed),
                .refused(.pendingTransferAlreadyPosted), .refused(.amountZero), .refused(.debitAccountNotFound),
            ] {
                #expect(outcomes[expected, default: 0] > 0, "seed \(seed): the workload never produced \(expected)")
            }
            let differentContent = outcomes.filter { $0.key.description.hasPrefix("exists_with_different") }.values.reduce(0, +)
            #expect(differentContent > 0, "seed \(seed): the workload never retried an id with different content")
            let expired = try connection.query("SELECT count(*) AS n FROM ledger_transfers WHERE pending_status = 4")[0].decode("n", as: Int.self)
            #expect(expired > 0, "seed \(seed): no pending transfer timed out")
            await pool.close()
        }
    }

    @Test func sixteenSubmissionsOfOneIdApplyOnce() async throws {
        try await TestDatabase.with(demo: false) { database in
            let pool = database.pool(size: 8)
            let store = PostgresLedgerStore(pool: pool)
            _ = try await store.createAccounts([
                LabelledAccount(Account(id: AccountID(1), code: 1), name: "a"), LabelledAccount(Account(id: AccountID(2), code: 1), name: "b"),
            ])
            let transfer = Transfer(id: TransferID(77), debitAccountID: AccountID(1), creditAccountID: AccountID(2), amountFen: 500, code: 1)
            let results = try await withThrowingTaskGroup(of: TransferResult.self) { group in
                for _ in 0..<16 { group.addTask { try await store.submit([transfer], atMs: 1)[0] } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0 == .ok }.count == 1)
            #expect(results.filter { $0 == .exists }.count == 15)
            var changed = transfer
            changed.amountFen = 501
            #expect(try await store.submit([changed], atMs: 2) == [.refused(.existsWithDifferentAmount)])
            let credited = try await store.account(AccountID(2))?.balances.creditsPostedFen
            #expect(credited == 500)
            await pool.close()
        }
    }
}
