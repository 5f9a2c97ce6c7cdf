import Foundation
import Ledger
import LedgerTestSupport
import Market
import Postgres
import PostgresStore
import Synchronization
import Testing
import TestSupport

/// 64 tasks move random amounts between 8 accounts that may not overdraw, `submissions`
/// transfers in all (a count, not a time, so that a busy machine tests as much as an idle one).
@Suite struct LedgerBankTests {
    static let submissions = 1_000
    /// Only against a hang: the submissions take a few seconds on two busy cores.
    static let safetySeconds = 120

    final class Acknowledged: Sendable {
        let ids = Mutex<[TransferID]>([])
        let refusedForCredits = Atomic<Int>(0)
        /// Transfers handed to the store so far, by every task.
        let submitted = Atomic<Int>(0)
    }

    final class StopFlag: Sendable { let isSet = Atomic<Bool>(false) }

    @Test func sixtyFourTasksConserveMoneyAndNeverOverdraw() async throws {
        try await TestDatabase.with(demo: false) { database in
            let pool = database.pool(size: 16)
            let store = PostgresLedgerStore(pool: pool)
            let bank = AccountID(100)
            let accounts = (1...8).map { AccountID(UInt64($0)) }
            _ = try await store.createAccounts(
                [LabelledAccount(Account(id: bank, code: 1), name: "bank")]
                    + accounts.map { LabelledAccount(Account(id: $0, code: 2, flags: [.debitsMustNotExceedCredits]), name: "customer \($0.rawValue)") })
            let funding = accounts.enumerated().map { index, account in
                Transfer(id: TransferID(UInt128(1_000_000 + index)), debitAccountID: bank, creditAccountID: account, amountFen: 10_000, code: 1)
            }
            #expect(try await store.submit(funding, atMs: 1).allSatisfy { $0 == .ok })

            let acknowledged = Acknowledged()
            let deadline = ContinuousClock.now + .seconds(Self.safetySeconds)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<64 {
                    group.addTask {
                        var random = SplitMix64(seed: UInt64(task) &+ 99)
                        var sequence: UInt64 = 0
                        while acknowledged.submitted.add(1, ordering: .relaxed).oldValue < Self.submissions, ContinuousClock.now < deadline {
                            sequence += 1
                            let from = accounts[Int(random.int(0...7))]
                            var to = accounts[Int(random.int(0...7))]
                            if to == from { to = accounts[(accounts.firstIndex(of: from)! + 1) % 8] }
                            let id = TransferID(high: UInt64(task + 1), low: sequence)
                            let transfer = Transfer(
                                id: id, debitAccountID: from, creditAccountID: to, amountFen: random.int(1...4_000), code: 2)
                            switch try await store.submit([transfer], atMs: 2)[0] {
                            case .ok: acknowledged.ids.withLock { $0.append(id) }
                            case .refused(.exceedsCredits): acknowledged.refusedForCredits.add(1, ordering: .relaxed)
                            case let other: Issue.record("unexpected \(other)")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let ids = acknowledged.ids.withLock { $0 }
            #expect(ids.count > 100)
            #expect(acknowledged.refusedForCredits.load(ordering: .relaxed) > 0)  // the limit was really tested
            var total: Int64 = 0
            for account in accounts {
                let balances = try #require(try await store.account(account)).balances
                #expect(balances.debitsPostedFen <= balances.creditsPostedFen, "\(account) overdrew")
                total += balances.creditsPostedFen - balances.debitsPostedFen
            }
            #expect(total == 80_000)  // every fen the bank lent is still somewhere
            let stored = try await pool.withConnection { connection in
                try connection.query("SELECT count(*) AS n FROM ledger_transfers WHERE code = 2")[0].decode("n", as: Int.self)
            }
            #expect(stored == ids.count)
            for id in ids.prefix(200) { #expect(try await store.transfer(id) != nil) }
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            let audit = try LedgerAudit(connection: connection).verify(atMs: 3)
            #expect(audit.isClean, "\(audit.report.faults)")
            await pool.close()
        }
    }

    /// An audit of a ledger that is being written reads one snapshot: each run is clean, though
    /// transfers commit between its reading the accounts and streaming the entries.
    @Test func verifyingWhileTransfersAreWrittenIsClean() async throws {
        try await TestDatabase.with(demo: false) { database in
            let pool = database.pool(size: 8)
            let store = PostgresLedgerStore(pool: pool)
            let accounts = (1...8).map { AccountID(UInt64($0)) }
            _ = try await store.createAccounts(accounts.map { LabelledAccount(Account(id: $0, code: 1), name: "a\($0.rawValue)") })
            let stop = StopFlag()
            let writer = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for task in 0..<8 {
                        group.addTask {
                            var sequence: UInt64 = 0
                            while !stop.isSet.load(ordering: .relaxed) {
                                sequence += 1
                                let transfer = Transfer(
                                    id: TransferID(high: UInt64(task + 1), low: sequence), debitAccountID: accounts[task],
                                    creditAccountID: accounts[(task + 1) % 8], amountFen: 1, code: 1)
                                let result = try await store.submit([transfer], atMs: 1)
                                #expect(result == [.ok])
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            var counts: [Int] = []
            // At least 5 audits and 200 entries; bounded, so writers that stopped fail the test
            // below instead of hanging it.
            let auditCountMax = 1_000
            while counts.count < 5 || (counts.last! < 200 && counts.count < auditCountMax) {
                let audit = try LedgerAudit(connection: connection).verify(atMs: 2)
                #expect(audit.isClean, "\(audit.report.faults.prefix(3)) \(audit.orphanTransfers.prefix(3))")
                counts.append(audit.report.entryCount)
                try await Task.sleep(for: .milliseconds(20))
            }
            stop.isSet.store(true, ordering: .relaxed)
            try await writer.value
            #expect(counts.first! < counts.last!, "the ledger grew while it was verified: \(counts)")
            #expect(counts.last! >= 200, "the writers wrote 200 entries while they were verified")
            await pool.close()
        }
    }
}
