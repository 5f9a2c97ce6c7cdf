import Foundation

/// The contract use cases (DOMAIN.md, "Technology contracts"; docs/contracts.md): registration
/// (认定登记) by the seller-side regulator, direct registration of contracts signed outside the
/// market, changes and terminations registered again, and the reads. Each is one unit of work:
/// prefetch under the contract's row lock, decide with `AccessPolicy` and `ContractRules`, write.
public struct ContractService<Store: ContractStore>: Sendable {
    public let store: Store
    /// Today in China time; a parameter so that tests can move the calendar.
    public var today: @Sendable () -> Day

    public init(store: Store, today: @escaping @Sendable () -> Day = { Day.today() }) {
        self.store = store
        self.today = today
    }

    /// The seller-side regulator registers a signed contract, or a changed one again (the next
    /// revision of its number). `declaredCosts`, when given, are the non-technical costs the
    /// seller's application declares, in place of those signed.
    public func register(_ id: ContractID, declaredCosts: [CostLine]?, by caller: Principal?, record: IdempotencyRecord<ContractHistory>? = nil)
        async throws -> ContractHistory
    {
        guard caller != nil else { throw MarketError.unauthenticated("a regulator's API key is required") }
        if let declaredCosts { try ContractRules.checkDeclaredCosts(declaredCosts) }
        let today = today()
        return try await store.contractTransaction(record) { work in
            let (contract, sellerAncestry) = try Self.lockedVisible(id, caller, work)
            let region = try AccessPolicy.registrationRegion(caller, sellerAncestry: sellerAncestry)
            let number = try contract.registration == nil && contract.status == .signed
                ? ContractRules.registrationNumber(
                    region: region, year: Self.year(today), after: work.lastRegistrationSerial(region: region, year: Self.year(today)))
                : nil
            let (next, version) = try ContractRules.register(
                contract, declaredCosts: declaredCosts, number: number, region: region, today: today, by: caller?.role ?? .regulator, at: Date())
            try work.updateContract(next, version)
            return try Self.finish(next.id, record, work)
        }
    }

    /// A regulator of the seller's side records a contract signed outside the market and
    /// registers it at once.
    public func registerDirectly(_ draft: ContractDraft, by caller: Principal?, record: IdempotencyRecord<ContractHistory>? = nil)
        async throws -> ContractHistory
    {
        guard caller != nil else { throw MarketError.unauthenticated("a regulator's API key is required") }
        guard caller?.role == .regulator else {
            throw MarketError.forbidden("only regulators register contracts; this key's role is \(caller?.role.rawValue ?? "none")")
        }
        try ContractRules.checkDirect(draft)
        let today = today()
        return try await store.contractTransaction(record) { work in
            var issues = FieldIssues()
            let sellerAncestry = try work.ancestry(draft.seller.regionCode)
            if sellerAncestry.isEmpty { issues.addRule("seller.regionCode", "is not a known region (see /v1/regions)") }
            if try work.ancestry(draft.buyer.regionCode).isEmpty { issues.addRule("buyer.regionCode", "is not a known region (see /v1/regions)") }
            if try !work.fieldExists(draft.fieldCode) { issues.addRule("field", "is not a known field (see /v1/fields)") }
            try issues.throwIfAny()
            let region = try AccessPolicy.registrationRegion(caller, sellerAncestry: sellerAncestry)
            let missing = try work.missingParties(Set([draft.seller.partyID, draft.buyer.partyID].compactMap { $0 }))
            let year = Self.year(today)
            let number = try ContractRules.registrationNumber(region: region, year: year, after: work.lastRegistrationSerial(region: region, year: year))
            let (contract, version) = try ContractRules.registerDirectly(
                draft, id: work.newContractID(), number: number, region: region, today: today, missing: missing, by: .regulator, at: Date())
            try work.insertContract(contract, version)
            return try Self.finish(contract.id, record, work)
        }
    }

