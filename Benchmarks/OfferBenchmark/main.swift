// The offer benchmark's preparation for scripts/bench-offers:
//
//   OfferBenchmark prepare [--firms F] [--listings L] [--keys FILE]
//       a fresh `offer_bench` database in the bench cluster: migrated, the fixtures (with the demo
//       keys), F new Deqing firms with a key each (written to FILE, one a line), L published
//       listings of the demo institute with an ask of ¥1,000 and a non-exclusive licence of
//       1,000 seats (the distinct run: an offer at the ask takes a seat and signs a contract),
//       and one hot listing with an ask of ¥1m (the hot run: offers below it rest in its one
//       book for negotiation, each firm's once). Prints `conninfo=…`, `keys=FILE`,
//       `listing_first=…`, `listing_count=L`, `hot=…` for the script.
//
//   OfferBenchmark analyze --conninfo CONNINFO
//       VACUUM ANALYZE of the database, as autovacuum would once the tables have grown: the
//       script runs it after its warm-up, so that the measured runs plan with the statistics of
//       tables that hold offers and contracts, not with those of the empty ones of `prepare`.
//
// The pgbench reference of the same run is VoucherBenchmark's, on the same cluster.
import EmbeddedPostgres
import Foundation
import Market
import Postgres
import PostgresStore

let arguments = CommandLine.arguments
func option(_ name: String, default value: String) -> String {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return value }
    return arguments[index + 1]
}
func option(_ name: String, default value: Int) -> Int { Int(option(name, default: String(value))) ?? value }

if arguments.dropFirst().first == "analyze", let index = arguments.firstIndex(of: "--conninfo"), index + 1 < arguments.count {
    let connection = try PostgresConnection(conninfo: arguments[index + 1])
    try connection.execute("VACUUM ANALYZE")
    connection.close()
    exit(0)
}
guard arguments.dropFirst().first == "prepare" else {
    print("usage: OfferBenchmark prepare [--firms F] [--listings L] [--keys FILE] | analyze --conninfo CONNINFO")
    exit(2)
}
let firmCount = option("--firms", default: 6_000)
let listingCount = option("--listings", default: 256)
let keysFile = option("--keys", default: ".build/offer-bench-keys.txt")

let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
let cluster = try EmbeddedPostgres(directory: root.appendingPathComponent(".build/bench-postgres"), durable: false, sharedBuffers: "1GB")
try cluster.start()
let admin = try PostgresConnection(conninfo: cluster.conninfo())
try admin.execute("DROP DATABASE IF EXISTS offer_bench WITH (FORCE)")
try admin.execute("CREATE DATABASE offer_bench")
admin.close()
let conninfo = cluster.conninfo(database: "offer_bench")
let connection = try PostgresConnection(conninfo: conninfo)
try Migrator(directory: root.appendingPathComponent("Schema")).migrate(on: connection)
let fixtures = root.appendingPathComponent("Fixtures")
try connection.transaction { try PostgresMarketStore.upsert(try ReferenceData.load(from: fixtures), on: $0) }
_ = try connection.transaction { try PostgresMarketStore.load(try MarketFixture.load(from: fixtures), on: $0) }
connection.close()

let pool = PostgresPool(.init(conninfo: conninfo, connectionCountMax: 4))
let store = PostgresMarketStore(pool: pool)
guard let institute = try await store.party(handle: "casdq") else { fatalError("the fixtures lack the demo institute casdq") }
let holder = Principal.commandLine(actingFor: institute)

var keys: [String] = []
keys.reserveCapacity(firmCount)
for serial in 0..<firmCount {
    let stem = "91330521" + String(format: "MB%06dX", serial)
    let code: String
    do { code = try SocialCreditCode(stem + "0").value } catch {
        guard case .wrongCheckCharacter(let expected, _) = error else { throw error }
        code = stem + String(expected)
    }
    let firm = try await store.register(NewParty(
        handle: "bench-firm-\(serial)", kind: .firm, name: "德清压测企业\(serial)号", regionCode: RegionCode("330521")!, creditCode: code))
    keys.append(try await store.issueKey(role: .firm, party: firm.id, label: "offer bench").key)
}
try keys.joined(separator: "\n").appending("\n").write(toFile: keysFile, atomically: true, encoding: .utf8)

let listings = ListingService(store: store)
let offers = OfferService(store: store)
func publish(_ title: String, askFen: Int64, seats: Int) async throws -> ListingID {
    let content = ListingContent(
        title: title, summary: "压测用的科技成果：遥感影像智能解译软件的普通许可。", fieldCode: "geographic_information", trl: 7,
        transferModes: [.licenceNonExclusive], askingPriceFen: askFen)
    let draft = try await listings.create(content, by: holder)
    _ = try await listings.publish(draft.id, expectedVersion: nil, by: holder)
    _ = try await offers.changeSaleTerms(of: draft.id, SaleTermsChange(licenceSeats: seats), by: holder)
    return draft.id
}
var first: Int64 = 0
for index in 0..<listingCount {
    let id = try await publish("压测成果 \(index + 1) 号", askFen: 100_000, seats: OfferLimits.licenceSeatsMax)
    if index == 0 { first = id.value }
    // bench-offers.lua names them first … first + L − 1.
    guard id.value == first + Int64(index) else { fatalError("listing ids are not consecutive: \(id.value) after \(first)") }
}
let hot = try await publish("压测热门成果", askFen: 100_000_000, seats: 1)
// The warm-up's own hot listing: offers that rest there, before the statistics are gathered.
let hotWarm = try await publish("压测热门成果（预热）", askFen: 100_000_000, seats: 1)
try await pool.withConnection { try $0.execute("VACUUM ANALYZE") }
await pool.close()
print("conninfo=\(conninfo)")
print("keys=\(keysFile)")
print("listing_first=\(first)")
print("listing_count=\(listingCount)")
print("hot=\(hot.value)")
print("hot_warm=\(hotWarm.value)")
