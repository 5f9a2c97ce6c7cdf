import Foundation
import HTTPTypes
import Hummingbird
import Market
import Synchronization

/// How much one caller may ask of the server at once and over time, so that one API key cannot
/// starve the others of connections, threads or the database pool.
///
/// A caller is the API key it sends, read as authentication reads it (so no other spelling of the
/// header is another caller), when the key is well formed; else its client address, so that a
/// client cannot make itself new callers by sending made-up headers. The limit is checked before
/// the key is looked up. Anonymous callers behind one proxy therefore share one bucket.
public struct FairUseLimits: Sendable, Equatable {
    /// Requests one caller may have in progress at once.
    public var concurrentMax: Int
    /// Requests one caller may make per second, sustained: the rate its bucket refills at.
    public var ratePerSecond: Int
    /// Requests one caller may make at once above that rate: the size of its bucket.
    public var burstMax: Int
    /// Callers tracked at once. A caller whose bucket is full and who has nothing in progress is
    /// the same as one never seen, so those are dropped first; then the least recently seen idle one.
    public var trackedCallerCountMax: Int

    public static let concurrentMaxDefault = 8
    public static let ratePerSecondDefault = 50
    public static let burstMaxDefault = 100
    public static let trackedCallerCountMaxDefault = 10_000
    /// The largest any of them may be set to.
    public static let settingLimit = 1_000_000

    public init(
        concurrentMax: Int = Self.concurrentMaxDefault, ratePerSecond: Int = Self.ratePerSecondDefault,
        burstMax: Int = Self.burstMaxDefault, trackedCallerCountMax: Int = Self.trackedCallerCountMaxDefault
    ) {
        precondition(concurrentMax > 0 && ratePerSecond > 0 && burstMax > 0 && trackedCallerCountMax > 0, "fair-use limits must be positive")
        self.concurrentMax = concurrentMax
        self.ratePerSecond = ratePerSecond
        self.burstMax = burstMax
        self.trackedCallerCountMax = trackedCallerCountMax
    }
}

/// The token buckets and in-progress counts of the callers seen lately; bounded by
/// `FairUseLimits.trackedCallerCountMax`.
public final class FairUse: Sendable {
    /// Who a request counts against: a hash of its key or of its client address.
    public struct Caller: Hashable, Sendable {
        let hash: Int

        /// The caller of a request: its well-formed bearer key, else its client address.
        public init(authorization: String?, clientAddress: String?) {
            var hasher = Hasher()
            if let key = authorization.flatMap(BearerKey.parse), APIKeyText.isWellFormed(key) {
                hasher.combine("key")
                hasher.combine(key)
            } else {
                hasher.combine("address")
                hasher.combine(clientAddress ?? "")
            }
            hash = hasher.finalize()
        }
    }

    private struct Bucket {
        var tokens: Double
        var refilledAt: ContinuousClock.Instant
        var inProgress = 0
    }

    /// How long a full table of busy callers refuses newcomers without looking again: a sweep
    /// scans every tracked caller, and it is the same while they stay busy.
    public static let fullTableRecheckMs = 100

    private struct State {
        var buckets: [Caller: Bucket] = [:]
        /// Until then a full table refuses a new caller without sweeping.
        var fullUntil: ContinuousClock.Instant?
    }

    public let limits: FairUseLimits
    private let state = Mutex(State())

    public init(_ limits: FairUseLimits) {
        self.limits = limits
    }

    /// Callers tracked now, for tests.
    public var trackedCallerCount: Int { state.withLock { $0.buckets.count } }

