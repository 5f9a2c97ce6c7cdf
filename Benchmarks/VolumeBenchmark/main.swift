// The volume benchmark's database for scripts/bench-volume:
//
//   VolumeBenchmark prepare [--contracts N] [--reuse]
//       a fresh `volume_bench` database in the bench cluster: migrated, the reference data, a few
//       more real regions (so that many regions sell and buy), and N contracts (default
//       1,000,000) registered over 2020–2026, about one in ten changed and registered again and
//       one in twenty terminated, written by COPY in batches with their running totals
//       (`volume_add_acts`); prints `conninfo=…`, `contracts=N`, `seconds=S`. With --reuse, a
//       `volume_bench` that already holds N contracts is kept as it is.
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

/// A SplitMix64: the same contracts every run.
struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ count: Int) -> Int { Int(next() % UInt64(count)) }
}

/// Real regions beyond the fixtures': Beijing, Guangdong, Nanjing, Ningbo and a few districts.
let moreRegions: [(String, String, String, String?)] = [
    ("110000", "北京市", "province", nil), ("110108", "海淀区", "county", "110000"), ("440000", "广东省", "province", nil),
    ("440300", "深圳市", "city", "440000"), ("440305", "南山区", "county", "440300"), ("320100", "南京市", "city", "320000"),
    ("320102", "玄武区", "county", "320100"), ("320505", "虎丘区", "county", "320500"), ("310115", "浦东新区", "county", "310000"),
    ("330200", "宁波市", "city", "330000"), ("330212", "鄞州区", "county", "330200"), ("330106", "西湖区", "county", "330100"),
    ("330110", "余杭区", "county", "330100"), ("330402", "南湖区", "county", "330400"), ("340104", "蜀山区", "county", "340100"),
]

let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
let cluster = try EmbeddedPostgres(directory: root.appendingPathComponent(".build/bench-postgres"), durable: false, sharedBuffers: "1GB")
try cluster.start()

switch arguments.dropFirst().first {
case "prepare":
    let total = option("--contracts", default: 1_000_000)
    let batchSize = 100_000
    let started = Date()
    let admin = try PostgresConnection(conninfo: cluster.conninfo())
    if arguments.contains("--reuse"), try !admin.query("SELECT 1 FROM pg_database WHERE datname = 'volume_bench'").isEmpty {
        let existing = try PostgresConnection(conninfo: cluster.conninfo(database: "volume_bench"))
        let count = try existing.query("SELECT count(*) AS n FROM contracts")[0].decode("n", as: Int.self)
        existing.close()
        if count == total {
            print("conninfo=\(cluster.conninfo(database: "volume_bench"))")
            print("contracts=\(count)")
            print("seconds=0")
            exit(0)
        }
    }
    try admin.execute("DROP DATABASE IF EXISTS volume_bench WITH (FORCE)")
    try admin.execute("CREATE DATABASE volume_bench")
    admin.close()
    let conninfo = cluster.conninfo(database: "volume_bench")
    let connection = try PostgresConnection(conninfo: conninfo)
    try Migrator(directory: root.appendingPathComponent("Schema")).migrate(on: connection)
    try connection.transaction { try PostgresMarketStore.upsert(try ReferenceData.load(from: root.appendingPathComponent("Fixtures")), on: $0) }
    for (code, name, level, parent) in moreRegions {
        _ = try connection.query(
            "INSERT INTO regions (code, name, name_en, level, parent_code) VALUES ($1, $2, $2, $3, $4) ON CONFLICT DO NOTHING", code, name, level, parent)
    }
    let regionCodes = try connection.query("SELECT code FROM regions WHERE level = 'county' ORDER BY code").compactMap { RegionCode(try $0.decode("code")) }
    let fields = try connection.query("SELECT code FROM fields ORDER BY code").map { try $0.decode("code", as: String.self) }
    guard let deqing = RegionCode("330521"), !regionCodes.isEmpty, !fields.isEmpty else { fatalError("the reference data lack regions or fields") }
    var random = Random(state: 20_250_101)
    var serials: [String: Int] = [:]
    let at = Date(timeIntervalSince1970: 1_790_000_000)
    var written = 0
    while written < total {
        let count = min(batchSize, total - written)
        let firstID = try PostgresMarketStore.reserveContractIDs(count, on: connection)
        var histories: [ContractHistory] = []
        histories.reserveCapacity(count)
        for offset in 0..<count {
            // About half have Deqing on one side; the rest are between any two counties.
            let seller = random.below(100) < 30 ? deqing : regionCodes[random.below(regionCodes.count)]
            let buyer = random.below(100) < 25 ? deqing : regionCodes[random.below(regionCodes.count)]
            let year = 2020 + random.below(7)
            let dayNumber = VolumeRules.dayNumber(VolumeRules.firstDay(year)) + Int64(random.below(Int(VolumeRules.daysIn(year))))
            let day = VolumeRules.adding(days: dayNumber - VolumeRules.dayNumber(VolumeRules.firstDay(year)), to: VolumeRules.firstDay(year))
            let prefix = "\(year)\(seller.value)"
            serials[prefix, default: 0] += 1
            let draft = ContractDraft(
                type: ContractType.allCases[random.below(ContractType.allCases.count)], title: "基准合同",
                seller: ContractParty(partyID: nil, name: "卖方", creditCode: "123305214416538244", regionCode: seller),
                buyer: ContractParty(partyID: nil, name: "买方", creditCode: "91330521MA4YE7238T", regionCode: buyer),
                fieldCode: fields[random.below(fields.count)], totalFen: Int64(1 + random.below(2_000)) * 10_000_00, costLines: [],
                signedOn: day, source: .direct, listingID: nil, subject: "CN202110123456.7")
            var (contract, version) = try ContractRules.registerDirectly(
                draft, id: ContractID(firstID + Int64(offset)),
                number: try ContractRules.registrationNumber(region: seller, year: year, after: serials[prefix, default: 1] - 1),
                region: seller, today: day, missing: [], by: .regulator, at: at)
            var versions = [version]
            let later = VolumeRules.adding(days: Int64(1 + random.below(200)), to: day)
            if random.below(100) < 10 {
                let changed = try ContractRules.change(
                    contract, to: ContractTerms(title: "基准合同", totalFen: Int64(1 + random.below(2_000)) * 10_000_00, costLines: []), reason: "变更",
                    by: .regulator, at: at)
                let registered = try ContractRules.register(changed.0, declaredCosts: nil, number: nil, region: seller, today: later, by: .regulator, at: at)
                versions += [changed.1, registered.1]
                contract = registered.0
            } else if random.below(100) < 5 {
                (contract, version) = try ContractRules.terminate(contract, reason: "终止", region: seller, today: later, by: .regulator, at: at)
                versions.append(version)
            }
            histories.append(ContractHistory(contract: contract, versions: versions))
        }
        _ = try connection.transaction { try PostgresMarketStore.copy(histories, on: $0) }
        written += count
        FileHandle.standardError.write(Data("written \(written) of \(total) contracts\n".utf8))
    }
    try connection.execute("VACUUM ANALYZE")
    connection.close()
    print("conninfo=\(conninfo)")
    print("contracts=\(written)")
    print("seconds=\(Int(Date().timeIntervalSince(started)))")
default:
    print("usage: VolumeBenchmark prepare [--contracts N]")
    exit(2)
}
