import Foundation
import Market
import Testing

/// Every voucher refusal and its boundaries, on facts built by hand: no database.
@Suite struct VoucherRulesTests {
    static let deqing = RegionCode("330521")!
    static let huzhou = RegionCode("330500")!
    static let zhejiang = RegionCode("330000")!
    static let songjiang = RegionCode("310117")!
    static let useBy = Day("2026-12-31")!
    static let claimBy = Day("2027-03-31")!
    static let epoch = Date(timeIntervalSince1970: 0)

    static func program(remainingFen: Int64 = 1_000_000_00, honours: Honours = .own, shareBasisPoints: Int = 5_000) -> VoucherProgram {
        VoucherProgram(
            id: ProgramID(1), issuerRegion: deqing,
            terms: ProgramTerms(
                year: 2026, name: "德清县创新券", budgetFen: 1_000_000_00, shareBasisPoints: shareBasisPoints, firmCapFen: 300_000_00,
                groupCapFen: 500_000_00, useBy: useBy, claimBy: claimBy, honours: honours),
            issuedFen: 1_000_000_00 - remainingFen, remainingFen: remainingFen, createdAt: epoch)
    }

    static func party(_ id: Int64, _ kind: PartyKind, in region: RegionCode, group: String? = nil) -> Party {
        Party(
            id: PartyID(id), handle: "p\(id)", kind: kind, name: "参与方\(id)", nameEn: nil, regionCode: region, creditCode: nil, groupCode: group,
            createdAt: epoch)
    }

    static func issuance(
        firm: Party = party(3, .firm, in: deqing), ancestry: [RegionCode] = [deqing, huzhou, zhejiang], firmIssuedFen: Int64 = 0,
        groupIssuedFen: Int64 = 0, remainingFen: Int64 = 1_000_000_00, today: Day = Day("2026-06-01")!
    ) -> VoucherRules.IssuanceFacts {
        VoucherRules.IssuanceFacts(
            program: program(remainingFen: remainingFen), firm: firm, firmAncestry: ancestry, firmIssuedFen: firmIssuedFen,
            groupIssuedFen: groupIssuedFen, today: today)
    }

