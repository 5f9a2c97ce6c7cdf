import Ledger
import Metrics
import Postgres

/// The pool's families of `/metrics`, labelled with the pool's name: `techmarket_pool_wait_seconds`
/// (a histogram of how long callers waited for a connection; its `_count` is the waits),
/// `techmarket_pool_acquire_timeouts_total` (callers that waited their whole `--pool-wait-ms` and
/// got 503), and, read off the pool at each scrape by `sample`, `techmarket_pool_connections{state}`
/// (`in_use`, `idle`), `techmarket_pool_connections_max` and `techmarket_pool_waiting`.
public final class PoolMetrics: PostgresPoolObserver {
    let name: String
    private let waitTimer: Timer
    private let timeouts: Counter
    private let inUse: Gauge
    private let idle: Gauge
    private let countMax: Gauge
    private let waiting: Gauge

    /// Metrics for the pool called `name` (the server's is `server`). Make it after swift-metrics
    /// is bootstrapped.
    public init(name: String) {
        self.name = name
        let pool = [("pool", name)]
        waitTimer = Timer(label: "techmarket_pool_wait_seconds", dimensions: pool, preferredDisplayUnit: .seconds)
        timeouts = Counter(label: "techmarket_pool_acquire_timeouts_total", dimensions: pool)
        inUse = Gauge(label: "techmarket_pool_connections", dimensions: [("pool", name), ("state", "in_use")])
        idle = Gauge(label: "techmarket_pool_connections", dimensions: [("pool", name), ("state", "idle")])
        countMax = Gauge(label: "techmarket_pool_connections_max", dimensions: pool)
        waiting = Gauge(label: "techmarket_pool_waiting", dimensions: pool)
    }

    public func waited(nanoseconds: UInt64) { waitTimer.recordNanoseconds(Int64(clamping: nanoseconds)) }

    public func timedOut() { timeouts.increment() }

    /// Reads the pool's gauges now (at each scrape).
    public func sample(_ pool: PostgresPool) {
        let statistics = pool.statistics
        inUse.record(statistics.inUseCount)
        idle.record(statistics.idleCount)
        countMax.record(statistics.connectionCountMax)
        waiting.record(statistics.waitingCount)
    }
}

/// The ledger's families of `/metrics` (docs/operations.md): transfers applied, retried and
/// refused, refusals by reason, group-commit batch sizes and the time a batch or a money use
/// case takes to commit.
enum LedgerMetrics {
    /// `techmarket_ledger_transfers_total{result}` (`applied`, `exists`: a retry of a transfer
    /// already applied, `refused`), and `techmarket_ledger_refusals_total{reason}` by the
    /// refusal's code. Counted when the transfer is worked out, inside its transaction: a
    /// transaction that then rolls back has counted it too.
    static func count(_ result: TransferResult) {
        switch result {
        case .ok: applied.increment()
        case .exists: exists.increment()
        case .refused(let error):
            refused.increment()
            Counter(label: "techmarket_ledger_refusals_total", dimensions: [("reason", error.rawValue)]).increment()
        }
    }

    /// `techmarket_ledger_batch_transfers`: transfers per group-commit batch.
    static func batch(size: Int) { Recorder(label: "techmarket_ledger_batch_transfers", aggregate: true).record(size) }

    /// `techmarket_ledger_commit_seconds{way}`: from the start of a transaction that moves money
    /// to its commit — `ahead` and `locked_first` for group-commit batches, `use_case` for a
    /// market use case's unit of work (a redemption, an approval…).
    static func committed(way: String, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        Timer(label: "techmarket_ledger_commit_seconds", dimensions: [("way", way)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    private static var applied: Counter { Counter(label: "techmarket_ledger_transfers_total", dimensions: [("result", "applied")]) }
    private static var exists: Counter { Counter(label: "techmarket_ledger_transfers_total", dimensions: [("result", "exists")]) }
    private static var refused: Counter { Counter(label: "techmarket_ledger_transfers_total", dimensions: [("result", "refused")]) }
}
