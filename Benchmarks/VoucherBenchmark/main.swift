// The voucher benchmark's two halves for scripts/bench-vouchers:
//
//   VoucherBenchmark prepare [--vouchers N]
//       a fresh `voucher_bench` database in the bench cluster: migrated, the fixtures (with the
//       demo keys), and a Deqing program with N vouchers (default 2,000) of ¥1m for the demo
//       firm; prints `conninfo=…`, `provider=ID`, `first=K`, `count=N` for the script.
//   VoucherBenchmark pgbench --seconds S --clients C
//       pgbench TPC-B with C clients on the same cluster; prints `tps=…`.
import EmbeddedPostgres
import Foundation
import Market
import Postgres
import PostgresStore

let arguments = CommandLine.arguments
func option(_ name: String, default value: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let number = Int(arguments[index + 1]) else { return value }
    return number
}

let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
let cluster = try EmbeddedPostgres(directory: root.appendingPathComponent(".build/bench-postgres"), durable: false, sharedBuffers: "1GB")
try cluster.start()

switch arguments.dropFirst().first {
case "prepare":
    let voucherCount = option("--vouchers", default: 2_000)
    let admin = try PostgresConnection(conninfo: cluster.conninfo())
    try admin.execute("DROP DATABASE IF EXISTS voucher_bench WITH (FORCE)")
    try admin.execute("CREATE DATABASE voucher_bench")
    admin.close()
    let conninfo = cluster.conninfo(database: "voucher_bench")
    let connection = try PostgresConnection(conninfo: conninfo)
    try Migrator(directory: root.appendingPathComponent("Schema")).migrate(on: connection)
    let fixtures = root.appendingPathComponent("Fixtures")
    try connection.transaction { try PostgresMarketStore.upsert(try ReferenceData.load(from: fixtures), on: $0) }
    _ = try connection.transaction { try PostgresMarketStore.load(try MarketFixture.load(from: fixtures), on: $0) }
    connection.close()
    let pool = PostgresPool(.init(conninfo: conninfo, connectionCountMax: 4))
    let store = PostgresMarketStore(pool: pool)
    _ = try await store.load(try VoucherFixture.load(from: fixtures))
    guard let bureau = try await store.party(handle: "deqing-kjj"), let firm = try await store.party(handle: "deqing-mogan-equip"),
          let lab = try await store.party(handle: "songjiang-testlab")
    else { fatalError("the fixtures lack the demo parties") }
    let regulator = Principal.commandLine(actingFor: bureau)
    let vouchers = VoucherService(store: store)
    let program = try await vouchers.createProgram(
        ProgramTerms(
            year: 2026, name: "德清县创新券压力测试", budgetFen: 1_000_000_000_000, firmCapFen: 1_000_000_000_000, groupCapFen: 1_000_000_000_000,
            useBy: Day("2099-12-30")!, claimBy: Day("2099-12-31")!, honours: .alliance("g60")),
        by: regulator)
    var first: Int?
    for _ in 0..<voucherCount {
        let voucher = try await vouchers.issueVoucher(
            program: program.id, firm: firm.id, faceValueFen: 1_000_000_00, number: nil, by: regulator, record: nil)
        if first == nil { first = Int(voucher.number.suffix(6)) }
    }
    try await pool.withConnection { try $0.execute("VACUUM ANALYZE") }
    await pool.close()
    print("conninfo=\(conninfo)")
    print("provider=\(lab.id)")
    print("first=\(first ?? 0)")
    print("count=\(voucherCount)")
case "pgbench":
    let seconds = option("--seconds", default: 10)
    let clients = option("--clients", default: 32)
    let admin = try PostgresConnection(conninfo: cluster.conninfo())
    if try admin.query("SELECT 1 FROM pg_database WHERE datname = 'bench_tpcb'").isEmpty { try admin.execute("CREATE DATABASE bench_tpcb") }
    admin.close()
    let check = try PostgresConnection(conninfo: cluster.conninfo(database: "bench_tpcb"))
    let branches = (try? check.query("SELECT count(*) AS n FROM pgbench_branches")[0].decode("n", as: Int.self)) ?? 0
    check.close()
    if branches != 32 { _ = try cluster.runClient("pgbench", ["-i", "-q", "-s", "32", "bench_tpcb"]) }
    let (status, output) = try cluster.runClient("pgbench", ["-c", "\(clients)", "-j", "2", "-T", "\(seconds)", "bench_tpcb"])
    guard status == 0, let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }) else {
        print("pgbench failed:\n\(output)")
        exit(2)
    }
    print("tps=\(line.dropFirst(6).prefix { $0 != " " })")
default:
    print("usage: VoucherBenchmark prepare [--vouchers N] | pgbench [--seconds S] [--clients C]")
    exit(2)
}
