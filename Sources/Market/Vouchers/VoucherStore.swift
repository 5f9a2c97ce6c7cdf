/// A response kept for an `Idempotency-Key`, returned again on a retry.
public struct StoredResponse: Sendable, Equatable {
    public var status: Int
    public var body: String

    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }
}

/// How an `Idempotency-Key` that was sent before answers, in place of the use case.
public enum IdempotencyAnswer: Sendable, Equatable {
    /// The key was used with the same request: here is the first response.
    case replay(StoredResponse)
    /// The key was used with another request.
    case reusedWithOtherRequest
    /// The first request with this key is still running.
    case inProgress
}

/// Thrown by a use case whose `Idempotency-Key` was sent before: it did nothing, and `answer`
/// says what to tell the client.
public struct IdempotencyKeyAnswered: Error, Sendable, Equatable {
    public var answer: IdempotencyAnswer

    public init(_ answer: IdempotencyAnswer) {
        self.answer = answer
    }
}

/// The `Idempotency-Key` of a use case that moves money. The store claims the key in the use
/// case's own transaction (the first request with a key holds it until that transaction ends)
/// and keeps the response with the money it moved, so that a retry can never do the work twice:
/// a key sent before makes the use case throw `IdempotencyKeyAnswered` without doing anything.
public struct IdempotencyRecord<Result>: Sendable {
    public var apiKeyID: Int64
    public var key: String
    /// What the key was sent with (method, path and canonical body); the store keeps its hash.
    public var request: [UInt8]
    /// The response to keep for a result.
    public var render: @Sendable (Result) throws -> StoredResponse
    /// The response to keep for a refusal; nil for an error a retry should meet afresh (a
    /// refusal about the current state, a failure), which keeps nothing.
    public var renderRefusal: @Sendable (any Error) -> StoredResponse?

    public init(
        apiKeyID: Int64, key: String, request: [UInt8], render: @escaping @Sendable (Result) throws -> StoredResponse,
        renderRefusal: @escaping @Sendable (any Error) -> StoredResponse?
    ) {
        self.apiKeyID = apiKeyID
        self.key = key
        self.request = request
        self.render = render
        self.renderRefusal = renderRefusal
    }
}

/// A program with where its money went.
public struct ProgramReport: Sendable {
    public struct Flow: Sendable, Equatable {
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

/// The storage port of the voucher use cases. Each call is one transaction that locks what it
/// needs, runs `VoucherRules`, moves the money in the ledger, and (given a record) keeps the
/// response of its Idempotency-Key; refusals throw `MarketError` or `VoucherRefusal`.
public protocol VoucherStore: Sendable {
    /// Funds the program from the region's treasury in the same transaction.
    func createProgram(_ terms: ProgramTerms, by caller: Principal?, record: IdempotencyRecord<VoucherProgram>?) async throws -> VoucherProgram
    func programs(for caller: Principal?, page: PageRequest) async throws -> [ProgramReport]
    func program(_ id: ProgramID, for caller: Principal?) async throws -> ProgramReport
    /// `number` is for fixtures; the API lets the store number vouchers.
    func issueVoucher(
        program: ProgramID, firm: PartyID, faceValueFen: Int64, number: String?, by caller: Principal?,
        record: IdempotencyRecord<Voucher>?
    ) async throws -> Voucher
    func vouchers(for caller: Principal?, page: PageRequest) async throws -> [Voucher]
    func voucher(number: String, for caller: Principal?) async throws -> Voucher
    func redeem(voucher number: String, _ request: RedemptionRequest, by caller: Principal?, record: IdempotencyRecord<Redemption>?) async throws -> Redemption
    func redemptions(for caller: Principal?, status: Redemption.Status?, page: PageRequest) async throws -> [Redemption]
    func redemption(_ id: RedemptionID, for caller: Principal?) async throws -> Redemption
    func claim(_ id: RedemptionID, evidence: [String], by caller: Principal?) async throws -> Redemption
    /// Approves (posts the hold) or rejects (voids it, with a reason).
    func decide(_ id: RedemptionID, approve: Bool, reason: String?, by caller: Principal?, record: IdempotencyRecord<Redemption>?) async throws -> Redemption
    /// Voids holds whose program's claim-by date is before `today`; returns how many.
    func sweep(today: Day) async throws -> Int
    /// Pays every approved redemption of `issuer` in a new batch; nil when there is nothing to pay.
    func settle(issuer: RegionCode, by caller: Principal?, record: IdempotencyRecord<SettlementBatch?>?) async throws -> SettlementBatch?
    func settlement(_ id: SettlementID, for caller: Principal?) async throws -> SettlementBatch
}

extension VoucherStore {
    /// The first page of redemptions (`PageRequest.first`).
    public func redemptions(for caller: Principal?, status: Redemption.Status?) async throws -> [Redemption] {
        try await redemptions(for: caller, status: status, page: .first)
    }

    /// The first page of programs (`PageRequest.first`).
    public func programs(for caller: Principal?) async throws -> [ProgramReport] {
        try await programs(for: caller, page: .first)
    }
}
