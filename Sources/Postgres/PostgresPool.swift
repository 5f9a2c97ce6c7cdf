import Dispatch
import Synchronization

/// Told of the pool's waits, for the server's metrics: called outside the pool's lock, on the
/// thread that handed the connection over or gave up, so it must be quick.
public protocol PostgresPoolObserver: Sendable {
    /// A caller found no free connection, waited this long, and got one.
    func waited(nanoseconds: UInt64)
    /// A caller waited `acquireTimeoutMs` and got none (`poolTimeout`).
    func timedOut()
}

/// A bounded pool of connections, each with a thread of its own.
///
/// libpq blocks, so no libpq call may run on Swift's cooperative thread pool: a call submitted
/// through the pool runs on its connection's own serial dispatch queue, and the calling task
/// waits without holding a thread. A transaction keeps one connection from BEGIN to COMMIT and
/// its body is plain synchronous code, so a use case pays one hop, not one per statement.
public final class PostgresPool: Sendable {
    public struct Configuration: Sendable {
        /// A libpq connection string or URL; empty means "from the PG* environment variables".
        public var conninfo: String
        /// Connections open at most.
        public var connectionCountMax: Int
        /// How long a caller waits for a free connection before `poolTimeout`.
        public var acquireTimeoutMs: Int
        /// Told of every wait and every timeout (the server's metrics); nil tells no one.
        public var observer: (any PostgresPoolObserver)?

        public init(
            conninfo: String, connectionCountMax: Int = 8, acquireTimeoutMs: Int = 10_000, observer: (any PostgresPoolObserver)? = nil
        ) {
            precondition(connectionCountMax > 0, "a pool needs at least one connection")
            self.conninfo = conninfo
            self.connectionCountMax = connectionCountMax
            self.acquireTimeoutMs = acquireTimeoutMs
            self.observer = observer
        }
    }

    /// How a transaction answers a serialization failure or a deadlock.
    public struct Retry: Sendable {
        /// Attempts after the first.
        public var retryCountMax: Int
        public var backoffMs: Int

        public init(retryCountMax: Int, backoffMs: Int = 2) {
            self.retryCountMax = retryCountMax
            self.backoffMs = backoffMs
        }

        public static let none = Retry(retryCountMax: 0)
        public static let onConflict = Retry(retryCountMax: 10)
    }

    /// The largest pool a configuration may ask for.
    public static let connectionCountLimit = 512

