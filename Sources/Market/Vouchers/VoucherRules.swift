import Ledger

/// A refusal of a voucher rule: a stable code, words, and the numbers involved, so that a client
/// can show "only ¥1,200.00 remains" without parsing text.
/// The voucher rules' refusals (422), each with its stable code and the numbers behind it.
public enum VoucherRefusal: Refusal, Equatable {
    case notAFirm(party: PartyID, kind: PartyKind)
    case firmNotInRegion(firmRegion: RegionCode, issuer: RegionCode)
    case programClosed(useBy: Day)
    case programBudgetExceeded(remainingFen: Int64, requestedFen: Int64)
    case firmCapExceeded(issuedFen: Int64, capFen: Int64, requestedFen: Int64)
    case groupCapExceeded(issuedFen: Int64, capFen: Int64, requestedFen: Int64)
    /// Every serial of the issuer's year is used.
    case voucherNumbersExhausted(issuer: RegionCode, year: Int)
    case voucherExpired(number: String, useBy: Day)
    case providerNotAdmitted(provider: PartyID)
    case providerRegionNotHonoured(providerRegion: RegionCode)
    case exceedsProgramShare(maxVoucherAmountFen: Int64, shareBasisPoints: Int64, requestedFen: Int64)
    /// The rules saw the voucher's remaining value; `remainingFen` nil when the ledger's limit
    /// refused the hold (a redemption that raced past the rules' read).
    case exceedsVoucherRemaining(number: String, remainingFen: Int64?, requestedFen: Int64)
    case ownPaymentTooSmall(minOwnPaymentFen: Int64, ownPaymentFen: Int64)
    /// One voucher per service contract (the provider's contract reference).
    case contractAlreadyRedeemed(contractReference: String)
    /// The claim-by day has passed.
    case claimPeriodOver(claimBy: Day)

    public var kind: RefusalKind { .rule }

    public var title: String { "Refused by the voucher rules" }

    public var code: String {
        switch self {
        case .notAFirm: return "not_a_firm"
        case .firmNotInRegion: return "firm_not_in_region"
        case .programClosed: return "program_closed"
        case .programBudgetExceeded: return "program_budget_exceeded"
        case .firmCapExceeded: return "firm_cap_exceeded"
        case .groupCapExceeded: return "group_cap_exceeded"
        case .voucherNumbersExhausted: return "voucher_numbers_exhausted"
        case .voucherExpired: return "voucher_expired"
        case .providerNotAdmitted: return "provider_not_admitted"
        case .providerRegionNotHonoured: return "provider_region_not_honoured"
        case .exceedsProgramShare: return "exceeds_program_share"
        case .exceedsVoucherRemaining: return "exceeds_voucher_remaining"
        case .ownPaymentTooSmall: return "own_payment_too_small"
        case .contractAlreadyRedeemed: return "contract_already_redeemed"
        case .claimPeriodOver: return "claim_period_over"
        }
    }

    public var detail: String {
        switch self {
        case .notAFirm(let party, let kind): return "vouchers are issued to firms; participant \(party) is \(kind.withArticle)"
        case .firmNotInRegion(let firmRegion, let issuer):
            return "the firm is registered in \(firmRegion), outside the program's region \(issuer)"
        case .programClosed(let useBy): return "the program's vouchers had to be used by \(useBy)"
        case .programBudgetExceeded(let remaining, _): return "only \(MoneyText.yuan(remaining)) of the program's budget remains"
        case .firmCapExceeded(let issued, let cap, _):
            return "the firm has \(MoneyText.yuan(issued)) of vouchers this year; the cap is \(MoneyText.yuan(cap))"
        case .groupCapExceeded(let issued, let cap, _):
            return "the firm's group has \(MoneyText.yuan(issued)) of vouchers this year; the cap is \(MoneyText.yuan(cap))"
        case .voucherNumbersExhausted(let issuer, let year): return "region \(issuer) has issued every voucher number of \(year)"
        case .voucherExpired(let number, let useBy): return "voucher \(number) had to be used by \(useBy)"
        case .providerNotAdmitted(let provider): return "participant \(provider) is not an admitted service provider"
        case .providerRegionNotHonoured(let region): return "the program does not honour providers in \(region)"
        case .exceedsProgramShare(let max, let share, _):
            return "a voucher may cover \(share / 100)% of the contract: at most \(MoneyText.yuan(max))"
        case .exceedsVoucherRemaining(let number, let remaining, _):
            guard let remaining else { return "the voucher's remaining value is less than the amount" }
            return "only \(MoneyText.yuan(remaining)) of voucher \(number) remains"
        case .ownPaymentTooSmall(let minimum, _): return "the firm must pay at least \(MoneyText.yuan(minimum)) itself"
        case .contractAlreadyRedeemed(let contract): return "contract \(contract) of this provider is already paid with a voucher"
        case .claimPeriodOver(let claimBy): return "claims had to be lodged by \(claimBy)"
        }
    }

