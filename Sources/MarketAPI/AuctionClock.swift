import Foundation
import Logging
import Market
import ServiceLifecycle

/// The auctions' work on the clock, run by the server: every `intervalMs` it closes the lots
/// whose end (after the last extension) has passed (`AuctionService.closeDue`): the hammer's
/// contract, the deposits applied and released. Safe with many servers on one database: each
/// lot is its own transaction under its row lock, a lot another server holds is skipped, and a
/// closed lot is never closed again. `techmarket auctions close-due` does the same from cron.
public struct AuctionClock<Store: AuctionStore>: Service {
    public static var intervalMsDefault: Int { 1_000 }

    let auctions: AuctionService<Store>
    let intervalMs: Int
    let logger: Logger

    public init(store: Store, settings: AuctionSettings = AuctionSettings(), intervalMs: Int = Self.intervalMsDefault, logger: Logger) {
        auctions = AuctionService(store: store, settings: settings)
        self.intervalMs = intervalMs
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let report = try await auctions.closeDue(limit: AuctionLimits.dueLotsPerRunMax)
                if report.closed > 0 {
                    MarketMetrics.lotClosed("sold", count: report.sold)
                    MarketMetrics.lotClosed("no_sale", count: report.closed - report.sold)
                    logger.info("auctions: closed due lots", metadata: ["closed": "\(report.closed)", "sold": "\(report.sold)"])
                }
            } catch {
                logger.error("auctions: closing due lots failed: \(error)")
            }
            // A shutdown ends the wait at once; the tick in progress above always finishes.
            let interval = intervalMs
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(interval)) } } catch { return }
        }
    }
}