    /// A party to the contract, or the seller's regulator, records a change of its terms; it
    /// is registered again by `register`.
    public func change(_ id: ContractID, _ change: ContractChange, by caller: Principal?, record: IdempotencyRecord<ContractHistory>? = nil)
        async throws -> ContractHistory
    {
        guard caller != nil else { throw MarketError.unauthenticated("an API key is required") }
        try ContractRules.checkChange(change)
        return try await store.contractTransaction(record) { work in
            let (contract, sellerAncestry) = try Self.lockedVisible(id, caller, work)
            try AccessPolicy.checkChangesContract(contract, caller, sellerAncestry: sellerAncestry)
            let (next, version) = try ContractRules.change(
                contract, to: change.terms(from: contract.terms), reason: change.reason, by: caller?.role ?? .regulator, at: Date())
            try work.updateContract(next, version)
            return try Self.finish(next.id, record, work)
        }
    }

    /// The seller's regulator registers the contract's termination.
    public func terminate(_ id: ContractID, reason: String, by caller: Principal?, record: IdempotencyRecord<ContractHistory>? = nil)
        async throws -> ContractHistory
    {
        guard caller != nil else { throw MarketError.unauthenticated("a regulator's API key is required") }
        try ContractRules.checkReason(reason)
        let today = today()
        return try await store.contractTransaction(record) { work in
            let (contract, sellerAncestry) = try Self.lockedVisible(id, caller, work)
            let region = try AccessPolicy.registrationRegion(caller, sellerAncestry: sellerAncestry)
            let (next, version) = try ContractRules.terminate(contract, reason: reason, region: region, today: today, by: .regulator, at: Date())
            try work.updateContract(next, version)
            return try Self.finish(next.id, record, work)
        }
    }

    /// A page of the contracts the caller may see, filtered.
    public func contracts(for caller: Principal?, _ filter: ContractFilter = .init(), page: PageRequest = .first) async throws -> [Contract] {
        let query = try AccessPolicy.contractQuery(caller, filter)
        return try await store.contractRead { work in try work.contracts(query, page: page) }
    }

    /// One contract with every version.
    public func contract(_ id: ContractID, for caller: Principal?) async throws -> ContractHistory {
        let visibility = try AccessPolicy.contractVisibility(caller)
        return try await store.contractRead { work in
            guard let contract = try work.contract(id, locked: false), try Self.canSee(contract, visibility, work) else {
                throw MarketError.notFound("no contract \(id)")
            }
            return ContractHistory(contract: contract, versions: try work.versions(of: id))
        }
    }

    // MARK: - Steps

    /// The contract under its row lock, when the caller may know it exists (404 otherwise),
    /// with the seller's region and those above it.
    static func lockedVisible(_ id: ContractID, _ caller: Principal?, _ work: Store.ContractUnit) throws -> (Contract, [RegionCode]) {
        let visibility = try AccessPolicy.contractVisibility(caller)
        guard let contract = try work.contract(id, locked: true), try canSee(contract, visibility, work) else {
            throw MarketError.notFound("no contract \(id)")
        }
        return (contract, try work.ancestry(contract.seller.regionCode))
    }

    static func canSee(_ contract: Contract, _ visibility: ContractVisibility, _ work: Store.ContractUnit) throws -> Bool {
        guard case .region = visibility else { return AccessPolicy.canSee(contract, in: visibility, sellerAncestry: [], buyerAncestry: []) }
        return AccessPolicy.canSee(
            contract, in: visibility, sellerAncestry: try work.ancestry(contract.seller.regionCode),
            buyerAncestry: try work.ancestry(contract.buyer.regionCode))
    }

    /// The contract as written, with its versions, kept as the key's answer.
    static func finish(_ id: ContractID, _ record: IdempotencyRecord<ContractHistory>?, _ work: Store.ContractUnit) throws -> ContractHistory {
        guard let contract = try work.contract(id, locked: false) else { throw MarketError.notFound("no contract \(id)") }
        let history = ContractHistory(contract: contract, versions: try work.versions(of: id))
        try work.keep(record, history)
        return history
    }

    static func year(_ day: Day) -> Int { Int(day.text.prefix(4))! }
}
