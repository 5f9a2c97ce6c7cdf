import Foundation
import Testing
import TestSupport

/// Refusals are worded for what they refuse: a redemption is not a listing, and a query that
/// names an unknown parameter is told the known ones.
@Suite struct RefusalWordingTests {
    let keys: DemoKeys

    init() throws { keys = try DemoKeys.load() }

    @Test func aRedemptionRefusalNamesARedemption() async throws {
        let keys = keys
        try await withAPI { api, _ in
            let approved = try await api.send(.get, "/v1/redemptions?status=approved", key: keys.provider)
            let id = try #require(approved.items.first?["id"] as? Int, "the demo provider has an approved redemption")
            let again = try await api.send(.post, "/v1/redemptions/\(id)/claim", key: keys.provider, json: ["evidence": ["INV-1"]])
            #expect(again.status == .conflict, "\(again.text)")
            #expect(again.problemCode == "invalid_transition")
            #expect(again.object["detail"] as? String == "an approved redemption cannot be claimed", "\(again.text)")
        }
    }

    @Test func anUnknownParameterIsToldTheKnownOnes() async throws {
        let keys = keys
        try await withAPI { api, _ in
            let reply = try await api.send(.get, "/v1/vouchers?x=1", key: keys.admin)
            #expect(reply.status == .badRequest)
            #expect(reply.object["detail"] as? String == "x: is not a known parameter (known: limit, cursor)", "\(reply.text)")
        }
    }
}
