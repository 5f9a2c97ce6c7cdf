import Foundation
import HTTPTypes
import Ledger
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

@Suite struct VouchersAPITests {
    let keys: DemoKeys

    init() throws { keys = try DemoKeys.load() }

    static func idempotency(_ key: String = UUID().uuidString) -> HTTPFields { [HTTPField.Name("Idempotency-Key")!: key] }

    /// Serials are six digits: past 999999 in a region's year issuance is refused by name, not
    /// left to the table's check as a "number taken".
    @Test func aRegionThatUsedEverySerialOfTheYearIsRefused() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let programs = try await api.send(.get, "/v1/voucher-programs", key: keys.regulator)
            let programID = try #require(programs.items.first { $0["issuerRegion"] as? String == "330521" }?["id"] as? Int)
            let firmID = try #require((try await api.send(.get, "/v1/me", key: keys.firm).object["party"] as? [String: Any])?["id"] as? Int)
            let body: [String: Any] = ["firmId": firmID, "faceValueFen": 100_00]
            let first = try await api.send(.post, "/v1/voucher-programs/\(programID)/vouchers", key: keys.regulator, json: body, headers: Self.idempotency())
            let number = try #require(first.object["number"] as? String)
            try await pool.withConnection { connection in
                _ = try connection.query("UPDATE vouchers SET number = left(number, 12) || '999999' WHERE number = $1", number)
            }
            let refused = try await api.send(.post, "/v1/voucher-programs/\(programID)/vouchers", key: keys.regulator, json: body, headers: Self.idempotency())
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(refused.object["code"] as? String == "voucher_numbers_exhausted")
        }
    }

    /// The README's cross-region story: a Deqing regulator issues, the firm redeems at a
    /// Songjiang lab, the lab claims, the regulator approves, a settlement batch lists it, and
    /// the ledger verifies clean.
    @Test func aDeqingFirmPaysASongjiangLabAndTheRegionSettles() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let programs = try await api.send(.get, "/v1/voucher-programs", key: keys.regulator)
            #expect(programs.status == .ok, "\(programs.text)")
            let program = try #require(programs.items.first { $0["issuerRegion"] as? String == "330521" })
            let programID = try #require(program["id"] as? Int)
            let firm = try await api.send(.get, "/v1/me", key: keys.firm).object["party"] as? [String: Any]
            let firmID = try #require(firm?["id"] as? Int)
            let lab = try #require(try await api.send(.get, "/v1/me", key: keys.provider).object["party"] as? [String: Any])
            let labID = try #require(lab["id"] as? Int)

            let issued = try await api.send(
                .post, "/v1/voucher-programs/\(programID)/vouchers", key: keys.regulator, json: ["firmId": firmID, "faceValueFen": 50_000_00],
                headers: Self.idempotency())
            #expect(issued.status == .created, "\(issued.text)")
            let number = try #require(issued.object["number"] as? String)
            #expect(issued.object["remainingFen"] as? Int == 50_000_00)

            let redeemKey = Self.idempotency()
            let redemptionBody: [String: Any] = [
                "providerId": labID, "contractReference": "SJT-TEST-1", "contractAmountFen": 60_000_00, "voucherAmountFen": 30_000_00,
                "ownPaymentFen": 30_000_00,
            ]
            let redeemed = try await api.send(.post, "/v1/vouchers/\(number)/redemptions", key: keys.firm, json: redemptionBody, headers: redeemKey)
            #expect(redeemed.status == .created, "\(redeemed.text)")
            // A retry replays the kept answer, byte for byte.
            let redeemedAgain = try await api.send(.post, "/v1/vouchers/\(number)/redemptions", key: keys.firm, json: redemptionBody, headers: redeemKey)
            #expect(redeemedAgain.status == .created && redeemedAgain.body == redeemed.body, "\(redeemedAgain.text)")
            #expect(redeemed.object["status"] as? String == "held")
            let redemptionID = try #require(redeemed.object["id"] as? Int)
            // Each answer is built from what was written; it must be what a read shows.
            func readBack(_ key: String) async throws -> NSDictionary {
                try await api.send(.get, "/v1/redemptions/\(redemptionID)", key: key).object as NSDictionary
            }
            #expect(try await readBack(keys.firm) == redeemed.object as NSDictionary, "\(redeemed.text)")
            let held = try await api.send(.get, "/v1/vouchers/\(number)", key: keys.firm)
            #expect(held.object["remainingFen"] as? Int == 20_000_00)
            #expect(held.object["heldFen"] as? Int == 30_000_00)

            let claimed = try await api.send(.post, "/v1/redemptions/\(redemptionID)/claim", key: keys.provider, json: ["evidence": ["发票 No.1", "检测报告 R-1"]])
            #expect(claimed.object["status"] as? String == "claimed", "\(claimed.text)")
            #expect(try await readBack(keys.provider) == claimed.object as NSDictionary, "\(claimed.text)")
            let approveKey = Self.idempotency()
            let approved = try await api.send(.post, "/v1/redemptions/\(redemptionID)/approve", key: keys.regulator, headers: approveKey)
            #expect(approved.object["status"] as? String == "approved", "\(approved.text)")
            #expect(try await readBack(keys.regulator) == approved.object as NSDictionary, "\(approved.text)")
            let approvedAgain = try await api.send(.post, "/v1/redemptions/\(redemptionID)/approve", key: keys.regulator, headers: approveKey)
            #expect(approvedAgain.status == approved.status && approvedAgain.body == approved.body, "\(approvedAgain.text)")

            let settled = try await api.send(.post, "/v1/settlements", key: keys.regulator, headers: Self.idempotency())
            #expect(settled.status == .ok, "\(settled.text)")
            let batch = try #require(settled.object["batch"] as? [String: Any])
            let batchID = try #require(batch["id"] as? Int)
            let regions = (batch["regions"] as? [[String: Any]]) ?? []
            let songjiang = try #require(regions.first { $0["providerRegion"] as? String == "310117" })
            let lines = ((songjiang["providers"] as? [[String: Any]]) ?? []).flatMap { ($0["redemptions"] as? [[String: Any]]) ?? [] }
            #expect(lines.contains { $0["redemptionId"] as? Int == redemptionID && $0["amountFen"] as? Int == 30_000_00 })
            #expect(try await api.send(.get, "/v1/redemptions/\(redemptionID)", key: keys.firm).object["status"] as? String == "paid")

            // The batch reads the same later, as CSV too, and nothing is left to settle.
            let again = try await api.send(.get, "/v1/settlements/\(batchID)", key: keys.regulator)
            let totalFen = try #require(batch["totalFen"] as? Int, "\(settled.text)")
            #expect(totalFen >= 30_000_00)
            #expect(again.object["totalFen"] as? Int == totalFen)
            let csv = try await api.send(.get, "/v1/settlements/\(batchID)", key: keys.regulator, headers: [.accept: "text/csv"])
            #expect(csv.text.contains("310117") && csv.text.contains("SJT-TEST-1") && csv.text.contains("30000.00"))
            let nothing = try await api.send(.post, "/v1/settlements", key: keys.regulator, headers: Self.idempotency())
            #expect(nothing.object["batch"] is NSNull)

            // The program's report shows where its money went.
            let report = try await api.send(.get, "/v1/voucher-programs/\(programID)", key: keys.regulator)
            let flows = (report.object["flows"] as? [[String: Any]]) ?? []
            #expect(flows.contains { $0["providerRegion"] as? String == "310117" && ($0["paidFen"] as? Int ?? 0) >= 30_000_00 })

            let report2 = try await pool.withConnection { try LedgerAudit(connection: $0).verify(atMs: Int64(Date().timeIntervalSince1970 * 1000)).isClean }
            #expect(report2)
        }
    }

    @Test func everyRefusedCheckSaysWhyWithTheNumbers() async throws {
        let keys = keys
        try await withAPI { api, _ in
            let program = try #require(try await api.send(.get, "/v1/voucher-programs", key: keys.regulator).items.first { $0["issuerRegion"] as? String == "330521" })
            let programID = program["id"] as? Int ?? 0
            let firmID = try #require((try await api.send(.get, "/v1/me", key: keys.firm).object["party"] as? [String: Any])?["id"] as? Int)
            let labID = try #require((try await api.send(.get, "/v1/me", key: keys.provider).object["party"] as? [String: Any])?["id"] as? Int)
            let issued = try await api.send(
                .post, "/v1/voucher-programs/\(programID)/vouchers", key: keys.regulator, json: ["firmId": firmID, "faceValueFen": 10_000_00],
                headers: Self.idempotency())
            let number = try #require(issued.object["number"] as? String, "\(issued.text)")

            func redeem(_ contract: String, _ contractFen: Int, _ voucherFen: Int, _ ownFen: Int, provider: Int? = nil) async throws -> Reply {
                try await api.send(
                    .post, "/v1/vouchers/\(number)/redemptions", key: keys.firm,
                    json: ["providerId": provider ?? labID, "contractReference": contract, "contractAmountFen": contractFen,
                           "voucherAmountFen": voucherFen, "ownPaymentFen": ownFen],
                    headers: Self.idempotency())
            }
            let share = try await redeem("C-1", 10_000_00, 6_000_00, 4_000_00)
            #expect(share.status == .unprocessableContent)
            #expect(share.problemCode == "exceeds_program_share")
            #expect((share.object["values"] as? [String: Int])?["maxVoucherAmountFen"] == 5_000_00)
            let remaining = try await redeem("C-2", 40_000_00, 12_000_00, 28_000_00)
            #expect(remaining.problemCode == "exceeds_voucher_remaining")
            #expect((remaining.object["values"] as? [String: Int])?["remainingFen"] == 10_000_00)
            let own = try await redeem("C-3", 10_000_00, 5_000_00, 1_000_00)
            #expect(own.problemCode == "own_payment_too_small")
            #expect((own.object["values"] as? [String: Int])?["minOwnPaymentFen"] == 5_000_00)
            // A contract reference PostgreSQL could not even take (a NUL) is a 400 on the field.
            let nul = try await redeem("C-\u{0}", 10_000_00, 1_000_00, 9_000_00)
            #expect(nul.status == .badRequest, "\(nul.text)")
            #expect(nul.text.contains("contractReference"), "\(nul.text)")
            let notProvider = try await redeem("C-4", 10_000_00, 1_000_00, 9_000_00, provider: firmID)
            #expect(notProvider.problemCode == "provider_not_admitted")

            // A provider outside the G60 corridor (Shanghai, but not Songjiang).
            let outside = try await api.send(.post, "/v1/parties", key: keys.admin, json: [
                "handle": "pudong-lab", "kind": "provider", "name": "浦东检测中心", "regionCode": "310000", "creditCode": try validCreditCode("12310000MB0012345"),
            ])
            let outsideID = try #require(outside.object["id"] as? Int, "\(outside.text)")
            let region = try await redeem("C-5", 10_000_00, 1_000_00, 9_000_00, provider: outsideID)
            #expect(region.problemCode == "provider_region_not_honoured")

            #expect(try await redeem("C-6", 10_000_00, 1_000_00, 9_000_00).status == .created)
            let twice = try await redeem("C-6", 10_000_00, 1_000_00, 9_000_00)
            #expect(twice.problemCode == "contract_already_redeemed")

            // Issuance: over the firm's cap, to a firm of another region.
            let cap = try await api.send(
                .post, "/v1/voucher-programs/\(programID)/vouchers", key: keys.regulator, json: ["firmId": firmID, "faceValueFen": 300_000_00],
                headers: Self.idempotency())
            #expect(cap.problemCode == "firm_cap_exceeded", "\(cap.text)")
            let firmCapFen = try #require(program["firmCapFen"] as? Int)
            #expect((cap.object["values"] as? [String: Int])?["capFen"] == firmCapFen)
            let songjiangFirm = try #require(try await api.send(.get, "/v1/parties?kind=firm&region=310117").items.first?["id"] as? Int)
            let foreign = try await api.send(
                .post, "/v1/voucher-programs/\(programID)/vouchers", key: keys.regulator, json: ["firmId": songjiangFirm, "faceValueFen": 1_000_00],
                headers: Self.idempotency())
            #expect(foreign.problemCode == "firm_not_in_region")
            let noKey = try await api.send(
                .post, "/v1/voucher-programs/\(programID)/vouchers", key: keys.regulator, json: ["firmId": firmID, "faceValueFen": 1_000_00])
            #expect(noKey.problemCode == "idempotency_key_required")
        }
    }

    @Test func nobodyActsForAnotherParty() async throws {
        let keys = keys
        try await withAPI { api, pool in
            // A fixture redemption of another firm, held at the Songjiang lab or elsewhere.
            let store = PostgresMarketStore(pool: pool)
            let admin = Principal(keyID: 0, role: .admin, partyID: nil, regionCode: nil)
            let all = try await store.voucherService.redemptions(for: admin, status: nil)
            let firm = try #require(try await api.send(.get, "/v1/me", key: keys.firm).object["party"] as? [String: Any])
            let lab = try #require(try await api.send(.get, "/v1/me", key: keys.provider).object["party"] as? [String: Any])
            let othersVoucher = try #require(all.first { $0.firmID.value != firm["id"] as? Int64 ?? 0 && $0.issuerRegion.value == "330521" })
            let othersClaim = try #require(all.first { $0.providerID.value != lab["id"] as? Int64 ?? 0 && $0.status == .held })
            let foreignClaim = try #require(all.first { $0.issuerRegion.value != "330521" && $0.status == .claimed })

            let redeem = try await api.send(
                .post, "/v1/vouchers/\(othersVoucher.voucherNumber)/redemptions", key: keys.firm,
                json: ["providerId": lab["id"] as? Int ?? 0, "contractReference": "X-1", "contractAmountFen": 100, "voucherAmountFen": 50, "ownPaymentFen": 50],
                headers: Self.idempotency())
            #expect([403, 404].contains(Int(redeem.status.code)), "\(redeem.text)")
            let claim = try await api.send(.post, "/v1/redemptions/\(othersClaim.id)/claim", key: keys.provider, json: ["evidence": ["x"]])
            #expect([403, 404].contains(Int(claim.status.code)), "\(claim.text)")
            let approve = try await api.send(.post, "/v1/redemptions/\(foreignClaim.id)/approve", key: keys.regulator, headers: Self.idempotency())
            #expect([403, 404].contains(Int(approve.status.code)), "\(approve.text)")
            #expect(try await store.voucherService.redemption(foreignClaim.id, for: admin).status == .claimed)
            let peek = try await api.send(.get, "/v1/vouchers/\(othersVoucher.voucherNumber)", key: keys.firm)
            #expect(peek.status == .notFound)
            #expect(try await api.send(.get, "/v1/voucher-programs", key: keys.firm).status == .forbidden)
            #expect(try await api.send(.get, "/v1/voucher-programs").status == .unauthorized)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aRetryWithTheSameKeyMovesNothingTwice() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let program = try #require(try await api.send(.get, "/v1/voucher-programs", key: keys.regulator).items.first?["id"] as? Int)
            let firmID = try #require((try await api.send(.get, "/v1/me", key: keys.firm).object["party"] as? [String: Any])?["id"] as? Int)
            let body: [String: Any] = ["firmId": firmID, "faceValueFen": 1_000_00]
            let key = Self.idempotency("issue-once")
            let before = try await Self.money(api, pool, program: program, key: keys.regulator)
            let first = try await api.send(.post, "/v1/voucher-programs/\(program)/vouchers", key: keys.regulator, json: body, headers: key)
            let issued = try await Self.money(api, pool, program: program, key: keys.regulator)
            #expect(issued.transferCount == before.transferCount + 1 && issued.remainingFen == before.remainingFen - 1_000_00, "\(before) → \(issued)")
            let second = try await api.send(.post, "/v1/voucher-programs/\(program)/vouchers", key: keys.regulator, json: body, headers: key)
            // The replay moved nothing: the same transfers, the same budget left.
            #expect(try await Self.money(api, pool, program: program, key: keys.regulator) == issued)
            #expect(first.status == .created && second.status == .created)
            let number = try #require(first.object["number"] as? String, "\(first.text)")
            #expect(second.object["number"] as? String == number)
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let count = try await Self.voucherCount(pool, firm: firmID)
            let other = try await api.send(
                .post, "/v1/voucher-programs/\(program)/vouchers", key: keys.regulator, json: ["firmId": firmID, "faceValueFen": 2_000_00], headers: key)
            #expect(other.status == .unprocessableContent)
            #expect(other.problemCode == "idempotency_key_reused")
            #expect(try await Self.voucherCount(pool, firm: firmID) == count)
            #expect(try await Self.money(api, pool, program: program, key: keys.regulator) == issued)

            // A refusal is kept as the key's answer too.
            let refusedKey = Self.idempotency("too-much")
            let big: [String: Any] = ["firmId": firmID, "faceValueFen": 999_999_00]
            let refused = try await api.send(.post, "/v1/voucher-programs/\(program)/vouchers", key: keys.regulator, json: big, headers: refusedKey)
            let replay = try await api.send(.post, "/v1/voucher-programs/\(program)/vouchers", key: keys.regulator, json: big, headers: refusedKey)
            #expect(refused.status == .unprocessableContent && replay.status == refused.status, "\(refused.text) \(replay.text)")
            #expect(replay.problemCode == refused.problemCode, "\(refused.text) \(replay.text)")

            // While the first request with a key runs (its transaction holds the key's lock, and
            // here the program's row too), a second one is told so at once: it stops at the
            // claim, and waits for nothing the first one holds.
            let holder = try PostgresConnection(conninfo: database(pool))
            try holder.execute("""
                BEGIN; SELECT pg_advisory_xact_lock(idempotency_lock(api_key_id, key)) FROM idempotency_keys WHERE key = 'issue-once';
                SELECT 1 FROM voucher_programs WHERE id = \(program) FOR UPDATE
                """)
            let busy = try await api.send(.post, "/v1/voucher-programs/\(program)/vouchers", key: keys.regulator, json: body, headers: key)
            try holder.execute("ROLLBACK")
            holder.close()
            #expect(busy.status == .conflict)
            #expect(busy.problemCode == "idempotency_key_in_use")
        }
    }

    @Test func creatingAProgramFundsItOnceUnderItsKey() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let body: [String: Any] = [
                "year": 2027, "name": "德清县2027年度科技创新券", "budgetFen": 1_000_000_00, "useBy": "2028-12-31", "claimBy": "2029-03-31",
                "honours": ["kind": "list", "regions": ["310117", "330521"]],
            ]
            let missing = try await api.send(.post, "/v1/voucher-programs", key: keys.regulator, json: body)
            #expect(missing.problemCode == "idempotency_key_required")
            let key = Self.idempotency("program-2027")
            let first = try await api.send(.post, "/v1/voucher-programs", key: keys.regulator, json: body, headers: key)
            #expect(first.status == .created, "\(first.text)")
            let id = try #require(first.object["id"] as? Int)
            #expect(first.headers[.location] == "/v1/voucher-programs/\(id)")
            #expect(first.object["remainingFen"] as? Int == 1_000_000_00 && first.object["shareBasisPoints"] as? Int == 5000)
            // Funded once: one transfer of the budget under the program's id (VC·1), and nothing
            // more in the whole ledger after the retry.
            let fundedFen = try await Self.stepTransfers(pool, step: 1, object: id)
            #expect(fundedFen == [1_000_000_00])
            let transferCount = try await Self.transferCount(pool)
            let retry = try await api.send(.post, "/v1/voucher-programs", key: keys.regulator, json: body, headers: key)
            #expect(retry.status == .created && retry.object["id"] as? Int == id)
            #expect(retry.headers[.location] == "/v1/voucher-programs/\(id)")
            #expect(try await Self.transferCount(pool) == transferCount)
            #expect(try await Self.stepTransfers(pool, step: 1, object: id) == fundedFen)
            #expect(try await Self.ledgerIsClean(pool))
            let count = try await pool.withConnection {
                try $0.query("SELECT count(*) AS n FROM voucher_programs WHERE year = 2027")[0].decode("n", as: Int.self)
            }
            #expect(count == 1)
            let firm = try await api.send(.post, "/v1/voucher-programs", key: keys.firm, json: body, headers: Self.idempotency())
            #expect(firm.status == .forbidden)
        }
    }

    /// 64 redemptions against one voucher at once: exactly those that fit succeed.
    @Test func concurrentRedemptionsNeverSpendAVoucherTwice() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool(size: 8)
            let store = PostgresMarketStore(pool: pool)
            let (program, regulator, firm, provider) = try await Self.deqingProgram(store)
            let voucher = try await store.voucherService.issueVoucher(program: program, firm: firm.partyID!, faceValueFen: 100_000_00, number: nil, by: regulator, record: nil)
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<64 {
                    group.addTask {
                        do {
                            _ = try await store.voucherService.redeem(
                                voucher: voucher.number,
                                RedemptionRequest(providerID: provider, contractReference: "RACE-\(index)", contractAmountFen: 10_000_00,
                                                  voucherAmountFen: 5_000_00, ownPaymentFen: 5_000_00),
                                by: firm, record: nil)
                            return "ok"
                        } catch let refusal as VoucherRefusal {
                            return refusal.code
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "ok" }.count == 20, "\(outcomes)")
            #expect(outcomes.filter { $0 != "ok" }.allSatisfy { $0 == "exceeds_voucher_remaining" })
            let after = try await store.voucherService.voucher(number: voucher.number, for: regulator)
            #expect(after.remainingFen == 0 && after.heldFen == 100_000_00)
            #expect(try await pool.withConnection { try LedgerAudit(connection: $0).verify(atMs: Int64(Date().timeIntervalSince1970 * 1000)).isClean })
            await pool.close()
        }
    }

    /// Redemptions at one provider on vouchers of different payable shards hold on different
    /// payable accounts, each the voucher's shard; each claim is approved on, and settled from,
    /// the account its hold credited; and the ledger stays clean.
    @Test func redemptionsAtOneProviderSpreadOverPayableShards() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool(size: 4)
            let store = PostgresMarketStore(pool: pool)
            let (program, regulator, firm, provider) = try await Self.deqingProgram(store)
            let lab = Principal(keyID: 0, role: .provider, partyID: provider, regionCode: RegionCode("310117"))
            var redemptions: [Int64] = []
            for index in 0..<2 {
                let voucher = try await store.voucherService.issueVoucher(program: program, firm: firm.partyID!, faceValueFen: 10_000_00, number: nil, by: regulator, record: nil)
                let redemption = try await store.voucherService.redeem(
                    voucher: voucher.number,
                    Self.contract("SHARD-\(index)", at: provider),
                    by: firm, record: nil)
                _ = try await store.voucherService.claim(redemption.id, evidence: ["report-\(index).pdf"], by: lab)
                _ = try await store.voucherService.decide(redemption.id, approve: true, reason: nil, by: regulator, record: nil)
                redemptions.append(redemption.id.value)
            }
            let ids = redemptions.map(String.init).joined(separator: ",")
            let batch = try #require(try await store.voucherService.settle(issuer: regulator.regionCode!, by: regulator, record: nil))
            #expect(Set(redemptions).isSubset(of: Set(batch.lines.map(\.redemptionID.value))))
            // Hold (step 3), approval (4) and settlement (6) of each redemption, with the shard of
            // the payable account its hold credited.
            let rows = try await pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT r.id, v.id % 8 AS voucher_shard, pa.shard, h.credit_account_id AS payable,
                           a.resolved_credit_account_id AS approved_on, s.debit_account_id AS settled_from
                    FROM voucher_redemptions r JOIN vouchers v ON v.id = r.voucher_id
                    JOIN ledger_transfers h ON h.id_high = $2 AND h.id_low = r.id
                    JOIN ledger_transfers a ON a.id_high = $3 AND a.id_low = r.id
                    JOIN ledger_transfers s ON s.id_high = $4 AND s.id_low = r.id
                    JOIN voucher_payable_accounts pa ON pa.account_id = h.credit_account_id
                    WHERE r.id = ANY (string_to_array($1, ',')::bigint[]) ORDER BY r.id
                    """,
                    ids, 0x5643_0000_0000_0003 as Int64, 0x5643_0000_0000_0004 as Int64,
                    0x5643_0000_0000_0006 as Int64
                ).map { row in
                    (voucherShard: try row.decode("voucher_shard", as: Int64.self), shard: try row.decode("shard", as: Int64.self),
                     payable: try row.decode("payable", as: Int64.self), approvedOn: try row.decode("approved_on", as: Int64.self),
                     settledFrom: try row.decode("settled_from", as: Int64.self))
                }
            }
            #expect(rows.count == 2)
            #expect(rows.allSatisfy { $0.shard == $0.voucherShard && $0.approvedOn == $0.payable && $0.settledFrom == $0.payable })
            #expect(Set(rows.map(\.payable)).count == 2, "consecutive vouchers are on different shards")
            #expect(try await pool.withConnection { try LedgerAudit(connection: $0).verify(atMs: Int64(Date().timeIntervalSince1970 * 1000)).isClean })
            await pool.close()
        }
    }

    /// A refusal that comes after the use case began writing — the contract's unique index,
    /// when another redemption of the contract commits while this one waits on it — is kept as
    /// the key's answer, and nothing of the refused redemption is left.
    @Test func aRefusalAfterWritesIsKeptAndItsWritesUndone() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool(size: 4)
            let store = PostgresMarketStore(pool: pool)
            let (program, regulator, firm, provider) = try await Self.deqingProgram(store, firmKeyed: true)
            let first = try await store.voucherService.issueVoucher(program: program, firm: firm.partyID!, faceValueFen: 10_000_00, number: nil, by: regulator, record: nil)
            let second = try await store.voucherService.issueVoucher(program: program, firm: firm.partyID!, faceValueFen: 10_000_00, number: nil, by: regulator, record: nil)
            let record = Self.redemptionRecord("late-refusal", for: firm)
            let request = Self.contract("LATE-1", at: provider)
            // Another redemption of the contract, written and not yet committed: the store's
            // checks cannot see it, its INSERT waits on it (the one lock wait in this test's
            // database; pg_stat_activity's query text is not reliable for pipelined statements).
            let other = try PostgresConnection(conninfo: database.conninfo)
            try other.execute("BEGIN")
            try other.query(
                """
                INSERT INTO voucher_redemptions (voucher_id, provider_id, contract_reference, contract_amount_fen, voucher_amount_fen,
                    own_payment_fen, status) VALUES ($1, $2, 'LATE-1', 200000, 100000, 100000, 'held')
                """,
                first.id.value, provider.value)
            let redeeming = Task { try await store.voucherService.redeem(voucher: second.number, request, by: firm, record: record) }
            var waiting = false
            for _ in 0..<500 where !waiting {  // up to ten seconds: the whole suite shares two cores
                try await Task.sleep(for: .milliseconds(20))
                waiting = try other.query(
                    """
                    SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                    """
                )[0].decode("n", as: Int64.self) >= 1
            }
            #expect(waiting)
            try other.execute("COMMIT")
            other.close()
            let refusal = await #expect(throws: VoucherRefusal.self) { try await redeeming.value }
            #expect(refusal?.code == "contract_already_redeemed")
            // The key answers as it first did, and nothing of the refused redemption is left.
            let replay = await #expect(throws: IdempotencyKeyAnswered.self) {
                try await store.voucherService.redeem(voucher: second.number, request, by: firm, record: record)
            }
            #expect(replay?.answer == .replay(StoredResponse(status: 422, body: "contract_already_redeemed")))
            let voucher = try await store.voucherService.voucher(number: second.number, for: regulator)
            #expect(voucher.remainingFen == 10_000_00 && voucher.heldFen == 0)
            let rows = try await pool.withConnection { connection in
                try connection.query("SELECT count(*) AS n FROM voucher_redemptions WHERE voucher_id = $1", second.id.value)[0].decode("n", as: Int.self)
            }
            #expect(rows == 0)
            await pool.close()
        }
    }

    /// A key left 'running' by a claim that was committed apart from its use case (as before
    /// Schema/0012) is in progress while that version's transaction holds its row, and once it
    /// does not, is taken over by the next request with the key, which answers it; its retry
    /// then replays that answer.
    @Test func aKeyLeftRunningIsTakenOver() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool(size: 2)
            let store = PostgresMarketStore(pool: pool)
            let (program, regulator, firm, provider) = try await Self.deqingProgram(store, firmKeyed: true)
            let voucher = try await store.voucherService.issueVoucher(program: program, firm: firm.partyID!, faceValueFen: 10_000_00, number: nil, by: regulator, record: nil)
            try await pool.withConnection { connection in
                _ = try connection.query(
                    "INSERT INTO idempotency_keys (api_key_id, key, request_hash, state, token) VALUES ($1, 'left-running', 'old', 'running', 'dead')",
                    firm.keyID)
            }
            let record = Self.redemptionRecord("left-running", for: firm)
            let request = Self.contract("RUN-1", at: provider)
            // While an earlier version's transaction holds the row, its request is still running.
            let holder = try PostgresConnection(conninfo: database.conninfo)
            try holder.execute("BEGIN; SELECT 1 FROM idempotency_keys WHERE key = 'left-running' FOR UPDATE")
            let busy = await #expect(throws: IdempotencyKeyAnswered.self) {
                try await store.voucherService.redeem(voucher: voucher.number, request, by: firm, record: record)
            }
            #expect(busy?.answer == .inProgress)
            try holder.execute("ROLLBACK")
            holder.close()
            let redemption = try await store.voucherService.redeem(voucher: voucher.number, request, by: firm, record: record)
            let replay = await #expect(throws: IdempotencyKeyAnswered.self) {
                try await store.voucherService.redeem(voucher: voucher.number, request, by: firm, record: record)
            }
            #expect(replay?.answer == .replay(StoredResponse(status: 201, body: "redemption \(redemption.id)")))
            await pool.close()
        }
    }

    /// 64 issuances against one small program at once: the budget is never exceeded.
    @Test func concurrentIssuancesNeverExceedTheBudget() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool(size: 8)
            let store = PostgresMarketStore(pool: pool)
            let (_, regulator, firm, _) = try await Self.deqingProgram(store)
            let small = try await store.voucherService.createProgram(
                ProgramTerms(year: 2026, name: "小额测试计划", budgetFen: 100_000_00, firmCapFen: 10_000_000_00, groupCapFen: 10_000_000_00,
                             useBy: Day("2099-12-31")!, claimBy: Day("2099-12-31")!, honours: .own),
                by: regulator)
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        do {
                            _ = try await store.voucherService.issueVoucher(program: small.id, firm: firm.partyID!, faceValueFen: 5_000_00, number: nil, by: regulator, record: nil)
                            return "ok"
                        } catch let refusal as VoucherRefusal {
                            return refusal.code
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "ok" }.count == 20, "\(outcomes)")
            #expect(outcomes.filter { $0 != "ok" }.allSatisfy { $0 == "program_budget_exceeded" })
            #expect(try await store.voucherService.program(small.id, for: regulator).program.remainingFen == 0)
            #expect(try await pool.withConnection { try LedgerAudit(connection: $0).verify(atMs: Int64(Date().timeIntervalSince1970 * 1000)).isClean })
            await pool.close()
        }
    }

    @Test func sweepLapsesUnclaimedHoldsOnceAndReturnsTheirAmounts() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool()
            let store = PostgresMarketStore(pool: pool)
            let admin = Principal(keyID: 0, role: .admin, partyID: nil, regionCode: nil)
            let held = try await store.voucherService.redemptions(for: admin, status: .held)
            #expect(!held.isEmpty)
            let before = try await store.voucherService.voucher(number: held[0].voucherNumber, for: admin)
            #expect(try await store.voucherService.sweep(today: Day.today()) == 0)
            let lapsed = try await store.voucherService.sweep(today: Day("2099-01-01")!)
            #expect(lapsed == held.count)
            #expect(try await store.voucherService.sweep(today: Day("2099-01-01")!) == 0)
            let after = try await store.voucherService.voucher(number: held[0].voucherNumber, for: admin)
            #expect(after.remainingFen == before.remainingFen + held.filter { $0.voucherNumber == held[0].voucherNumber }.reduce(0) { $0 + $1.request.voucherAmountFen })
            #expect(try await store.voucherService.redemptions(for: admin, status: .lapsed).count == held.count)
            #expect(try await pool.withConnection { try LedgerAudit(connection: $0).verify(atMs: Int64(Date().timeIntervalSince1970 * 1000)).isClean })
            await pool.close()
        }
    }

    @Test func aRejectionAnswersWhatAReadAndReturnsTheAmount() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool()
            let store = PostgresMarketStore(pool: pool)
            let admin = Principal(keyID: 0, role: .admin, partyID: nil, regionCode: nil)
            let claimed = try #require(try await store.voucherService.redemptions(for: admin, status: .claimed).first)
            let regulator = Principal(keyID: 0, role: .regulator, partyID: nil, regionCode: claimed.issuerRegion)
            let before = try await store.voucherService.voucher(number: claimed.voucherNumber, for: admin)
            let amountFen = claimed.request.voucherAmountFen
            #expect(amountFen > 0 && before.heldFen >= amountFen)
            let rejected = try await store.voucherService.decide(claimed.id, approve: false, reason: "发票与合同不符", by: regulator, record: nil)
            #expect(rejected.status == .rejected && rejected.reason == "发票与合同不符")
            #expect(try await store.voucherService.redemption(claimed.id, for: admin) == rejected)
            // The hold is voided (VC·5, of the held amount): the amount is the voucher's again.
            let after = try await store.voucherService.voucher(number: claimed.voucherNumber, for: admin)
            #expect(after.remainingFen == before.remainingFen + amountFen && after.heldFen == before.heldFen - amountFen, "\(before) → \(after)")
            #expect(try await Self.stepTransfers(pool, step: 5, object: Int(claimed.id.value)) == [amountFen])
            #expect(try await Self.stepTransfers(pool, step: 4, object: Int(claimed.id.value)).isEmpty)
            #expect(try await Self.ledgerIsClean(pool))
            await pool.close()
        }
    }

    /// 16 issuances with one Idempotency-Key at once: one issues, each other one replays its
    /// answer or is told the key is in use; one voucher and one transfer come of them.
    @Test(.timeLimit(.minutes(1))) func sixteenRequestsWithOneKeyAtOnceHaveOneEffect() async throws {
        let keys = keys
        try await withAPI { api, pool in
            let program = try #require(try await api.send(.get, "/v1/voucher-programs", key: keys.regulator).items.first?["id"] as? Int)
            let firmID = try #require((try await api.send(.get, "/v1/me", key: keys.firm).object["party"] as? [String: Any])?["id"] as? Int)
            let body: [String: Any] = ["firmId": firmID, "faceValueFen": 1_000_00]
            let key = Self.idempotency("sixteen-at-once")
            let before = try await Self.money(api, pool, program: program, key: keys.regulator)
            let vouchersBefore = try await Self.voucherCount(pool, firm: firmID)
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        try await api.send(
                            .post, "/v1/voucher-programs/\(program)/vouchers", key: keys.regulator, json: ["firmId": firmID, "faceValueFen": 1_000_00],
                            headers: key)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let replayed = HTTPField.Name("Idempotent-Replayed")!
            let fresh = replies.filter { $0.status == .created && $0.headers[replayed] == nil }
            #expect(fresh.count == 1, "\(replies.map { "\($0.status.code) \($0.text)" })")
            let number = try #require(fresh.first?.object["number"] as? String)
            for reply in replies where reply.headers[replayed] != nil || reply.status != .created {
                let replay = reply.status == .created && reply.headers[replayed] == "true" && reply.body == fresh[0].body
                let busy = reply.status == .conflict && reply.problemCode == "idempotency_key_in_use"
                #expect(replay || busy, "\(reply.status.code) \(reply.text)")
            }
            #expect(try await Self.voucherCount(pool, firm: firmID) == vouchersBefore + 1)
            let after = try await Self.money(api, pool, program: program, key: keys.regulator)
            #expect(after.transferCount == before.transferCount + 1 && after.remainingFen == before.remainingFen - 1_000_00, "\(before) → \(after)")
            // Once every request is over, the key replays its one answer.
            let retry = try await api.send(.post, "/v1/voucher-programs/\(program)/vouchers", key: keys.regulator, json: body, headers: key)
            #expect(retry.status == .created && retry.object["number"] as? String == number && retry.headers[replayed] == "true")
            #expect(try await Self.ledgerIsClean(pool))
        }
    }

    /// What a money-moving request could change: the ledger's transfer count and the program's
    /// remaining budget, as the API reports it.
    struct Money: Equatable, CustomStringConvertible {
        var transferCount: Int
        var remainingFen: Int
        var description: String { "\(transferCount) transfers, \(remainingFen) fen left" }
    }

    static func money(_ api: APIClient, _ pool: PostgresPool, program: Int, key: String) async throws -> Money {
        let report = try await api.send(.get, "/v1/voucher-programs/\(program)", key: key)
        let remainingFen = try #require(report.object["remainingFen"] as? Int, "\(report.text)")
        return Money(transferCount: try await transferCount(pool), remainingFen: remainingFen)
    }

    /// How many transfers the ledger holds.
    static func transferCount(_ pool: PostgresPool) async throws -> Int {
        try await pool.withConnection { try $0.query("SELECT count(*) AS n FROM ledger_transfers")[0].decode("n", as: Int.self) }
    }

    /// The vouchers issued to a firm.
    static func voucherCount(_ pool: PostgresPool, firm: Int) async throws -> Int {
        try await pool.withConnection { try $0.query("SELECT count(*) AS n FROM vouchers WHERE firm_id = $1", Int64(firm))[0].decode("n", as: Int.self) }
    }

    /// The amounts of the transfers of one voucher step (docs/vouchers.md: "VC" and the step in
    /// the high half of the id) for one business object, as resolved (a void's is its hold's).
    static func stepTransfers(_ pool: PostgresPool, step: UInt64, object: Int) async throws -> [Int64] {
        let high = Int64(bitPattern: 0x5643_0000_0000_0000 | step)
        return try await pool.withConnection { connection in
            try connection.query("SELECT resolved_amount_fen FROM ledger_transfers WHERE id_high = $1 AND id_low = $2", high, Int64(object))
                .map { try $0.decode("resolved_amount_fen", as: Int64.self) }
        }
    }

    /// Whether the ledger verifies clean now.
    static func ledgerIsClean(_ pool: PostgresPool) async throws -> Bool {
        try await pool.withConnection { try LedgerAudit(connection: $0).verify(atMs: Int64(Date().timeIntervalSince1970 * 1000)).isClean }
    }

    /// A ¥2,000 service contract at `provider`, half of it paid with the voucher.
    static func contract(_ reference: String, at provider: PartyID) -> RedemptionRequest {
        RedemptionRequest(providerID: provider, contractReference: reference, contractAmountFen: 2_000_00, voucherAmountFen: 1_000_00, ownPaymentFen: 1_000_00)
    }

    /// An Idempotency-Key of `firm`'s for a redemption: an answer is kept as "redemption ID", a
    /// refusal of the voucher rules as its code.
    static func redemptionRecord(_ key: String, for firm: Principal) -> IdempotencyRecord<Redemption> {
        IdempotencyRecord(
            apiKeyID: firm.keyID, key: key, request: Array("the request".utf8),
            render: { StoredResponse(status: 201, body: "redemption \($0.id)") },
            renderRefusal: { ($0 as? VoucherRefusal).map { StoredResponse(status: 422, body: $0.code) } })
    }

    /// The conninfo of the database a test pool is on.
    func database(_ pool: PostgresPool) -> String { pool.configuration.conninfo }

    /// The Deqing program, its regulator, a Deqing firm and the Songjiang lab. The principals have
    /// no API key (id 0) unless `firmKeyed`, when the firm gets one of its own, as an
    /// Idempotency-Key's owner must.
    static func deqingProgram(_ store: PostgresMarketStore, firmKeyed: Bool = false) async throws -> (ProgramID, Principal, Principal, PartyID) {
        let regulatorParty = try #require(try await store.party(handle: "deqing-kjj"))
        let regulator = Principal(keyID: 0, role: .regulator, partyID: regulatorParty.id, regionCode: regulatorParty.regionCode)
        let firmParty = try #require(try await store.parties(PartyQuery(kind: .firm, regionCode: RegionCode("330521"), limit: 100)).first { $0.groupCode == nil })
        var firm = Principal(keyID: 0, role: .firm, partyID: firmParty.id, regionCode: firmParty.regionCode)
        if firmKeyed {
            firm.keyID = try await store.issueKey(role: .firm, party: firmParty.id, label: "the firm's test key").info.id
        }
        let lab = try #require(try await store.party(handle: "songjiang-testlab"))
        let program = try #require(try await store.voucherService.programs(for: regulator).first)
        return (program.program.id, regulator, firm, lab.id)
    }

    func validCreditCode(_ prefix: String) throws -> String {
        for check in "0123456789ABCDEFGHJKLMNPQRTUWXY" {
            if let code = try? SocialCreditCode(prefix + String(check)) { return code.value }
        }
        throw SocialCreditCode.Problem.wrongLength(prefix.count)
    }
}

extension PostgresMarketStore {
    /// The voucher use cases on this store.
    var voucherService: VoucherService<PostgresMarketStore> { VoucherService(store: self) }
}
