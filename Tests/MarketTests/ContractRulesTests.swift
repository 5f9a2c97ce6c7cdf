import Foundation
import Market
import Testing

/// The registration rules with no database: numbers, the registry's checks, and what each act
/// does to the state and to the volume.
@Suite struct ContractRulesTests {
    static let deqing = RegionCode("330521")!
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let seller = ContractParty(partyID: PartyID(1), name: "中科卫星应用德清研究院", creditCode: "123305214416538244", regionCode: deqing)
    static let buyer = ContractParty(partyID: PartyID(2), name: "德清县莫干智能装备有限公司", creditCode: "91330521MA4YE7238T", regionCode: deqing)

    static func draft(
        type: ContractType = .service, totalFen: Int64 = 500_000_00, costs: [CostLine] = [], subject: String? = nil,
        seller: ContractParty = seller, buyer: ContractParty = buyer
    ) -> ContractDraft {
        ContractDraft(
            type: type, title: "遥感影像解译服务", seller: seller, buyer: buyer, fieldCode: "geographic_information", totalFen: totalFen,
            costLines: costs, signedOn: Day("2026-11-02")!, source: .direct, listingID: nil, subject: subject)
    }

    static func registered(_ draft: ContractDraft = draft()) throws -> Contract {
        try ContractRules.registerDirectly(
            draft, id: ContractID(9), number: "2026330521000001", region: deqing, today: Day("2026-12-04")!, missing: [], by: .regulator, at: now).0
    }

    /// "ok" or the refusal's code.
    static func outcome(_ body: () throws -> Void) -> String { AccessPolicyTests.outcome(body) }

    @Test func numbersAreYearRegionAndASixDigitSerialUntilTheSerialsRunOut() throws {
        #expect(try ContractRules.registrationNumber(region: Self.deqing, year: 2026, after: 122) == "2026330521000123")
        #expect(try ContractRules.registrationNumber(region: Self.deqing, year: 2026, after: 0) == "2026330521000001")
        #expect(try ContractRules.registrationNumber(region: Self.deqing, year: 2026, after: 999_998) == "2026330521999999")
        #expect(Self.outcome { _ = try ContractRules.registrationNumber(region: Self.deqing, year: 2026, after: 999_999) } == "registration_numbers_exhausted")
        #expect(ContractRules.isRegistrationNumber("2026330521000123"))
        #expect(!ContractRules.isRegistrationNumber("2026-330521-000123"))
    }

