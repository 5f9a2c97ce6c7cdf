import Foundation
import Ledger

/// The voucher use cases (DOMAIN.md, "Innovation vouchers"), each one unit of work of the store:
/// prefetch the facts it names (under the locks that order it), decide on them with the pure
/// rules and the access policy, then write the plan and move the money, with COMMIT going with
/// the last write. Refusals are `MarketError` and `VoucherRefusal`.
public struct VoucherService<Store: VoucherStore>: Sendable {
    public let store: Store
    /// Today in China time; a parameter so that tests can move the calendar.
    public var today: @Sendable () -> Day

    public init(store: Store, today: @escaping @Sendable () -> Day = { Day.today() }) {
        self.store = store
        self.today = today
    }

    // MARK: - Programs

    /// A regulator opens a program for its region, funded from the region's treasury at once.
    public func createProgram(_ terms: ProgramTerms, by caller: Principal?, record: IdempotencyRecord<VoucherProgram>? = nil) async throws
        -> VoucherProgram
    {
        let issuer = try AccessPolicy.programIssuer(caller)
        try terms.validate()
        return try await store.transaction(record) { work in
            if case .alliance(let code) = terms.honours, try !work.allianceExists(code) {
                throw MarketError.invalid([.rule("honours.alliance", "is not a known alliance (see /v1/alliances)")])
            }
            if case .list(let regions) = terms.honours, try work.regionCount(Set(regions)) != Set(regions).count {
                throw MarketError.invalid([.rule("honours.regions", "names a region that does not exist")])
            }
            let treasury = try work.treasuryAccount(issuer)
            guard let created = try work.insertProgram(terms, issuer: issuer) else {
                throw MarketError.duplicate(field: "name", message: "the region already has a \(terms.year) program with this name")
            }
            try Self.require(
                work.move(
                    Transfer(
                        id: VoucherLedger.Step.fund.id(created.id.value), debitAccountID: treasury, creditAccountID: created.budget,
                        amountFen: terms.budgetFen, code: VoucherLedger.Step.fund.code, reference: "program \(created.id)"),
                    committing: false),
                "fund program \(created.id)")
            guard let program = try work.program(created.id, locked: false) else { throw LedgerStepFailed(step: "read program \(created.id)", reason: "missing") }
            try work.keep(record, program)
            return program
        }
    }

    /// A page of the programs the caller may see, with where their money went.
    public func programs(for caller: Principal?, page: PageRequest = .first) async throws -> [ProgramReport] {
        let visibility = try AccessPolicy.programVisibility(caller)
        return try await store.read { work in try work.programs(visibility, page: page).map(work.report) }
    }

    public func program(_ id: ProgramID, for caller: Principal?) async throws -> ProgramReport {
        let visibility = try AccessPolicy.programVisibility(caller)
        return try await store.read { work in
            guard let program = try work.program(id, locked: false), AccessPolicy.canSee(program, in: visibility) else {
                throw MarketError.notFound("no voucher program \(id)")
            }
            return try work.report(program)
        }
    }

    // MARK: - Vouchers

    /// The program's regulator issues a voucher to a firm of its region; `number` is for
    /// fixtures (the store numbers vouchers otherwise).
    public func issueVoucher(
        program id: ProgramID, firm: PartyID, faceValueFen: Int64, number: String? = nil, by caller: Principal?,
        record: IdempotencyRecord<Voucher>? = nil
    ) async throws -> Voucher {
        let today = today()
        return try await store.transaction(record) { work in
            // The program row is the lock that orders issuances of one program (budget and caps).
            guard let program = try work.program(id, locked: true) else { throw MarketError.notFound("no voucher program \(id)") }
            try AccessPolicy.checkRunsProgram(caller, issuer: program.issuerRegion)
            guard let facts = try work.lockedIssuanceFacts(firm: firm, program: program, today: today) else {
                throw MarketError.invalid([.rule("firmId", "no participant \(firm)")])
            }
            try VoucherRules.checkIssuance(faceValueFen: faceValueFen, facts)
            let voucherNumber = try number
                ?? VoucherLedger.voucherNumber(
                    issuer: program.issuerRegion, year: program.terms.year,
                    after: work.lastVoucherSerial(issuer: program.issuerRegion, year: program.terms.year))
            guard let created = try work.insertVoucher(number: voucherNumber, program: id, firm: facts.firm, faceValueFen: faceValueFen) else {
                throw MarketError.duplicate(field: "number", message: "voucher number \(voucherNumber) is taken or malformed")
            }
            try Self.require(
                work.move(
                    Transfer(
                        id: VoucherLedger.Step.issue.id(created.id.value), debitAccountID: AccountID(UInt64(program.budgetAccountID)),
                        creditAccountID: created.account, amountFen: faceValueFen, code: VoucherLedger.Step.issue.code, reference: voucherNumber),
                    committing: false),
                "issue voucher \(voucherNumber)")
            guard let voucher = try work.voucher(number: voucherNumber) else { throw LedgerStepFailed(step: "read voucher \(voucherNumber)", reason: "missing") }
            try work.keep(record, voucher)
            return voucher
        }
    }

