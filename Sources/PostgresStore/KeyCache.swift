import Market
import Postgres
import Synchronization

/// The callers of API keys, kept in the server so that a request does not look its key up in
/// PostgreSQL each time, and dropped — all of them — whenever PostgreSQL says that keys changed
/// (Schema/0013: a key written or revoked, a party moved to another region; the notice comes
/// at commit). So a revoked key is refused from the moment the notice arrives, a few
/// milliseconds after the revoking commit. While the cache's listener is not connected nothing
/// is kept or served from here, and what was kept before a reconnection is dropped (notices
/// may have been lost meanwhile).
public final class KeyCache: Sendable {
    public static let channel = "techmarket_api_keys"
    /// Past this many keys the cache starts again empty.
    public static let entryCountMax = 10_000
    /// A kept caller is looked up again after this long, whatever the notices: the backstop for
    /// a listening connection that died without the listener knowing (a half-open TCP
    /// connection shows nothing until the system's keepalive gives up on it).
    public static let entryAgeMax: Duration = .seconds(60)

    private let listener: PostgresListener
    private let state = Mutex(State())

    private struct State {
        var principals: [[UInt8]: (principal: Principal, kept: ContinuousClock.Instant)] = [:]
        /// Moves on every notice, so that an answer read before one is not kept after it.
        var generation = 0
        /// The listener connection the kept answers were read under.
        var connection = 0
        var lastPayload = ""
    }

    /// A moment of the cache, taken before a key is looked up, to keep the answer under.
    public struct Ticket: Sendable {
        fileprivate let generation: Int
        fileprivate let connection: Int
    }

    /// Starts listening for notices on a connection of its own.
    public init(conninfo: String) {
        listener = PostgresListener(conninfo: conninfo, channels: [Self.channel])
        let notifications = listener.notifications
        Task { [weak self] in
            for await notice in notifications { self?.dropAll(notice.payload) }
        }
    }

    /// Waits until notices can arrive (the cache serves nothing before).
    public func waitUntilListening(timeoutMs: Int = 5_000) async -> Bool {
        await listener.waitUntilListening(timeoutMs: timeoutMs)
    }

    /// Notices received so far (each dropped every kept caller).
    public var noticeCount: Int { state.withLock { $0.generation } }

    /// The payload of the last notice received (the trigger's are empty): notices arrive in
    /// commit order, so once a notice with a payload of one's own has arrived, so has every
    /// notice committed before it.
    public var lastNoticePayload: String { state.withLock { $0.lastPayload } }

    /// Callers kept now.
    public var keptCount: Int { state.withLock { $0.principals.count } }

    /// Stops listening; the cache then serves nothing.
    public func stop() {
        listener.stop()
    }

    deinit {
        listener.stop()
    }

    /// The caller kept for the key with this hash, if any.
    func principal(forKeyHash hash: [UInt8]) -> Principal? {
        guard let connection = currentConnection else { return nil }
        return state.withLock { state in
            // Kept under a newer connection than this caller saw: not for it. Under an older one:
            // notices may have been lost in between, so nothing kept then counts.
            if connection < state.connection { return nil }
            if connection > state.connection {
                state.principals.removeAll()
                state.connection = connection
            }
            guard let entry = state.principals[hash], entry.kept.duration(to: .now) < Self.entryAgeMax else { return nil }
            return entry.principal
        }
    }

    /// Taken before the lookup; nil when nothing may be kept (not listening).
    func ticket() -> Ticket? {
        guard let connection = currentConnection else { return nil }
        return state.withLock { Ticket(generation: $0.generation, connection: connection) }
    }

    /// Keeps a looked-up caller, unless a notice came (or the listener reconnected) since the
    /// ticket was taken: the lookup may have read the key before the change.
    func keep(_ principal: Principal, forKeyHash hash: [UInt8], _ ticket: Ticket) {
        state.withLock { state in
            guard state.generation == ticket.generation, currentConnection == ticket.connection, state.connection <= ticket.connection
            else { return }
            if state.connection < ticket.connection {
                state.principals.removeAll()
                state.connection = ticket.connection
            }
            if state.principals.count >= Self.entryCountMax { state.principals.removeAll() }
            state.principals[hash] = (principal, .now)
        }
    }

    private func dropAll(_ payload: String) {
        state.withLock { state in
            state.principals.removeAll()
            state.generation += 1
            state.lastPayload = payload
        }
    }

    private var currentConnection: Int? {
        listener.isListening ? listener.listeningConnectionCount : nil
    }
}
