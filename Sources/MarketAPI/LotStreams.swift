import Foundation
import Market
import Synchronization

/// One event as a stream writes it (`id:`, `event:`, `data:` and a blank line), encoded once
/// for every watcher.
struct EncodedLotEvent: Sendable {
    let sequence: Int64
    let isClose: Bool
    let text: String

    init(_ event: LotEvent) throws {
        sequence = event.sequence
        isClose = event.kind == .closed
        let data = String(decoding: try AppRequestContext.jsonEncoder.encode(event), as: UTF8.self)
        text = "id: \(event.sequence)\nevent: \(event.kind.rawValue)\ndata: \(data)\n\n"
    }
}

/// What a lot's live stream hears from the server's hub.
enum LotStreamItem: Sendable {
    /// Events committed, in order (a watcher skips those it has sent and repairs a gap from the record).
    case events([EncodedLotEvent])
    /// Nothing came for a while: the stream writes a comment line, so that proxies keep it open.
    case heartbeat
}

/// The server's live streams of lots (`GET /v1/lots/{id}/events`): one hub per server. A ring of
/// the lots' bell (a commit, on this server or another) makes one read of that lot's new events,
/// whatever the number of watchers, and hands them to every watcher of the lot in memory. Each
/// heartbeat also reads the watched lots' new events, so that a lost notice (a reconnecting
/// listener) or a server with no bell costs latency, never an event.
final class LotStreams<Store: AuctionStore>: Sendable {
    struct Watch: Sendable {
        let lotID: LotID
        let token: Int
        let items: AsyncStream<LotStreamItem>
    }

    private struct State {
        var watchers: [LotID: [Int: AsyncStream<LotStreamItem>.Continuation]] = [:]
        /// The last sequence handed to a lot's watchers.
        var delivered: [LotID: Int64] = [:]
        var nextToken = 0
        var count = 0
    }

    private let auctions: AuctionService<Store>
    private let state = Mutex(State())
    private let heartbeatMs: Int

    /// A stream's buffer: past it the oldest items are dropped, and the watcher reads the gap from the record.
    static var bufferedItemsMax: Int { 256 }

    init(auctions: AuctionService<Store>, bell: (any LotEventBell)?, heartbeatMs: Int = AuctionLimits.streamHeartbeatSeconds * 1_000) {
        self.auctions = auctions
        self.heartbeatMs = heartbeatMs
        if let bell {
            let rings = bell.rings
            Task { [weak self] in
                for await ring in rings {
                    guard let self else { return }
                    await self.deliver(ring.lotID, after: ring.firstSequence - 1)
                }
            }
        }
        Task { [weak self, heartbeatMs] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(heartbeatMs))
                guard let self else { return }
                await self.beat()
            }
        }
    }

    /// Starts watching a lot; nil when the server serves its most streams already.
    func watch(_ lotID: LotID, after sequence: Int64) -> Watch? {
        let (items, continuation) = AsyncStream<LotStreamItem>.makeStream(bufferingPolicy: .bufferingNewest(Self.bufferedItemsMax))
        let token: Int? = state.withLock { state in
            guard state.count < AuctionLimits.streamWatchersMax else { return nil }
            state.nextToken += 1
            state.count += 1
            state.watchers[lotID, default: [:]][state.nextToken] = continuation
            if state.delivered[lotID] == nil { state.delivered[lotID] = sequence }
            return state.nextToken
        }
        guard let token else { return nil }
        continuation.onTermination = { [weak self] _ in self?.end(lotID, token) }
        return Watch(lotID: lotID, token: token, items: items)
    }

    /// A watcher read the record up to `sequence`: the next delivery starts after it.
    func caughtUp(_ lotID: LotID, to sequence: Int64) {
        state.withLock { state in
            guard state.watchers[lotID] != nil else { return }
            state.delivered[lotID] = max(state.delivered[lotID] ?? 0, sequence)
        }
    }

    /// Watchers now.
    var watcherCount: Int { state.withLock { $0.count } }

    func end(_ lotID: LotID, _ token: Int) {
        let continuation: AsyncStream<LotStreamItem>.Continuation? = state.withLock { state in
            guard let removed = state.watchers[lotID]?.removeValue(forKey: token) else { return nil }
            state.count -= 1
            if state.watchers[lotID]?.isEmpty == true {
                state.watchers[lotID] = nil
                state.delivered[lotID] = nil
            }
            return removed
        }
        continuation?.finish()
    }

    /// Reads the lot's events after `after` (or after what was handed out already) and hands them to its watchers.
    private func deliver(_ lotID: LotID, after: Int64) async {
        guard let from = state.withLock({ state in state.watchers[lotID] == nil ? nil : state.delivered[lotID] ?? after }) else { return }
        guard let read = try? await auctions.events(of: lotID, after: from, limit: AuctionLimits.eventsPerReadMax), let last = read.last,
              let events = try? read.map(EncodedLotEvent.init)
        else { return }
        let continuations = state.withLock { state -> [AsyncStream<LotStreamItem>.Continuation] in
            state.delivered[lotID] = max(state.delivered[lotID] ?? 0, last.sequence)
            return Array((state.watchers[lotID] ?? [:]).values)
        }
        for continuation in continuations { continuation.yield(.events(events)) }
    }

    private func beat() async {
        let lots = state.withLock { state in state.watchers.keys.map { ($0, state.delivered[$0] ?? 0) } }
        for (lotID, delivered) in lots { await deliver(lotID, after: delivered) }
        let continuations = state.withLock { state in state.watchers.values.flatMap(\.values) }
        for continuation in continuations { continuation.yield(.heartbeat) }
    }
}
