import Foundation

/// Why a contract use case refused, with the numbers behind it.
public enum ContractRefusal: Refusal, Equatable {
    /// A party has no unified social credit code (registration needs both).
    case creditCodeMissing(side: ContractSide)
    case creditCodeInvalid(side: ContractSide, code: String, problem: String)
    /// A party named by its participant id does not exist.
    case partyUnknown(side: ContractSide, party: PartyID)
    /// Seller and buyer are one legal entity: not a contract between two parties.
    case sellerIsBuyer(creditCode: String)
    /// The declared non-technical costs are more than the total: the technology amount would be
    /// below 0.
    case costsExceedTotal(totalFen: Int64, nonTechnicalCostFen: Int64)
    /// A transfer or licence names the technology it transfers (a listing or a subject).
    case subjectRequired(type: ContractType)
    /// Only a regulator of the seller's region, or of a region above it, registers.
    case notSellerSideRegulator(regulatorRegion: RegionCode, sellerRegion: RegionCode)
    /// Every serial of the region's year is used.
    case registrationNumbersExhausted(region: RegionCode, year: Int)

    public var kind: RefusalKind {
        switch self {
        case .notSellerSideRegulator: return .forbidden
        default: return .rule
        }
    }

    public var title: String {
        switch self {
        case .notSellerSideRegulator: return "Not the seller's regulator"
        default: return "Refused by the registration rules"
        }
    }

    public var code: String {
        switch self {
        case .creditCodeMissing: return "credit_code_missing"
        case .creditCodeInvalid: return "credit_code_invalid"
        case .partyUnknown: return "party_unknown"
        case .sellerIsBuyer: return "seller_is_buyer"
        case .costsExceedTotal: return "costs_exceed_total"
        case .subjectRequired: return "subject_required"
        case .notSellerSideRegulator: return "not_seller_side_regulator"
        case .registrationNumbersExhausted: return "registration_numbers_exhausted"
        }
    }

    public var detail: String {
        switch self {
        case .creditCodeMissing(let side): return "the \(side.rawValue) has no unified social credit code; registration needs both parties'"
        case .creditCodeInvalid(let side, let code, let problem): return "the \(side.rawValue)'s credit code \(code) is not valid: \(problem)"
        case .partyUnknown(let side, let party): return "the \(side.rawValue), participant \(party), does not exist"
        case .sellerIsBuyer(let code): return "seller and buyer are the same legal entity (\(code))"
        case .costsExceedTotal(let total, let costs):
            return "the non-technical costs (\(MoneyText.yuan(costs))) are more than the total (\(MoneyText.yuan(total)))"
        case .subjectRequired(let type):
            return "a \(type.rawValue) contract names the technology it covers: a listing, or a subject such as a patent number"
        case .notSellerSideRegulator(let regulator, let seller):
            return "the seller is in \(seller); a regulator of \(regulator) registers only contracts whose seller is in its region or below it"
        case .registrationNumbersExhausted(let region, let year): return "region \(region) has used every registration number of \(year)"
        }
    }

    public var fieldIssues: [FieldIssue] {
        switch self {
        case .creditCodeMissing(let side), .creditCodeInvalid(let side, _, _), .partyUnknown(let side, _):
            return [FieldIssue("\(side.rawValue).creditCode", detail)]
        case .costsExceedTotal: return [FieldIssue("nonTechnicalCosts", detail)]
        case .subjectRequired: return [FieldIssue("subject", detail)]
        default: return []
        }
    }

    public var values: [String: Int64] {
        switch self {
        case .costsExceedTotal(let total, let costs): return ["totalFen": total, "nonTechnicalCostFen": costs]
        case .registrationNumbersExhausted(_, let year): return ["year": Int64(year)]
        default: return [:]
        }
    }
}

/// The registration rules (DOMAIN.md, "Registration in practice"; docs/contracts.md says what
/// of the 2026 measures is modelled): pure functions over a contract and the facts the store
/// read for it.
public enum ContractRules {
    public static let titleLengthMax = 200
    public static let subjectLengthMax = 200
    public static let reasonLengthMax = 500
    public static let partyNameLengthMax = 100
    public static let costLineCountMax = 20
    /// ¥100bn: no technology contract is larger; past it an amount is a typo.
    public static let amountFenMax: Int64 = 10_000_000_000_000
    public static let serialDigits = 6
    public static let serialMax = 999_999

