import Hummingbird
import Market
import Metrics
import NIOCore
import Prometheus

/// The process's metrics: swift-metrics is bootstrapped once, on first use, with a Prometheus
/// registry that `GET /metrics` writes out. Everything counted anywhere in the process (the
/// requests, the pool, the ledger, the market) lands here; docs/operations.md names each family.
public enum OperatorMetrics {
    /// The registry behind `MetricsSystem`. Touch it before any metric is made: swift-metrics
    /// binds a metric to the backend in place when it is made, so one made earlier counts nowhere.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // The one value histogram is the ledger's group-commit batch size (at most 64 transfers).
        factory.defaultValueHistogramBuckets = [1, 2, 4, 8, 16, 32, 64]
        // A wait for a pool connection is bounded by --pool-wait-ms (100 ms by default), and a
        // commit takes milliseconds: the default buckets (5 ms to 10 s) would put all in two.
        let millisecondBuckets: [Duration] = [0.1, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000].map { .microseconds(Int64($0 * 1000)) }
        factory.durationHistogramBuckets["techmarket_pool_wait_seconds"] = millisecondBuckets
        factory.durationHistogramBuckets["techmarket_ledger_commit_seconds"] = millisecondBuckets
        MetricsSystem.bootstrap(factory)
        MarketMetrics.declare()
        return registry
    }()

    /// Bootstraps swift-metrics with the registry (once; later calls do nothing).
    public static func bootstrap() { _ = registry }

    /// The registry in Prometheus' text exposition format.
    static func text() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }
}

/// What the market counts, by name, for every area: the API increments them when a use case
/// has committed (a replayed Idempotency-Key answer counts nothing; a refusal by the area's
/// rules counts as `refused` where the family has one). Every family is declared at 0 at start:
/// their names are the contract with the dashboards.
public enum MarketMetrics {
    /// `techmarket_market_redemptions_total{step}`: redemptions that reached a step
    /// (`held`, `claimed`, `approved`, `rejected`).
    public static func redemption(_ step: String) {
        Counter(label: "techmarket_market_redemptions_total", dimensions: [("step", step)]).increment()
    }

    /// `techmarket_market_vouchers_issued_total`.
    public static func voucherIssued() { Counter(label: "techmarket_market_vouchers_issued_total").increment() }

    /// `techmarket_market_settlements_total`: settlement batches paid.
    public static func settlementPaid() { Counter(label: "techmarket_market_settlements_total").increment() }

    /// `techmarket_market_offers_total{outcome}`: offers made on listings (`matched`, `open`, `refused`).
    public static func offer(_ outcome: String) {
        Counter(label: "techmarket_market_offers_total", dimensions: [("outcome", outcome)]).increment()
    }

    /// `techmarket_market_bids_total{outcome}`: bids placed in auctions (`accepted`, `refused`).
    public static func bid(_ outcome: String) {
        Counter(label: "techmarket_market_bids_total", dimensions: [("outcome", outcome)]).increment()
    }

    /// `techmarket_market_lots_closed_total{result}`: auction lots closed (`sold`, `no_sale`).
    public static func lotClosed(_ result: String, count: Int = 1) {
        guard count > 0 else { return }
        Counter(label: "techmarket_market_lots_closed_total", dimensions: [("result", result)]).increment(by: count)
    }

    /// `techmarket_market_contracts_registered_total`: technology contracts registered.
    public static func contractRegistered() { Counter(label: "techmarket_market_contracts_registered_total").increment() }

    /// `techmarket_market_stream_watchers`: live event streams open now; a stream calls
    /// `streamOpened()` when it starts and `streamClosed()` when it ends, however it ends.
    public static func streamOpened() { streamWatchers.increment() }
    public static func streamClosed() { streamWatchers.decrement() }
    static let streamWatchers = Meter(label: "techmarket_market_stream_watchers")

    /// Every family at 0 from the start, so that a dashboard finds them before the first event.
    static func declare() {
        for step in ["held", "claimed", "approved", "rejected"] {
            _ = Counter(label: "techmarket_market_redemptions_total", dimensions: [("step", step)])
        }
        _ = Counter(label: "techmarket_market_vouchers_issued_total")
        _ = Counter(label: "techmarket_market_settlements_total")
        for outcome in ["matched", "open", "refused"] { _ = Counter(label: "techmarket_market_offers_total", dimensions: [("outcome", outcome)]) }
        for outcome in ["accepted", "refused"] { _ = Counter(label: "techmarket_market_bids_total", dimensions: [("outcome", outcome)]) }
        for result in ["sold", "no_sale"] { _ = Counter(label: "techmarket_market_lots_closed_total", dimensions: [("result", result)]) }
        _ = Counter(label: "techmarket_market_contracts_registered_total")
        streamWatchers.set(0)
    }
}

/// `GET /metrics`: the registry as Prometheus text, to the operator only (an admin's key).
/// `beforeScrape` runs first, for gauges read off their source at scrape time (the pool's).
struct MetricsController<Keys: KeyStore> {
    let authenticator: Authenticator<Keys>
    let beforeScrape: @Sendable () -> Void

    /// The exposition format's media type, version 0.0.4.
    static var contentType: String { "text/plain; version=0.0.4; charset=utf-8" }

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get { request, _ -> Response in
            try AccessPolicy.checkReadsMetrics(try await authenticator.principal(request))
            beforeScrape()
            return Response(
                status: .ok, headers: [.contentType: Self.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: OperatorMetrics.text())))
        }
    }
}
