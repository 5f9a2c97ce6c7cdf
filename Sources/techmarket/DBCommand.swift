import ArgumentParser
import EmbeddedPostgres
import Foundation
import Ledger
import Market
import Postgres
import PostgresStore

struct DB: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Schema migrations and the embedded cluster.",
        subcommands: [Migrate.self, Status.self, Stop.self])

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded PostgreSQL cluster, if it is running.")
        @Option(name: .customLong("data-dir"), help: "Folder of the embedded cluster.")
        var dataDirectory: String = ".techmarket/postgres"

        func run() async throws {
            let cluster = try EmbeddedPostgres(directory: URL(fileURLWithPath: dataDirectory))
            guard cluster.isRunning else {
                print("no cluster running in \(cluster.directory.path)")
                return
            }
            try cluster.stop()
            print("stopped the cluster in \(cluster.directory.path)")
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply the pending migrations of Schema/, in order.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let migrator = try Migrator(directory: try ProjectFolder.schema())
            let opened = try database.open(log: printError)
            let connection = try PostgresConnection(conninfo: opened.conninfo)
            defer { connection.close() }
            do {
                let applied = try migrator.migrate(on: connection)
                if applied.isEmpty { print("schema is up to date (\(migrator.migrations.count) migrations)") }
                for migration in applied { print("applied \(String(format: "%04d", migration.version)) \(migration.name)") }
            } catch let error as MigrationError {
                printError("error: \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List each migration: applied, pending, changed or missing.")
        @Option(help: "table, csv or json.") var format: ListingFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let migrator = try Migrator(directory: try ProjectFolder.schema())
            let opened = try database.open(log: printError)
            let connection = try PostgresConnection(conninfo: opened.conninfo)
            defer { connection.close() }
            let statuses = try migrator.status(on: connection)
            let applied = { (status: MigrationStatus) in status.appliedAt.map { ISO8601DateFormatter().string(from: $0) } }
            if format == .json {
                try printJSON(statuses.map { status -> [String: Any] in
                    ["version": status.version, "state": status.state.rawValue, "appliedAt": applied(status) ?? NSNull(), "name": status.name]
                })
            } else {
                var table = TextTable([("version", .left), ("state", .left), ("applied at", .left), ("name", .left)])
                for status in statuses { table.add([String(format: "%04d", status.version), status.state.rawValue, applied(status) ?? "-", status.name]) }
                print(format == .csv ? table.csv() : table.render(), terminator: "")
            }
            if statuses.contains(where: { $0.state == .changed || $0.state == .missing }) { throw ExitCode(1) }
        }
    }
}

struct Fixtures: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reference and demo data.", subcommands: [Load.self])

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load Fixtures/ (migrating first): the reference data, and with --demo the demo data and its public keys; safe to run again.")
        @Flag(help: "Also load the demo participants, listings, vouchers, ledger and their publicly known API keys (tmk_demo_…).")
        var demo = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let opened = try database.open(log: printError)
            let progress = ProgressReport("loaded", "steps")
            let load: Setup.Load = demo ? .demo : .reference
            let summary = try await Setup.prepare(conninfo: opened.conninfo, load: load, progress: progress)
            progress.finish(Setup.stepCount(load), of: Setup.stepCount(load))
            print(summary)
        }
    }
}

/// Why the server will not start on a database, said in full (exit 1).
struct SetupRefusal: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Migrating and loading fixtures, shared by `serve` and `fixtures load`.
enum Setup {
    /// What is loaded from Fixtures/ after migrating.
    enum Load {
        /// Nothing: the database was prepared elsewhere.
        case nothing
        /// Regions, alliances and fields, which every database needs.
        case reference
        /// The reference data and the demo: participants, listings, vouchers, ledger, demo keys,
        /// and Deqing's contract history.
        case demo
    }

    /// The steps `prepare` reports to a progress report: the schema, the reference data, and
    /// the demo's ledger, participants and listings, vouchers, contract history, offers and auctions.
    static func stepCount(_ load: Load) -> Int {
        switch load {
        case .nothing: return 1
        case .reference: return 2
        case .demo: return 8
        }
    }

