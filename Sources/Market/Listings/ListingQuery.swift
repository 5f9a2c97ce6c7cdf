import Foundation

/// How search results are ordered. Every order ends with the id, so pages never overlap.
public enum ListingSort: String, Sendable, CaseIterable {
    /// Listings whose title, keywords or IP assets match first, then those that match only in the
    /// summary, benefit or institution; newest first within each tier. Needs `q`.
    case relevance
    /// Most recently published first (drafts: most recently created).
    case newest
    /// Cheapest first; negotiable listings after every priced one.
    case priceAsc = "price_asc"
    /// Dearest first; negotiable listings after every priced one.
    case priceDesc = "price_desc"
}

/// Filters, order and page of a listings search.
public struct ListingQuery: Sendable, Equatable {
    public var text: String?
    public var fieldCode: String?
    public var trlMin: Int?
    public var trlMax: Int?
    public var mode: TransferMode?
    public var priceMinFen: Int64?
    public var priceMaxFen: Int64?
    public var negotiable: Bool?
    public var institutionID: PartyID?
    /// The region and every region below it.
    public var regionCode: RegionCode?
    public var status: ListingStatus
    public var sort: ListingSort
    public var limit: Int
    public var after: ListingCursor?

    /// The query parameters of `GET /v1/listings`, in the order docs/listings.md lists them.
    public static let parameterNames = [
        "q", "field", "trlMin", "trlMax", "mode", "priceMin", "priceMax", "negotiable", "institution", "region", "status",
        "sort", "limit", "cursor",
    ]

    public static let limitMax = 100
    public static let limitDefault = 20
    public static let textLengthMax = 100

    public init(
        text: String? = nil, fieldCode: String? = nil, trlMin: Int? = nil, trlMax: Int? = nil, mode: TransferMode? = nil,
        priceMinFen: Int64? = nil, priceMaxFen: Int64? = nil, negotiable: Bool? = nil, institutionID: PartyID? = nil,
        regionCode: RegionCode? = nil, status: ListingStatus = .published, sort: ListingSort? = nil,
        limit: Int = ListingQuery.limitDefault, after: ListingCursor? = nil
    ) {
        self.text = text
        self.fieldCode = fieldCode
        self.trlMin = trlMin
        self.trlMax = trlMax
        self.mode = mode
        self.priceMinFen = priceMinFen
        self.priceMaxFen = priceMaxFen
        self.negotiable = negotiable
        self.institutionID = institutionID
        self.regionCode = regionCode
        self.status = status
        self.sort = sort ?? (text == nil ? .newest : .relevance)
        self.limit = limit
        self.after = after
    }

    /// Checks what each parameter alone cannot, so the answer names them: parameters that go
    /// together, text with something to search for, a cursor that fits are rules (422); the
    /// length of `q` and the limit, which the document states too, are malformed input (400).
    public func validate() throws(MarketError) {
        var issues = FieldIssues()
        if let text, text.count > Self.textLengthMax { issues.add("q", "must be at most \(Self.textLengthMax) characters") }
        if let text, SearchText.tsquery(text) == nil { issues.addRule("q", "has no letters, digits or Chinese characters to search for") }
        if let trlMin, let trlMax, trlMin > trlMax { issues.addRule("trlMin", "must not be above trlMax") }
        if let low = priceMinFen, let high = priceMaxFen, low > high { issues.addRule("priceMin", "must not be above priceMax") }
        if negotiable == true && (priceMinFen != nil || priceMaxFen != nil) {
            issues.addRule("negotiable", "negotiable listings have no price; drop priceMin/priceMax or negotiable=true")
        }
        if sort == .relevance && text == nil { issues.addRule("sort", "relevance needs a search text (q)") }
        if !(1...Self.limitMax).contains(limit) { issues.add("limit", "must be from 1 to \(Self.limitMax)") }
        if let after, after.querySignature != signature { issues.addRule("cursor", "belongs to a different search; start again without it") }
        if let after, !after.key.fits(sort) { issues.addRule("cursor", "was made for another sort order") }
        try issues.throwIfAny()
    }

