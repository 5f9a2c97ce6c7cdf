// Prepares the search benchmark's database: the embedded bench cluster, a `search_bench`
// database migrated, with the fixtures and enough generated listings to reach --listings
// (default 100,000), all published, spread over two years. Prints the database's conninfo on
// the last line for scripts/bench, which serves it with `techmarket serve` and drives it with wrk.
//
//   SearchBenchmark [--listings N]
import EmbeddedPostgres
import Foundation
import Market
import Postgres
import PostgresStore

let arguments = CommandLine.arguments
let target: Int = {
    guard let index = arguments.firstIndex(of: "--listings"), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else {
        return 100_000
    }
    return value
}()

let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
// 1 GB of page cache holds the 100,000 listings and their indexes (about 600 MB), as a server
// sized for its data would; a cluster the other benchmarks started is restarted with it.
let cluster = try EmbeddedPostgres(directory: root.appendingPathComponent(".build/bench-postgres"), durable: false, sharedBuffers: "1GB")
if cluster.isRunning { try cluster.stop() }
try cluster.start()
let admin = try PostgresConnection(conninfo: cluster.conninfo())
if try admin.query("SELECT 1 FROM pg_database WHERE datname = 'search_bench'").isEmpty {
    try admin.execute("CREATE DATABASE search_bench")
}
admin.close()
let conninfo = cluster.conninfo(database: "search_bench")
let connection = try PostgresConnection(conninfo: conninfo)
try Migrator(directory: root.appendingPathComponent("Schema")).migrate(on: connection)
let fixtures = root.appendingPathComponent("Fixtures")
try connection.transaction { try PostgresMarketStore.upsert(try ReferenceData.load(from: fixtures), on: $0) }
let demo = try MarketFixture.load(from: fixtures)
_ = try connection.transaction { try PostgresMarketStore.load(demo, on: $0) }

let existing = try connection.query("SELECT count(*) AS n FROM listings WHERE status = 'published'")[0].decode("n", as: Int.self)
if existing < target {
    // Variants of the demo listings: the same topics and vocabulary, other titles, levels and
    // prices, so that term frequencies look like a real catalogue's, not like 300 copies.
    let leads = ["", "新一代", "轻量化", "高精度", "低成本", "国产化", "模块化", "智能化", "一体化", "绿色", "便携式", "高可靠"]
    let tails = ["", "（二期）", "V2.0", "及其产业化", "关键技术", "示范应用", "集成系统", "工程化方案", "中试验证", "改进型"]
    let base = demo.listings
    var generator = SystemRandomNumberGenerator()
    var rows: [MarketFixture.ListingRow] = []
    let needed = target - existing
    rows.reserveCapacity(needed)
    for index in 0..<needed {
        let source = base[index % base.count]
        var content = source.content
        let lead = leads[index / base.count % leads.count]
        let tail = tails[index / (base.count * leads.count) % tails.count]
        content.title = String((lead + content.title + tail).prefix(100))
        content.reference = "BENCH-\(existing + index)"
        content.trl = Int.random(in: 1...9, using: &generator)
        content.askingPriceFen = Int.random(in: 0..<5, using: &generator) == 0
            ? nil : Int64.random(in: 50_000_00...20_000_000_00, using: &generator) / 100 * 100
        rows.append(MarketFixture.ListingRow(reference: "BENCH-\(existing + index)", institution: source.institution, status: .published, content: content))
    }
    let started = ContinuousClock.now
    for chunk in stride(from: 0, to: rows.count, by: 2_000) {
        let batch = MarketFixture(groups: demo.groups, parties: demo.parties, listings: Array(rows[chunk..<min(chunk + 2_000, rows.count)]), keys: [])
        _ = try connection.transaction { try PostgresMarketStore.load(batch, on: $0) }
        FileHandle.standardError.write(Data("\rlistings: \(existing + chunk + batch.listings.count) of \(target)".utf8))
    }
    FileHandle.standardError.write(Data("\n".utf8))
    print("generated \(needed) listings in \(ContinuousClock.now - started)")
}
// Fresh statistics, so that the planner knows how common each searched word is.
try connection.execute("VACUUM ANALYZE listings")
let published = try connection.query("SELECT count(*) AS n FROM listings WHERE status = 'published'")[0].decode("n", as: Int.self)
print("search_bench: \(published) published listings")
connection.close()
print(conninfo)
