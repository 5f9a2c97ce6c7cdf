import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Market
import MarketAPI
import Postgres
import PostgresStore
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP API (with no database configured: on an embedded PostgreSQL, migrated, with fixtures).")

    @Option(help: "Address to listen on (default: $TECHMARKET_HOST or 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (default: $TECHMARKET_PORT or 8080).")
    var port: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default: $LOG_LEVEL or info).")
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: "logfmt or json: one logfmt line or one JSON object per event, on standard error (default: $LOG_FORMAT or logfmt).")
    var logFormat: LogFormat?

    @Flag(
        help: """
            The database is a demo: load the demo data of Fixtures/ with its publicly known keys (tmk_demo_…). \
            The default on the embedded cluster; on any other database the server refuses to start while a demo key is active there.
            """)
    var demo = false

    @Flag(name: .customLong("no-fixtures"), help: "Load nothing from Fixtures/ at start, not even the reference data (a database prepared elsewhere).")
    var noFixtures = false

    @Option(
        name: .customLong("search-pages"),
        help: "Public search pages kept encoded, each used while the database's search generation is unchanged; 0 turns this off (default: $TECHMARKET_SEARCH_PAGES or \(SearchPageCache.entryCountMaxDefault)).")
    var searchPages: Int?

    @Option(name: .customLong("idle-timeout-ms"), help: "Close a connection with no request for this long (default: $TECHMARKET_IDLE_TIMEOUT_MS or \(ConnectionTimeouts.idleMsDefault)).")
    var idleTimeoutMs: Int?

    @Option(
        name: .customLong("header-timeout-ms"),
        help: "Close a connection whose request header is not whole this long after its first byte (default: $TECHMARKET_HEADER_TIMEOUT_MS or \(ConnectionTimeouts.headerMsDefault)).")
    var headerTimeoutMs: Int?

    @Option(
        name: .customLong("body-timeout-ms"),
        help: "Answer 408 to a request whose body is not whole this long after its header (default: $TECHMARKET_BODY_TIMEOUT_MS or \(ConnectionTimeouts.bodyMsDefault)).")
    var bodyTimeoutMs: Int?

    @Option(
        name: .customLong("request-deadline-ms"),
        help: "Answer 503 to a request not answered this long after its header (default: $TECHMARKET_REQUEST_DEADLINE_MS or \(ConnectionTimeouts.requestDeadlineMsDefault)).")
    var requestDeadlineMs: Int?

    @Option(
        name: .customLong("pool-wait-ms"),
        help: "How long a request waits for a free database connection before 503 (default: $TECHMARKET_POOL_WAIT_MS or \(Self.poolWaitMsDefault)).")
    var poolWaitMs: Int?

    @Option(
        name: .customLong("caller-concurrent-max"),
        help: "Requests one API key (or client address) may have in progress at once (default: $TECHMARKET_CALLER_CONCURRENT_MAX or \(FairUseLimits.concurrentMaxDefault)).")
    var callerConcurrentMax: Int?

    @Option(
        name: .customLong("caller-rate-per-second"),
        help: "Requests per second one API key (or client address) may make, sustained (default: $TECHMARKET_CALLER_RATE_PER_SECOND or \(FairUseLimits.ratePerSecondDefault)).")
    var callerRatePerSecond: Int?

    @Option(
        name: .customLong("caller-burst-max"),
        help: "Requests one API key (or client address) may make at once above its rate (default: $TECHMARKET_CALLER_BURST_MAX or \(FairUseLimits.burstMaxDefault)).")
    var callerBurstMax: Int?

    @Option(
        name: .customLong("tracked-callers-max"),
        help: "Callers whose limits are tracked at once (default: $TECHMARKET_TRACKED_CALLERS_MAX or \(FairUseLimits.trackedCallerCountMaxDefault)).")
    var trackedCallersMax: Int?

    @Option(
        name: .customLong("shutdown-deadline-ms"),
        help: """
            On SIGTERM or SIGINT, how long the requests in flight may take to finish before they are cancelled \
            (default: $TECHMARKET_SHUTDOWN_DEADLINE_MS or \(Self.shutdownDeadlineMsDefault)).
            """)
    var shutdownDeadlineMs: Int?

    @Option(
        name: .customLong("auction-notice-days"),
        help: "The least days between an auction session's public notice and its start (default: $TECHMARKET_AUCTION_NOTICE_DAYS or \(AuctionLimits.noticeDaysDefault), the Auction Law's).")
    var auctionNoticeDays: Int?

    @OptionGroup var database: DatabaseOptions

    /// The pool is the server's alone: the other commands open one connection and do not offer it.
    @Option(name: .customLong("pool-size"), help: "Connections in the pool (1 to \(PostgresPool.connectionCountLimit)).")
    var poolSize: Int = 16

    func validate() throws {
        guard (1...PostgresPool.connectionCountLimit).contains(poolSize) else {
            throw ValidationError("--pool-size must be from 1 to \(PostgresPool.connectionCountLimit), not \(poolSize)")
        }
    }

    /// A request waits this long for a free database connection: a pool that stays exhausted
    /// answers 503 with Retry-After at once, not after the pool's own 10 s.
    static let poolWaitMsDefault = 100

    /// 关停期限: past it, requests still running are cancelled (their transactions roll back,
    /// so a retry with the same Idempotency-Key runs them once). Shorter than the request
    /// deadline, since an orchestrator's own grace period (Kubernetes: 30 s) ends in SIGKILL.
    static let shutdownDeadlineMsDefault = 10_000

    /// After the deadline, how long cancelled requests may take to end before the server stops anyway.
    static let cancellationMsMax = 2_000

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let levelText = logLevel ?? environment["LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ValidationError("unknown log level '\(levelText)'")
        }
        let hostValue = host ?? environment["TECHMARKET_HOST"] ?? "127.0.0.1"
        /// An integer setting: the option, else the environment variable, else the default.
        func integer(_ option: Int?, _ variable: String, default value: Int, in range: ClosedRange<Int>, name: String) throws -> Int {
            let text = option.map(String.init) ?? environment[variable] ?? String(value)
            guard let number = Int(text), range.contains(number) else {
                throw ValidationError("\(name) must be a number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
            }
            return number
        }
        let portValue = try integer(port, "TECHMARKET_PORT", default: 8080, in: 1...65535, name: "port")
        let searchPagesValue = try integer(
            searchPages, "TECHMARKET_SEARCH_PAGES", default: SearchPageCache.entryCountMaxDefault, in: 0...SearchPageCache.entryCountLimit,
            name: "search pages")
        let noticeDays = try integer(
            auctionNoticeDays, "TECHMARKET_AUCTION_NOTICE_DAYS", default: AuctionLimits.noticeDaysDefault, in: 0...AuctionLimits.noticeDaysMax,
            name: "auction notice days")
        let msRange = 1...ConnectionTimeouts.msLimit
        let timeouts = ConnectionTimeouts(
            idleMs: try integer(idleTimeoutMs, "TECHMARKET_IDLE_TIMEOUT_MS", default: ConnectionTimeouts.idleMsDefault, in: msRange, name: "idle timeout"),
            headerMs: try integer(
                headerTimeoutMs, "TECHMARKET_HEADER_TIMEOUT_MS", default: ConnectionTimeouts.headerMsDefault, in: msRange, name: "header timeout"),
            bodyMs: try integer(bodyTimeoutMs, "TECHMARKET_BODY_TIMEOUT_MS", default: ConnectionTimeouts.bodyMsDefault, in: msRange, name: "body timeout"),
            requestDeadlineMs: try integer(
                requestDeadlineMs, "TECHMARKET_REQUEST_DEADLINE_MS", default: ConnectionTimeouts.requestDeadlineMsDefault, in: msRange,
                name: "request deadline"))
        let poolWaitMsValue = try integer(poolWaitMs, "TECHMARKET_POOL_WAIT_MS", default: Self.poolWaitMsDefault, in: 0...ConnectionTimeouts.msLimit, name: "pool wait")
        let shutdownDeadlineMsValue = try integer(
            shutdownDeadlineMs, "TECHMARKET_SHUTDOWN_DEADLINE_MS", default: Self.shutdownDeadlineMsDefault, in: 0...ConnectionTimeouts.msLimit,
            name: "shutdown deadline")
        let settingRange = 1...FairUseLimits.settingLimit
        let fairUse = FairUseLimits(
            concurrentMax: try integer(
                callerConcurrentMax, "TECHMARKET_CALLER_CONCURRENT_MAX", default: FairUseLimits.concurrentMaxDefault, in: settingRange,
                name: "caller concurrent max"),
            ratePerSecond: try integer(
                callerRatePerSecond, "TECHMARKET_CALLER_RATE_PER_SECOND", default: FairUseLimits.ratePerSecondDefault, in: settingRange,
                name: "caller rate per second"),
            burstMax: try integer(callerBurstMax, "TECHMARKET_CALLER_BURST_MAX", default: FairUseLimits.burstMaxDefault, in: settingRange, name: "caller burst max"),
            trackedCallerCountMax: try integer(
                trackedCallersMax, "TECHMARKET_TRACKED_CALLERS_MAX", default: FairUseLimits.trackedCallerCountMaxDefault, in: settingRange,
                name: "tracked callers max"))
        let formatText = logFormat?.rawValue ?? environment["LOG_FORMAT"] ?? LogFormat.logfmt.rawValue
        guard let format = LogFormat(rawValue: formatText) else {
            throw ValidationError("unknown log format '\(formatText)' (logfmt or json)")
        }
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, format: format)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "techmarket")
        // Before anything counts: a metric made before the bootstrap would count nowhere.
        OperatorMetrics.bootstrap()

        let opened = try database.open { logger.info("\($0)") }
        let isDemo = demo || database.externalConninfo == nil
        let summary: String
        do {
            summary = try await Setup.prepare(conninfo: opened.conninfo, load: noFixtures ? .nothing : isDemo ? .demo : .reference)
            if !isDemo { try await Setup.refuseDemoKeys(conninfo: opened.conninfo) }
        } catch {
            try? opened.embedded?.stop()
            throw error
        }
        for line in summary.split(separator: "\n") { logger.info("\(line)") }

        let poolMetrics = PoolMetrics(name: "server")
        let pool = opened.pool(size: poolSize, acquireTimeoutMs: poolWaitMsValue, observer: poolMetrics)
        let keyCache = KeyCache(conninfo: opened.conninfo)
        let store = PostgresMarketStore(pool: pool, keyCache: keyCache)
        let auctionSettings = AuctionSettings(noticeSecondsMin: noticeDays * 86_400)
        let app = buildApplication(
            configuration: .init(
                host: hostValue, port: portValue, searchPagesMax: searchPagesValue, timeouts: timeouts, fairUse: fairUse),
            store: store, logger: logger,
            services: [OfferClock(store: store, logger: logger), AuctionClock(store: store, settings: auctionSettings, logger: logger)],
            auctions: auctionSettings, lotBell: PostgresLotBell(conninfo: opened.conninfo), beforeMetricsScrape: { poolMetrics.sample(pool) })
        logger.info("serving on http://\(hostValue):\(portValue) (try GET /health, GET /v1/regions)")
        // SIGTERM or SIGINT: stop accepting, let the requests in flight finish and answer (each
        // connection closes after its answer), within the deadline; then cancel what is left.
        var services = ServiceGroupConfiguration(
            services: [
                .init(service: app),
                .init(service: ShutdownNotice(deadlineMs: shutdownDeadlineMsValue, logger: logger), successTerminationBehavior: .ignore),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        services.maximumGracefulShutdownDuration = .milliseconds(shutdownDeadlineMsValue)
        services.maximumCancellationDuration = .milliseconds(Self.cancellationMsMax)
        var failure: (any Error)?
        do {
            try await ServiceGroup(configuration: services).run()
            logger.info("stopped accepting and answered every request in flight")
        } catch {
            logger.error("server stopped: \(error)")
            failure = error
        }
        // The background work, then the pool, then the cluster this process started.
        keyCache.stop()
        await pool.close()
        logger.info("database pool closed")
        if let cluster = opened.embedded {
            logger.info("stopping embedded PostgreSQL")
            try cluster.stop()
        }
        if let failure { throw failure }
    }
}

/// Says in the log when a shutdown begins and by when it ends: the service group shuts its
/// services down last first, one after the other, so this one, listed last, hears of it first.
struct ShutdownNotice: Service {
    let deadlineMs: Int
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        guard !Task.isCancelled else { return }
        logger.notice("shutting down: no new connections; finishing the requests in flight within \(deadlineMs) ms (--shutdown-deadline-ms)")
    }
}