    /// A checksum of everything but the page, carried in cursors so that a cursor is only used
    /// with the search it came from.
    public var signature: UInt32 {
        let parts: [String] = [
            text ?? "", fieldCode ?? "", trlMin.map(String.init) ?? "", trlMax.map(String.init) ?? "",
            mode?.rawValue ?? "", priceMinFen.map(String.init) ?? "", priceMaxFen.map(String.init) ?? "",
            negotiable.map(String.init) ?? "", institutionID.map(\.description) ?? "", regionCode?.value ?? "",
            status.rawValue, sort.rawValue,
        ]
        var hash: UInt32 = 2_166_136_261
        for byte in parts.joined(separator: "\u{1F}").utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return hash
    }
}

/// Where the next page starts: the sort key and id of the last row served.
public struct ListingCursor: Sendable, Equatable {
    public enum Key: Sendable, Equatable {
        /// Microseconds since 1970 of the listing's place in the newest order.
        case newest(listedMicros: Int64)
        case price(Int64?)
        /// The tier (1: title, keywords or IP; 2: elsewhere) and the place in the newest order.
        case relevance(tier: Int, listedMicros: Int64)

        func fits(_ sort: ListingSort) -> Bool {
            switch (self, sort) {
            case (.newest, .newest), (.price, .priceAsc), (.price, .priceDesc), (.relevance, .relevance): return true
            default: return false
            }
        }
    }

    public var key: Key
    public var id: ListingID
    public var querySignature: UInt32

    public init(key: Key, id: ListingID, querySignature: UInt32) {
        self.key = key
        self.id = id
        self.querySignature = querySignature
    }

    /// Opaque to clients: base64url of `v1~kind~key~id~signature`.
    public var encoded: String {
        let keyText: String
        switch key {
        case .newest(let micros): keyText = "n~\(micros)"
        case .price(let fen): keyText = "p~\(fen.map(String.init) ?? "-")"
        case .relevance(let tier, let micros): keyText = "r\(tier)~\(micros)"
        }
        let text = "v1~\(keyText)~\(id.value)~\(querySignature)"
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Reads a cursor made by `encoded`; nil for anything else.
    public init?(encoded: String) {
        guard encoded.utf8.count <= 200 else { return nil }
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "~", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "v1", let id = Int64(parts[3]), id > 0, let signature = UInt32(parts[4]) else { return nil }
        switch parts[1] {
        case "n":
            // Within ±1000 years of 1970, so that PostgreSQL's timestamps hold it.
            guard let micros = Int64(parts[2]), micros.magnitude < 31_556_952_000_000_000 else { return nil }
            key = .newest(listedMicros: micros)
        case "p":
            if parts[2] == "-" { key = .price(nil) }
            else if let fen = Int64(parts[2]) { key = .price(fen) }
            else { return nil }
        case "r1", "r2":
            guard let micros = Int64(parts[2]), micros.magnitude < 31_556_952_000_000_000 else { return nil }
            key = .relevance(tier: parts[1] == "r1" ? 1 : 2, listedMicros: micros)
        default:
            return nil
        }
        self.id = ListingID(id)
        querySignature = signature
    }
}

/// One page of a search, as the store returns it.
public struct ListingSearchResult: Sendable {
    public var items: [Listing]
    /// The sort key of each item, in order, to make the next cursor from.
    public var keys: [ListingCursor.Key]
    /// True when more rows follow the last item.
    public var hasMore: Bool

    public init(items: [Listing], keys: [ListingCursor.Key], hasMore: Bool) {
        self.items = items
        self.keys = keys
        self.hasMore = hasMore
    }
}

/// One page as served: the items and the cursor of the next page, if any.
public struct ListingPage: Sendable, Encodable {
    public var items: [Listing]
    public var nextCursor: String?

    public init(items: [Listing], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
