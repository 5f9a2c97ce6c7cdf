import Foundation
import Ledger
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// Lone transfers go through group commit, which works a batch out ahead when it knows the
/// accounts (docs/ledger.md, "Group commit"). These check that it answers exactly as one by one
/// would, also when another server changed the accounts meanwhile.
@Suite struct TransferBatcherTests {
    func transfer(_ id: Int, _ debit: UInt64, _ credit: UInt64, _ amountFen: Int64) -> Transfer {
        Transfer(id: TransferID(UInt128(id)), debitAccountID: AccountID(debit), creditAccountID: AccountID(credit), amountFen: amountFen, code: 1)
    }

    /// Submits each transfer on its own, all at once, and returns the answers by transfer.
    func submitTogether(_ transfers: [Transfer], to store: PostgresLedgerStore) async throws -> [TransferID: TransferResult] {
        try await withThrowingTaskGroup(of: (TransferID, TransferResult).self) { group in
            for transfer in transfers { group.addTask { (transfer.id, try await store.submit([transfer], atMs: 1)[0]) } }
            var answers: [TransferID: TransferResult] = [:]
            for try await (id, result) in group { answers[id] = result }
            return answers
        }
    }

    func verify(_ database: TestDatabase) throws {
        let connection = try PostgresConnection(conninfo: database.conninfo)
        defer { connection.close() }
        let audit = try LedgerAudit(connection: connection).verify(atMs: 2)
        #expect(audit.isClean, "\(audit.report.faults.prefix(3))")
    }

    @Test func anotherServersTransfersBetweenBatchesAreTakenIntoAccount() async throws {
        try await TestDatabase.with(demo: false) { database in
            let here = PostgresLedgerStore(pool: database.pool(size: 4))
            let elsewhere = PostgresLedgerStore(pool: database.pool(size: 2))
            // Account 1 may not be debited past its credits; 2 and 3 fund it.
            _ = try await here.createAccounts([
                LabelledAccount(Account(id: AccountID(1), code: 1, flags: [.debitsMustNotExceedCredits]), name: "limited"),
                LabelledAccount(Account(id: AccountID(2), code: 1), name: "funder"),
                LabelledAccount(Account(id: AccountID(3), code: 1), name: "spender"),
            ])
            // Rounds: this server credits account 1 with 10 fen 16 times at once (so it knows the
            // accounts afterwards); the other server then spends from it; then this server spends
            // what is left and 1 fen more, at once: exactly the one fen too many is refused.
            var id = 0
            var balance: Int64 = 0
            for round in 0..<5 {
                let credits = (0..<16).map { _ in id += 1; return transfer(id, 2, 1, 10) }
                #expect(try await submitTogether(credits, to: here).values.allSatisfy { $0 == .ok })
                balance += 160
                id += 1
                let spent = Int64(30 + round)
                #expect(try await elsewhere.submit([transfer(id, 1, 3, spent)], atMs: 1) == [.ok])
                balance -= spent
                let spends = (0..<Int(balance)).map { _ in id += 1; return transfer(id, 1, 3, 1) }
                id += 1
                let tooMuch = transfer(id, 1, 3, 1)
                let answers = try await submitTogether(spends + [tooMuch], to: here)
                #expect(answers.values.filter { $0 == .ok }.count == Int(balance), "round \(round)")
                #expect(answers.values.filter { $0 == .refused(.exceedsCredits) }.count == 1, "round \(round)")
                balance = 0
            }
            let account = try #require(try await here.account(AccountID(1)))
            #expect(account.balances.creditsPostedFen == account.balances.debitsPostedFen)
            // Both ways were taken: ahead on accounts this server wrote last, refused at the lock
            // after the other server's spend.
            let counts = await here.groupCommitCounts()
            #expect(counts.ahead > 0 && counts.aheadFailed > 0 && counts.lockedFirst > 0, "\(counts)")
            try verify(database)
            await here.pool.close()
            await elsewhere.pool.close()
        }
    }

    @Test func aRepeatedIDIsAnsweredLikeTheFirstTime() async throws {
        try await TestDatabase.with(demo: false) { database in
            let store = PostgresLedgerStore(pool: database.pool(size: 4))
            _ = try await store.createAccounts((1...2).map { LabelledAccount(Account(id: AccountID(UInt64($0)), code: 1), name: "a\($0)") })
            // Known accounts first, so that the retries below are worked out ahead.
            #expect(try await submitTogether((1...8).map { transfer($0, 1, 2, 5) }, to: store).values.allSatisfy { $0 == .ok })
            let answers = try await submitTogether(
                (1...8).map { transfer($0, 1, 2, 5) } + [transfer(9, 1, 2, 5)], to: store)
            #expect(answers[TransferID(UInt128(9))] == .ok)
            #expect((1...8).allSatisfy { answers[TransferID(UInt128($0))] == .exists })
            #expect(try await store.submit([transfer(3, 1, 2, 6)], atMs: 1) == [.refused(.existsWithDifferentAmount)])
            let account = try #require(try await store.account(AccountID(2)))
            #expect(account.balances.creditsPostedFen == 45)
            // The retries were tried ahead and failed on the taken ids, then answered locked first.
            #expect(await store.groupCommitCounts().aheadFailed > 0)
            try verify(database)
            await store.pool.close()
        }
    }
}
