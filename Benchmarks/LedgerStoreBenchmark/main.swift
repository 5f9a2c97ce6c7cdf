// The ledger on PostgreSQL against pgbench on the same embedded cluster, in one run:
//   1. transfers/s with 16 tasks between unrelated accounts, next to pgbench TPC-B with 16 clients;
//   2. transfers/s with all 16 tasks debiting one account, next to pgbench updating one hot row;
//   3. `ledger verify` entries/s over a ledger of 1,000,000 entries.
//
//   LedgerStoreBenchmark [--seconds N] [--entries N] [--verify-only] [--stop]
//
// --verify-only skips 1 and 2, and reuses the bulk ledger of an earlier run when it has N entries.
import EmbeddedPostgres
import Foundation
import Ledger
import Market
import Postgres
import PostgresStore
import Synchronization

let arguments = CommandLine.arguments
func option(_ name: String, default value: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let number = Int(arguments[index + 1]) else {
        return value
    }
    return number
}
let seconds = option("--seconds", default: 10)
let entryTarget = option("--entries", default: 1_000_000)
let tasks = 16
let verifyOnly = arguments.contains("--verify-only")

let cluster = try EmbeddedPostgres(
    directory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/bench-postgres"),
    durable: false)
try cluster.start()
let admin = try PostgresConnection(conninfo: cluster.conninfo())
for name in ["bench_tpcb", "ledger_bench"] where try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", name).isEmpty {
    try admin.execute("CREATE DATABASE \(name)")
}
admin.close()

func pgbench(_ arguments: [String]) throws -> Double {
    let (status, output) = try cluster.runClient("pgbench", arguments)
    guard status == 0 else {
        print("pgbench \(arguments.joined(separator: " ")) failed:\n\(output)")
        exit(2)
    }
    for line in output.split(separator: "\n") where line.hasPrefix("tps = ") {
        if let value = Double(line.dropFirst(6).prefix { $0 != " " }) { return value }
    }
    return 0
}

// pgbench's tables at scale 16, so that TPC-B's 16 clients are not all queued on few branches.
let check = try PostgresConnection(conninfo: cluster.conninfo(database: "bench_tpcb"))
let branches = (try? check.query("SELECT count(*) AS n FROM pgbench_branches")[0].decode("n", as: Int.self)) ?? 0
check.close()
if branches != 16 { _ = try pgbench(["-i", "-q", "-s", "16", "bench_tpcb"]) }