    /// Migrates, then loads what `load` says; reports each step done to `progress` (of
    /// `stepCount(load)`). Returns what was done, in lines.
    static func prepare(conninfo: String, load: Load, progress: ProgressReport? = nil) async throws -> String {
        let migrator = try Migrator(directory: try ProjectFolder.schema())
        let connection = try PostgresConnection(conninfo: conninfo)
        let applied = try migrator.migrate(on: connection)
        connection.close()
        progress?.update(1, of: stepCount(load))
        var summary = "schema: \(applied.count) migration(s) applied, \(migrator.migrations.count) in all"
        if load == .nothing { return summary }
        let data = try ReferenceData.load(from: try ProjectFolder.fixtures())
        let pool = PostgresPool(.init(conninfo: conninfo, connectionCountMax: 1))
        do {
            try await PostgresMarketStore(pool: pool).upsert(data)
        } catch {
            await pool.close()
            throw error
        }
        summary += "\nreference data: \(data.regions.count) regions, \(data.alliances.count) alliances, \(data.fields.count) fields"
        progress?.update(2, of: stepCount(load))
        guard load == .demo else {
            await pool.close()
            return summary
        }
        do {
            summary += try await loadDemo(
                into: PostgresMarketStore(pool: pool), ledger: PostgresLedgerStore(pool: pool)) { done in progress?.update(2 + done, of: stepCount(load)) }
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
        return summary
    }

    /// The demo's participants, listings, keys, vouchers and ledger; what was loaded, in lines.
    private static func loadDemo(
        into store: PostgresMarketStore, ledger ledgerStore: PostgresLedgerStore, stepDone: (Int) -> Void
    ) async throws -> String {
        let fixtures = try ProjectFolder.fixtures()
        let ledger = try LedgerFixture.load(from: fixtures)
        let opened = try await ledgerStore.createAccounts(try ledger.ledgerAccounts())
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        let applied = try await ledgerStore.submit(ledger.ledgerTransfers(), atMs: nowMs)
        for (row, result) in zip(ledger.transfers, applied) where result != .ok && result != .exists {
            throw FixtureError.invalid("ledger transfer \(row.id) refused: \(result)")
        }
        for (row, result) in zip(ledger.accounts, opened) where result != .ok && result != .exists {
            throw FixtureError.invalid("ledger account \(row.id) refused: \(result)")
        }
        stepDone(1)
        let market = try MarketFixture.load(from: fixtures)
        let loaded = try await store.load(market)
        stepDone(2)
        let vouchers = try VoucherFixture.load(from: fixtures)
        let redemptions = try await store.load(vouchers)
        stepDone(3)
        let history = try ContractHistoryFixture.load(from: fixtures)
        let contracts = try await store.load(history)
        stepDone(4)
        let offerFixture = try OfferFixture.load(from: fixtures)
        let offers = try await store.load(offerFixture)
        stepDone(5)
        let auctionFixture = try AuctionFixture.load(from: fixtures)
        let auctions = try await store.load(auctionFixture)
        stepDone(6)
        var summary = "\ndemo data: "
            + "\(ledger.accounts.count) ledger accounts, \(ledger.transfers.count) ledger transfers, "
            + "\(loaded.parties) participants, \(market.listings.count) listings (\(loaded.listingsAdded) new), \(loaded.keys) demo keys, "
            + "\(vouchers.programs.count) voucher programs, \(vouchers.vouchers.count) vouchers, \(vouchers.redemptions.count) redemptions (\(redemptions) new), "
            + "\(offerFixture.offers.count) offers (\(offers) new), "
            + "\(auctionFixture.sessions.count) auction sessions with \(auctionFixture.sessions.map(\.lots.count).reduce(0, +)) lots (\(auctions.lots) new), "
            + "\(contracts) contracts of Deqing's history added"
        for key in market.keys {
            summary += "\ndemo key  \(LedgerCommand.pad(key.role.rawValue, 12)) \(key.key)  \(key.label)"
        }
        return summary
    }

    /// Refuses to serve a database where publicly known demo keys are active, unless it is meant
    /// to be a demo: anyone could call it as the operator.
    static func refuseDemoKeys(conninfo: String) async throws {
        let pool = PostgresPool(.init(conninfo: conninfo, connectionCountMax: 1))
        let keys: [APIKeyInfo]
        do {
            keys = try await PostgresMarketStore(pool: pool).keys()
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
        let demo = keys.filter { !$0.isRevoked && $0.hint.hasPrefix(APIKeyText.demoPrefix) }
        guard !demo.isEmpty else { return }
        throw SetupRefusal(
            "this database has \(demo.count) active demo key(s) (\(APIKeyText.demoPrefix)…), which anyone can use: "
                + demo.map { "\($0.id) \($0.role.rawValue)" }.joined(separator: ", ")
                + ". Revoke them with `techmarket keys revoke ID` (the same database options), or pass --demo if this database is a demo.")
    }
}
