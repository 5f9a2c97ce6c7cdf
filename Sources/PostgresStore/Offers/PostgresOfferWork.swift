import Foundation
import Market
import Postgres

extension PostgresMarketStore: OfferStore {
    public typealias OfferUnit = PostgresOfferWork

    public func transaction<T: Sendable, R>(
        _ record: IdempotencyRecord<R>?, _ body: @escaping @Sendable (PostgresOfferWork) throws -> T
    ) async throws -> T {
        try await moneyTransaction(record) { connection in try body(PostgresOfferWork(connection)) }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (PostgresOfferWork) throws -> T) async throws -> T {
        try await available { try await self.pool.withConnection { connection in try body(PostgresOfferWork(connection)) } }
    }
}

/// The offer use cases' reads and writes on one connection inside their transaction: SQL and
/// row mapping only (Schema/0015). A deal's contract is written by the contracts adapter on the
/// same connection, in the same transaction.
public final class PostgresOfferWork: OfferWork {
    let connection: PostgresConnection
    init(_ connection: PostgresConnection) { self.connection = connection }

    /// Read ahead under a new offer's lock, for the fill an offer at the ask makes: its parties
    /// and its contract's id (an offer that rests leaves the id unused, a gap in the contracts'
    /// ids as a rolled-back transaction leaves one).
    private var partiesReadAhead: [PartyID: Party] = [:]
    private var contractIDReadAhead: ContractID?

    typealias Store = PostgresMarketStore

    public func keep<R>(_ record: IdempotencyRecord<R>?, _ result: R) throws {
        try Store.keep(record, result, on: connection)
    }

    public func insertSignedContract(_ draft: ContractDraft) throws -> ContractID {
        let contracts = PostgresContractWork(connection: connection)
        guard let id = contractIDReadAhead else { return try contracts.insertSignedContract(draft) }
        contractIDReadAhead = nil
        return try contracts.insertSignedContract(draft, id: id)
    }

    // MARK: - The listing and its books

    public func lockedListingOffers(_ listing: ListingID, skipLocked: Bool) throws -> (listing: Listing, terms: SaleTerms, books: [StoredBook])? {
        try lockedListing(listing, skipLocked: skipLocked, then: []).map(\.stored)
    }

    public func lockedListingForOffer(_ listing: ListingID, mode: TransferMode, firm: PartyID) throws
        -> (stored: (listing: Listing, terms: SaleTerms, books: [StoredBook]), liveOffer: OfferID?, newID: OfferID)?
    {
        // The firm's live offer on the listing's mode (at most one: offers_one_live) and the ids a
        // new offer and its contract would take, in one statement.
        let ids = PostgresStatement(
            """
            SELECT (SELECT id FROM offers WHERE listing_id = $1 AND mode = $2 AND firm_id = $3 AND status IN ('open', 'countered')) AS live_id,
                   nextval('offers_id_seq') AS offer_id, nextval('contracts_id_seq') AS contract_id
            """,
            listing.value, mode.rawValue, firm.value)
        let parties = PostgresStatement(
            "SELECT \(Store.partyColumns) FROM parties WHERE id = $1 OR id = (SELECT institution_id FROM listings WHERE id = $2)",
            firm.value, listing.value)
        guard let read = try lockedListing(listing, skipLocked: false, then: [ids, parties]) else { return nil }
        for row in read.more[1] {
            let party = try Store.party(row)
            partiesReadAhead[party.id] = party
        }
        let row = read.more[0][0]
        contractIDReadAhead = ContractID(try row.decode("contract_id"))
        return (read.stored, try row.decode("live_id", as: Int64?.self).map(OfferID.init), OfferID(try row.decode("offer_id")))
    }

    /// One round trip: the listing's offer lock (its sale-terms row), then what it guards, read
    /// after it — the listing, its books, and their logs since the snapshots — and then `more`,
    /// whose rows come back as they are. A listing's first use makes its sale-terms row and
    /// reads again.
    private func lockedListing(_ listing: ListingID, skipLocked: Bool, then more: [PostgresStatement]) throws
        -> (stored: (listing: Listing, terms: SaleTerms, books: [StoredBook]), more: [PostgresRows])?
    {
        var read = try connection.queries(lockedReads(listing, skipLocked: skipLocked) + more)
        if read[0].isEmpty, !skipLocked {
            _ = try connection.query(
                "INSERT INTO listing_sale_terms (listing_id) SELECT id FROM listings WHERE id = $1 ON CONFLICT (listing_id) DO NOTHING",
                listing.value)
            read = try connection.queries(lockedReads(listing, skipLocked: skipLocked) + more)
        }
        guard let termsRow = read[0].first, let listingRow = read[1].first else { return nil }
        let terms = SaleTerms(
            licenceSeats: try termsRow.decode("licence_seats"), offerWindowClosesAt: try termsRow.decode("offer_window_closes_at", as: Date?.self))
        var tails: [Int64: [[UInt8]]] = [:]
        for row in read[3] { tails[try row.decode("book_id"), default: []].append(Array(try row.decode("command", as: Data.self))) }
        let books = try read[2].map { row in try Self.book(row, tail: tails[try row.decode("id")] ?? []) }
        return ((try Store.listing(listingRow), terms, books), Array(read.dropFirst(4)))
    }

