import Foundation
import Ledger
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// SplitMix64: every workload replays from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }
    mutating func chance(_ percent: Int) -> Bool { next() % 100 < UInt64(percent) }
}

/// The PostgreSQL store must answer every transfer exactly as the in-memory `LedgerState` does
/// (which LedgerTests check against a naive model), and leave a ledger that verifies clean.
@Suite struct LedgerStoreModelTests {
    static let accountCodeCustomer: UInt16 = 10

    @Test(arguments: [1 as UInt64, 2, 3])
    func storeAgreesWithTheModel(seed: UInt64) async throws {
        try await TestDatabase.with(demo: false) { database in
            let pool = database.pool(size: 2)
            let store = PostgresLedgerStore(pool: pool)
            var model = LedgerState()
            var random = SeededGenerator(state: seed)
            let accounts: [Account] = (1...6).map { index in
                let flags: AccountFlags = index <= 3 ? [.debitsMustNotExceedCredits] : index == 6 ? [.creditsMustNotExceedDebits] : []
                return Account(id: AccountID(UInt64(index)), code: Self.accountCodeCustomer, flags: flags)
            }
            for account in accounts { _ = model.createAccount(account) }
            let created = try await store.createAccounts(accounts.map { LabelledAccount($0, name: "account \($0.id.rawValue)") })
            #expect(created.allSatisfy { $0 == .ok })
            #expect(try await store.createAccounts([LabelledAccount(accounts[0], name: "again")]) == [.exists])

            var nextID: UInt64 = 1
            var submitted: [Transfer] = []
            var pendings: [TransferID] = []
            var nowMs: Int64 = 1_764_000_000_000
            for _ in 0..<150 {
                nowMs += random.int(0...4_000)
                var batch: [Transfer] = []
                for position in 0..<Int(random.int(1...3)) {
                    var transfer: Transfer
                    let roll = random.int(0...99)
                    if roll < 8, let old = submitted.randomElement(using: &random) {
                        transfer = old  // a retry: same id, same content
                        if random.chance(50) { transfer.amountFen += 1 }  // or different content
                    } else if roll < 30, let pending = pendings.randomElement(using: &random) {
                        nextID += 1
                        transfer = random.chance(60)
                            ? .post(id: TransferID(UInt128(nextID)), pendingID: pending, amountFen: random.int(1...3_000))
                            : .void(id: TransferID(UInt128(nextID)), pendingID: pending)
                    } else {
                        nextID += 1
                        let debit = UInt64(random.int(1...6))
                        var credit = UInt64(random.int(1...6))
                        if credit == debit && random.chance(80) { credit = debit % 6 + 1 }
                        let pending = random.chance(30)
                        transfer = Transfer(
                            id: TransferID(UInt128(nextID)), debitAccountID: AccountID(debit), creditAccountID: AccountID(credit),
                            amountFen: random.chance(3) ? 0 : random.int(1...5_000),
                            timeoutMs: pending && random.chance(50) ? random.int(1_000...10_000) : 0,
                            code: 1, flags: pending ? [.pending] : [], reference: "seed\(seed)-\(nextID)")
                        if pending { pendings.append(transfer.id) }
                    }
                    if position < 2 && random.chance(15) { transfer.flags.insert(.linked) }
                    batch.append(transfer)
                }
                let expected = model.apply(batch, atMs: nowMs)
                _ = try await store.expirePending(atMs: nowMs)
                let actual = try await store.submit(batch, atMs: nowMs)
                #expect(actual == expected, "seed \(seed): batch \(batch.map(\.id))")
                if actual != expected { break }
                submitted += batch
            }
            for account in accounts {
                let stored = try #require(try await store.account(account.id))
                #expect(stored == model.accounts[account.id], "seed \(seed): \(account.id)")
            }
            // The stored ledger verifies clean and its digest is the model's.
            let connection = try PostgresConnection(conninfo: database.conninfo)
            defer { connection.close() }
            let audit = try LedgerAudit(connection: connection).verify(atMs: nowMs)
            #expect(audit.isClean, "seed \(seed): \(audit.report.faults)")
            #expect(audit.report.digest == model.digest)
            #expect(audit.report.entryCount == model.entries.count)
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
