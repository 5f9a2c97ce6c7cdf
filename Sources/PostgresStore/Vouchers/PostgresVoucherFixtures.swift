import Foundation
import Market
import Postgres

extension PostgresMarketStore {
    /// Loads the demo vouchers through the use cases, acting as each party; what is already
    /// there (programs by region, year and name; vouchers by number; redemptions by provider and
    /// contract) is skipped, so loading twice changes nothing. Returns how many redemptions
    /// were added.
    public func load(_ fixture: VoucherFixture) async throws -> Int {
        func party(_ handle: String) async throws -> Party {
            guard let party = try await self.party(handle: handle) else { throw FixtureError.invalid("vouchers.json: no participant \(handle)") }
            return party
        }
        let vouchers = VoucherService(store: self)
        func acting(_ party: Party) -> Principal { Principal.commandLine(actingFor: party) }
        var programs: [String: (id: ProgramID, regulator: Principal)] = [:]
        for row in fixture.programs {
            let regulator = acting(try await party(row.regulator))
            let existing = try await pool.withConnection { connection in
                try connection.query(
                    "SELECT id FROM voucher_programs WHERE issuer_region = $1 AND year = $2::integer AND name = $3",
                    regulator.regionCode!.value, Int64(row.terms.year), row.terms.name
                ).first.map { ProgramID(try $0.decode("id")) }
            }
            let id = try await existing.asyncOr { try await vouchers.createProgram(row.terms(openOn: Day.today()), by: regulator, record: nil).id }
            programs[row.key] = (id, regulator)
        }
        var holders: [String: Principal] = [:]
        for row in fixture.vouchers {
            guard let program = programs[row.program] else { throw FixtureError.invalid("voucher \(row.number): no program \(row.program)") }
            let firm = try await party(row.firm)
            holders[row.number] = acting(firm)
            let exists = try await pool.withConnection { try $0.query("SELECT 1 FROM vouchers WHERE number = $1", row.number).count > 0 }
            if !exists {
                _ = try await vouchers.issueVoucher(
                    program: program.id, firm: firm.id, faceValueFen: row.faceValueFen, number: row.number, by: program.regulator, record: nil)
            }
        }
        // Approve the rows to be paid, settle their issuers, then approve the rest: settlement
        // pays every approved claim of an issuer, and the demo wants both states.
        var added = 0
        var toApprove: [RedemptionID] = []
        var paidIssuers: Set<RegionCode> = []
        for row in fixture.redemptions {
            guard let firm = holders[row.voucher] else { throw FixtureError.invalid("redemption \(row.contractReference): no voucher \(row.voucher)") }
            let provider = try await party(row.provider)
            let exists = try await pool.withConnection {
                try $0.query(
                    "SELECT 1 FROM voucher_redemptions WHERE provider_id = $1 AND contract_reference = $2", provider.id.value, row.contractReference
                ).count > 0
            }
            if exists { continue }
            let redemption = try await vouchers.redeem(
                voucher: row.voucher,
                RedemptionRequest(
                    providerID: provider.id, contractReference: row.contractReference, contractAmountFen: row.contractAmountFen,
                    voucherAmountFen: row.voucherAmountFen, ownPaymentFen: row.ownPaymentFen),
                by: firm, record: nil)
            added += 1
            guard row.state != .held else { continue }
            _ = try await vouchers.claim(redemption.id, evidence: row.evidence, by: acting(provider))
            let issuer = Principal.commandLine(regulatorOf: redemption.issuerRegion)
            switch row.state {
            case .paid:
                _ = try await vouchers.decide(redemption.id, approve: true, reason: nil, by: issuer, record: nil)
                paidIssuers.insert(redemption.issuerRegion)
            case .approved:
                toApprove.append(redemption.id)
            case .rejected:
                _ = try await vouchers.decide(redemption.id, approve: false, reason: row.reason ?? "rejected", by: issuer, record: nil)
            default:
                break
            }
        }
        for issuer in paidIssuers.sorted() {
            _ = try await vouchers.settle(issuer: issuer, by: .commandLineOperator)
        }
        for id in toApprove {
            let issuer = try await vouchers.redemption(id, for: .commandLineOperator).issuerRegion
            _ = try await vouchers.decide(id, approve: true, reason: nil, by: .commandLine(regulatorOf: issuer))
        }
        return added
    }
}

extension Optional {
    func asyncOr(_ make: () async throws -> Wrapped) async rethrows -> Wrapped {
        if let self { return self }
        return try await make()
    }
}
