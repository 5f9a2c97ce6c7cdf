import Foundation
import Logging
import Market
import ServiceLifecycle

/// The offers' work on the clock, run by the server: every `intervalMs` it closes the offer
/// windows that are due, expires offers past their valid-until and ends the books of withdrawn
/// listings (`OfferService.closeDue`). Safe with many servers on one database: each listing is
/// its own transaction, and a listing another server holds is skipped. `techmarket offers
/// close-due` does the same from cron.
public struct OfferClock<Store: OfferStore>: Service {
    public static var intervalMsDefault: Int { 1_000 }

    let offers: OfferService<Store>
    let intervalMs: Int
    let logger: Logger

    public init(store: Store, intervalMs: Int = Self.intervalMsDefault, logger: Logger) {
        offers = OfferService(store: store)
        self.intervalMs = intervalMs
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let report = try await offers.closeDue(limit: OfferLimits.dueListingsPerRunMax)
                if report.listings > 0 {
                    logger.info(
                        "offers: closed due work",
                        metadata: [
                            "listings": "\(report.listings)", "windows": "\(report.windowsClosed)", "expired": "\(report.offersExpired)",
                            "deals": "\(report.deals)",
                        ])
                }
            } catch {
                logger.error("offers: closing due work failed: \(error)")
            }
            // A shutdown ends the wait at once; the tick in progress above always finishes.
            let interval = intervalMs
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(interval)) } } catch { return }
        }
    }
}
