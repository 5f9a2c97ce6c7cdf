import Foundation
import LedgerTestSupport
import Market
import Postgres
import PostgresStore
import Testing
import TestSupport

/// A deliberately naive model of the voucher scheme — a program's budget and cap, vouchers'
/// remaining and held values, redemptions' states — written from DOMAIN.md without the rules'
/// code, driven step by step beside `VoucherService` on PostgreSQL with seeded random workloads:
/// every answer (done, or the refusal's code) and every balance after every step must agree.
/// `TEST_SEED=n swift test --filter VoucherModelTests` replays one seed.
@Suite struct VoucherModelTests {
    static let stepsPerSeed = 150
    /// The day after the modelled program's claim-by day.
    static let sweepDay = Day("2028-04-01")!

    struct Model {
        var budgetRemainingFen: Int64
        let firmCapFen: Int64
        let shareBasisPoints: Int64
        var firmIssuedFen: [PartyID: Int64] = [:]
        var vouchers: [(number: String, firm: PartyID, remainingFen: Int64, heldFen: Int64)] = []
        var redemptions: [(id: RedemptionID, voucher: Int, provider: PartyID, contract: String, amountFen: Int64, status: Redemption.Status)] = []

        mutating func issue(firm: PartyID, faceValueFen: Int64) -> String {
            if faceValueFen <= 0 { return "invalid_parameter" }
            if faceValueFen > budgetRemainingFen { return "program_budget_exceeded" }
            if firmIssuedFen[firm, default: 0] + faceValueFen > firmCapFen { return "firm_cap_exceeded" }
            budgetRemainingFen -= faceValueFen
            firmIssuedFen[firm, default: 0] += faceValueFen
            return "ok"
        }

        func redeem(voucher index: Int, provider: PartyID, honoured: Bool, _ request: RedemptionRequest) -> String {
            if request.voucherAmountFen > request.contractAmountFen { return "invalid_parameter" }
            if !honoured { return "provider_region_not_honoured" }
            if request.voucherAmountFen * 10_000 > request.contractAmountFen * shareBasisPoints { return "exceeds_program_share" }
            if request.voucherAmountFen > vouchers[index].remainingFen { return "exceeds_voucher_remaining" }
            if request.ownPaymentFen < request.contractAmountFen - request.voucherAmountFen { return "own_payment_too_small" }
            let live: Set<Redemption.Status> = [.held, .claimed, .approved, .paid]
            if redemptions.contains(where: { $0.provider == provider && $0.contract == request.contractReference && live.contains($0.status) }) {
                return "contract_already_redeemed"
            }
            return "ok"
        }

        mutating func release(_ index: Int, to status: Redemption.Status, returning: Bool) {
            let voucher = redemptions[index].voucher
            vouchers[voucher].heldFen -= redemptions[index].amountFen
            if returning { vouchers[voucher].remainingFen += redemptions[index].amountFen }
            redemptions[index].status = status
        }
    }

    /// "ok", or the refusal's code.
    static func outcome<T>(_ body: () async throws -> T) async throws -> (String, T?) {
        do {
            return ("ok", try await body())
        } catch let refusal as any Refusal {
            return (refusal.code, nil)
        }
    }