let conninfo = cluster.conninfo(database: "ledger_bench")
let migrator = try Migrator(directory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Schema"))
final class Counter: Sendable { let value = Atomic<Int>(0) }
let nextID = Atomic<UInt64>(0)

if !verifyOnly {
    let setup = try PostgresConnection(conninfo: conninfo)
    try setup.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    try migrator.migrate(on: setup)
    setup.close()

    let pool = PostgresPool(.init(conninfo: conninfo, connectionCountMax: tasks))
    let store = PostgresLedgerStore(pool: pool)
    // Accounts: 1 is the hot one (and the bank); 2…33 are 16 unrelated pairs.
    var accounts = [LabelledAccount(Account(id: AccountID(1), code: 1), name: "hot")]
    for index in 2...(2 * tasks + 1) { accounts.append(LabelledAccount(Account(id: AccountID(UInt64(index)), code: 1), name: "a\(index)")) }
    _ = try await store.createAccounts(accounts)


    /// Transfers per second from `tasks` tasks, each picking its accounts with `pair(task)`.
    func transfersPerSecond(_ pair: @escaping @Sendable (Int) -> (AccountID, AccountID)) async throws -> Double {
        let counter = Counter()
        let deadline = ContinuousClock.now + .seconds(seconds)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    let (debit, credit) = pair(task)
                    while ContinuousClock.now < deadline {
                        let id = TransferID(UInt128(nextID.add(1, ordering: .relaxed).newValue))
                        let result = try await store.submit(
                            [Transfer(id: id, debitAccountID: debit, creditAccountID: credit, amountFen: 1, code: 1)], atMs: 1)
                        precondition(result == [.ok], "transfer refused: \(result)")
                        counter.value.add(1, ordering: .relaxed)
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        return Double(counter.value.load(ordering: .relaxed)) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    print("Ledger on PostgreSQL, \(seconds) s per run, \(tasks) tasks/clients, \(ProcessInfo.processInfo.activeProcessorCount) cores shared by client and server")
    let unrelated = try await transfersPerSecond { task in (AccountID(UInt64(2 + 2 * task)), AccountID(UInt64(3 + 2 * task))) }
    let tpcb = try pgbench(["-n", "-c", "\(tasks)", "-j", "2", "-T", "\(seconds)", "bench_tpcb"])
    let hot = try await transfersPerSecond { task in (AccountID(1), AccountID(UInt64(2 + task))) }
    let script = FileManager.default.temporaryDirectory.appendingPathComponent("hot-row.sql")
    try "\\set delta random(1, 100)\nUPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = 1;\n"
        .write(to: script, atomically: true, encoding: .utf8)
    try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: script.path)
    let hotRow = try pgbench(["-n", "-c", "\(tasks)", "-j", "2", "-T", "\(seconds)", "-f", script.path, "bench_tpcb"])
    print("workload                          ledger transfers/s   pgbench tps   ratio")
    print(String(format: "unrelated accounts vs TPC-B     %18.0f   %11.0f   %5.2f", unrelated, tpcb, unrelated / tpcb))
    print(String(format: "one hot account vs hot row      %18.0f   %11.0f   %5.2f", hot, hotRow, hot / hotRow))
    await pool.close()
}

// A ledger of `entryTarget` entries: built in memory by LedgerState, stored in bulk (the store's
// transfer path would take minutes), then verified from the database as `ledger verify` does.
let bulk = try PostgresConnection(conninfo: conninfo)
let stored = try? bulk.query("SELECT count(*) AS n FROM ledger_entries")[0].decode("n", as: Int.self)
if !verifyOnly || stored != entryTarget {
    try bulk.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    try migrator.migrate(on: bulk)
    var state = LedgerState()
    let accountCount = 1_000
    for index in 1...accountCount {
        _ = state.createAccount(Account(id: AccountID(UInt64(index)), code: 1))
    }
    var random = SystemRandomNumberGenerator()
    var id: UInt64 = 0
    while state.entries.count < entryTarget {
        var batch: [Transfer] = []
        for _ in 0..<1_000 {
            id += 1
            let debit = UInt64.random(in: 1...UInt64(accountCount), using: &random)
            let credit = debit % UInt64(accountCount) + 1
            batch.append(Transfer(id: TransferID(UInt128(id)), debitAccountID: AccountID(debit), creditAccountID: AccountID(credit), amountFen: 100, code: 1))
        }
        _ = state.apply(batch, atMs: 1)
    }
    func hex(_ hash: EntryHash) -> String { "\\\\x" + hash.hex }
    func array(_ values: [String]) -> String { "{" + values.joined(separator: ",") + "}" }
    try bulk.execute("SET session_replication_role = replica")  // no per-row trigger work while loading
    for account in state.accounts.values.sorted(by: { $0.id < $1.id }) {
        let b = account.balances
        try bulk.query(
            """
            INSERT INTO ledger_accounts (id, ledger, code, flags, debits_posted_fen, credits_posted_fen, sequence, head_hash)
            VALUES ($1, $2, $3, 0, $4, $5, $6, $7)
            """,
            Int64(account.id.rawValue), Int64(account.ledger), Int32(account.code), b.debitsPostedFen, b.creditsPostedFen,
            Int64(account.sequence), PostgresBytes(account.headHash.bytes))
    }
    let chunk = 20_000
    var offset = 0
    while offset < state.entries.count {
        let slice = state.entries[offset..<min(offset + chunk, state.entries.count)]
        try bulk.query(
            """
            INSERT INTO ledger_entries (kind, transfer_id_high, transfer_id_low, pending_id_high, pending_id_low,
                debit_account_id, debit_sequence, debit_previous_hash, credit_account_id, credit_sequence, credit_previous_hash,
                ledger, code, amount_fen, released_fen, timestamp_ms, expires_at_ms, reference, hash)
            SELECT 1, 0, t, 0, 0, d, ds, dh, c, cs, ch, 156, 1, 100, 0, 1, 0, '', h
            FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bytea[], $5::bigint[], $6::bigint[], $7::bytea[], $8::bytea[])
                AS u(t, d, ds, dh, c, cs, ch, h)
            """,
            array(slice.map { String($0.transferID.low) }), array(slice.map { String($0.debitAccountID.rawValue) }),
            array(slice.map { String($0.debitSequence) }), array(slice.map { "\"" + hex($0.debitPreviousHash) + "\"" }),
            array(slice.map { String($0.creditAccountID.rawValue) }), array(slice.map { String($0.creditSequence) }),
            array(slice.map { "\"" + hex($0.creditPreviousHash) + "\"" }), array(slice.map { "\"" + hex($0.hash) + "\"" }))
        offset += chunk
    }
    try bulk.query(
        """
        INSERT INTO ledger_transfers SELECT 0, transfer_id_low, debit_account_id, credit_account_id, amount_fen, 0, 0, 0, 156, 1, 0, '',
            debit_account_id, credit_account_id, 156, 1, amount_fen, 1, 0, 0 FROM ledger_entries
        """)
    for table in ["ledger_entries", "ledger_transfers"] { try bulk.execute("VACUUM ANALYZE \(table)") }  // as autovacuum would
}
try bulk.execute("CHECKPOINT")  // the load's dirty pages written out, not left to slow the runs
// Several runs, since one on a 2-core machine shared with the server varies by a fifth or more.
let verifyRunCount = 3
var rates: [Double] = []
var verifiedCount = 0
for _ in 1...verifyRunCount {
    let started = ContinuousClock.now
    let audit = try LedgerAudit(connection: bulk).verify(atMs: 2)
    let elapsed = ContinuousClock.now - started
    let verifySeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    precondition(audit.isClean, "the bulk-loaded ledger does not verify: \(audit.report.faults.prefix(3))")
    rates.append(Double(audit.report.entryCount) / verifySeconds)
    verifiedCount = audit.report.entryCount
}
print(String(
    format: "ledger verify: %d entries, clean, from the database: median %.0f entries/s (runs: %@)", verifiedCount,
    rates.sorted()[verifyRunCount / 2],
    rates.map { String(format: "%.0f", $0) }.joined(separator: ", ")))
bulk.close()
if arguments.contains("--stop") { try cluster.stop() }