    // MARK: - Registration numbers

    /// 认定登记号: the year of the first registration, the registering region's GB/T 2260 code
    /// and a six-digit serial that runs per region and year — `2026330521000123`.
    public static func registrationNumber(region: RegionCode, year: Int, after lastSerial: Int) throws(ContractRefusal) -> String {
        let serial = lastSerial + 1
        guard serial <= serialMax else { throw .registrationNumbersExhausted(region: region, year: year) }
        let digits = String(serial)
        return "\(year)\(region.value)" + String(repeating: "0", count: serialDigits - digits.count) + digits
    }

    /// Whether `text` is a registration number of the documented form.
    public static func isRegistrationNumber(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 4 + 6 + serialDigits && bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    // MARK: - Input

    /// The request's own fields, before any database: lengths, amounts, lines.
    static func checkTerms(_ terms: ContractTerms, path: String = "", into issues: inout FieldIssues) {
        TextRule.check(terms.title, path + "title", length: 1...titleLengthMax, into: &issues)
        if terms.totalFen <= 0 || terms.totalFen > amountFenMax {
            issues.add(path + "totalFen", "must be from 1 to \(amountFenMax) fen, not \(terms.totalFen)")
        }
        checkCostLines(terms.costLines, into: &issues)
    }

    static func checkCostLines(_ lines: [CostLine], into issues: inout FieldIssues) {
        if lines.count > costLineCountMax { issues.add("nonTechnicalCosts", "must have at most \(costLineCountMax) lines, not \(lines.count)") }
        for (index, line) in lines.prefix(costLineCountMax).enumerated() {
            if line.amountFen <= 0 || line.amountFen > amountFenMax {
                issues.add("nonTechnicalCosts[\(index)].amountFen", "must be from 1 to \(amountFenMax) fen, not \(line.amountFen)")
            }
            if let note = line.note { TextRule.check(note, "nonTechnicalCosts[\(index)].note", length: 1...CostLine.noteLengthMax, into: &issues) }
        }
    }

    static func checkParty(_ party: ContractParty, _ side: ContractSide, into issues: inout FieldIssues) {
        TextRule.check(party.name, "\(side.rawValue).name", length: 1...partyNameLengthMax, into: &issues)
    }

    /// A reason given for a change or termination.
    public static func checkReason(_ reason: String) throws(MarketError) {
        var issues = FieldIssues()
        TextRule.check(reason, "reason", length: 1...reasonLengthMax, multiline: true, into: &issues)
        try issues.throwIfAny()
    }

    /// Declared costs given at registration.
    public static func checkDeclaredCosts(_ lines: [CostLine]) throws(MarketError) {
        var issues = FieldIssues()
        checkCostLines(lines, into: &issues)
        try issues.throwIfAny()
    }

    /// A direct registration's fields, before any database.
    public static func checkDirect(_ draft: ContractDraft) throws(MarketError) {
        var issues = FieldIssues()
        checkTerms(ContractTerms(title: draft.title, totalFen: draft.totalFen, costLines: draft.costLines), into: &issues)
        checkParty(draft.seller, .seller, into: &issues)
        checkParty(draft.buyer, .buyer, into: &issues)
        if let subject = draft.subject { TextRule.check(subject, "subject", length: 1...subjectLengthMax, into: &issues) }
        try issues.throwIfAny()
    }

    /// A change's fields, before any database.
    public static func checkChange(_ change: ContractChange) throws(MarketError) {
        var issues = FieldIssues()
        checkTerms(change.terms(from: ContractTerms(title: "kept", totalFen: change.totalFen, costLines: [])), into: &issues)
        TextRule.check(change.reason, "reason", length: 1...reasonLengthMax, multiline: true, into: &issues)
        try issues.throwIfAny()
    }

    // MARK: - Registration

    /// What the registry checks before it registers (first time, or a change): both parties
    /// exist (`missing` names a participant id the store did not find) and have valid credit
    /// codes, they are two entities, 0 ≤ technology amount ≤ total, and the type fits.
    public static func checkRegistrable(
        type: ContractType, seller: ContractParty, buyer: ContractParty, terms: ContractTerms, listingID: ListingID?, subject: String?,
        missing: Set<PartyID>
    ) throws(ContractRefusal) {
        for (party, side) in [(seller, ContractSide.seller), (buyer, .buyer)] {
            if let id = party.partyID, missing.contains(id) { throw .partyUnknown(side: side, party: id) }
            guard let code = party.creditCode else { throw .creditCodeMissing(side: side) }
            do {
                _ = try SocialCreditCode(code)
            } catch {
                throw .creditCodeInvalid(side: side, code: code, problem: error.description)
            }
        }
        if let code = seller.creditCode, code.uppercased() == buyer.creditCode?.uppercased() { throw .sellerIsBuyer(creditCode: code) }
        let costs = terms.nonTechnicalCostFen
        guard costs <= terms.totalFen else { throw .costsExceedTotal(totalFen: terms.totalFen, nonTechnicalCostFen: costs) }
        precondition(terms.technologyFen >= 0 && terms.technologyFen <= terms.totalFen, "0 ≤ technology amount ≤ total")
        if type == .transfer || type == .licence, listingID == nil, subject == nil { throw .subjectRequired(type: type) }
    }

    /// The contract after a regulator of `region` registers it `today` (a signed contract for
    /// the first time, numbered `number`; a changed one again, as the next revision), with the
    /// version that records it. `declaredCosts` replaces the cost lines when the seller's
    /// application declares them.
    public static func register(
        _ contract: Contract, declaredCosts: [CostLine]?, number: String?, region: RegionCode, today: Day, by role: Role, at now: Date
    ) throws -> (Contract, ContractVersion) {
        var next = contract
        if let declaredCosts { next.terms.costLines = declaredCosts }
        let registration: Registration
        switch (contract.status, contract.registration) {
        case (.signed, nil):
            guard let number else { preconditionFailure("a first registration is numbered") }
            registration = Registration(number: number, revision: 0, registeredOn: today, firstRegisteredOn: today, regionCode: region)
        case (.changed, let previous?):
            registration = Registration(
                number: previous.number, revision: previous.revision + 1, registeredOn: today, firstRegisteredOn: previous.firstRegisteredOn,
                regionCode: region)
        default:
            throw MarketError.invalidTransition(resource: "contract", from: contract.status.rawValue, action: "registered")
        }
        try checkRegistrable(
            type: next.type, seller: next.seller, buyer: next.buyer, terms: next.terms, listingID: next.listingID, subject: next.subject,
            missing: [])
        next.status = .registered
        next.registration = registration
        let delta = next.terms.technologyFen - contract.registeredTechnologyFen
        next.registeredTechnologyFen = next.terms.technologyFen
        return advance(next, act: .registered, delta: delta, reason: nil, by: role, at: now)
    }

    /// The contract after a party or the seller's regulator records a change of its terms: it
    /// waits to be registered again and counts as before until then.
    public static func change(_ contract: Contract, to terms: ContractTerms, reason: String, by role: Role, at now: Date) throws
        -> (Contract, ContractVersion)
    {
        guard contract.status == .registered || contract.status == .changed else {
            throw MarketError.invalidTransition(resource: "contract", from: contract.status.rawValue, action: "changed")
        }
        // The new terms are stored as they are: their costs may not pass their total (a
        // technology amount below 0), whoever registers them later.
        guard terms.nonTechnicalCostFen <= terms.totalFen else {
            throw ContractRefusal.costsExceedTotal(totalFen: terms.totalFen, nonTechnicalCostFen: terms.nonTechnicalCostFen)
        }
        var next = contract
        next.terms = terms
        next.status = .changed
        return advance(next, act: .changed, delta: 0, reason: reason, by: role, at: now)
    }

    /// The contract after the seller's regulator registers its termination `today`: a
    /// registered (or changed) one keeps its number with the next revision and takes what it
    /// counted out in the year of termination; a signed one simply ends.
    public static func terminate(_ contract: Contract, reason: String, region: RegionCode, today: Day, by role: Role, at now: Date) throws
        -> (Contract, ContractVersion)
    {
        var next = contract
        switch contract.status {
        case .signed:
            break
        case .registered, .changed:
            guard let previous = contract.registration else { preconditionFailure("a registered contract has a registration") }
            next.registration = Registration(
                number: previous.number, revision: previous.revision + 1, registeredOn: today, firstRegisteredOn: previous.firstRegisteredOn,
                regionCode: region)
        case .terminated:
            throw MarketError.invalidTransition(resource: "contract", from: contract.status.rawValue, action: "terminated")
        }
        next.status = .terminated
        next.registeredTechnologyFen = 0
        return advance(next, act: .terminated, delta: -contract.registeredTechnologyFen, reason: reason, by: role, at: now)
    }

    /// A contract signed outside the market, recorded and registered at once by a regulator of
    /// `region` (`AccessPolicy.registrationRegion` checked it is the seller's side).
    public static func registerDirectly(
        _ draft: ContractDraft, id: ContractID, number: String, region: RegionCode, today: Day, missing: Set<PartyID>, by role: Role,
        at now: Date
    ) throws -> (Contract, ContractVersion) {
        let terms = ContractTerms(title: draft.title, totalFen: draft.totalFen, costLines: draft.costLines)
        try checkRegistrable(
            type: draft.type, seller: draft.seller, buyer: draft.buyer, terms: terms, listingID: draft.listingID, subject: draft.subject,
            missing: missing)
        // Credit codes are kept as the standard writes them, in capitals.
        var seller = draft.seller, buyer = draft.buyer
        seller.creditCode = seller.creditCode?.uppercased()
        buyer.creditCode = buyer.creditCode?.uppercased()
        let contract = Contract(
            id: id, type: draft.type, status: .registered, seller: seller, buyer: buyer, fieldCode: draft.fieldCode, terms: terms,
            signedOn: draft.signedOn, source: .direct, listingID: draft.listingID, subject: draft.subject,
            registration: Registration(number: number, revision: 0, registeredOn: today, firstRegisteredOn: today, regionCode: region),
            registeredTechnologyFen: terms.technologyFen, version: 1, createdAt: now, updatedAt: now)
        return (contract, version(of: contract, act: .registeredDirectly, delta: terms.technologyFen, reason: nil, by: role, at: now))
    }

    /// A signed contract (from a deal) as its first version.
    public static func signed(_ draft: ContractDraft, id: ContractID, at now: Date) -> (Contract, ContractVersion) {
        let contract = Contract(
            id: id, type: draft.type, status: .signed, seller: draft.seller, buyer: draft.buyer, fieldCode: draft.fieldCode,
            terms: ContractTerms(title: draft.title, totalFen: draft.totalFen, costLines: draft.costLines), signedOn: draft.signedOn,
            source: draft.source, listingID: draft.listingID, subject: draft.subject, registration: nil, registeredTechnologyFen: 0,
            version: 1, createdAt: now, updatedAt: now)
        return (contract, version(of: contract, act: .signed, delta: 0, reason: nil, by: nil, at: now))
    }

    static func advance(_ contract: Contract, act: ContractVersion.Act, delta: Int64, reason: String?, by role: Role, at now: Date)
        -> (Contract, ContractVersion)
    {
        var next = contract
        next.version += 1
        next.updatedAt = now
        return (next, version(of: next, act: act, delta: delta, reason: reason, by: role, at: now))
    }

    static func version(of contract: Contract, act: ContractVersion.Act, delta: Int64, reason: String?, by role: Role?, at now: Date)
        -> ContractVersion
    {
        ContractVersion(
            version: contract.version, act: act, status: contract.status, terms: contract.terms,
            registration: act == .changed || (act == .terminated && contract.registration == nil) ? nil : contract.registration,
            countedDeltaFen: delta, reason: reason, byRole: role, recordedAt: now)
    }
}
