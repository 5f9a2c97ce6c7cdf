import Foundation
import Market
import Postgres

extension PostgresMarketStore: ListingStore {
    static let listingColumns = """
        l.id, l.institution_id, p.name AS institution_name, l.region_code, l.status, l.version, l.reference, l.title,
        l.summary, l.benefit, l.field_code, l.trl, l.asking_price_fen, l.created_at, l.updated_at, l.published_at,
        json_build_object('keywords', l.keywords, 'ipAssets', l.ip_assets, 'transferModes', l.transfer_modes)::text AS lists
        """

    /// A listing's three lists, read as one JSON object: one decode per row, not three.
    struct ListingLists: Decodable {
        var keywords: [String]
        var ipAssets: [IPAsset]
        var transferModes: [TransferMode]
    }

    public func createListing(institution: PartyID, content: ListingContent) async throws -> Listing {
        try await available { try await self.pool.withTransaction { connection in
            try Self.insertListing(institution: institution, content: content, status: .draft, on: connection)
        } }
    }

    /// Inserts a listing (a draft, or any status for fixtures) and reads it back.
    static func insertListing(
        institution: PartyID, content: ListingContent, status: ListingStatus, on connection: PostgresConnection
    ) throws -> Listing {
        guard let holder = try connection.query(
            "SELECT name, region_code FROM parties WHERE id = $1 AND kind = 'institution' FOR SHARE", institution.value
        ).first else {
            throw MarketError.forbidden("participant \(institution) is not an institution")
        }
        let search = searchVector(content, institutionName: try holder.decode("name"))
        let id: Int64 = try mappingConstraintErrors {
            try connection.query(
                """
                INSERT INTO listings (institution_id, reference, status, region_code, title, summary, benefit, field_code,
                    keywords, trl, ip_assets, transfer_modes, asking_price_fen, negotiable, search, published_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[], $10::smallint, $11::jsonb, $12::text[], $13::bigint, $14,
                    $15::tsvector, CASE WHEN $3 = 'draft' THEN NULL ELSE now() END)
                RETURNING id
                """,
                institution.value, content.reference, status.rawValue, try holder.decode("region_code", as: String.self),
                content.title, content.summary, content.benefit, content.fieldCode, textArray(content.keywords),
                Int64(content.trl), try jsonText(content.ipAssets), textArray(content.transferModes.map(\.rawValue)),
                content.askingPriceFen, content.negotiable, search
            )[0].decode("id")
        }
        return try listing(ListingID(id), lock: false, on: connection)!
    }

    public func listing(_ id: ListingID) async throws -> Listing? {
        try await available { try await self.pool.withConnection { connection in
            try Self.listing(id, lock: false, on: connection)
        } }
    }

    static func listing(_ id: ListingID, lock: Bool, on connection: PostgresConnection) throws -> Listing? {
        try connection.query(
            "SELECT \(listingColumns) FROM listings l JOIN parties p ON p.id = l.institution_id WHERE l.id = $1\(lock ? " FOR UPDATE OF l" : "")",
            id.value
        ).first.map(listing)
    }

    public func modifyListing(_ id: ListingID, _ change: @escaping @Sendable (inout Listing) throws -> Void) async throws -> Listing {
        try await available { try await self.pool.withTransaction { connection in
            guard var listing = try Self.listing(id, lock: true, on: connection) else {
                throw MarketError.notFound("no listing \(id)")
            }
            let before = listing
            try change(&listing)
            guard listing != before else { return listing }
            try Self.update(listing, previousStatus: before.status, on: connection)
            return try Self.listing(id, lock: false, on: connection)!
        } }
    }

    /// Writes a listing's content, status and version over the stored row.
    static func update(_ listing: Listing, previousStatus: ListingStatus, on connection: PostgresConnection) throws {
        let content = listing.content
        let publishing = listing.status == .published && previousStatus != .published
        try mappingConstraintErrors {
            _ = try connection.query(
                """
                UPDATE listings SET reference = $2, status = $3, version = $4::integer, title = $5, summary = $6, benefit = $7,
                    field_code = $8, keywords = $9::text[], trl = $10::smallint, ip_assets = $11::jsonb,
                    transfer_modes = $12::text[], asking_price_fen = $13::bigint, negotiable = $14, search = $15::tsvector,
                    updated_at = now(),
                    published_at = CASE WHEN $16::boolean THEN now() ELSE published_at END,
                    listed_at = CASE WHEN $16::boolean THEN now() ELSE listed_at END
                WHERE id = $1
                """,
                listing.id.value, content.reference, listing.status.rawValue, Int64(listing.version), content.title,
                content.summary, content.benefit, content.fieldCode, textArray(content.keywords), Int64(content.trl),
                try jsonText(content.ipAssets), textArray(content.transferModes.map(\.rawValue)), content.askingPriceFen,
                content.negotiable, searchVector(content, institutionName: listing.institutionName), publishing)
        }
    }

