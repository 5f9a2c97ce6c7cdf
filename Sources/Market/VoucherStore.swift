/// A response kept for an `Idempotency-Key`, returned again on a retry.
public struct StoredResponse: Sendable, Equatable {
    public var status: Int
    public var body: String

    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }
}

/// What a new `Idempotency-Key` may do.
public enum IdempotencyClaim: Sendable, Equatable {
    /// The key is new, or its first try ended without an answer: go on, as the attempt `token`.
    case proceed(token: String)
    /// The key was used with the same request: here is the first response.
    case replay(StoredResponse)
    /// The key was used with another request.
    case reusedWithOtherRequest
    /// The first request with this key is still running.
    case inProgress
}

/// Records the response of a use case in the same transaction as its effects, so that a retry
/// can never do the work twice.
public struct IdempotencyRecord<Result>: Sendable {
    public var apiKeyID: Int64
    public var key: String
    /// The attempt that claimed the key; only it may write the answer.
    public var token: String
    public var render: @Sendable (Result) throws -> StoredResponse

    public init(apiKeyID: Int64, key: String, token: String, render: @escaping @Sendable (Result) throws -> StoredResponse) {
        self.apiKeyID = apiKeyID
        self.key = key
        self.token = token
        self.render = render
    }
}

/// Another attempt took over the Idempotency-Key (this one was taken for dead); it must not act.
public struct IdempotencyKeyTaken: Error, Sendable {
    public init() {}
}

/// The storage port of idempotency keys.
public protocol IdempotencyStore: Sendable {
    /// Claims `key` for this request (method, path and body; the store keeps its hash). A key is
    /// in progress while the transaction of its use case holds the key's row; a claim whose
    /// attempt holds nothing (it died, or has not started) is taken over with a new token, and
    /// the old attempt then finds its token gone and stops before it moves money.
    func claim(apiKeyID: Int64, key: String, request: [UInt8]) async throws -> IdempotencyClaim
    /// Keeps a response that the use case did not record itself (a refusal, which wrote nothing).
    func finish(apiKeyID: Int64, key: String, token: String, response: StoredResponse) async throws
    /// Forgets a claim whose request failed without an answer, so that a retry runs again.
    func abandon(apiKeyID: Int64, key: String, token: String) async throws
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
    func programs(for caller: Principal?) async throws -> [ProgramReport]
    func program(_ id: ProgramID, for caller: Principal?) async throws -> ProgramReport
    /// `number` is for fixtures; the API lets the store number vouchers.
    func issueVoucher(
        program: ProgramID, firm: PartyID, faceValueFen: Int64, number: String?, by caller: Principal?,
        record: IdempotencyRecord<Voucher>?
    ) async throws -> Voucher
    func vouchers(for caller: Principal?) async throws -> [Voucher]
    func voucher(number: String, for caller: Principal?) async throws -> Voucher
    func redeem(voucher number: String, _ request: RedemptionRequest, by caller: Principal?, record: IdempotencyRecord<Redemption>?) async throws -> Redemption
    func redemptions(for caller: Principal?, status: Redemption.Status?) async throws -> [Redemption]
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
