/// The storage port of participants.
public protocol PartyStore: Sendable {
    func party(_ id: PartyID) async throws -> Party?
    func party(handle: String) async throws -> Party?
    /// The directory in id order.
    func parties(_ query: PartyQuery) async throws -> [Party]
    /// Stores a validated participant; a taken handle or credit code is `MarketError.duplicate`,
    /// an unknown region or group `MarketError.invalid`.
    func register(_ party: NewParty) async throws -> Party
}

/// The storage port of API keys. Only a hash of each key is stored.
public protocol KeyStore: Sendable {
    /// The caller a key stands for, or nil when the key is unknown or revoked.
    func principal(forKey key: String) async throws -> Principal?
    /// Makes a key for `party` (nil for admin) and returns its text, the only time it is seen.
    func issueKey(role: Role, party: PartyID?, label: String) async throws -> (key: String, info: APIKeyInfo)
    /// Stores a key whose text is known in advance (demo keys of the fixtures); idempotent.
    func installKey(_ key: String, role: Role, party: PartyID?, label: String) async throws -> APIKeyInfo
    /// Revokes a key; false when there is no such key or it was already revoked.
    func revokeKey(id: Int64) async throws -> Bool
    func keys() async throws -> [APIKeyInfo]
}

/// The storage port of listings.
public protocol ListingStore: Sendable {
    /// Stores a new draft; a taken reference is `MarketError.duplicate`, an unknown field code
    /// `MarketError.invalid`.
    func createListing(institution: PartyID, content: ListingContent) async throws -> Listing
    func listing(_ id: ListingID) async throws -> Listing?
    /// Locks the listing, lets `change` edit it (synchronously, inside the transaction; a throw
    /// refuses and writes nothing), then writes it back with a new `updatedAt`. Publishing sets
    /// `publishedAt`. Throws `MarketError.notFound` when there is no such listing.
    func modifyListing(_ id: ListingID, _ change: @escaping @Sendable (inout Listing) throws -> Void) async throws -> Listing
    /// One page of listings matching the query (validated and authorised by the caller).
    func searchListings(_ query: ListingQuery) async throws -> ListingSearchResult
    /// A number that moves on whenever anything a public search can show changes (listings, their
    /// institutions, regions), as committed: while it reads the same, a search answers the same.
    func listingSearchGeneration() async throws -> Int64
}
