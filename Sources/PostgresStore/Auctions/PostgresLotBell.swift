import Market
import Postgres

/// The lots' bell over PostgreSQL LISTEN/NOTIFY: a connection of its own listens on the lot
/// events' channel, to which every commit that writes a lot's public events sends a notice
/// (`lot:first:last`). A reconnection may lose notices; the streams' heartbeat reads repair that.
public final class PostgresLotBell: LotEventBell {
    public static let channel = "techmarket_lot_events"

    private let listener: PostgresListener
    public let rings: AsyncStream<LotBellRing>

    public init(conninfo: String) {
        listener = PostgresListener(conninfo: conninfo, channels: [Self.channel])
        let notifications = listener.notifications
        rings = AsyncStream { continuation in
            let task = Task {
                for await notice in notifications {
                    if let ring = LotBellRing(payload: notice.payload) { continuation.yield(ring) }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Waits until notices can arrive.
    public func waitUntilListening(timeoutMs: Int = 5_000) async -> Bool {
        await listener.waitUntilListening(timeoutMs: timeoutMs)
    }

    public func stop() {
        listener.stop()
    }
}