    private func lockedReads(_ listing: ListingID, skipLocked: Bool) -> [PostgresStatement] {
        [
            PostgresStatement(
                "SELECT licence_seats, offer_window_closes_at FROM listing_sale_terms WHERE listing_id = $1 FOR UPDATE\(skipLocked ? " SKIP LOCKED" : "")",
                listing.value),
            PostgresStatement("SELECT \(Store.listingColumns) FROM listings l JOIN parties p ON p.id = l.institution_id WHERE l.id = $1", listing.value),
            PostgresStatement("\(Self.bookSelect) WHERE listing_id = $1 ORDER BY id", listing.value),
            PostgresStatement(
                """
                SELECT c.book_id, c.command FROM offer_book_commands c JOIN offer_books b ON b.id = c.book_id
                WHERE b.listing_id = $1 AND c.command_id > b.snapshot_command_id ORDER BY c.book_id, c.command_id
                """,
                listing.value),
        ]
    }

    static let bookSelect = """
        SELECT id, mode, ask_fen, seat_count, match_on_arrival, offer_count_max, window_closes_at, window_matched,
               last_command_id, snapshot, snapshot_command_id
        FROM offer_books
        """

    static func book(_ row: PostgresRow, tail: [[UInt8]]) throws -> StoredBook {
        StoredBook(
            id: try row.decode("id"), mode: try Store.enumValue(row, "mode"),
            terms: BookTerms(
                askFen: try row.decode("ask_fen"), seatCount: try row.decode("seat_count"),
                matchOnArrival: try row.decode("match_on_arrival"), offerCountMax: try row.decode("offer_count_max")),
            windowClosesAt: try row.decode("window_closes_at", as: Date?.self), windowMatched: try row.decode("window_matched"),
            lastCommandID: UInt64(try row.decode("last_command_id", as: Int64.self)),
            snapshot: try row.decode("snapshot", as: Data?.self).map { Array($0) },
            snapshotCommandID: UInt64(try row.decode("snapshot_command_id", as: Int64.self)), tail: tail)
    }

    public func saveBook(_ book: OfferBook, listing: ListingID, snapshot: [UInt8]?) throws -> Int64 {
        let id: Int64
        if let existing = book.id {
            id = existing
        } else {
            let terms = book.openingTerms
            id = try connection.query(
                """
                INSERT INTO offer_books (listing_id, mode, ask_fen, seat_count, match_on_arrival, offer_count_max, window_closes_at)
                VALUES ($1, $2, $3::bigint, $4::integer, $5, $6::integer, $7) RETURNING id
                """,
                listing.value, book.mode.rawValue, terms.askFen, Int64(terms.seatCount), terms.matchOnArrival,
                Int64(terms.offerCountMax), book.windowClosesAt
            )[0].decode("id")
        }
        // Writes nobody reads back, in one statement: queued, they go with the transaction's next
        // statement or its COMMIT, in the same round trip. A unit of work appends at most a
        // command per resting offer and two more (a sweep's expiries, the window's match, the
        // end), so with OfferLimits.offersPerBookMax = 10,000 the statement stays far inside
        // PostgreSQL's 65,535 parameters (three a command).
        var parameters: [any PostgresEncodable] = [id, Int64(book.lastCommandID), book.isOpen, book.windowMatched, snapshot.map { Data($0) }]
        let rows = book.appended.map { entry -> String in
            parameters += [Int64(entry.commandID), Data(entry.command), Data(entry.events)]
            let n = parameters.count
            return "($1, $\(n - 2)::bigint, $\(n - 1)::bytea, $\(n)::bytea)"
        }
        let appended = rows.isEmpty
            ? "" : "WITH appended AS (INSERT INTO offer_book_commands (book_id, command_id, command, events) VALUES \(rows.joined(separator: ", "))) "
        try connection.send(
            """
            \(appended)UPDATE offer_books SET last_command_id = $2::bigint, is_open = $3, window_matched = $4,
                snapshot = CASE WHEN $5::bytea IS NULL THEN snapshot ELSE $5::bytea END,
                snapshot_command_id = CASE WHEN $5::bytea IS NULL THEN snapshot_command_id ELSE $2::bigint END
            WHERE id = $1
            """,
            parameters: parameters)
        return id
    }