    public func searchListings(_ query: ListingQuery) async throws -> ListingSearchResult {
        try await available { try await self.pool.withConnection { connection in
            var items: [Listing] = []
            var keys: [ListingCursor.Key] = []
            var hasMore = false
            // Relevance runs one search per tier, the second only when the first runs out.
            let tiers: [Int?]
            if query.sort == .relevance {
                if let after = query.after, case .relevance(let tier, _) = after.key { tiers = Array(tier...2) } else { tiers = [1, 2] }
            } else {
                tiers = [nil]
            }
            for (index, tier) in tiers.enumerated() {
                let wanted = query.limit - items.count
                var found: PostgresRows?
                for phase in Self.phases(query) {
                    found = try Self.search(query, tier: tier, continuing: index == 0, limit: wanted + 1, phase: phase, on: connection)
                    if found!.count > wanted { break }
                }
                let rows = found!
                for row in rows.prefix(wanted) {
                    items.append(try Self.listing(row))
                    switch query.sort {
                    case .newest: keys.append(.newest(listedMicros: try row.decode("sort_key")))
                    case .priceAsc, .priceDesc: keys.append(.price(try row.decode("asking_price_fen", as: Int64?.self)))
                    case .relevance: keys.append(.relevance(tier: tier ?? 1, listedMicros: try row.decode("sort_key")))
                    }
                }
                if rows.count > wanted {
                    hasMore = true
                    break
                }
            }
            return ListingSearchResult(items: items, keys: keys, hasMore: hasMore)
        } }
    }

    public func listingSearchGeneration() async throws -> Int64 {
        try await available { try await self.pool.withConnection { connection in
            // One row, made by Schema/0007; a database without it is broken, not a reason to crash.
            guard let row = try connection.query("SELECT generation FROM listing_generation").first else {
                throw PostgresDecodingError.invalidValue(column: "generation", expected: "the one row of listing_generation", text: "no row")
            }
            return try row.decode("generation", as: Int64.self)
        } }
    }

    /// How a text search finds a page. PostgreSQL's GIN index finds the matches of a word but not
    /// in date or price order, and its estimates for phrases of bigrams are too poor (it takes
    /// '无人' <-> '人机' for two independent words) to choose well between collecting every match
    /// and walking the sort order. So the store bounds the work itself: it walks the sort order
    /// for a fixed budget of rows, which finds a page of a common word at once, and only when
    /// that comes up short collects the matches, which are then known to be rarer.
    enum SearchPhase {
        /// The first `recentRowsMax` rows in the sort order (after the other filters) are checked
        /// against the text.
        case recent
        /// Every match, from the GIN index, then filtered and sorted.
        case everything
    }

    static let recentRowsMax = 1_000

    /// The attempts for a query, cheapest first; the last always answers completely.
    static func phases(_ query: ListingQuery) -> [SearchPhase] {
        query.text == nil ? [.everything] : [.recent, .everything]
    }

    static func search(
        _ query: ListingQuery, tier: Int?, continuing: Bool, limit: Int, phase: SearchPhase, on connection: PostgresConnection
    ) throws -> PostgresRows {
        let statement = searchStatement(query, tier: tier, continuing: continuing, limit: limit, phase: phase)
        // Collecting every match is planned for these values each time: a generic plan cannot know
        // how common the words are. Walking the sort order has one right plan, kept prepared.
        return try connection.query(statement.sql, parameters: statement.parameters, prepared: query.text == nil || phase == .recent)
    }