    @Test(arguments: Seeds.list(count: 4, salt: 0x70C4E5))
    func theStoreAgreesWithTheModelStepByStep(seed: UInt64) async throws {
        var codes: [String: Int] = [:]
        try await TestDatabase.with { database in
            let pool = database.pool()
            let store = PostgresMarketStore(pool: pool)
            let vouchers = VoucherService(store: store)
            let bureau = try #require(try await store.party(handle: "deqing-kjj"))
            let regulator = Principal.commandLine(actingFor: bureau)
            let firms = try await store.parties(PartyQuery(kind: .firm, regionCode: bureau.regionCode, limit: 100)).filter { $0.groupCode == nil }.prefix(2)
            try #require(firms.count == 2, "two Deqing firms outside any group")
            // A Deqing lab, honoured by a program of Deqing's own; a Songjiang lab, not.
            let local = try #require(try await store.party(handle: "deqing-testing"))
            let remote = try #require(try await store.party(handle: "songjiang-testlab"))
            let terms = ProgramTerms(
                year: 2027, name: "模型对照 \(seed)", budgetFen: 1_000_000_00, shareBasisPoints: 5_000, firmCapFen: 300_000_00, groupCapFen: 500_000_00,
                useBy: Day("2027-12-31")!, claimBy: Day("2028-03-31")!, honours: .own)
            let program = try await vouchers.createProgram(terms, by: regulator)
            // The demo's claims are settled and its holds lapsed first: a settlement pays all of a
            // region's approved claims, and a sweep lapses every program's holds past their day.
            _ = try await vouchers.settle(issuer: nil, by: regulator)
            _ = try await vouchers.sweep(today: Self.sweepDay)
            var model = Model(budgetRemainingFen: terms.budgetFen, firmCapFen: terms.firmCapFen, shareBasisPoints: Int64(terms.shareBasisPoints))
            var random = SplitMix64(seed: seed)

            for step in 0..<Self.stepsPerSeed {
                let roll = random.below(100)
                let said: String
                let expected: String
                switch roll {
                case 0..<20 where model.vouchers.count < 8 || roll < 5:
                    let firm = random.pick(Array(firms))
                    let face = random.pick([0, 1_000_00, 20_000_00, 90_000_00, 150_000_00, 250_000_00, 1_100_000_00] as [Int64])
                    expected = model.issue(firm: firm.id, faceValueFen: face)
                    let (code, voucher) = try await Self.outcome {
                        try await vouchers.issueVoucher(program: program.id, firm: firm.id, faceValueFen: face, by: regulator)
                    }
                    said = code
                    if let voucher { model.vouchers.append((voucher.number, firm.id, face, 0)) }
                case 0..<60 where !model.vouchers.isEmpty:
                    let index = random.below(model.vouchers.count)
                    let provider = random.chance(85) ? local : remote
                    let contract = random.pick([10_000_00, 40_000_00, 101] as [Int64])
                    let amount = random.pick([contract / 2, contract / 4, contract / 2 + 1, 30_000_00, 50])
                    let own = random.chance(80) ? contract - min(amount, contract) : max(0, contract - amount - 1)
                    let request = RedemptionRequest(
                        providerID: provider.id, contractReference: "M\(seed % 1_000)-\(random.below(30))", contractAmountFen: contract,
                        voucherAmountFen: max(1, amount), ownPaymentFen: own)
                    expected = model.redeem(voucher: index, provider: provider.id, honoured: provider.id == local.id, request)
                    let holder = Principal.commandLine(actingFor: try #require(firms.first { $0.id == model.vouchers[index].firm }))
                    let (code, redemption) = try await Self.outcome {
                        try await vouchers.redeem(voucher: model.vouchers[index].number, request, by: holder)
                    }
                    said = code
                    if let redemption {
                        model.vouchers[index].remainingFen -= request.voucherAmountFen
                        model.vouchers[index].heldFen += request.voucherAmountFen
                        model.redemptions.append((redemption.id, index, provider.id, request.contractReference, request.voucherAmountFen, .held))
                    }
                case 0..<75 where !model.redemptions.isEmpty:
                    let index = random.below(model.redemptions.count)
                    expected = model.redemptions[index].status == .held ? "ok" : "invalid_transition"
                    let provider = Principal.commandLine(actingFor: model.redemptions[index].provider == local.id ? local : remote)
                    (said, _) = try await Self.outcome { try await vouchers.claim(model.redemptions[index].id, evidence: ["报告 \(step)"], by: provider) }
                    if said == "ok" { model.redemptions[index].status = .claimed }
                case 0..<92 where !model.redemptions.isEmpty:
                    let index = random.below(model.redemptions.count)
                    let approve = random.chance(70)
                    expected = model.redemptions[index].status == .claimed ? "ok" : "invalid_transition"
                    (said, _) = try await Self.outcome {
                        try await vouchers.decide(model.redemptions[index].id, approve: approve, reason: approve ? nil : "资料不全", by: regulator)
                    }
                    if said == "ok" { model.release(index, to: approve ? .approved : .rejected, returning: !approve) }
                case 92..<95:
                    let held = model.redemptions.indices.filter { model.redemptions[$0].status == .held }
                    expected = "swept \(held.count)"
                    said = "swept \(try await vouchers.sweep(today: Self.sweepDay))"
                    for index in held { model.release(index, to: .lapsed, returning: true) }
                default:
                    let approved = model.redemptions.indices.filter { model.redemptions[$0].status == .approved }
                    expected = "settled \(approved.count)"
                    said = "settled \(try await vouchers.settle(issuer: nil, by: regulator)?.lines.count ?? 0)"
                    for index in approved { model.redemptions[index].status = .paid }
                }
                #expect(said == expected, "seed \(seed), step \(step)")
                codes[said.hasPrefix("swept") ? "sweep" : said.hasPrefix("settled") ? "settle" : said, default: 0] += 1

                let read = try await vouchers.program(program.id, for: regulator)
                #expect(read.program.remainingFen == model.budgetRemainingFen, "seed \(seed), step \(step): the budget")
                for modelled in model.vouchers {
                    let stored = try await vouchers.voucher(number: modelled.number, for: regulator)
                    #expect(stored.remainingFen == modelled.remainingFen && stored.heldFen == modelled.heldFen, "seed \(seed), step \(step): \(modelled.number)")
                }
                if said != expected { break }
            }
            for modelled in model.redemptions {
                #expect(try await vouchers.redemption(modelled.id, for: regulator).status == modelled.status, "seed \(seed): redemption \(modelled.id)")
            }
            #expect(try await pool.withConnection { try LedgerAudit(connection: $0).verify(atMs: Int64(Date().timeIntervalSince1970 * 1000)).isClean })
            await pool.close()
        }
        // The workload reaches every answer the model knows, or the agreement means little.
        for code in ["ok", "invalid_transition", "contract_already_redeemed", "program_budget_exceeded", "firm_cap_exceeded", "exceeds_program_share",
                     "exceeds_voucher_remaining", "own_payment_too_small", "provider_region_not_honoured", "sweep", "settle"] {
            #expect(codes[code, default: 0] > 0, "seed \(seed) never reached \(code): \(codes)")
        }
    }
}
