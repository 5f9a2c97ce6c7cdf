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
}

/// What an offer use case reads and writes inside its unit of work. The listing's offer lock
/// (`lockedListingOffers`) comes first and orders every use case on one listing's books; an
/// offer's row is read after it.
public protocol OfferWork: ContractSigning {
    func keep<R>(_ record: IdempotencyRecord<R>?, _ result: R) throws

    /// The listing, its sale terms and its books (snapshot and the log after it), under the
    /// listing's offer lock; nil when there is no such listing, or, with `skipLocked`, when
    /// another transaction holds the lock.
    func lockedListingOffers(_ listing: ListingID, skipLocked: Bool) throws -> (listing: Listing, terms: SaleTerms, books: [StoredBook])?
    /// What placing an offer decides on, read in one go: the listing as `lockedListingOffers`
    /// reads it under its lock, the firm's live offer on the listing and mode, and the new
    /// offer's id; nil when there is no such listing.
    func lockedListingForOffer(_ listing: ListingID, mode: TransferMode, firm: PartyID) throws
        -> (stored: (listing: Listing, terms: SaleTerms, books: [StoredBook]), liveOffer: OfferID?, newID: OfferID)?
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
    public func lockedListingOffers(_ listing: ListingID) throws -> (listing: Listing, terms: SaleTerms, books: [StoredBook])? {
        try lockedListingOffers(listing, skipLocked: false)
    }
}
