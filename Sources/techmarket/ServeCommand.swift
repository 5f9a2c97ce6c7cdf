import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MarketAPI
import PostgresStore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP API (with no database configured: on an embedded PostgreSQL, migrated, with fixtures).")

    @Option(help: "Address to listen on (default: $TECHMARKET_HOST or 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (default: $TECHMARKET_PORT or 8080).")
    var port: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default: $LOG_LEVEL or info).")
    var logLevel: String?

    @Flag(name: .customLong("no-fixtures"), help: "Do not load Fixtures/ at start.")
    var noFixtures = false

    @Option(
        name: .customLong("search-pages"),
        help: "Public search pages kept encoded, each used while the database's search generation is unchanged; 0 turns this off (default: $TECHMARKET_SEARCH_PAGES or 1024).")
    var searchPages: Int?

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let levelText = logLevel ?? environment["LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ValidationError("unknown log level '\(levelText)'")
        }
        let hostValue = host ?? environment["TECHMARKET_HOST"] ?? "127.0.0.1"
        let portText = port.map(String.init) ?? environment["TECHMARKET_PORT"] ?? "8080"
        guard let portValue = Int(portText), (1...65535).contains(portValue) else {
            throw ValidationError("port must be a number from 1 to 65535, not '\(portText)'")
        }
        let searchPagesText = searchPages.map(String.init) ?? environment["TECHMARKET_SEARCH_PAGES"] ?? String(SearchPageCache.entryCountMaxDefault)
        guard let searchPagesValue = Int(searchPagesText), (0...SearchPageCache.entryCountLimit).contains(searchPagesValue) else {
            throw ValidationError("search pages must be a number from 0 to \(SearchPageCache.entryCountLimit), not '\(searchPagesText)'")
        }
        LoggingSystem.bootstrap { label in
            var handler = LogfmtHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "techmarket")

        let opened = try database.open { logger.info("\($0)") }
        let summary: String
        do {
            summary = try await Setup.prepare(conninfo: opened.conninfo, loadFixtures: !noFixtures)
        } catch {
            try? opened.embedded?.stop()
            throw error
        }
        for line in summary.split(separator: "\n") { logger.info("\(line)") }

        let pool = opened.pool(size: database.poolSize)
        let store = PostgresMarketStore(pool: pool)
        let app = buildApplication(
            configuration: .init(host: hostValue, port: portValue, searchPagesMax: searchPagesValue), store: store, logger: logger)
        logger.info("serving on http://\(hostValue):\(portValue) (try GET /health, GET /v1/regions)")
        var failure: (any Error)?
        do {
            try await app.runService()
        } catch {
            logger.error("server stopped: \(error)")
            failure = error
        }
        await pool.close()
        if let cluster = opened.embedded {
            logger.info("stopping embedded PostgreSQL")
            try cluster.stop()
        }
        if let failure { throw failure }
    }
}