    /// A page of the vouchers the caller may see.
    public func vouchers(for caller: Principal?, page: PageRequest = .first) async throws -> [Voucher] {
        let visibility = try AccessPolicy.voucherVisibility(caller)
        return try await store.read { work in try work.vouchers(visibility, page: page) }
    }

    public func voucher(number: String, for caller: Principal?) async throws -> Voucher {
        let visibility = try AccessPolicy.voucherVisibility(caller)
        return try await store.read { work in
            guard let voucher = try work.voucher(number: number), AccessPolicy.canSee(voucher, in: visibility) else {
                throw MarketError.notFound("no voucher \(number)")
            }
            return voucher
        }
    }

    // MARK: - Redemptions

    /// The holding firm redeems part of its voucher against one service contract: a hold on the
    /// voucher, credited to the issuer's payable account to the provider (the voucher's shard).
    /// Three round trips: the facts under the voucher's lock (with the key's claim), the
    /// redemption with the hold's locks, and the hold with the kept answer and COMMIT.
    public func redeem(
        voucher number: String, _ request: RedemptionRequest, by caller: Principal?, record: IdempotencyRecord<Redemption>? = nil
    ) async throws -> Redemption {
        guard let caller else { throw MarketError.unauthenticated("the firm's API key is required") }
        // Before the transaction: the request's fields go into its statements.
        try request.validate()
        let today = today()
        return try await store.transaction(record) { work in
            guard let read = try work.lockedRedemptionFacts(voucher: number, request, today: today),
                  AccessPolicy.canSee(read.facts.voucher, caller)
            else { throw MarketError.notFound("no voucher \(number)") }
            let voucher = read.facts.voucher
            try AccessPolicy.checkRedeems(voucher, caller)
            try VoucherRules.checkRedemption(request, read.facts)
            let payable = try read.payable
                ?? work.payableAccount(issuer: voucher.issuerRegion, provider: request.providerID, shard: VoucherLedger.payableShard(voucher.id))
            let hold = Transfer(
                id: VoucherLedger.Step.hold.id(read.newID.value), debitAccountID: AccountID(UInt64(voucher.accountID)),
                creditAccountID: payable, amountFen: request.voucherAmountFen, code: VoucherLedger.Step.hold.code, flags: [.pending],
                reference: "redemption \(read.newID)")
            guard let redemption = try work.insertRedemption(read.newID, voucher: voucher, request, lockingFor: hold) else {
                // Another voucher took the contract at the same moment.
                throw VoucherRefusal.contractAlreadyRedeemed(contractReference: request.contractReference)
            }
            try work.keep(record, redemption)
            let moved = try work.move(hold, committing: true)
            if moved == .refused(.exceedsCredits) {
                throw VoucherRefusal.exceedsVoucherRemaining(number: number, remainingFen: nil, requestedFen: request.voucherAmountFen)
            }
            try Self.require(moved, "hold redemption \(read.newID)")
            return redemption
        }
    }

    /// A page of the redemptions the caller may see (`status` to filter).
    public func redemptions(for caller: Principal?, status: Redemption.Status?, page: PageRequest = .first) async throws -> [Redemption] {
        let visibility = try AccessPolicy.redemptionVisibility(caller)
        return try await store.read { work in try work.redemptions(visibility, status: status, page: page) }
    }

    public func redemption(_ id: RedemptionID, for caller: Principal?) async throws -> Redemption {
        guard let caller else { throw MarketError.unauthenticated("an API key is required") }
        return try await store.read { work in
            guard let redemption = try work.redemption(id, locked: false), AccessPolicy.canSee(redemption, caller) else {
                throw MarketError.notFound("no redemption \(id)")
            }
            return redemption
        }
    }

    /// The provider lodges its claim with evidence, by the program's claim-by day.
    public func claim(_ id: RedemptionID, evidence: [String], by caller: Principal?) async throws -> Redemption {
        guard let caller else { throw MarketError.unauthenticated("the provider's API key is required") }
        try VoucherRules.checkEvidence(evidence)
        let today = today()
        return try await store.transaction(nil as IdempotencyRecord<Never>?) { work in
            guard var redemption = try work.redemption(id, locked: true), AccessPolicy.canSee(redemption, caller) else {
                throw MarketError.notFound("no redemption \(id)")
            }
            try AccessPolicy.checkClaims(redemption, caller)
            try VoucherRules.checkClaim(redemption, today: today)
            redemption.updatedAt = try work.markClaimed(id, evidence: evidence)
            redemption.status = .claimed
            redemption.evidence = evidence
            return redemption
        }
    }

