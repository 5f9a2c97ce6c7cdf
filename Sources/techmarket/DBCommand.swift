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
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let migrator = try Migrator(directory: try ProjectFolder.schema())
            let opened = try database.open(log: printError)
            let connection = try PostgresConnection(conninfo: opened.conninfo)
            defer { connection.close() }
            let statuses = try migrator.status(on: connection)
            print("version  state    applied at                 name")
            for status in statuses {
                let applied = status.appliedAt.map { ISO8601DateFormatter().string(from: $0) } ?? "-"
                print(
                    String(format: "%04d", status.version) + "     " + status.state.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                        + applied.padding(toLength: 27, withPad: " ", startingAt: 0) + status.name)
            }
            if statuses.contains(where: { $0.state == .changed || $0.state == .missing }) { throw ExitCode(1) }
        }
    }
}

struct Fixtures: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reference and demo data.", subcommands: [Load.self])

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load Fixtures/ (migrating first); safe to run again.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let opened = try database.open(log: printError)
            let summary = try await Setup.prepare(conninfo: opened.conninfo, loadFixtures: true)
            print(summary)
        }
    }
}

/// Migrating and loading fixtures, shared by `serve` and `fixtures load`.
enum Setup {
    static func prepare(conninfo: String, loadFixtures: Bool) async throws -> String {
        let migrator = try Migrator(directory: try ProjectFolder.schema())
        let connection = try PostgresConnection(conninfo: conninfo)
        let applied = try migrator.migrate(on: connection)
        connection.close()
        var summary = "schema: \(applied.count) migration(s) applied, \(migrator.migrations.count) in all"
        if loadFixtures {
            let data = try ReferenceData.load(from: try ProjectFolder.fixtures())
            let pool = PostgresPool(.init(conninfo: conninfo, connectionCountMax: 1))
            try await PostgresMarketStore(pool: pool).upsert(data)
            let ledger = try LedgerFixture.load(from: try ProjectFolder.fixtures())
            let store = PostgresLedgerStore(pool: pool)
            let opened = try await store.createAccounts(try ledger.ledgerAccounts())
            let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
            let applied = try await store.submit(ledger.ledgerTransfers(), atMs: nowMs)
            await pool.close()
            for (row, result) in zip(ledger.transfers, applied) where result != .ok && result != .exists {
                throw FixtureError.invalid("ledger transfer \(row.id) refused: \(result)")
            }
            for (row, result) in zip(ledger.accounts, opened) where result != .ok && result != .exists {
                throw FixtureError.invalid("ledger account \(row.id) refused: \(result)")
            }
            let market = try MarketFixture.load(from: try ProjectFolder.fixtures())
            let marketPool = PostgresPool(.init(conninfo: conninfo, connectionCountMax: 1))
            let marketStore = PostgresMarketStore(pool: marketPool)
            let loaded = try await marketStore.load(market)
            let vouchers = try VoucherFixture.load(from: try ProjectFolder.fixtures())
            let redemptions = try await marketStore.load(vouchers)
            await marketPool.close()
            summary += "\nfixtures: \(data.regions.count) regions, \(data.alliances.count) alliances, \(data.fields.count) fields, "
                + "\(ledger.accounts.count) ledger accounts, \(ledger.transfers.count) ledger transfers, "
                + "\(loaded.parties) participants, \(market.listings.count) listings (\(loaded.listingsAdded) new), \(loaded.keys) demo keys, "
                + "\(vouchers.programs.count) voucher programs, \(vouchers.vouchers.count) vouchers, \(vouchers.redemptions.count) redemptions (\(redemptions) new)"
            for key in market.keys {
                summary += "\ndemo key  \(LedgerCommand.pad(key.role.rawValue, 12)) \(key.key)  \(key.label)"
            }
        }
        return summary
    }
}
