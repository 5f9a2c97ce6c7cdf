import Foundation
import HTTPTypes
import Market
import Testing
import TestSupport

@Suite struct PartiesAPITests {
    let keys: DemoKeys

    init() throws { keys = try DemoKeys.load() }

    func newParty(creditCode: String?, handle: String = "songjiang-lab-2") -> [String: Any] {
        var body: [String: Any] = [
            "handle": handle, "kind": "provider", "name": "松江检测服务有限公司", "regionCode": "310117",
        ]
        body["creditCode"] = creditCode
        return body
    }

    @Test func adminsRegisterParticipantsWithCheckedCreditCodes() async throws {
        let keys = keys
        // 91310117MA1J3XXXX: computed with GB 32100-2015 weights; the last character is the check.
        let valid = try validCode(prefix: "91310117MA1J3K8P2")
        try await withAPI { api, _ in
            let created = try await api.send(.post, "/v1/parties", key: keys.admin, json: newParty(creditCode: valid))
            #expect(created.status == .created, "\(created.text)")
            #expect(created.object["creditCode"] as? String == valid)
            let id = try #require(created.object["id"] as? Int)
            #expect(try await api.send(.get, "/v1/parties/\(id)").object["handle"] as? String == "songjiang-lab-2")

            var wrong = Array(valid)
            wrong[17] = wrong[17] == "0" ? "1" : "0"
            let refused = try await api.send(.post, "/v1/parties", key: keys.admin, json: newParty(creditCode: String(wrong), handle: "other-lab"))
            #expect(refused.status == .badRequest)
            #expect(refused.errorFields == ["creditCode"])
            #expect(refused.text.contains("check character"), "\(refused.text)")

            let missing = try await api.send(.post, "/v1/parties", key: keys.admin, json: newParty(creditCode: nil, handle: "third-lab"))
            #expect(missing.errorFields == ["creditCode"])
            let again = try await api.send(.post, "/v1/parties", key: keys.admin, json: newParty(creditCode: valid, handle: "fourth-lab"))
            #expect(again.status == .conflict)
            #expect(again.problemCode == "duplicate_credit_code")

            for (name, key, status) in [("anonymous", nil, 401), ("firm", keys.firm, 403), ("regulator", keys.regulator, 403)] as [(String, String?, Int)] {
                let reply = try await api.send(.post, "/v1/parties", key: key, json: newParty(creditCode: valid, handle: "fifth-lab"))
                #expect(Int(reply.status.code) == status, "\(name)")
            }
        }
    }

    @Test func theDirectoryPagesAndMeNamesTheCaller() async throws {
        let keys = keys
        try await withAPI { api, _ in
            var seen: [Int] = []
            var cursor: String?
            repeat {
                let page = try await api.send(.get, "/v1/parties?limit=5" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(page.status == .ok)
                seen += page.items.map { $0["id"] as? Int ?? 0 }
                cursor = page.object["nextCursor"] as? String
            } while cursor != nil
            #expect(seen == seen.sorted() && Set(seen).count == seen.count && seen.count > 10)
            let institutions = try await api.send(.get, "/v1/parties?kind=institution&limit=100")
            #expect(institutions.items.count > 1)
            #expect(institutions.items.allSatisfy { $0["kind"] as? String == "institution" })

            let me = try await api.send(.get, "/v1/me", key: keys.regulator)
            #expect(me.object["role"] as? String == "regulator")
            #expect((me.object["party"] as? [String: Any])?["kind"] as? String == "regulator")
            #expect(me.object["regionCode"] is String)
            let admin = try await api.send(.get, "/v1/me", key: keys.admin)
            #expect(admin.object["party"] is NSNull)
            #expect(try await api.send(.get, "/v1/me").status == .unauthorized)
            #expect(try await api.send(.get, "/v1/me", headers: [.authorization: "Basic abc"]).status == .unauthorized)
        }
    }

    /// A code with the right check character for its first 17.
    func validCode(prefix: String) throws -> String {
        for check in "0123456789ABCDEFGHJKLMNPQRTUWXY" {
            if let code = try? SocialCreditCode(prefix + String(check)) { return code.value }
        }
        throw SocialCreditCode.Problem.wrongLength(prefix.count)
    }
}
