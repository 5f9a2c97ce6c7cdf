import Foundation
import Synchronization

/// Listens on channels over a connection of its own and delivers notifications as a stream.
///
/// The connection lives on a dedicated thread that waits on its socket; when the connection
/// breaks it reconnects and listens again, so watchers survive a server restart (notifications
/// sent while it was away are lost, as with any LISTEN).
public final class PostgresListener: Sendable {
    /// Between two attempts to reconnect.
    public static let reconnectDelayMs = 250
    /// How often the thread looks up from the socket to see whether it was stopped.
    static let pollIntervalMs: Int32 = 100

    public let notifications: AsyncStream<PostgresNotification>
    private let continuation: AsyncStream<PostgresNotification>.Continuation
    private let stopped = StopFlag()
    private let ready = Atomic<Bool>(false)
    private let listenCount = Atomic<Int>(0)

    /// Starts listening on `channels`.
    public init(conninfo: String, channels: [String]) {
        (notifications, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        // When the consumer goes away, so do the thread and its connection.
        let stopped = self.stopped
        continuation.onTermination = { _ in stopped.stop() }
        let thread = Thread { [self] in run(conninfo: conninfo, channels: channels) }
        thread.name = "techmarket.listener"
        thread.start()
    }

    /// True once the LISTEN commands have run on the current connection.
    public var isListening: Bool { ready.load(ordering: .acquiring) }

    /// How many connections have listened so far: it moves on each reconnection, after which
    /// notifications sent while away are lost, so a watcher that sees it move must assume the
    /// worst.
    public var listeningConnectionCount: Int { listenCount.load(ordering: .acquiring) }

    /// Waits until the listener is listening, or the timeout passes.
    public func waitUntilListening(timeoutMs: Int = 5_000) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        while !isListening {
            if ContinuousClock.now > deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Asks the thread to stop; within about 100 ms it closes its connection and finishes the stream.
    public func stop() {
        stopped.stop()
    }

    /// Shared by the listener and its stream's termination handler.
    final class StopFlag: Sendable {
        private let value = Atomic<Bool>(false)
        func stop() { value.store(true, ordering: .releasing) }
        var isStopped: Bool { value.load(ordering: .acquiring) }
    }

    private func run(conninfo: String, channels: [String]) {
        defer { continuation.finish() }
        while !stopped.isStopped {
            do {
                let connection = try PostgresConnection(conninfo: conninfo)
                defer { connection.close() }
                for channel in channels { try connection.listen(channel) }
                listenCount.add(1, ordering: .releasing)
                ready.store(true, ordering: .releasing)
                // Stopped or broken, it is not listening any more.
                defer { ready.store(false, ordering: .releasing) }
                while !stopped.isStopped {
                    for notification in try connection.notifications(timeoutMs: Self.pollIntervalMs) {
                        continuation.yield(notification)
                    }
                }
            } catch {
                Thread.sleep(forTimeInterval: Double(Self.reconnectDelayMs) / 1000)
            }
        }
    }
}
