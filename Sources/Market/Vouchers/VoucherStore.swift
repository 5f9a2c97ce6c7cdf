import Foundation
import Ledger

/// A program with where its money went.
public struct ProgramReport: Sendable {
    public struct Flow: Sendable, Equatable, Encodable {
        public var providerRegion: RegionCode
        /// Held (pending), approved and not paid, and paid, to providers of this region.
        public var heldFen: Int64
        public var approvedFen: Int64
        public var paidFen: Int64

        public init(providerRegion: RegionCode, heldFen: Int64, approvedFen: Int64, paidFen: Int64) {
            self.providerRegion = providerRegion
            self.heldFen = heldFen
            self.approvedFen = approvedFen
            self.paidFen = paidFen
        }
    }

    public var program: VoucherProgram
    public var voucherCount: Int
    public var flows: [Flow]

    public init(program: VoucherProgram, voucherCount: Int, flows: [Flow]) {
        self.program = program
        self.voucherCount = voucherCount
        self.flows = flows
    }
}

/// The unit of work of the voucher use cases (`VoucherService`): one PostgreSQL transaction —
/// retried whole on a serialization failure or deadlock, with the Idempotency-Key claimed as
/// its first statement when a record is given — through which a use case reads the facts it
/// names and writes what it decided. The adapter does SQL and mapping only: no rule, no role.
public protocol VoucherStore: Sendable {
    associatedtype Work: VoucherWork

    /// Runs `body` in one transaction that may move money. A refusal the record renders is kept
    /// as the key's answer (after the body's work is rolled back).
    func transaction<T: Sendable, R>(_ record: IdempotencyRecord<R>?, _ body: @escaping @Sendable (Work) throws -> T) async throws -> T

    /// Runs `body` on one connection, for reads.
    func read<T: Sendable>(_ body: @escaping @Sendable (Work) throws -> T) async throws -> T
}

/// What a voucher use case reads and writes inside its unit of work. Reads named `locked…` take
/// the row locks that order the use case against others (always in the same order: program,
/// party, group; voucher; redemption; then the ledger's accounts, ascending).
public protocol VoucherWork {
    /// Keeps `result`'s rendering as the record's answer, sent with the next statement.
    func keep<R>(_ record: IdempotencyRecord<R>?, _ result: R) throws

    /// Applies one transfer; given `committing`, it is the last step of the transaction and its
    /// write goes with COMMIT (its accounts locked by the statement before, `lockingFor`).
    func move(_ transfer: Transfer, committing: Bool) throws -> TransferResult

    // MARK: Programs

    func allianceExists(_ code: String) throws -> Bool
    /// How many of `regions` exist.
    func regionCount(_ regions: Set<RegionCode>) throws -> Int
    /// The region's treasury account, opened on first use.
    func treasuryAccount(_ region: RegionCode) throws -> AccountID
    /// A new program row with its (empty) budget account; nil when the name is taken for the year.
    func insertProgram(_ terms: ProgramTerms, issuer: RegionCode) throws -> (id: ProgramID, budget: AccountID)?
    func program(_ id: ProgramID, locked: Bool) throws -> VoucherProgram?
    func programs(_ visibility: ProgramVisibility, page: PageRequest) throws -> [VoucherProgram]
    /// The program's voucher count and where its money went.
    func report(_ program: VoucherProgram) throws -> ProgramReport

    // MARK: Vouchers

    /// The party (its row and its group's locked) and what the program's issuer has issued to
    /// it and its group in the program's year; nil when there is no such party.
    func lockedIssuanceFacts(firm: PartyID, program: VoucherProgram, today: Day) throws -> VoucherRules.IssuanceFacts?
    /// The highest serial issued in the region's year (0 for none), under a lock that makes the
    /// next issuer of that region and year wait.
    func lastVoucherSerial(issuer: RegionCode, year: Int) throws -> Int
    /// A new voucher row with its (empty) account; nil when the number is taken or malformed.
    func insertVoucher(number: String, program: ProgramID, firm: Party, faceValueFen: Int64) throws -> (id: VoucherID, account: AccountID)?
    func voucher(number: String) throws -> Voucher?
    func vouchers(_ visibility: VoucherVisibility, page: PageRequest) throws -> [Voucher]

    // MARK: Redemptions

    /// In one round trip: the voucher's row locked, then the voucher with its balance, its
    /// program, what the checks need of the provider and the contract, and a new redemption id.
    func lockedRedemptionFacts(voucher number: String, _ request: RedemptionRequest, today: Day) throws -> RedemptionPrefetch?
    /// The issuer's payable account to the provider on `shard`, opened on first use.
    func payableAccount(issuer: RegionCode, provider: PartyID, shard: Int64) throws -> AccountID
    /// Writes the held redemption and locks `hold`'s accounts in one round trip; nil when another
    /// live redemption took the provider's contract first.
    func insertRedemption(_ id: RedemptionID, voucher: Voucher, _ request: RedemptionRequest, lockingFor hold: Transfer) throws -> Redemption?
    func redemption(_ id: RedemptionID, locked: Bool) throws -> Redemption?
    func redemptions(_ visibility: RedemptionVisibility, status: Redemption.Status?, page: PageRequest) throws -> [Redemption]
    /// Marks it claimed with its evidence, with COMMIT; returns its new update time.
    func markClaimed(_ id: RedemptionID, evidence: [String]) throws -> Date
    /// Marks it approved or rejected and locks `transfer`'s accounts, in one round trip.
    func markDecided(_ id: RedemptionID, status: Redemption.Status, reason: String?, lockingFor transfer: Transfer) throws -> Date
    /// Held redemptions whose program's claim-by day is before `today`, locked.
    func lockedLapsedHolds(before today: Day) throws -> [RedemptionID]
    /// The accounts each redemption's hold moved: the voucher's and the payable account.
    func holdAccounts(of redemptions: [RedemptionID]) throws -> [RedemptionID: (voucher: AccountID, payable: AccountID)]
    /// Locks ledger accounts in the ledger's one order, so that a batch cannot deadlock.
    func lockAccounts(_ accounts: [AccountID]) throws
    func markLapsed(_ id: RedemptionID) throws

    // MARK: Settlement

    /// The approved redemptions of an issuing region, locked.
    func lockedApprovedClaims(issuer: RegionCode) throws -> [(id: RedemptionID, provider: PartyID, amountFen: Int64)]
    func insertSettlementBatch(issuer: RegionCode) throws -> SettlementID
    /// The provider's settled account, opened on first use.
    func settledAccount(_ provider: PartyID) throws -> AccountID
    func markPaid(_ id: RedemptionID, batch: SettlementID) throws
    func settlement(_ id: SettlementID) throws -> SettlementBatch?
}

/// What a redemption's unit of work reads first, under the voucher's lock.
public struct RedemptionPrefetch: Sendable {
    public var facts: VoucherRules.RedemptionFacts
    /// The voucher's shard of the issuer's payable account to the provider, if opened.
    public var payable: AccountID?
    /// The id the new redemption will have.
    public var newID: RedemptionID

    public init(facts: VoucherRules.RedemptionFacts, payable: AccountID?, newID: RedemptionID) {
        self.facts = facts
        self.payable = payable
        self.newID = newID
    }
}