    public func bookLogs(_ listing: ListingID) throws -> [(book: StoredBook, log: [LoggedCommand])] {
        let read = try connection.queries([
            PostgresStatement("\(Self.bookSelect) WHERE listing_id = $1 ORDER BY id", listing.value),
            PostgresStatement(
                """
                SELECT c.book_id, c.command_id, c.command, c.events FROM offer_book_commands c JOIN offer_books b ON b.id = c.book_id
                WHERE b.listing_id = $1 ORDER BY c.book_id, c.command_id
                """,
                listing.value),
        ])
        var logs: [Int64: [LoggedCommand]] = [:]
        for row in read[1] {
            logs[try row.decode("book_id"), default: []].append(LoggedCommand(
                commandID: UInt64(try row.decode("command_id", as: Int64.self)), command: Array(try row.decode("command", as: Data.self)),
                events: Array(try row.decode("events", as: Data.self))))
        }
        return try read[0].map { row in
            let book = try Self.book(row, tail: [])
            return (book, logs[book.id] ?? [])
        }
    }

    public func listingsWithBooks(after: ListingID?, limit: Int) throws -> [ListingID] {
        try connection.query(
            "SELECT DISTINCT listing_id FROM offer_books WHERE listing_id > $1 ORDER BY listing_id LIMIT $2", after?.value ?? 0, Int64(limit)
        ).map { ListingID(try $0.decode("listing_id")) }
    }

    // MARK: - Offers

    public func listingOfOffer(_ id: OfferID) throws -> ListingID? {
        try connection.query("SELECT listing_id FROM offers WHERE id = $1", id.value).first.map { ListingID(try $0.decode("listing_id")) }
    }

    public func offer(_ id: OfferID) throws -> Offer? {
        try offers(where: "o.id = $1", [id.value]).first
    }

    public func parties(_ ids: [PartyID]) throws -> [PartyID: Party] {
        if ids.allSatisfy({ partiesReadAhead[$0] != nil }) { return partiesReadAhead.filter { ids.contains($0.key) } }
        return try Store.parties(ids, on: connection)
    }

    public func saveOffer(_ offer: Offer, newStepsFrom: Int, isNew: Bool) throws {
        let deal = offer.deal
        let changing: [any PostgresEncodable] = [
            offer.id.value, offer.priceFen, offer.terms, offer.status.rawValue, offer.counterPriceFen, offer.counterTerms,
            Int64(offer.round), deal?.priceFen, deal.map { Int64($0.seat) }, deal?.contractID.value, deal?.at, offer.updatedAt,
            OfferStepsJSON.text(offer.steps.dropFirst(isNew ? 0 : newStepsFrom)),
        ]
        // Queued, as the book's writes are: it goes with the next statement or the COMMIT.
        if isNew {
            try connection.send(
                """
                INSERT INTO offers (id, price_fen, terms, status, counter_price_fen, counter_terms, round, deal_price_fen, deal_seat,
                    deal_contract_id, deal_at, updated_at, steps, listing_id, institution_id, mode, firm_id, valid_until, created_at)
                VALUES ($1, $2::bigint, $3, $4, $5::bigint, $6, $7::integer, $8::bigint, $9::integer, $10::bigint, $11, $12, $13::jsonb,
                    $14, $15, $16, $17, $18, $19)
                """,
                parameters: changing + [
                    offer.listingID.value, offer.institutionID.value, offer.mode.rawValue, offer.firmID.value, offer.validUntil,
                    offer.createdAt,
                ])
        } else {
            // The new steps are appended to those kept.
            try connection.send(
                """
                UPDATE offers SET price_fen = $2::bigint, terms = $3, status = $4, counter_price_fen = $5::bigint, counter_terms = $6,
                    round = $7::integer, deal_price_fen = $8::bigint, deal_seat = $9::integer, deal_contract_id = $10::bigint,
                    deal_at = $11, updated_at = $12, steps = steps || $13::jsonb
                WHERE id = $1
                """,
                parameters: changing)
        }
    }

    public func expireLiveOffers(listing: ListingID, mode: TransferMode, except: [OfferID], at: Date) throws {
        _ = try connection.query(
            """
            UPDATE offers SET status = 'expired', counter_price_fen = NULL, counter_terms = NULL, updated_at = $4, steps = steps || $5::jsonb
            WHERE listing_id = $1 AND mode = $2 AND status IN ('open', 'countered')
              AND NOT (id = ANY (string_to_array($3, ',')::bigint[]))
            """,
            listing.value, mode.rawValue, except.map { String($0.value) }.joined(separator: ","), at,
            OfferStepsJSON.text([OfferStep(kind: .expired, byPartyID: nil, at: at)]))
    }