    /// A regulator of the issuing region approves (posts the hold) or rejects (voids it, with a
    /// reason) a claim.
    public func decide(
        _ id: RedemptionID, approve: Bool, reason: String?, by caller: Principal?, record: IdempotencyRecord<Redemption>? = nil
    ) async throws -> Redemption {
        guard let caller else { throw MarketError.unauthenticated("a regulator's API key is required") }
        if !approve { try VoucherRules.checkReason(reason ?? "") }
        return try await store.transaction(record) { work in
            guard var redemption = try work.redemption(id, locked: true), AccessPolicy.canSee(redemption, caller) else {
                throw MarketError.notFound("no redemption \(id)")
            }
            try AccessPolicy.checkDecides(redemption, caller)
            try VoucherRules.checkDecision(redemption, approve: approve)
            let pendingID = VoucherLedger.Step.hold.id(id.value)
            let transfer: Transfer = approve
                ? .post(
                    id: VoucherLedger.Step.approve.id(id.value), pendingID: pendingID, amountFen: redemption.request.voucherAmountFen,
                    reference: "redemption \(id)")
                : .void(id: VoucherLedger.Step.release.id(id.value), pendingID: pendingID, reference: "redemption \(id)")
            // The decision and the ledger's lock in one round trip, the ledger's write with the
            // kept response and COMMIT in the next: the shared payable account is held for one.
            redemption.status = approve ? .approved : .rejected
            redemption.reason = approve ? nil : reason
            redemption.updatedAt = try work.markDecided(id, status: redemption.status, reason: redemption.reason, lockingFor: transfer)
            try work.keep(record, redemption)
            try Self.require(work.move(transfer, committing: true), "decide redemption \(id)")
            return redemption
        }
    }

    /// Voids the holds whose program's claim-by day is before `today`; returns how many.
    public func sweep(today: Day) async throws -> Int {
        try await store.transaction(nil as IdempotencyRecord<Never>?) { work in
            let lapsed = try work.lockedLapsedHolds(before: today)
            // Every account the voids touch, locked at once in the ledger's one order, so that
            // this batch cannot deadlock with single redemptions or settlements.
            try work.lockAccounts(work.holdAccounts(of: lapsed).values.flatMap { [$0.voucher, $0.payable] })
            for id in lapsed {
                try Self.require(
                    work.move(
                        .void(id: VoucherLedger.Step.release.id(id.value), pendingID: VoucherLedger.Step.hold.id(id.value), reference: "lapsed \(id)"),
                        committing: false),
                    "lapse redemption \(id)")
                try work.markLapsed(id)
            }
            return lapsed.count
        }
    }

    // MARK: - Settlement

    /// Pays every approved claim of an issuing region in a new batch, from the payable account
    /// each hold credited to the provider's settled account; nil when there is nothing to pay.
    /// `issuer` is for the operator at the command line; a regulator settles its own region.
    public func settle(issuer: RegionCode?, by caller: Principal?, record: IdempotencyRecord<SettlementBatch?>? = nil) async throws
        -> SettlementBatch?
    {
        let issuer = try AccessPolicy.settlementIssuer(caller, naming: issuer)
        return try await store.transaction(record) { work in
            let due = try work.lockedApprovedClaims(issuer: issuer)
            guard !due.isEmpty else {
                try work.keep(record, nil)
                return nil
            }
            let batch = try work.insertSettlementBatch(issuer: issuer)
            let holds = try work.holdAccounts(of: due.map(\.id))
            var settled: [PartyID: AccountID] = [:]
            for provider in Set(due.map(\.provider)) { settled[provider] = try work.settledAccount(provider) }
            try work.lockAccounts(holds.values.map(\.payable) + settled.values)
            for item in due {
                guard let payable = holds[item.id]?.payable, let account = settled[item.provider] else {
                    throw LedgerStepFailed(step: "settle redemption \(item.id)", reason: "its hold is not in the ledger")
                }
                try Self.require(
                    work.move(
                        Transfer(
                            id: VoucherLedger.Step.settle.id(item.id.value), debitAccountID: payable, creditAccountID: account,
                            amountFen: item.amountFen, code: VoucherLedger.Step.settle.code, reference: "settlement \(batch)"),
                        committing: false),
                    "settle redemption \(item.id)")
                try work.markPaid(item.id, batch: batch)
            }
            guard let result = try work.settlement(batch) else { throw LedgerStepFailed(step: "read settlement \(batch)", reason: "missing") }
            try work.keep(record, result)
            return result
        }
    }

    public func settlement(_ id: SettlementID, for caller: Principal?) async throws -> SettlementBatch {
        guard let caller else { throw MarketError.unauthenticated("a regulator's API key is required") }
        return try await store.read { work in
            guard let batch = try work.settlement(id), AccessPolicy.canSeeSettlement(of: batch.issuerRegion, caller) else {
                throw MarketError.notFound("no settlement \(id)")
            }
            return batch
        }
    }

    /// A ledger step the rules allowed must be applied; anything else is a bug.
    static func require(_ result: TransferResult, _ step: String) throws {
        guard result == .ok else { throw LedgerStepFailed(step: step, reason: "\(result)") }
    }
}
