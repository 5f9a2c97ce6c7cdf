/// The listings use cases: who may do what with a listing, and in which state.
public struct ListingService<Store: ListingStore>: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

    /// An institution creates a draft.
    public func create(_ content: ListingContent, by caller: Principal?) async throws -> Listing {
        let institution = try Self.holder(caller, action: "create listings")
        try content.validate()
        return try await store.createListing(institution: institution, content: content)
    }

    /// One listing; drafts and withdrawn listings only for their institution and admins.
    public func listing(_ id: ListingID, for caller: Principal?) async throws -> Listing {
        guard let listing = try await store.listing(id), Self.canSee(listing, caller) else {
            throw MarketError.notFound("no listing \(id)")
        }
        return listing
    }

    /// The holding institution changes fields of a draft or published listing it read at
    /// `expectedVersion`.
    public func update(_ id: ListingID, _ changes: ListingChanges, expectedVersion: Int, by caller: Principal?) async throws -> Listing {
        let institution = try Self.holder(caller, action: "edit listings")
        return try await store.modifyListing(id) { listing in
            try Self.checkHolder(listing, institution, caller: caller, action: "edited")
            // Bad input is refused as such (400) whatever version it names.
            let content = try changes.applied(to: listing.content)
            guard listing.version == expectedVersion else {
                throw MarketError.staleVersion(expected: expectedVersion, current: listing.version)
            }
            listing.content = content
            listing.version += 1
        }
    }

    /// draft → published.
    public func publish(_ id: ListingID, expectedVersion: Int?, by caller: Principal?) async throws -> Listing {
        try await move(id, to: .published, from: [.draft], action: "published", expectedVersion: expectedVersion, by: caller)
    }

    /// draft or published → withdrawn.
    public func withdraw(_ id: ListingID, expectedVersion: Int?, by caller: Principal?) async throws -> Listing {
        try await move(id, to: .withdrawn, from: [.draft, .published], action: "withdrawn", expectedVersion: expectedVersion, by: caller)
    }

    /// A page of listings. Public statuses are open to anyone; drafts and withdrawn listings only
    /// to their institution (its own, whatever `institution` says) and admins.
    public func search(_ query: ListingQuery, for caller: Principal?) async throws -> ListingPage {
        var query = query
        if !query.status.isPublic {
            query.institutionID = try AccessPolicy.privateListingScope(status: query.status, institution: query.institutionID, caller)
        }
        try query.validate()
        let result = try await store.searchListings(query)
        let next = result.hasMore && !result.items.isEmpty
            ? ListingCursor(key: result.keys[result.keys.count - 1], id: result.items[result.items.count - 1].id, querySignature: query.signature).encoded
            : nil
        return ListingPage(items: result.items, nextCursor: next)
    }

    /// See `ListingStore.listingSearchGeneration`.
    public func searchGeneration() async throws -> Int64 {
        try await store.listingSearchGeneration()
    }

    private func move(
        _ id: ListingID, to status: ListingStatus, from allowed: Set<ListingStatus>, action: String, expectedVersion: Int?,
        by caller: Principal?
    ) async throws -> Listing {
        let institution = try Self.holder(caller, action: "change listings")
        return try await store.modifyListing(id) { listing in
            try Self.checkHolder(listing, institution, caller: caller, action: action)
            if let expectedVersion, listing.version != expectedVersion {
                throw MarketError.staleVersion(expected: expectedVersion, current: listing.version)
            }
            guard allowed.contains(listing.status) else {
                throw MarketError.invalidTransition(resource: "listing", from: listing.status.rawValue, action: action)
            }
            listing.status = status
            listing.version += 1
        }
    }

    static func holder(_ caller: Principal?, action: String) throws(MarketError) -> PartyID {
        try AccessPolicy.listingHolder(caller, action: action)
    }

    /// The holder may change the listing (access), and the listing's state allows a change.
    static func checkHolder(_ listing: Listing, _ institution: PartyID, caller: Principal?, action: String) throws(MarketError) {
        try AccessPolicy.checkChangesListing(listing, by: institution, caller)
        guard listing.status.isEditable else { throw .invalidTransition(resource: "listing", from: listing.status.rawValue, action: action) }
    }

    static func canSee(_ listing: Listing, _ caller: Principal?) -> Bool { AccessPolicy.canSee(listing, caller) }
}
