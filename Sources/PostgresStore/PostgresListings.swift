import Foundation
import Market
import Postgres

extension PostgresMarketStore: ListingStore {
    static let listingColumns = """
        l.id, l.institution_id, p.name AS institution_name, l.region_code, l.status, l.version, l.reference, l.title,
        l.summary, l.benefit, l.field_code, array_to_json(l.keywords)::text AS keywords, l.trl, l.ip_assets::text AS ip_assets,
        array_to_json(l.transfer_modes)::text AS transfer_modes, l.asking_price_fen, l.created_at, l.updated_at, l.published_at
        """

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
                Int64(content.trl), try ipAssetsJSON(content.ipAssets), textArray(content.transferModes.map(\.rawValue)),
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
                try ipAssetsJSON(content.ipAssets), textArray(content.transferModes.map(\.rawValue)), content.askingPriceFen,
                content.negotiable, searchVector(content, institutionName: listing.institutionName), publishing)
        }
    }

    public func searchListings(_ query: ListingQuery) async throws -> ListingSearchResult {
        let statement = Self.searchStatement(query)
        return try await available { try await self.pool.withConnection { connection in
            let rows = try connection.query(statement.sql, parameters: statement.parameters)
            var items: [Listing] = []
            var keys: [ListingCursor.Key] = []
            items.reserveCapacity(min(rows.count, query.limit))
            for row in rows.prefix(query.limit) {
                items.append(try Self.listing(row))
                switch query.sort {
                case .newest: keys.append(.newest(listedMicros: try row.decode("sort_key")))
                case .priceAsc, .priceDesc: keys.append(.price(try row.decode("asking_price_fen", as: Int64?.self)))
                case .relevance:
                    let text: String = try row.decode("sort_key")
                    guard let rank = Float(text) else {
                        throw PostgresDecodingError.invalidValue(column: "sort_key", expected: "real", text: text)
                    }
                    keys.append(.relevance(rank))
                }
            }
            return ListingSearchResult(items: items, keys: keys, hasMore: rows.count > query.limit)
        } }
    }

    /// The SQL of a search: only the conditions the query uses, so that each shape gets its own
    /// plan; one row more than the page, to know whether another page follows.
    static func searchStatement(_ query: ListingQuery) -> (sql: String, parameters: [any PostgresEncodable]) {
        var parameters: [any PostgresEncodable] = []
        func bind(_ value: any PostgresEncodable) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }
        var conditions = ["l.status = \(bind(query.status.rawValue))"]
        var rank = "0::real"
        if let text = query.text, let tsquery = SearchText.tsquery(text) {
            let placeholder = bind(tsquery)
            conditions.append("l.search @@ \(placeholder)::tsquery")
            rank = "ts_rank(l.search, \(placeholder)::tsquery)"
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
        let order: String
        let sortKey: String
        switch query.sort {
        case .newest:
            sortKey = "(extract(epoch FROM l.listed_at) * 1000000)::bigint"
            order = "l.listed_at DESC, l.id DESC"
            if let after = query.after, case .newest(let micros) = after.key {
                conditions.append(
                    "(l.listed_at, l.id) < ('epoch'::timestamptz + \(bind(micros))::bigint * interval '1 microsecond', \(bind(after.id.value))::bigint)")
            }
        case .priceAsc, .priceDesc:
            let ascending = query.sort == .priceAsc
            sortKey = "l.asking_price_fen"
            order = ascending
                ? "(l.asking_price_fen IS NULL), l.asking_price_fen, l.id"
                : "(l.asking_price_fen IS NULL), l.asking_price_fen DESC, l.id DESC"
            if let after = query.after, case .price(let fen) = after.key {
                let id = bind(after.id.value)
                if let fen {
                    conditions.append(
                        "(l.asking_price_fen IS NULL OR (l.asking_price_fen, l.id) \(ascending ? ">" : "<") (\(bind(fen))::bigint, \(id)::bigint))")
                } else {
                    conditions.append("(l.asking_price_fen IS NULL AND l.id \(ascending ? ">" : "<") \(id)::bigint)")
                }
            }
        case .relevance:
            sortKey = "\(rank)::text"
            order = "\(rank) DESC, l.id DESC"
            if let after = query.after, case .relevance(let value) = after.key {
                let placeholder = bind("\(value)")
                let id = bind(after.id.value)
                conditions.append("(\(rank) < \(placeholder)::real OR (\(rank) = \(placeholder)::real AND l.id < \(id)::bigint))")
            }
        }
        let sql = """
            SELECT \(listingColumns), \(sortKey) AS sort_key
            FROM listings l JOIN parties p ON p.id = l.institution_id
            WHERE \(conditions.joined(separator: "\n  AND "))
            ORDER BY \(order)
            LIMIT \(bind(Int64(query.limit + 1)))::bigint
            """
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

    static func ipAssetsJSON(_ assets: [IPAsset]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(assets), as: UTF8.self)
    }

    /// Turns the constraint errors a listing write can meet into answers naming the field.
    static func mappingConstraintErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.isUniqueViolation {
            throw MarketError.duplicate(field: "reference", message: "this institution already has a listing with this reference")
        } catch let error as PostgresError where error.isForeignKeyViolation && error.constraint?.contains("field_code") == true {
            throw MarketError.invalid([FieldIssue("field", "is not a known field code (see /v1/fields)")])
        }
    }

    static func listing(_ row: PostgresRow) throws -> Listing {
        let decoder = JSONDecoder()
        func json<T: Decodable>(_ column: String, as type: T.Type) throws -> T {
            let text: String = try row.decode(column)
            do {
                return try decoder.decode(T.self, from: Data(text.utf8))
            } catch {
                throw PostgresDecodingError.invalidValue(column: column, expected: "\(T.self) as JSON", text: text)
            }
        }
        let statusText: String = try row.decode("status")
        let regionText: String = try row.decode("region_code")
        guard let status = ListingStatus(rawValue: statusText), let region = RegionCode(regionText) else {
            throw PostgresDecodingError.invalidValue(column: "status/region_code", expected: "listing", text: "\(statusText)/\(regionText)")
        }
        let content = ListingContent(
            reference: try row.decode("reference", as: String?.self), title: try row.decode("title"),
            summary: try row.decode("summary"), benefit: try row.decode("benefit", as: String?.self),
            fieldCode: try row.decode("field_code"), keywords: try json("keywords", as: [String].self),
            trl: try row.decode("trl"), ipAssets: try json("ip_assets", as: [IPAsset].self),
            transferModes: try json("transfer_modes", as: [TransferMode].self),
            askingPriceFen: try row.decode("asking_price_fen", as: Int64?.self))
        return Listing(
            id: ListingID(try row.decode("id")), institutionID: PartyID(try row.decode("institution_id")),
            institutionName: try row.decode("institution_name"), regionCode: region, status: status,
            version: try row.decode("version"), content: content, createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"), publishedAt: try row.decode("published_at", as: Date?.self))
    }
}
