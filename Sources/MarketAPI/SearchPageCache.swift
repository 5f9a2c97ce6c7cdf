import Hummingbird
import Synchronization

/// Encoded pages of public listing searches, each kept with the search generation it was
/// computed at (`ListingStore.listingSearchGeneration`, Schema/0007 and 0008).
///
/// A public search is a function of its parameters and of what the database holds, and the
/// generation moves on, in the same transaction, with every change to what a search can show.
/// So a page encoded at generation n is byte for byte the page a new search would encode while
/// the database still reads n: the route reads the generation (one row, from PostgreSQL, on
/// every request) and answers from here only when it matches. Nothing is served from memory
/// that the database has moved past, whichever server made the change. Pages a caller's key
/// decides (drafts, withdrawn listings) never come here.
public final class SearchPageCache: Sendable {
    /// Pages kept by default; the oldest goes first.
    public static let entryCountMaxDefault = 1_024
    /// All pages together stay under this many bytes (a page of 100 long listings is ~150 KB).
    public static let byteCountMax = 64 << 20
    /// A page past this is answered but not kept: it would push out too many others.
    public static let pageByteCountMax = byteCountMax / 16
    /// The most pages `--search-pages` may ask for.
    public static let entryCountLimit = 100_000
    /// Evicted keys at the front of the insertion order are dropped in one go once there are
    /// this many and they are half of it.
    static let evictedKeysCompactedMin = 1_024

    public let entryCountMax: Int

    private struct State {
        var generation: Int64?
        var pages: [String: ByteBuffer] = [:]
        /// Keys in the order they were stored, for evicting the oldest; those before `oldest` are gone.
        var order: [String] = []
        var oldest = 0
        var byteCount = 0

        mutating func evictOldest() {
            byteCount -= pages.removeValue(forKey: order[oldest])?.readableBytes ?? 0
            oldest += 1
            if oldest > SearchPageCache.evictedKeysCompactedMin && oldest * 2 > order.count {
                order.removeFirst(oldest)
                oldest = 0
            }
        }
    }

    private let state = Mutex(State())

    /// Pages being computed, by key: the requests that miss the same page at the same generation
    /// while it is computed wait for that one search instead of each running their own (right
    /// after a change every kept page is gone, and many connections ask for the same few).
    private let computing = Mutex([String: (generation: Int64, task: Task<ByteBuffer, any Error>)]())

    public init(entryCountMax: Int = SearchPageCache.entryCountMaxDefault) {
        self.entryCountMax = entryCountMax
    }

    /// The page for `key` at `generation`: the one kept, the one being computed, or `compute()`'s,
    /// which is then kept.
    func page(
        for key: String, generation: Int64, compute: @escaping @Sendable () async throws -> ByteBuffer
    ) async throws -> ByteBuffer {
        if let page = page(for: key, generation: generation) { return page }
        let task = computing.withLock { computing in
            if let running = computing[key], running.generation == generation { return running.task }
            let task = Task {
                defer { self.finished(key, generation: generation) }
                let page = try await compute()
                self.store(page, for: key, generation: generation)
                return page
            }
            computing[key] = (generation, task)
            return task
        }
        return try await task.value
    }

    private func finished(_ key: String, generation: Int64) {
        computing.withLock { computing in
            if computing[key]?.generation == generation { computing[key] = nil }
        }
    }

    /// The page stored for `key` at exactly `generation`.
    func page(for key: String, generation: Int64) -> ByteBuffer? {
        state.withLock { state in state.generation == generation ? state.pages[key] : nil }
    }

    /// Keeps `page` for `key`. Generations are compared only for equality (Schema/0008 makes
    /// each one a fresh random value): a page of another generation than the pages held drops
    /// them all. A late page of a generation the database has already left is then held in
    /// their place until the next store, but no request can use it: every lookup is at the
    /// generation the database reads now.
    func store(_ page: ByteBuffer, for key: String, generation: Int64) {
        guard entryCountMax > 0, page.readableBytes <= Self.pageByteCountMax else { return }
        state.withLock { state in
            if generation != state.generation { state = State(generation: generation) }
            guard state.pages[key] == nil else { return }
            while state.oldest < state.order.count
                && (state.pages.count >= entryCountMax || state.byteCount + page.readableBytes > Self.byteCountMax)
            {
                state.evictOldest()
            }
            state.pages[key] = page
            state.order.append(key)
            state.byteCount += page.readableBytes
        }
    }

    /// Pages held now (for tests).
    var count: Int { state.withLock { $0.pages.count } }
}
