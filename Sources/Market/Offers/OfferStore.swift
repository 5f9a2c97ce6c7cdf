import Foundation

/// The unit of work of the offer use cases (`OfferService`): one PostgreSQL transaction, retried
/// whole on a serialization failure or deadlock, with the Idempotency-Key claimed as its first
/// statement when a record is given. The adapter does SQL and mapping only.
///
/// Its unit of work is named for the area (`OfferUnit`, not `Work`), so that one store can be
/// the port of several areas, each with its own unit of work.
public protocol OfferStore: Sendable {
    associatedtype OfferUnit: OfferWork

    func transaction<T: Sendable, R>(_ record: IdempotencyRecord<R>?, _ body: @escaping @Sendable (OfferUnit) throws -> T) async throws -> T

    func read<T: Sendable>(_ body: @escaping @Sendable (OfferUnit) throws -> T) async throws -> T

    /// One transaction for several offers that each carry a key of their own (`OfferService`'s
    /// batches): every key is claimed first; a key another request holds, or one answered before,
    /// leaves its offer out (`claimed` says which the body may run) and answers as `transaction`
    /// would. The body answers every offer it was told to run and keeps those answers itself.
    func offerBatch<R: Sendable>(
        _ records: [IdempotencyRecord<R>?], _ body: @escaping @Sendable (OfferUnit, _ claimed: [Bool]) throws -> [Result<R, any Error>?]
    ) async throws -> [Result<R, any Error>]
}

/// A listing as the offer use cases read it under its lock: the listing, its sale terms and its
/// books (snapshot and the log after it).
public typealias StoredListingOffers = (listing: Listing, terms: SaleTerms, books: [StoredBook])

/// An offer about to be placed, as the read before it needs it.
public struct OfferPlacementKey: Sendable, Equatable {
    public var listing: ListingID
    public var mode: TransferMode
    public var firm: PartyID

    public init(listing: ListingID, mode: TransferMode, firm: PartyID) {
        self.listing = listing
        self.mode = mode
        self.firm = firm
    }
}

/// What placing an offer decides on: the listing under its lock, the firm's live offer on the
/// listing and mode, and the new offer's id.
public struct OfferPlacementRead: Sendable {
    public var stored: StoredListingOffers
    public var liveOffer: OfferID?
    public var newID: OfferID

    public init(stored: StoredListingOffers, liveOffer: OfferID?, newID: OfferID) {
        self.stored = stored
        self.liveOffer = liveOffer
        self.newID = newID
    }
}

/// What an offer use case reads and writes inside its unit of work. The listing's offer lock
/// (`lockedListingOffers`) comes first and orders every use case on one listing's books; an
/// offer's row is read after it.
public protocol OfferWork: ContractSigning {
    func keep<R>(_ record: IdempotencyRecord<R>?, _ result: R) throws
    /// Keeps a refusal as the key's answer, when the record renders one (in a batch, where the
    /// refused offer's work is simply not written).
    func keepRefusal<R>(_ record: IdempotencyRecord<R>?, _ refusal: any Error) throws

    /// The listing, its sale terms and its books (snapshot and the log after it), under the
    /// listing's offer lock; nil when there is no such listing, or, with `skipLocked`, when
    /// another transaction holds the lock.
    func lockedListingOffers(_ listing: ListingID, skipLocked: Bool) throws -> StoredListingOffers?
    /// What placing each offer decides on, read in one round trip: the listings as
    /// `lockedListingOffers` reads them, locked in id order (the listings are distinct), each
    /// firm's live offer, and the new offers' ids; nil for an offer whose listing is not there.
    func lockedListingsForOffers(_ offers: [OfferPlacementKey]) throws -> [OfferPlacementRead?]
    /// The offer's listing id, read without a lock (to take the listing's lock first).
    func listingOfOffer(_ id: OfferID) throws -> ListingID?
    func offer(_ id: OfferID) throws -> Offer?
    func parties(_ ids: [PartyID]) throws -> [PartyID: Party]

    /// Writes a book this unit of work opened (its id is returned) or appends to one, with a
    /// snapshot when one is due.
    func saveBook(_ book: OfferBook, listing: ListingID, snapshot: [UInt8]?) throws -> Int64
    /// Writes the offer's row and its steps from `newStepsFrom` on (all of them for a new offer).
    func saveOffer(_ offer: Offer, newStepsFrom: Int, isNew: Bool) throws
    /// Every live offer of the listing's mode, but those named, expires.
    func expireLiveOffers(listing: ListingID, mode: TransferMode, except: [OfferID], at: Date) throws
    /// The listing is sold (transacted).
    func markTransacted(_ listing: ListingID) throws
    func saveSaleTerms(_ listing: ListingID, _ terms: SaleTerms) throws
    /// Sets the listing's ask (a new version of the listing).
    func setAsk(_ listing: ListingID, _ askingPriceFen: Int64?) throws

    func offers(_ visibility: OfferVisibility, _ filter: OfferFilter, page: PageRequest) throws -> [Offer]

    /// Listings with a window whose close is due, or a live offer past its valid-until, or
    /// withdrawn with books still open; skipping listings another server is working on.
    func listingsDue(now: Date, limit: Int) throws -> [ListingID]
    /// The listing's live offers past their valid-until.
    func lapsedOffers(listing: ListingID, now: Date) throws -> [OfferID]

    /// A book's whole log in order, for a replay audit.
    func bookLogs(_ listing: ListingID) throws -> [(book: StoredBook, log: [LoggedCommand])]
    /// The listings that have an offer book, in id order after `after`, at most `limit`.
    func listingsWithBooks(after: ListingID?, limit: Int) throws -> [ListingID]
}

extension OfferWork {
    /// The listing under its offer lock, waiting for it.
    public func lockedListingOffers(_ listing: ListingID) throws -> StoredListingOffers? {
        try lockedListingOffers(listing, skipLocked: false)
    }
}