    @Test func theRegistryChecksCodesPartiesAmountsAndType() {
        func check(_ draft: ContractDraft, missing: Set<PartyID> = []) -> String {
            Self.outcome {
                _ = try ContractRules.registerDirectly(
                    draft, id: ContractID(1), number: "2026330521000001", region: Self.deqing, today: Day("2026-12-04")!, missing: missing,
                    by: .regulator, at: Self.now)
            }
        }
        var noCode = Self.buyer
        noCode.creditCode = nil
        var badCode = Self.buyer
        badCode.creditCode = "91330521MA4YE7238U"
        var sameEntity = Self.buyer
        sameEntity.creditCode = Self.seller.creditCode?.lowercased()
        #expect(check(Self.draft()) == "ok")
        #expect(check(Self.draft(buyer: noCode)) == "credit_code_missing")
        #expect(check(Self.draft(buyer: badCode)) == "credit_code_invalid")
        #expect(check(Self.draft(), missing: [PartyID(2)]) == "party_unknown")
        #expect(check(Self.draft(buyer: sameEntity)) == "seller_is_buyer")
        // 0 ≤ technology amount ≤ total: costs up to the total, never past it.
        #expect(check(Self.draft(totalFen: 100, costs: [CostLine(kind: .equipment, amountFen: 60), CostLine(kind: .parts, amountFen: 40)])) == "ok")
        #expect(check(Self.draft(totalFen: 100, costs: [CostLine(kind: .equipment, amountFen: 60), CostLine(kind: .parts, amountFen: 41)]))
            == "costs_exceed_total")
        #expect(check(Self.draft(totalFen: 100, costs: [CostLine(kind: .rawMaterials, amountFen: .max), CostLine(kind: .parts, amountFen: .max)]))
            == "costs_exceed_total")
        // A transfer or licence names the technology it covers.
        #expect(check(Self.draft(type: .transfer)) == "subject_required")
        #expect(check(Self.draft(type: .licence, subject: "CN202110123456.7")) == "ok")
        #expect(check(Self.draft(type: .consulting)) == "ok")
    }

    @Test func aDirectRegistrationsFieldsAreCheckedBeforeAnyDatabase() {
        func fields(_ draft: ContractDraft) -> [String] {
            do {
                try ContractRules.checkDirect(draft)
                return []
            } catch {
                return error.fieldIssues.map(\.field)
            }
        }
        #expect(fields(Self.draft()) == [])
        #expect(fields(Self.draft(totalFen: 0)) == ["totalFen"])
        #expect(fields(Self.draft(costs: [CostLine(kind: .equipment, amountFen: 0)])) == ["nonTechnicalCosts[0].amountFen"])
        #expect(fields(Self.draft(costs: Array(repeating: CostLine(kind: .equipment, amountFen: 1), count: 21))) == ["nonTechnicalCosts"])
        #expect(fields(Self.draft(subject: "")) == ["subject"])
    }

    @Test func eachActMovesTheStateAndTheVolumeByWhatItRegisters() throws {
        let first = try Self.registered(Self.draft(totalFen: 1_000, costs: [CostLine(kind: .instruments, amountFen: 200)]))
        #expect(first.status == .registered && first.registeredTechnologyFen == 800 && first.registration?.revision == 0)
        // A change waits, counting as before, until it is registered again under the same number.
        let (changed, changeVersion) = try ContractRules.change(
            first, to: ContractTerms(title: first.terms.title, totalFen: 1_500, costLines: []), reason: "增加服务内容", by: .firm, at: Self.now)
        #expect(changed.status == .changed && changed.registeredTechnologyFen == 800 && changeVersion.countedDeltaFen == 0)
        #expect(changeVersion.registration == nil && changed.version == 2)
        // New terms whose costs pass their total are refused: the technology amount cannot go below 0.
        #expect(Self.outcome {
            _ = try ContractRules.change(
                first, to: ContractTerms(title: first.terms.title, totalFen: 500, costLines: [CostLine(kind: .equipment, amountFen: 501)]),
                reason: "改为设备采购", by: .firm, at: Self.now)
        } == "costs_exceed_total")
        let (again, againVersion) = try ContractRules.register(
            changed, declaredCosts: nil, number: nil, region: Self.deqing, today: Day("2027-01-05")!, by: .regulator, at: Self.now)
        #expect(again.registration?.number == "2026330521000001" && again.registration?.revision == 1)
        #expect(again.registration?.registeredOn == Day("2027-01-05")! && again.registration?.firstRegisteredOn == Day("2026-12-04")!)
        #expect(againVersion.countedDeltaFen == 700 && again.registeredTechnologyFen == 1_500)
        // A termination takes out what was counted, and keeps the number with the next revision.
        let (ended, endVersion) = try ContractRules.terminate(again, reason: "合同解除", region: Self.deqing, today: Day("2027-03-01")!, by: .regulator, at: Self.now)
        #expect(ended.status == .terminated && ended.registeredTechnologyFen == 0 && endVersion.countedDeltaFen == -1_500)
        #expect(ended.registration?.revision == 2 && ended.version == 4)
        #expect(Self.outcome { _ = try ContractRules.terminate(ended, reason: "再次", region: Self.deqing, today: Day("2027-03-01")!, by: .regulator, at: Self.now) }
            == "invalid_transition")
        #expect(Self.outcome { _ = try ContractRules.register(first, declaredCosts: nil, number: nil, region: Self.deqing, today: Day("2027-01-05")!, by: .regulator, at: Self.now) }
            == "invalid_transition")
    }

    @Test func aDealsSignedContractIsRegisteredWithTheCostsItsSellerDeclares() throws {
        var deal = Self.draft(type: .licence, totalFen: 2_000)
        deal.listingID = ListingID(3)
        deal.source = .offer(7)
        let (signed, version) = ContractRules.signed(deal, id: ContractID(5), at: Self.now)
        #expect(signed.status == .signed && signed.registration == nil && version.byRole == nil && version.act == .signed)
        let (registered, registration) = try ContractRules.register(
            signed, declaredCosts: [CostLine(kind: .equipment, amountFen: 500, note: "服务器")], number: "2026330521000002", region: Self.deqing,
            today: Day("2026-12-04")!, by: .regulator, at: Self.now)
        #expect(registered.terms.technologyFen == 1_500 && registration.countedDeltaFen == 1_500 && registered.version == 2)
        #expect(Self.outcome {
            _ = try ContractRules.register(
                signed, declaredCosts: [CostLine(kind: .equipment, amountFen: 2_001)], number: "2026330521000002", region: Self.deqing,
                today: Day("2026-12-04")!, by: .regulator, at: Self.now)
        } == "costs_exceed_total")
        // A deal's draft with no costs, as the offers area builds it.
        #expect(ContractDraft(
            type: .licence, title: "t", seller: Self.seller, buyer: Self.buyer, fieldCode: "other", totalFen: 10, nonTechnicalCostFen: 0,
            signedOn: Day("2026-12-04")!, source: .offer(1), listingID: ListingID(1)).costLines.isEmpty)
    }
}