    /// The SQL of one search: only the conditions the query uses, so that each shape gets its own
    /// plan. `tier` picks the relevance tier (1: title, keywords, IP; 2: elsewhere); `continuing`
    /// applies the cursor (the first query of a page continues from it, a later tier starts at
    /// its top).
    static func searchStatement(
        _ query: ListingQuery, tier: Int?, continuing: Bool, limit: Int, phase: SearchPhase = .everything
    ) -> (sql: String, parameters: [any PostgresEncodable]) {
        var parameters: [any PostgresEncodable] = []
        func bind(_ value: any PostgresEncodable) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }
        // The status as a literal (one of three fixed words): a prepared statement's generic plan
        // can then use the indexes made for published listings alone.
        let status = "'\(query.status.rawValue)'"
        var conditions = ["l.status = \(status)"]
        // The text: which vector must match, and for tier 2 which must not.
        var textColumn: String?
        var textConditions: [String] = []
        if let text = query.text, let tsquery = SearchText.tsquery(text) {
            let placeholder = bind(tsquery)
            textColumn = tier == 1 ? "search_head" : "search"
            textConditions.append("l.\(textColumn!) @@ \(placeholder)::tsquery")
            if tier == 2 { textConditions.append("NOT l.search_head @@ \(placeholder)::tsquery") }
        }
        if let field = query.fieldCode { conditions.append("l.field_code = \(bind(field))") }
        if let low = query.trlMin { conditions.append("l.trl >= \(bind(Int64(low)))::smallint") }
        if let high = query.trlMax { conditions.append("l.trl <= \(bind(Int64(high)))::smallint") }
        if let mode = query.mode { conditions.append("l.transfer_modes @> ARRAY[\(bind(mode.rawValue))::text]") }
        if let low = query.priceMinFen { conditions.append("l.asking_price_fen >= \(bind(low))::bigint") }
        if let high = query.priceMaxFen { conditions.append("l.asking_price_fen <= \(bind(high))::bigint") }
        if let negotiable = query.negotiable { conditions.append("l.negotiable = \(bind(negotiable))::boolean") }
        if let institution = query.institutionID { conditions.append("l.institution_id = \(bind(institution.value))::bigint") }
        if let region = query.regionCode {
            conditions.append(
                """
                l.region_code IN (WITH RECURSIVE below AS (SELECT \(bind(region.value))::text AS code
                    UNION SELECT r.code FROM regions r JOIN below b ON r.parent_code = b.code) SELECT code FROM below)
                """)
        }
        let after = continuing ? query.after : nil
        let order: String
        let sortKey: String
        switch query.sort {
        case .newest, .relevance:
            sortKey = "(extract(epoch FROM l.listed_at) * 1000000)::bigint"
            order = "l.listed_at DESC, l.id DESC"
            let micros: Int64?
            switch after?.key {
            case .newest(let value)?, .relevance(_, let value)?: micros = value
            default: micros = nil
            }
            if let micros, let after {
                conditions.append(
                    "(l.listed_at, l.id) < ('epoch'::timestamptz + \(bind(micros))::bigint * interval '1 microsecond', \(bind(after.id.value))::bigint)")
            }
        case .priceAsc, .priceDesc:
            // Negotiable listings (no price) last in both directions, as the price indexes are.
            let ascending = query.sort == .priceAsc
            sortKey = "l.asking_price_fen"
            order = ascending ? "l.asking_price_fen ASC NULLS LAST, l.id ASC" : "l.asking_price_fen DESC NULLS LAST, l.id DESC"
            if let after, case .price(let fen) = after.key {
                let id = bind(after.id.value)
                if let fen {
                    let price = bind(fen)
                    let beyond = ascending ? ">" : "<"
                    conditions.append(
                        "(l.asking_price_fen \(beyond) \(price)::bigint OR (l.asking_price_fen = \(price)::bigint AND l.id \(beyond) \(id)::bigint) OR l.asking_price_fen IS NULL)")
                } else {
                    conditions.append("(l.asking_price_fen IS NULL AND l.id \(ascending ? ">" : "<") \(id)::bigint)")
                }
            }
        }
        let limitParameter = bind(Int64(limit))
        let select = "SELECT \(listingColumns), \(sortKey) AS sort_key"
        let sql: String
        switch (textColumn, phase) {
        case (nil, _):
            sql = """
                \(select)
                FROM listings l JOIN parties p ON p.id = l.institution_id
                WHERE \(conditions.joined(separator: "\n  AND "))
                ORDER BY \(order) LIMIT \(limitParameter)::bigint
                """
        case (_?, .recent):
            // The inner scan walks the sort order with the cheap filters; the text is checked on
            // the rows it yields, never pushed into it, so it stops after the budget.
            sql = """
                \(select)
                FROM (SELECT * FROM listings l WHERE \(conditions.joined(separator: " AND "))
                      ORDER BY \(order) LIMIT \(recentRowsMax)) l
                JOIN parties p ON p.id = l.institution_id
                WHERE \(textConditions.joined(separator: " AND "))
                ORDER BY \(order) LIMIT \(limitParameter)::bigint
                """
        case (_?, .everything):
            // MATERIALIZED keeps the GIN lookup on its own (the status and the text, nothing
            // that could tempt the planner to walk the sort order instead): every match, however
            // few, with only the columns the filters and the order need. The page is chosen from
            // those, and only its rows are read whole and joined.
            sql = """
                WITH matches AS MATERIALIZED (
                    SELECT l.id, l.listed_at, l.asking_price_fen, l.field_code, l.trl, l.transfer_modes, l.negotiable,
                           l.institution_id, l.region_code
                    FROM listings l WHERE \(([conditions[0]] + textConditions).joined(separator: " AND "))),
                page AS (
                    SELECT l.id FROM matches l
                    \(conditions.count > 1 ? "WHERE " + conditions.dropFirst().joined(separator: "\n  AND ") : "")
                    ORDER BY \(order) LIMIT \(limitParameter)::bigint)
                \(select)
                FROM page JOIN listings l ON l.id = page.id JOIN parties p ON p.id = l.institution_id
                ORDER BY \(order)
                """
        }
        return (sql, parameters)
    }

    /// The search vector: title (A), keywords and IP numbers and titles (B), summary and benefit
    /// (C), institution (D).
    static func searchVector(_ content: ListingContent, institutionName: String) -> String {
        let assets = content.ipAssets.map { [$0.number ?? "", $0.title].joined(separator: " ") }
        return SearchText.tsvector([
            (content.title, "A"),
            ((content.keywords + assets).joined(separator: " / "), "B"),
            ([content.summary, content.benefit ?? ""].joined(separator: "\n"), "C"),
            (institutionName, "D"),
        ])
    }

    /// A PostgreSQL array literal of strings, every element quoted.
    static func textArray(_ values: [String]) -> String {
        "{" + values.map { value in
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "}"
    }

    /// Turns the constraint errors a listing write can meet into answers naming the field.
    static func mappingConstraintErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.isUniqueViolation {
            throw MarketError.duplicate(field: "reference", message: "this institution already has a listing with this reference")
        } catch let error as PostgresError where error.isForeignKeyViolation && error.constraint?.contains("field_code") == true {
            throw MarketError.invalid([.rule("field", "is not a known field code (see /v1/fields)")])
        }
    }

    static func listing(_ row: PostgresRow) throws -> Listing {
        let listsText: String = try row.decode("lists")
        let lists: ListingLists
        do {
            lists = try jsonDecoder.decode(ListingLists.self, from: Data(listsText.utf8))
        } catch {
            throw PostgresDecodingError.invalidValue(column: "lists", expected: "keywords, IP assets and transfer modes as JSON", text: listsText)
        }
        let statusText: String = try row.decode("status")
        let regionText: String = try row.decode("region_code")
        guard let status = ListingStatus(rawValue: statusText), let region = RegionCode(regionText) else {
            throw PostgresDecodingError.invalidValue(column: "status/region_code", expected: "listing", text: "\(statusText)/\(regionText)")
        }
        let content = ListingContent(
            reference: try row.decode("reference", as: String?.self), title: try row.decode("title"),
            summary: try row.decode("summary"), benefit: try row.decode("benefit", as: String?.self),
            fieldCode: try row.decode("field_code"), keywords: lists.keywords,
            trl: try row.decode("trl"), ipAssets: lists.ipAssets, transferModes: lists.transferModes,
            askingPriceFen: try row.decode("asking_price_fen", as: Int64?.self))
        return Listing(
            id: ListingID(try row.decode("id")), institutionID: PartyID(try row.decode("institution_id")),
            institutionName: try row.decode("institution_name"), regionCode: region, status: status,
            version: try row.decode("version"), content: content, createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"), publishedAt: try row.decode("published_at", as: Date?.self))
    }
}