    public func markTransacted(_ listing: ListingID) throws {
        try changeListing(listing) { $0.status = .transacted }
    }

    public func setAsk(_ listing: ListingID, _ askingPriceFen: Int64?) throws {
        try changeListing(listing) { $0.content.askingPriceFen = askingPriceFen }
    }

    private func changeListing(_ id: ListingID, _ change: (inout Listing) -> Void) throws {
        guard var listing = try Store.listing(id, lock: true, on: connection) else { throw OfferBookInconsistent("no listing \(id)") }
        let before = listing.status
        change(&listing)
        listing.version += 1
        try Store.update(listing, previousStatus: before, on: connection)
    }

    public func saveSaleTerms(_ listing: ListingID, _ terms: SaleTerms) throws {
        _ = try connection.query(
            "UPDATE listing_sale_terms SET licence_seats = $2::integer, offer_window_closes_at = $3, updated_at = now() WHERE listing_id = $1",
            listing.value, Int64(terms.licenceSeats), terms.offerWindowClosesAt)
    }

    public func offers(_ visibility: OfferVisibility, _ filter: OfferFilter, page: PageRequest) throws -> [Offer] {
        var party: Int64?
        var column = "firm_id"
        switch visibility {
        case .all: break
        case .firm(let firm): party = firm.value
        case .institution(let institution): (party, column) = (institution.value, "institution_id")
        }
        return try offers(
            where: """
                ($1::bigint IS NULL OR o.\(column) = $1) AND ($2::text IS NULL OR o.status = $2) AND ($3::bigint IS NULL OR o.listing_id = $3)
                AND ($4::text IS NULL OR o.mode = $4) AND o.id > $5 ORDER BY o.id LIMIT $6
                """,
            [party, filter.status?.rawValue, filter.listingID?.value, filter.mode?.rawValue, page.afterID ?? 0, Int64(page.limit)])
    }

    /// Offers with their steps.
    private func offers(where condition: String, _ parameters: [any PostgresEncodable]) throws -> [Offer] {
        try connection.query("SELECT o.* FROM offers o WHERE \(condition)", parameters: parameters).map { row in
            let id: Int64 = try row.decode("id")
            var deal: OfferDeal?
            if let contract = try row.decode("deal_contract_id", as: Int64?.self) {
                deal = OfferDeal(
                    priceFen: try row.decode("deal_price_fen"), seat: try row.decode("deal_seat"), contractID: ContractID(contract),
                    at: try row.decode("deal_at"))
            }
            return Offer(
                id: OfferID(id), listingID: ListingID(try row.decode("listing_id")), institutionID: PartyID(try row.decode("institution_id")),
                mode: try Store.enumValue(row, "mode"), firmID: PartyID(try row.decode("firm_id")), priceFen: try row.decode("price_fen"),
                terms: try row.decode("terms"), validUntil: try row.decode("valid_until"), status: try Store.enumValue(row, "status"),
                counterPriceFen: try row.decode("counter_price_fen", as: Int64?.self), counterTerms: try row.decode("counter_terms", as: String?.self),
                round: try row.decode("round"), deal: deal, steps: try OfferStepsJSON.steps(try row.decode("steps")), createdAt: try row.decode("created_at"),
                updatedAt: try row.decode("updated_at"))
        }
    }

    // MARK: - Work on the clock

    public func listingsDue(now: Date, limit: Int) throws -> [ListingID] {
        try connection.query(
            """
            SELECT listing_id FROM (
                SELECT listing_id FROM offer_books WHERE is_open AND NOT window_matched AND window_closes_at <= $1
                UNION SELECT listing_id FROM offers WHERE status IN ('open', 'countered') AND valid_until <= $1
                UNION SELECT b.listing_id FROM offer_books b JOIN listings l ON l.id = b.listing_id WHERE b.is_open AND l.status = 'withdrawn'
            ) due ORDER BY listing_id LIMIT $2
            """,
            now, Int64(limit)
        ).map { ListingID(try $0.decode("listing_id")) }
    }

    public func lapsedOffers(listing: ListingID, now: Date) throws -> [OfferID] {
        try connection.query(
            "SELECT id FROM offers WHERE listing_id = $1 AND status IN ('open', 'countered') AND valid_until <= $2 ORDER BY id",
            listing.value, now
        ).map { OfferID(try $0.decode("id")) }
    }
}
