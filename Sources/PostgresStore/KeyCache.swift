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

        /// Whether what is kept may serve, or take, an answer read under listener `connection`:
        /// not when it is older than the kept answers' (this caller looked before a reconnect);
        /// a newer one drops them (notices may have been lost in between).
        mutating func follow(_ connection: Int) -> Bool {
            if connection < self.connection { return false }
            if connection > self.connection {
                principals.removeAll()
                self.connection = connection
            }
            return true
        }
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

    /// What the cache has for a key: its caller, or a ticket to keep the caller under once
    /// looked up (nil when nothing may be kept: not listening).
    enum Lookup {
        case kept(Principal)
        case missed(Ticket?)
    }

    func lookup(keyHash hash: [UInt8]) -> Lookup {
        guard let connection = currentConnection else { return .missed(nil) }
        return state.withLock { state in
            guard state.follow(connection) else { return .missed(nil) }
            if let entry = state.principals[hash], entry.kept.duration(to: .now) < Self.entryAgeMax { return .kept(entry.principal) }
            return .missed(Ticket(generation: state.generation, connection: connection))
        }
    }

    /// Keeps a looked-up caller, unless a notice came (or the listener reconnected) since the
    /// ticket was taken: the lookup may have read the key before the change.
    func keep(_ principal: Principal, forKeyHash hash: [UInt8], _ ticket: Ticket) {
        state.withLock { state in
            guard state.generation == ticket.generation, currentConnection == ticket.connection, state.follow(ticket.connection) else { return }
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
