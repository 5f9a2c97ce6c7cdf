import Foundation
import Ledger

/// The unit of work of the auction use cases (`AuctionService`): one PostgreSQL transaction,
/// retried whole on a serialization failure or deadlock, with the Idempotency-Key claimed as its
/// first statement when a record is given. The adapter does SQL and mapping only.
public protocol AuctionStore: Sendable {
    associatedtype AuctionUnit: AuctionWork

    func auctionTransaction<T: Sendable, R>(_ record: IdempotencyRecord<R>?, _ body: @escaping @Sendable (AuctionUnit) throws -> T) async throws -> T

    /// One transaction for several commands on one lot, each with its own Idempotency-Key (the
    /// bids that waited together, `LotBidQueue`): every key is claimed first without waiting, the
    /// body runs the commands whose keys it holds (`claimed`), answering each (nil for the rest)
    /// and keeping the answers; a key another request holds, or one answered before, answers its
    /// command with `IdempotencyKeyAnswered` as `auctionTransaction` would.
    func auctionBatch<R: Sendable>(
        _ records: [IdempotencyRecord<R>?], _ body: @escaping @Sendable (AuctionUnit, _ claimed: [Bool]) throws -> [Result<R, any Error>?]
    ) async throws -> [Result<R, any Error>]

    func auctionRead<T: Sendable>(_ body: @escaping @Sendable (AuctionUnit) throws -> T) async throws -> T
}

/// What an auction use case reads and writes inside its unit of work. The lot's row lock
/// (`lockedLot`) orders every use case on one lot; its registrations are read after it.
public protocol AuctionWork: ContractSigning {
    func keep<R>(_ record: IdempotencyRecord<R>?, _ result: R) throws
    /// Keeps `refusal`'s answer for the record's key, in the transaction that recorded the
    /// refused command; nothing when the refusal is one a retry should meet afresh.
    func keepRefusal<R>(_ record: IdempotencyRecord<R>?, _ refusal: any Error) throws
    /// When the lot's last accepted bid was made, if any.
    func lastBidAt(_ lot: LotID) throws -> Date?

    func insertSession(_ request: SessionRequest, at now: Date) throws -> AuctionSession
    func session(_ id: SessionID) throws -> AuctionSession?
    func sessions(page: PageRequest) throws -> [AuctionSession]

    /// The listing, locked (its lot is decided one at a time).
    func lockedListing(_ id: ListingID) throws -> Listing?
    /// The listing's lot that has not closed, if any.
    func openLot(of listing: ListingID) throws -> LotID?
    func insertLot(session: SessionID, institution: PartyID, terms: LotTerms, depositFen: Int64, at now: Date) throws -> Lot
    /// The lot under its row lock, with its engine's snapshot and the commands after it; nil
    /// when there is none, or, with `skipLocked`, when another transaction holds it.
    func lockedLot(_ id: LotID, skipLocked: Bool) throws -> StoredLot?
    /// The lot under its lock, with its session and registrations, in one round trip: what a
    /// registration, a bid or a close decides on, so that the lock is held for as few round trips
    /// as the command needs.
    func lockedLotFacts(_ id: LotID, skipLocked: Bool) throws -> LotFacts?
    /// The lot with its snapshot and log tail as last committed, without its lock (for reads:
    /// a read never waits for a bid).
    func storedLot(_ id: LotID) throws -> StoredLot?
    func lot(_ id: LotID) throws -> Lot?
    func lots(_ filter: LotFilter, page: PageRequest) throws -> [Lot]
    /// Writes the lot's row and appends its log and public events, sent with the unit of work's
    /// next statement (a bid's COMMIT): nothing is read back.
    func saveLot(_ lot: Lot, log: [LotLogEntry], events: [LotEvent], lastCommandID: UInt64, lastEventSequence: Int64, snapshot: [UInt8]?) throws
    func setListingStatus(_ listing: ListingID, _ status: ListingStatus) throws
    /// Lots consented and past their end, not closed; skipping lots another server holds.
    func lotsDue(now: Date, limit: Int) throws -> [LotID]

    func parties(_ ids: [PartyID]) throws -> [PartyID: Party]
    func registrations(_ lot: LotID) throws -> [LotRegistration]
    func insertRegistration(lot: LotID, firm: PartyID, paddle: Int, depositFen: Int64, at now: Date) throws -> LotRegistration
    func setDepositStatuses(_ statuses: [LotRegistrationID: LotRegistration.DepositStatus]) throws
    /// A firm's registrations, newest last.
    func registrations(firm: PartyID, page: PageRequest) throws -> [LotRegistration]

    /// Applies one money step (its accounts mapped from the holders, opened on first use).
    func move(_ step: AuctionMoneyStep) throws -> TransferResult
    /// What the firm's deposit account holds, free to lodge.
    func depositBalance(_ firm: PartyID) throws -> Int64
    /// A new receipt; nil when its bank reference was recorded before.
    func insertReceipt(firm: PartyID, amountFen: Int64, reference: String, at now: Date) throws -> DepositReceiptID?
    func receipt(reference: String) throws -> DepositReceipt?
    /// The amount and accounts' holders of a recorded transfer, for the replay audit.
    func transferAmount(_ id: TransferID) throws -> Int64?

    /// The lot's public events after `sequence`, in order.
    func lotEvents(_ lot: LotID, after sequence: Int64, kinds: [LotEvent.Kind]?, limit: Int) throws -> [LotEvent]
    /// The lot's whole log in order, for the replay audit.
    func lotLog(_ lot: LotID) throws -> [LotLogEntry]

    /// The contract a hammer made, under its row lock; and its next state (a default terminates it).
    func contract(_ id: ContractID, locked: Bool) throws -> Contract?
    func updateContract(_ contract: Contract, _ version: ContractVersion) throws
}

/// One commit's public events on a lot: the first and last sequence numbers it wrote.
public struct LotBellRing: Sendable, Equatable {
    public var lotID: LotID
    public var firstSequence: Int64
    public var lastSequence: Int64

    public init(lotID: LotID, firstSequence: Int64, lastSequence: Int64) {
        self.lotID = lotID
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
    }

    /// The notice's text: `lot:first:last`.
    public var payload: String { "\(lotID.value):\(firstSequence):\(lastSequence)" }

    public init?(payload: String) {
        let parts = payload.split(separator: ":")
        guard parts.count == 3, let lot = Int64(parts[0]), let first = Int64(parts[1]), let last = Int64(parts[2]), first <= last else { return nil }
        self.init(lotID: LotID(lot), firstSequence: first, lastSequence: last)
    }
}

/// Rings when a commit on any server wrote public events of a lot (PostgreSQL LISTEN/NOTIFY, the
/// notice sent with the commit), so that a server's live streams hear of bids taken by another.
public protocol LotEventBell: Sendable {
    /// Every ring, in commit order; one consumer.
    var rings: AsyncStream<LotBellRing> { get }
}

/// What a command on a lot decides on, read under the lot's lock.
public struct LotFacts: Sendable {
    public var stored: StoredLot
    public var session: AuctionSession
    public var registrations: [LotRegistration]

    public init(stored: StoredLot, session: AuctionSession, registrations: [LotRegistration]) {
        self.stored = stored
        self.session = session
        self.registrations = registrations
    }
}