    /// "ok", or the refusal's code.
    static func outcome(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "ok"
        } catch let refusal as any Refusal {
            return refusal.code
        } catch {
            return "\(error)"
        }
    }

    @Test func issuanceRefusalsAndTheirBoundaries() {
        func issue(_ face: Int64, _ facts: VoucherRules.IssuanceFacts) -> String {
            Self.outcome { try VoucherRules.checkIssuance(faceValueFen: face, facts) }
        }
        #expect(issue(100_00, Self.issuance()) == "ok")
        #expect(issue(0, Self.issuance()) == "invalid_parameter")
        #expect(issue(ProgramTerms.amountFenMax + 1, Self.issuance()) == "invalid_parameter")
        #expect(issue(100_00, Self.issuance(firm: Self.party(3, .provider, in: Self.deqing))) == "not_a_firm")
        #expect(issue(100_00, Self.issuance(firm: Self.party(3, .firm, in: Self.songjiang), ancestry: [Self.songjiang])) == "firm_not_in_region")
        // The use-by day itself still issues; the day after does not.
        #expect(issue(100_00, Self.issuance(today: Self.useBy)) == "ok")
        #expect(issue(100_00, Self.issuance(today: Day("2027-01-01")!)) == "program_closed")
        // The budget and the caps: reached exactly is allowed, one fen more is refused with the numbers.
        #expect(issue(5_000_00, Self.issuance(remainingFen: 5_000_00)) == "ok")
        #expect(issue(5_000_01, Self.issuance(remainingFen: 5_000_00)) == "program_budget_exceeded")
        #expect(issue(100_000_00, Self.issuance(firmIssuedFen: 200_000_00)) == "ok")
        #expect(issue(100_000_01, Self.issuance(firmIssuedFen: 200_000_00)) == "firm_cap_exceeded")
        let grouped = Self.party(3, .firm, in: Self.deqing, group: "moganshan")
        #expect(issue(100_000_00, Self.issuance(firm: grouped, groupIssuedFen: 400_000_00)) == "ok")
        #expect(issue(100_000_01, Self.issuance(firm: grouped, groupIssuedFen: 400_000_00)) == "group_cap_exceeded")
        // A firm in no group is not held to the group cap.
        #expect(issue(100_000_01, Self.issuance(groupIssuedFen: 400_000_00)) == "ok")
        do {
            try VoucherRules.checkIssuance(faceValueFen: 100_000_01, Self.issuance(firmIssuedFen: 200_000_00))
            Issue.record("the cap should refuse")
        } catch let refusal as VoucherRefusal {
            #expect(refusal.values == ["issuedFen": 200_000_00, "capFen": 300_000_00, "requestedFen": 100_000_01])
            #expect(refusal.detail == "the firm has ¥200,000.00 of vouchers this year; the cap is ¥300,000.00")
        } catch {
            Issue.record("\(error)")
        }
    }

    static func voucher(remainingFen: Int64 = 100_000_00) -> Voucher {
        Voucher(
            id: VoucherID(9), number: "330521-2026-000009", programID: ProgramID(1), issuerRegion: deqing, firmID: PartyID(3),
            faceValueFen: 100_000_00, remainingFen: remainingFen, heldFen: 0, useBy: useBy, claimBy: claimBy, issuedAt: epoch)
    }

    static func redemption(
        provider: Party? = party(5, .provider, in: deqing), admitted: Bool = true, ancestry: [RegionCode] = [deqing, huzhou, zhejiang],
        honours: Honours = .own, alliance: Set<RegionCode> = [], remainingFen: Int64 = 100_000_00, taken: Bool = false,
        today: Day = Day("2026-06-01")!, shareBasisPoints: Int = 5_000
    ) -> VoucherRules.RedemptionFacts {
        VoucherRules.RedemptionFacts(
            voucher: voucher(remainingFen: remainingFen), program: program(honours: honours, shareBasisPoints: shareBasisPoints),
            provider: provider, providerAdmitted: admitted, providerAncestry: ancestry, allianceMembers: alliance, contractTaken: taken,
            today: today)
    }

    static func request(contract: Int64 = 10_000_00, voucher: Int64 = 5_000_00, own: Int64 = 5_000_00) -> RedemptionRequest {
        RedemptionRequest(providerID: PartyID(5), contractReference: "SJT-1", contractAmountFen: contract, voucherAmountFen: voucher, ownPaymentFen: own)
    }

    @Test func redemptionRefusalsAndTheirBoundaries() {
        func redeem(_ request: RedemptionRequest = Self.request(), _ facts: VoucherRules.RedemptionFacts = Self.redemption()) -> String {
            Self.outcome { try VoucherRules.checkRedemption(request, facts) }
        }
        #expect(redeem() == "ok")
        #expect(redeem(Self.request(), Self.redemption(today: Self.useBy)) == "ok")
        #expect(redeem(Self.request(), Self.redemption(today: Day("2027-01-01")!)) == "voucher_expired")
        #expect(redeem(Self.request(), Self.redemption(provider: nil)) == "provider_not_admitted")
        #expect(redeem(Self.request(), Self.redemption(provider: Self.party(5, .firm, in: Self.deqing))) == "provider_not_admitted")
        #expect(redeem(Self.request(), Self.redemption(admitted: false)) == "provider_not_admitted")
        // Honoured regions: the issuer's own (and below), an alliance's members, or a list.
        let lab = Self.party(5, .provider, in: Self.songjiang)
        #expect(redeem(Self.request(), Self.redemption(provider: lab, ancestry: [Self.songjiang])) == "provider_region_not_honoured")
        #expect(redeem(Self.request(), Self.redemption(provider: lab, ancestry: [Self.songjiang], honours: .alliance("g60"), alliance: [Self.songjiang])) == "ok")
        #expect(redeem(Self.request(), Self.redemption(provider: lab, ancestry: [Self.songjiang], honours: .list([Self.songjiang]))) == "ok")
        // The share is rounded down to the fen: 50% of 101 fen is at most 50 fen.
        #expect(redeem(Self.request(contract: 101, voucher: 50, own: 51)) == "ok")
        #expect(redeem(Self.request(contract: 101, voucher: 51, own: 50)) == "exceeds_program_share")
        #expect(redeem(Self.request(contract: 100, voucher: 33, own: 67), Self.redemption(shareBasisPoints: 3_333)) == "ok")
        #expect(redeem(Self.request(contract: 100, voucher: 34, own: 66), Self.redemption(shareBasisPoints: 3_333)) == "exceeds_program_share")
        // The voucher's remaining value: all of it, and nothing left.
        #expect(redeem(Self.request(), Self.redemption(remainingFen: 5_000_00)) == "ok")
        #expect(redeem(Self.request(), Self.redemption(remainingFen: 4_999_99)) == "exceeds_voucher_remaining")
        #expect(redeem(Self.request(contract: 2, voucher: 1, own: 1), Self.redemption(remainingFen: 0)) == "exceeds_voucher_remaining")
        // The firm pays the rest itself, at least.
        #expect(redeem(Self.request(contract: 10_000_00, voucher: 5_000_00, own: 4_999_99)) == "own_payment_too_small")
        #expect(redeem(Self.request(contract: 10_000_00, voucher: 4_000_00, own: 7_000_00)) == "ok")
        #expect(redeem(Self.request(), Self.redemption(taken: true)) == "contract_already_redeemed")
    }

    static func heldRedemption(_ status: Redemption.Status, claimBy: Day? = Self.claimBy) -> Redemption {
        var redemption = Redemption(
            id: RedemptionID(20), voucherNumber: "330521-2026-000009", voucherID: VoucherID(9), firmID: PartyID(3), providerID: PartyID(5),
            providerRegion: deqing, issuerRegion: deqing, request: request(), status: status, evidence: [], reason: nil, settlementID: nil,
            createdAt: epoch, updatedAt: epoch)
        redemption.claimBy = claimBy
        return redemption
    }

    @Test func claimsAndDecisionsFollowTheLifecycleAndTheClaimByDay() {
        #expect(Self.outcome { try VoucherRules.checkClaim(Self.heldRedemption(.held), today: Self.claimBy) } == "ok")
        #expect(Self.outcome { try VoucherRules.checkClaim(Self.heldRedemption(.held), today: Day("2027-04-01")!) } == "claim_period_over")
        for status in Redemption.Status.allCases where status != .held {
            #expect(Self.outcome { try VoucherRules.checkClaim(Self.heldRedemption(status), today: Self.claimBy) } == "invalid_transition")
        }
        for status in Redemption.Status.allCases {
            for approve in [true, false] {
                let expected = status == .claimed ? "ok" : "invalid_transition"
                #expect(Self.outcome { try VoucherRules.checkDecision(Self.heldRedemption(status), approve: approve) } == expected, "\(status)")
            }
        }
        #expect(Self.outcome { try VoucherRules.checkEvidence([]) } == "invalid_parameter")
        #expect(Self.outcome { try VoucherRules.checkEvidence(Array(repeating: "发票", count: VoucherRules.evidenceCountMax)) } == "ok")
        #expect(Self.outcome { try VoucherRules.checkEvidence(Array(repeating: "发票", count: VoucherRules.evidenceCountMax + 1)) } == "invalid_parameter")
        #expect(Self.outcome { try VoucherRules.checkReason("资料不全\n请补充") } == "ok")
        #expect(Self.outcome { try VoucherRules.checkReason("") } == "invalid_parameter")
    }

    @Test func voucherNumbersRunPerRegionAndYearToTheirLastSerial() throws {
        #expect(try VoucherLedger.voucherNumber(issuer: Self.deqing, year: 2026, after: 0) == "330521-2026-000001")
        #expect(try VoucherLedger.voucherNumber(issuer: Self.deqing, year: 2026, after: 998) == "330521-2026-000999")
        #expect(try VoucherLedger.voucherNumber(issuer: Self.deqing, year: 2026, after: 999_998) == "330521-2026-999999")
        #expect(throws: VoucherRefusal.voucherNumbersExhausted(issuer: Self.deqing, year: 2026)) {
            try VoucherLedger.voucherNumber(issuer: Self.deqing, year: 2026, after: 999_999)
        }
        #expect(VoucherLedger.payableShard(VoucherID(17)) == 1)
        #expect(Set((1...64).map { VoucherLedger.payableShard(VoucherID($0)) }).count == Int(VoucherLedger.payableShardCount))
    }
}