    public let configuration: Configuration
    private let state: Mutex<State>

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Slot, any Error>
        /// When it started waiting (`DispatchTime` nanoseconds), for the observer.
        let sinceNs: UInt64
    }

    private struct State {
        var idle: [Slot] = []
        var slotCount = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var isClosed = false
    }

    /// A connection and the one queue that may touch it.
    final class Slot: @unchecked Sendable {
        let queue: DispatchQueue
        // Only read or written on `queue`.
        var connection: PostgresConnection?

        init(index: Int) {
            queue = DispatchQueue(label: "techmarket.postgres.\(index)")
        }

        /// The connection, opened or reopened when it is missing or broken. Runs on `queue`.
        func liveConnection(conninfo: String) throws -> PostgresConnection {
            if let connection, connection.checkAlive() { return connection }
            connection?.close()
            connection = nil
            let fresh = try PostgresConnection(conninfo: conninfo)
            connection = fresh
            return fresh
        }

        /// Drops a connection that is broken, and ends a transaction a body left open, so the next
        /// user gets a clean connection. Runs on `queue`.
        func discardIfBroken() {
            guard let connection else { return }
            if connection.isUsable && !connection.isIdle { try? connection.execute("ROLLBACK") }
            if !connection.isUsable || !connection.isIdle {
                connection.close()
                self.connection = nil
            }
        }
    }

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        self.state = Mutex(State())
    }

    /// Runs `body` with a connection, on that connection's thread.
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let slot = try await acquire()
        defer { release(slot) }
        let conninfo = configuration.conninfo
        // Resumed exactly once, by the job below (checked continuations cost a little per call).
        return try await withUnsafeThrowingContinuation { continuation in
            slot.queue.async {
                let result = Result<T, any Error> {
                    let connection = try slot.liveConnection(conninfo: conninfo)
                    defer { slot.discardIfBroken() }
                    return try body(connection)
                }
                continuation.resume(with: result)
            }
        }
    }

    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws. With a
    /// retry policy, a serialization failure or deadlock runs the whole body again.
    public func withTransaction<T: Sendable>(
        isolation: PostgresIsolation = .readCommitted,
        retry: Retry = .none,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await withConnection { connection in
                    try connection.transaction(isolation: isolation, body)
                }
            } catch let error as PostgresError where error.isRetryableConflict && attempt < retry.retryCountMax {
                attempt += 1
                // Jittered backoff so that the transactions that collided do not collide again.
                let sleepMs = retry.backoffMs * attempt + Int.random(in: 0...retry.backoffMs)
                try await Task.sleep(for: .milliseconds(sleepMs))
            }
        }
    }

    /// Closes idle connections and refuses new work; connections in use close when released.
    public func close() async {
        let (idle, waiters) = state.withLock { state -> ([Slot], [Waiter]) in
            state.isClosed = true
            defer {
                state.idle.removeAll()
                state.waiters.removeAll()
            }
            return (state.idle, state.waiters)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(kind: .poolClosed, message: "the pool is closed"))
        }
        for slot in idle { await Self.closeConnection(of: slot) }
    }

    /// Connections currently open or being opened, for tests and metrics.
    public var slotCount: Int { state.withLock { $0.slotCount } }

    /// The pool at one moment, for metrics.
    public struct Statistics: Sendable, Equatable {
        /// Connections lent out now.
        public var inUseCount: Int
        /// Connections open and free now.
        public var idleCount: Int
        /// Callers waiting for a connection now.
        public var waitingCount: Int
        public var connectionCountMax: Int
    }

    public var statistics: Statistics {
        state.withLock { state in
            Statistics(
                inUseCount: state.slotCount - state.idle.count, idleCount: state.idle.count, waitingCount: state.waiters.count,
                connectionCountMax: configuration.connectionCountMax)
        }
    }

    // MARK: - Slots

    private static func closeConnection(of slot: Slot) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            slot.queue.async {
                slot.connection?.close()
                slot.connection = nil
                continuation.resume()
            }
        }
    }

    private func acquire() async throws -> Slot {
        // The common case, a free connection, needs no suspension.
        let free = state.withLock { state -> Slot? in state.isClosed ? nil : state.idle.popLast() }
        if let free { return free }
        let timeoutMs = configuration.acquireTimeoutMs
        let countMax = configuration.connectionCountMax
        return try await withCheckedThrowingContinuation { continuation in
            enum Decision { case ready(Slot), closed, waiting(UInt64) }
            let decision = state.withLock { state -> Decision in
                if state.isClosed { return .closed }
                if let slot = state.idle.popLast() { return .ready(slot) }
                if state.slotCount < countMax {
                    state.slotCount += 1
                    return .ready(Slot(index: state.slotCount))
                }
                state.nextWaiterID += 1
                state.waiters.append(
                    Waiter(id: state.nextWaiterID, continuation: continuation, sinceNs: DispatchTime.now().uptimeNanoseconds))
                return .waiting(state.nextWaiterID)
            }
            switch decision {
            case .ready(let slot):
                continuation.resume(returning: slot)
            case .closed:
                continuation.resume(throwing: PostgresError(kind: .poolClosed, message: "the pool is closed"))
            case .waiting(let id):
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(timeoutMs)) { [self] in
                    let expired = state.withLock { state -> Waiter? in
                        guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                        return state.waiters.remove(at: index)
                    }
                    guard let expired else { return }
                    configuration.observer?.timedOut()
                    expired.continuation.resume(
                        throwing: PostgresError(
                            kind: .poolTimeout,
                            message: "no connection free after \(timeoutMs) ms (pool of \(countMax))"))
                }
            }
        }
    }

    private func release(_ slot: Slot) {
        enum Next { case handOver(Waiter), keep, close }
        let next = state.withLock { state -> Next in
            if state.isClosed {
                state.slotCount -= 1
                return .close
            }
            if !state.waiters.isEmpty { return .handOver(state.waiters.removeFirst()) }
            state.idle.append(slot)
            return .keep
        }
        switch next {
        case .handOver(let waiter):
            configuration.observer?.waited(nanoseconds: DispatchTime.now().uptimeNanoseconds - waiter.sinceNs)
            waiter.continuation.resume(returning: slot)
        case .keep: break
        case .close: slot.queue.async { slot.connection?.close(); slot.connection = nil }
        }
    }
}