    public var values: [String: Int64] {
        switch self {
        case .programBudgetExceeded(let remaining, let requested): return ["remainingFen": remaining, "requestedFen": requested]
        case .firmCapExceeded(let issued, let cap, let requested), .groupCapExceeded(let issued, let cap, let requested):
            return ["issuedFen": issued, "capFen": cap, "requestedFen": requested]
        case .exceedsProgramShare(let max, let share, let requested):
            return ["maxVoucherAmountFen": max, "shareBasisPoints": share, "requestedFen": requested]
        case .exceedsVoucherRemaining(_, let remaining, let requested):
            guard let remaining else { return ["requestedFen": requested] }
            return ["remainingFen": remaining, "requestedFen": requested]
        case .ownPaymentTooSmall(let minimum, let own): return ["minOwnPaymentFen": minimum, "ownPaymentFen": own]
        default: return [:]
        }
    }
}

/// The voucher rules of DOMAIN.md, on values the store has loaded and locked. No I/O.
public enum VoucherRules {
    /// What the store knows when a voucher is issued, all read under lock.
    public struct IssuanceFacts: Sendable {
        public var program: VoucherProgram
        public var firm: Party
        /// The firm's region and the regions above it.
        public var firmAncestry: [RegionCode]
        /// Face values already issued in this program's year by programs of this issuer.
        public var firmIssuedFen: Int64
        public var groupIssuedFen: Int64
        public var today: Day

        public init(program: VoucherProgram, firm: Party, firmAncestry: [RegionCode], firmIssuedFen: Int64, groupIssuedFen: Int64, today: Day) {
            self.program = program
            self.firm = firm
            self.firmAncestry = firmAncestry
            self.firmIssuedFen = firmIssuedFen
            self.groupIssuedFen = groupIssuedFen
            self.today = today
        }
    }

    public static func checkIssuance(faceValueFen: Int64, _ facts: IssuanceFacts) throws {
        let program = facts.program
        guard (1...ProgramTerms.amountFenMax).contains(faceValueFen) else {
            throw MarketError.invalid([FieldIssue("faceValueFen", "must be from 1 to \(ProgramTerms.amountFenMax) fen, not \(faceValueFen)")])
        }
        guard facts.firm.kind == .firm else {
            throw VoucherRefusal.notAFirm(party: facts.firm.id, kind: facts.firm.kind)
        }
        guard facts.firmAncestry.contains(program.issuerRegion) else {
            throw VoucherRefusal.firmNotInRegion(firmRegion: facts.firm.regionCode, issuer: program.issuerRegion)
        }
        guard facts.today <= program.terms.useBy else {
            throw VoucherRefusal.programClosed(useBy: program.terms.useBy)
        }
        guard faceValueFen <= program.remainingFen else {
            throw VoucherRefusal.programBudgetExceeded(remainingFen: program.remainingFen, requestedFen: faceValueFen)
        }
        guard facts.firmIssuedFen + faceValueFen <= program.terms.firmCapFen else {
            throw VoucherRefusal.firmCapExceeded(issuedFen: facts.firmIssuedFen, capFen: program.terms.firmCapFen, requestedFen: faceValueFen)
        }
        if facts.firm.groupCode != nil, facts.groupIssuedFen + faceValueFen > program.terms.groupCapFen {
            throw VoucherRefusal.groupCapExceeded(issuedFen: facts.groupIssuedFen, capFen: program.terms.groupCapFen, requestedFen: faceValueFen)
        }
    }

    /// What the store knows when a firm redeems, all read under lock.
    public struct RedemptionFacts: Sendable {
        public var voucher: Voucher
        public var program: VoucherProgram
        public var provider: Party?
        public var providerAdmitted: Bool
        public var providerAncestry: [RegionCode]
        public var allianceMembers: Set<RegionCode>
        public var contractTaken: Bool
        public var today: Day

