import Foundation
import HTTPTypes
@testable import MarketAPI
import Testing

/// Each caller's token bucket and in-progress count: one key over its limit gets 429 with
/// `Retry-After` while another is served, and the callers tracked never exceed their limit.
@Suite struct FairUseTests {
    let start = ContinuousClock.now
    let firm = FairUse.Caller(authorization: "Bearer tmk_firm_key_0000000000", clientAddress: "10.0.0.1")
    let provider = FairUse.Caller(authorization: "Bearer tmk_provider_key_000000", clientAddress: "10.0.0.1")

    @Test func aBurstPastTheBucketIsRefusedUntilItRefills() {
        let fairUse = FairUse(FairUseLimits(concurrentMax: 10, ratePerSecond: 2, burstMax: 3))
        for _ in 0..<3 {
            #expect(fairUse.admit(firm, at: start) == nil)
            fairUse.finish(firm)
        }
        let refusal = fairUse.admit(firm, at: start)
        #expect(refusal?.status == .tooManyRequests)
        #expect(refusal?.code == "rate_limited")
        #expect(refusal?.headers[.retryAfter] == "1")
        #expect(fairUse.admit(provider, at: start) == nil, "another key is not starved")
        #expect(fairUse.admit(firm, at: start + .milliseconds(500)) == nil, "one token back after 1/rate s")
    }

    /// A caller is its key as authentication reads it: another spelling of the header is the same
    /// caller, and a header that holds no well-formed key counts against the client's address, so
    /// made-up headers make no new callers.
    @Test func aCallerIsItsKeyHoweverSpelledAndMadeUpHeadersAreItsAddress() {
        let key = "tmk_firm_key_0000000000"
        #expect(FairUse.Caller(authorization: "bearer   \(key)", clientAddress: "10.0.0.2") == firm)
        #expect(FairUse.Caller(authorization: "BEARER \(key) ", clientAddress: "10.0.0.3") == firm)
        let address = FairUse.Caller(authorization: nil, clientAddress: "10.0.0.9")
        for junk in ["Bearer x1", "Basic abc", "Bearer tmk_?", "token"] {
            #expect(FairUse.Caller(authorization: junk, clientAddress: "10.0.0.9") == address, "\(junk)")
        }
    }

    @Test func requestsInProgressAreLimitedPerCaller() {
        let fairUse = FairUse(FairUseLimits(concurrentMax: 2, ratePerSecond: 100, burstMax: 100))
        #expect(fairUse.admit(firm, at: start) == nil)
        #expect(fairUse.admit(firm, at: start) == nil)
        #expect(fairUse.admit(firm, at: start)?.code == "too_many_concurrent_requests")
        #expect(fairUse.admit(provider, at: start) == nil)
        fairUse.finish(firm)
        #expect(fairUse.admit(firm, at: start) == nil, "a finished request frees its place")
    }

    @Test func theCallersTrackedStayWithinTheirLimit() {
        let fairUse = FairUse(FairUseLimits(concurrentMax: 1, ratePerSecond: 1, burstMax: 5, trackedCallerCountMax: 3))
        for index in 0..<50 {
            let caller = FairUse.Caller(authorization: nil, clientAddress: "10.0.1.\(index)")
            #expect(fairUse.admit(caller, at: start + .milliseconds(index)) == nil, "a new caller is tracked in place of an idle one")
            fairUse.finish(caller)
            #expect(fairUse.trackedCallerCount <= 3)
        }
        // Three callers with a request in progress each: a fourth is refused, not tracked.
        let busy = (0..<3).map { FairUse.Caller(authorization: "Bearer tmk_busy_key_000000000\($0)", clientAddress: nil) }
        for caller in busy { #expect(fairUse.admit(caller, at: start + .seconds(10)) == nil) }
        let refusal = fairUse.admit(FairUse.Caller(authorization: "Bearer tmk_late_key_0000000000", clientAddress: nil), at: start + .seconds(10))
        #expect(refusal?.code == "too_many_callers")
        #expect(fairUse.trackedCallerCount == 3)
    }

    @Test func theAPIAnswers429WithRetryAfterToOneKeyAndServesAnother() async throws {
        let keys = try DemoKeys.load()
        // Eight requests at once against a burst of two and one a second: however slowly a busy
        // machine answers them, at most two and one more a second pass, so some are refused.
        try await withAPI(fairUse: FairUseLimits(concurrentMax: 100, ratePerSecond: 1, burstMax: 2)) { api, _ in
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<8 { group.addTask { try await api.send(.get, "/v1/me", key: keys.firm) } }
                return try await group.reduce(into: [Reply]()) { $0.append($1) }
            }
            #expect(replies.filter { $0.status == .ok }.count >= 2, "the burst passes")
            let refused = try #require(replies.first { $0.status != .ok }, "no request was refused")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.problemCode == "rate_limited")
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(try await api.send(.get, "/v1/me", key: keys.provider).status == .ok, "the firm's flood does not starve the provider")
        }
    }
}
