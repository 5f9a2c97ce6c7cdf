import Ledger

/// A refusal of a voucher rule: a stable code, words, and the numbers involved, so that a client
/// can show "only ¥1,200.00 remains" without parsing text.
public struct VoucherRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var values: [String: Int64]

    public init(_ code: String, _ message: String, _ values: [String: Int64] = [:]) {
        self.code = code
        self.message = message
        self.values = values
    }

    public var description: String { message }
}

/// The voucher rules of DOMAIN.md, on values the store has loaded and locked. No I/O.
public enum VoucherRules {
    /// The region a caller runs voucher programs for: a regulator's own.
    public static func programRegion(of caller: Principal?) throws(MarketError) -> RegionCode {
        guard let caller else { throw .unauthenticated("a regulator's API key is required") }
        guard caller.role == .regulator, let region = caller.regionCode else {
            throw .forbidden("only regulators run voucher programs; this key's role is \(caller.role.rawValue)")
        }
        return region
    }

    /// A regulator runs programs for its own region only.
    public static func checkProgramOwner(_ caller: Principal?, issuer: RegionCode) throws(MarketError) {
        let region = try programRegion(of: caller)
        guard region == issuer else { throw .forbidden("a regulator acts only for its own region (\(region))") }
    }

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
            throw VoucherRefusal("not_a_firm", "vouchers are issued to firms; participant \(facts.firm.id) is \(facts.firm.kind.withArticle)")
        }
        guard facts.firmAncestry.contains(program.issuerRegion) else {
            throw VoucherRefusal(
                "firm_not_in_region", "the firm is registered in \(facts.firm.regionCode), outside the program's region \(program.issuerRegion)")
        }
        guard facts.today <= program.terms.useBy else {
            throw VoucherRefusal("program_closed", "the program's vouchers had to be used by \(program.terms.useBy)")
        }
        guard faceValueFen <= program.remainingFen else {
            throw VoucherRefusal(
                "program_budget_exceeded", "only \(MoneyText.yuan(program.remainingFen)) of the program's budget remains",
                ["remainingFen": program.remainingFen, "requestedFen": faceValueFen])
        }
        guard facts.firmIssuedFen + faceValueFen <= program.terms.firmCapFen else {
            throw VoucherRefusal(
                "firm_cap_exceeded",
                "the firm has \(MoneyText.yuan(facts.firmIssuedFen)) of vouchers this year; the cap is \(MoneyText.yuan(program.terms.firmCapFen))",
                ["issuedFen": facts.firmIssuedFen, "capFen": program.terms.firmCapFen, "requestedFen": faceValueFen])
        }
        if facts.firm.groupCode != nil, facts.groupIssuedFen + faceValueFen > program.terms.groupCapFen {
            throw VoucherRefusal(
                "group_cap_exceeded",
                "the firm's group has \(MoneyText.yuan(facts.groupIssuedFen)) of vouchers this year; the cap is \(MoneyText.yuan(program.terms.groupCapFen))",
                ["issuedFen": facts.groupIssuedFen, "capFen": program.terms.groupCapFen, "requestedFen": faceValueFen])
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

    public static func checkRedemption(_ request: RedemptionRequest, by caller: Principal, _ facts: RedemptionFacts) throws {
        let voucher = facts.voucher
        guard caller.role == .firm, caller.partyID == voucher.firmID else {
            throw MarketError.forbidden("only the firm holding voucher \(voucher.number) redeems it")
        }
        guard facts.today <= voucher.useBy else {
            throw VoucherRefusal("voucher_expired", "voucher \(voucher.number) had to be used by \(voucher.useBy)")
        }
        guard let provider = facts.provider, provider.kind == .provider, facts.providerAdmitted else {
            throw VoucherRefusal("provider_not_admitted", "participant \(request.providerID) is not an admitted service provider")
        }
        guard facts.program.terms.honours.covers(
            ancestry: facts.providerAncestry, issuer: voucher.issuerRegion, allianceMembers: facts.allianceMembers)
        else {
            throw VoucherRefusal(
                "provider_region_not_honoured", "the program does not honour providers in \(provider.regionCode)")
        }
        let share = Int64(facts.program.terms.shareBasisPoints)
        let shareCap = request.contractAmountFen.multipliedReportingOverflow(by: share).partialValue / Int64(ProgramTerms.basisPointsWhole)
        guard request.voucherAmountFen <= shareCap else {
            throw VoucherRefusal(
                "exceeds_program_share",
                "a voucher may cover \(share / 100)% of the contract: at most \(MoneyText.yuan(shareCap))",
                ["maxVoucherAmountFen": shareCap, "shareBasisPoints": share, "requestedFen": request.voucherAmountFen])
        }
        guard request.voucherAmountFen <= voucher.remainingFen else {
            throw VoucherRefusal(
                "exceeds_voucher_remaining", "only \(MoneyText.yuan(voucher.remainingFen)) of voucher \(voucher.number) remains",
                ["remainingFen": voucher.remainingFen, "requestedFen": request.voucherAmountFen])
        }
        let ownMinimum = request.contractAmountFen - request.voucherAmountFen
        guard request.ownPaymentFen >= ownMinimum else {
            throw VoucherRefusal(
                "own_payment_too_small", "the firm must pay at least \(MoneyText.yuan(ownMinimum)) itself",
                ["minOwnPaymentFen": ownMinimum, "ownPaymentFen": request.ownPaymentFen])
        }
        guard !facts.contractTaken else {
            throw VoucherRefusal(
                "contract_already_redeemed", "contract \(request.contractReference) of this provider is already paid with a voucher")
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