        public init(
            voucher: Voucher, program: VoucherProgram, provider: Party?, providerAdmitted: Bool, providerAncestry: [RegionCode],
            allianceMembers: Set<RegionCode>, contractTaken: Bool, today: Day
        ) {
            self.voucher = voucher
            self.program = program
            self.provider = provider
            self.providerAdmitted = providerAdmitted
            self.providerAncestry = providerAncestry
            self.allianceMembers = allianceMembers
            self.contractTaken = contractTaken
            self.today = today
        }
    }

    /// The holding firm's redemption against one service contract (`AccessPolicy.checkRedeems`
    /// says who may).
    public static func checkRedemption(_ request: RedemptionRequest, _ facts: RedemptionFacts) throws(VoucherRefusal) {
        let voucher = facts.voucher
        guard facts.today <= voucher.useBy else {
            throw .voucherExpired(number: voucher.number, useBy: voucher.useBy)
        }
        guard let provider = facts.provider, provider.kind == .provider, facts.providerAdmitted else {
            throw .providerNotAdmitted(provider: request.providerID)
        }
        guard facts.program.terms.honours.covers(
            ancestry: facts.providerAncestry, issuer: voucher.issuerRegion, allianceMembers: facts.allianceMembers)
        else {
            throw .providerRegionNotHonoured(providerRegion: provider.regionCode)
        }
        let share = Int64(facts.program.terms.shareBasisPoints)
        let shareCap = request.contractAmountFen.multipliedReportingOverflow(by: share).partialValue / Int64(ProgramTerms.basisPointsWhole)
        guard request.voucherAmountFen <= shareCap else {
            throw .exceedsProgramShare(maxVoucherAmountFen: shareCap, shareBasisPoints: share, requestedFen: request.voucherAmountFen)
        }
        guard request.voucherAmountFen <= voucher.remainingFen else {
            throw .exceedsVoucherRemaining(
                number: voucher.number, remainingFen: voucher.remainingFen, requestedFen: request.voucherAmountFen)
        }
        let ownMinimum = request.contractAmountFen - request.voucherAmountFen
        guard request.ownPaymentFen >= ownMinimum else {
            throw .ownPaymentTooSmall(minOwnPaymentFen: ownMinimum, ownPaymentFen: request.ownPaymentFen)
        }
        guard !facts.contractTaken else {
            throw .contractAlreadyRedeemed(contractReference: request.contractReference)
        }
    }
}

extension VoucherRules {
    /// A claim is lodged on a held redemption, by the program's claim-by day (that day included).
    public static func checkClaim(_ redemption: Redemption, today: Day) throws {
        guard redemption.status == .held else {
            throw MarketError.invalidTransition(resource: "redemption", from: redemption.status.rawValue, action: "claimed")
        }
        if let claimBy = redemption.claimBy, claimBy < today { throw VoucherRefusal.claimPeriodOver(claimBy: claimBy) }
    }

    /// Only a claimed redemption is approved or rejected.
    public static func checkDecision(_ redemption: Redemption, approve: Bool) throws(MarketError) {
        guard redemption.status == .claimed else {
            throw .invalidTransition(resource: "redemption", from: redemption.status.rawValue, action: approve ? "approved" : "rejected")
        }
    }
}

extension VoucherRules {
    public static let evidenceCountMax = 10
    public static let evidenceLengthMax = 200
    public static let reasonLengthMax = 500

    /// A claim's evidence: references (invoice numbers, report ids, links).
    public static func checkEvidence(_ evidence: [String]) throws(MarketError) {
        var issues = FieldIssues()
        if !(1...evidenceCountMax).contains(evidence.count) {
            issues.add("evidence", "must list 1 to \(evidenceCountMax) references (invoices, reports)")
        }
        for (index, item) in evidence.enumerated() {
            TextRule.check(item, "evidence[\(index)]", length: 1...evidenceLengthMax, into: &issues)
        }
        try issues.throwIfAny()
    }

    /// Why a claim is rejected.
    public static func checkReason(_ reason: String) throws(MarketError) {
        var issues = FieldIssues()
        TextRule.check(reason, "reason", length: 1...reasonLengthMax, multiline: true, into: &issues)
        try issues.throwIfAny()
    }
}

/// Yuan for messages: `¥1,234.56`.
enum MoneyText {
    static func yuan(_ fen: Int64) -> String { "¥" + MoneyFormat.yuan(fen) }
}
