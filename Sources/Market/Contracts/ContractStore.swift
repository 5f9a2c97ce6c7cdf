import Foundation

/// The unit of work of the contract use cases (`ContractService`): one PostgreSQL transaction,
/// retried whole on a serialization failure or deadlock, with the Idempotency-Key claimed as its
/// first statement when a record is given. Named apart from the other areas' ports (`contract…`)
/// so that one store can be all of them.
public protocol ContractStore: Sendable {
    associatedtype ContractUnit: ContractWork

    /// Runs `body` in one transaction. A refusal the record renders is kept as the key's answer
    /// (after the body's work is rolled back).
    func contractTransaction<T: Sendable, R>(_ record: IdempotencyRecord<R>?, _ body: @escaping @Sendable (ContractUnit) throws -> T)
        async throws -> T

    /// Runs `body` on one connection, for reads.
    func contractRead<T: Sendable>(_ body: @escaping @Sendable (ContractUnit) throws -> T) async throws -> T
}

/// What a contract use case reads and writes inside its unit of work: SQL and mapping only.
/// A deal's use case in another area writes its signed contract through `insertSignedContract`
/// on the same connection and transaction.
public protocol ContractWork: ContractSigning {
    /// Keeps `result`'s rendering as the record's answer, sent with the next statement.
    func keep<R>(_ record: IdempotencyRecord<R>?, _ result: R) throws

    /// The contract; `locked` takes its row lock, which orders every act on one contract.
    func contract(_ id: ContractID, locked: Bool) throws -> Contract?
    /// Every version, oldest first.
    func versions(of id: ContractID) throws -> [ContractVersion]
    /// A page of the contracts the query names, in id order.
    func contracts(_ query: ContractQuery, page: PageRequest) throws -> [Contract]

    /// A region and the regions above it, itself first; empty when there is no such region.
    func ancestry(_ region: RegionCode) throws -> [RegionCode]
    func fieldExists(_ code: String) throws -> Bool
    /// Which of `parties` do not exist.
    func missingParties(_ parties: Set<PartyID>) throws -> Set<PartyID>

    /// The highest registration serial of the region's year (0 for none), under a lock that
    /// makes the next registrar of that region and year wait until this transaction ends.
    func lastRegistrationSerial(region: RegionCode, year: Int) throws -> Int
    func newContractID() throws -> ContractID
    /// Writes a new contract and its first version.
    func insertContract(_ contract: Contract, _ version: ContractVersion) throws
    /// Writes the contract's new state and the version that made it.
    func updateContract(_ contract: Contract, _ version: ContractVersion) throws
}

extension ContractWork {
    /// A deal's contract, `signed`, as its first version.
    public func insertSignedContract(_ draft: ContractDraft) throws -> ContractID {
        try insertSignedContract(draft, id: try newContractID())
    }

    /// The same, under an id drawn before (`newContractID`).
    public func insertSignedContract(_ draft: ContractDraft, id: ContractID) throws -> ContractID {
        let (contract, version) = ContractRules.signed(draft, id: id, at: Date())
        try insertContract(contract, version)
        return contract.id
    }
}