    /// Counts a request against `caller`, or the 429 problem that refuses it. An admitted request
    /// must be ended with `finish(_:)`.
    public func admit(_ caller: Caller, at now: ContinuousClock.Instant = .now) -> Problem? {
        let limits = limits
        return state.withLock { state -> Problem? in
            if state.buckets[caller] == nil && state.buckets.count >= limits.trackedCallerCountMax {
                if let fullUntil = state.fullUntil, now < fullUntil { return Self.tooManyCallers(limits) }
                Self.evict(from: &state.buckets, at: now, limits: limits)
                guard state.buckets.count < limits.trackedCallerCountMax else {
                    state.fullUntil = now + .milliseconds(Self.fullTableRecheckMs)
                    return Self.tooManyCallers(limits)
                }
            }
            var bucket = state.buckets[caller] ?? Bucket(tokens: Double(limits.burstMax), refilledAt: now)
            Self.refill(&bucket, at: now, limits: limits)
            defer { state.buckets[caller] = bucket }
            guard bucket.inProgress < limits.concurrentMax else {
                return Self.refusal(
                    code: "too_many_concurrent_requests",
                    detail: "at most \(limits.concurrentMax) requests of one caller may be in progress at once", retryAfterSeconds: 1)
            }
            guard bucket.tokens >= 1 else {
                let waitSeconds = (1 - bucket.tokens) / Double(limits.ratePerSecond)
                return Self.refusal(
                    code: "rate_limited", detail: "at most \(limits.ratePerSecond) requests per second of one caller, \(limits.burstMax) at once",
                    retryAfterSeconds: max(1, Int(waitSeconds.rounded(.up))))
            }
            bucket.tokens -= 1
            bucket.inProgress += 1
            return nil
        }
    }

    /// Ends a request that `admit` let through.
    public func finish(_ caller: Caller) {
        state.withLock { state in
            guard var bucket = state.buckets[caller] else { return }
            bucket.inProgress = max(0, bucket.inProgress - 1)
            state.buckets[caller] = bucket
            if bucket.inProgress == 0 { state.fullUntil = nil }
        }
    }

    private static func refill(_ bucket: inout Bucket, at now: ContinuousClock.Instant, limits: FairUseLimits) {
        let elapsed = now - bucket.refilledAt
        guard elapsed > .zero else { return }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        bucket.tokens = min(Double(limits.burstMax), bucket.tokens + seconds * Double(limits.ratePerSecond))
        bucket.refilledAt = now
    }

    /// Drops every caller that is the same as a new one (full bucket, nothing in progress); if
    /// none is, the least recently seen caller with nothing in progress.
    private static func evict(from buckets: inout [Caller: Bucket], at now: ContinuousClock.Instant, limits: FairUseLimits) {
        buckets = buckets.filter { _, bucket in
            var refilled = bucket
            refill(&refilled, at: now, limits: limits)
            return bucket.inProgress > 0 || refilled.tokens < Double(limits.burstMax)
        }
        guard buckets.count >= limits.trackedCallerCountMax else { return }
        // `refilledAt` is when the caller was last seen: every admission refills first.
        let oldestIdle = buckets.filter { $0.value.inProgress == 0 }.min { $0.value.refilledAt < $1.value.refilledAt }
        if let oldestIdle { buckets[oldestIdle.key] = nil }
    }

    private static func tooManyCallers(_ limits: FairUseLimits) -> Problem {
        refusal(
            code: "too_many_callers", detail: "the server is tracking \(limits.trackedCallerCountMax) busy callers; try again shortly",
            retryAfterSeconds: 1)
    }

    private static func refusal(code: String, detail: String, retryAfterSeconds: Int) -> Problem {
        var problem = Problem(status: .tooManyRequests, code: code, title: "Too many requests", detail: detail)
        problem.headers[.retryAfter] = String(retryAfterSeconds)
        return problem
    }
}

/// Applies `FairUse` to every request before its route runs: a request over its caller's limit
/// is answered 429 with `Retry-After`, and reaches neither the key store nor the database.
struct FairUseMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let fairUse: FairUse

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let caller = FairUse.Caller(authorization: request.headers[.authorization], clientAddress: context.clientAddress)
        if let refusal = fairUse.admit(caller) { throw refusal }
        defer { fairUse.finish(caller) }
        return try await next(request, context)
    }
}
