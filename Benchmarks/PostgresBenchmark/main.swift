// Measures the driver and pool against pgbench on the same embedded cluster, in one run, so
// that the ratio means something on a noisy machine.
//
//   PostgresBenchmark [--seconds N] [--scale S]
//
// Prints single-row primary-key SELECTs per second through PostgresPool with 1 and 8 tasks,
// then `pgbench -S` (select-only, prepared protocol, its best case) with 1 and 8 clients.
import EmbeddedPostgres
import Foundation
import Postgres
import Synchronization

let arguments = CommandLine.arguments
func option(_ name: String, default value: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let number = Int(arguments[index + 1]) else {
        return value
    }
    return number
}
let seconds = option("--seconds", default: 10)
let scale = option("--scale", default: 10)
let accountCount = scale * 100_000

let cluster = try EmbeddedPostgres(
    directory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/bench-postgres"),
    durable: false)
try cluster.start()
let admin = try PostgresConnection(conninfo: cluster.conninfo())
if try admin.query("SELECT 1 FROM pg_database WHERE datname = 'bench'").isEmpty {
    try admin.execute("CREATE DATABASE bench")
}
admin.close()
let conninfo = cluster.conninfo(database: "bench")
/// Runs pgbench against the cluster and returns what it printed.
func runPgbench(_ arguments: [String]) throws -> String {
    let (status, output) = try cluster.runClient("pgbench", arguments)
    guard status == 0 else {
        print("pgbench \(arguments.joined(separator: " ")) failed:\n\(output)")
        exit(2)
    }
    return output
}

func tps(_ output: String) -> Double {
    // "tps = 12345.678901 (without initial connection time)"
    for line in output.split(separator: "\n") where line.hasPrefix("tps = ") {
        if let value = Double(line.dropFirst(6).prefix { $0 != " " }) { return value }
    }
    return 0
}

let check = try PostgresConnection(conninfo: conninfo)
let existing = (try? check.query("SELECT count(*) AS n FROM pgbench_accounts")[0].decode("n", as: Int.self)) ?? 0
check.close()
if existing != accountCount {
    print("initialising pgbench tables at scale \(scale) (\(accountCount) accounts)…")
    _ = try runPgbench(["-i", "-q", "-s", "\(scale)", "bench"])
}

final class Counter: Sendable { let value = Atomic<Int>(0) }

/// Primary-key SELECTs per second through a pool of `tasks` connections, `tasks` tasks at once.
func poolSelects(tasks: Int) async throws -> Double {
    let pool = PostgresPool(.init(conninfo: conninfo, connectionCountMax: tasks))
    let counter = Counter()
    let deadline = ContinuousClock.now + .seconds(seconds)
    // Warm up: open every connection and prepare the statement.
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<tasks {
            group.addTask { _ = try await pool.withConnection { try $0.query("SELECT abalance FROM pgbench_accounts WHERE aid = $1", 1).count } }
        }
        try await group.waitForAll()
    }
    let started = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<tasks {
            group.addTask {
                var generator = SystemRandomNumberGenerator()
                while ContinuousClock.now < deadline {
                    let aid = Int.random(in: 1...accountCount, using: &generator)
                    // Decoded like a real read, so the figure includes decoding.
                    _ = try await pool.withConnection { connection in
                        try connection.query("SELECT abalance FROM pgbench_accounts WHERE aid = $1", aid)[0]
                            .decode("abalance", as: Int32.self)
                    }
                    counter.value.add(1, ordering: .relaxed)
                }
            }
        }
        try await group.waitForAll()
    }
    let elapsed = ContinuousClock.now - started
    await pool.close()
    return Double(counter.value.load(ordering: .relaxed)) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

print("Primary-key SELECT, \(seconds) s each, scale \(scale), \(ProcessInfo.processInfo.activeProcessorCount) cores shared by client and server")
var rows: [(String, Double, Double, Double)] = []
for concurrency in [1, 8] {
    let ours = try await poolSelects(tasks: concurrency)
    let threads = "\(min(concurrency, 2))"
    let simple = tps(try runPgbench(["-S", "-n", "-c", "\(concurrency)", "-j", threads, "-T", "\(seconds)", "bench"]))
    let prepared = tps(try runPgbench(["-S", "-n", "-M", "prepared", "-c", "\(concurrency)", "-j", threads, "-T", "\(seconds)", "bench"]))
    rows.append(("\(concurrency)", ours, simple, prepared))
}
print("tasks/clients   PostgresPool q/s   pgbench -S tps   ratio   pgbench -S -M prepared tps   ratio")
for (concurrency, ours, simple, prepared) in rows {
    print(
        concurrency.padding(toLength: 16, withPad: " ", startingAt: 0)
            + String(format: "%16.0f", ours) + String(format: "%17.0f", simple) + String(format: "%8.2f", ours / simple)
            + String(format: "%29.0f", prepared) + String(format: "%8.2f", ours / prepared))
}
if CommandLine.arguments.contains("--stop") { try cluster.stop() }
