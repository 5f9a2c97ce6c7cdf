import Foundation
import Market
import Postgres

extension PostgresMarketStore: OfferStore {
    public typealias OfferUnit = PostgresOfferWork

    public func transaction<T: Sendable, R>(
        _ record: IdempotencyRecord<R>?, _ body: @escaping @Sendable (PostgresOfferWork) throws -> T
    ) async throws -> T {
        try await moneyTransaction(record) { connection in
            let work = PostgresOfferWork(connection)
            let result = try body(work)
            try work.sendHeld()
            return result
        }
    }

    public func offerBatch<R: Sendable>(
        _ records: [IdempotencyRecord<R>?], _ body: @escaping @Sendable (PostgresOfferWork, _ claimed: [Bool]) throws -> [Result<R, any Error>?]
    ) async throws -> [Result<R, any Error>] {
        try await moneyBatch(records) { connection, claimed in
            let work = PostgresOfferWork(connection)
            let answers = try body(work, claimed)
            try work.sendHeld()
            return answers
        }
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
    /// and its contract's id, by listing (an offer that rests leaves the id unused, a gap in the
    /// contracts' ids as a rolled-back transaction leaves one).
    private var partiesReadAhead: [PartyID: Party] = [:]
    private var contractIDsReadAhead: [ListingID: ContractID] = [:]
    /// What this unit wrote and nobody reads back, until its next statement (`HeldOfferWrites`).
    private var held = HeldOfferWrites()

    typealias Store = PostgresMarketStore

    /// The connection, for a statement: what is held is queued first, to run before it.
    private func flushed() throws -> PostgresConnection {
        try held.send(on: connection)
        return connection
    }

    /// Queues what is held, for the transaction's COMMIT.
    func sendHeld() throws {
        try held.send(on: connection)
    }

    public func keep<R>(_ record: IdempotencyRecord<R>?, _ result: R) throws {
        guard let record else { return }
        try held.keep(record, try record.render(result), on: connection)
    }

    public func keepRefusal<R>(_ record: IdempotencyRecord<R>?, _ refusal: any Error) throws {
        guard let record, let answer = record.renderRefusal(refusal) else { return }
        try held.keep(record, answer, on: connection)
    }

    public func insertSignedContract(_ draft: ContractDraft) throws -> ContractID {
        let id: ContractID
        if let listing = draft.listingID, let readAhead = contractIDsReadAhead.removeValue(forKey: listing) {
            id = readAhead
        } else {
            id = try PostgresContractWork(connection: flushed()).newContractID()
        }
        let (contract, version) = ContractRules.signed(draft, id: id, at: Date())
        held.contract(contract, version)
        return id
    }

    // MARK: - The listing and its books

    public func lockedListingOffers(_ listing: ListingID, skipLocked: Bool) throws -> StoredListingOffers? {
        try lockedListings([listing], skipLocked: skipLocked, then: []).stored[listing]
    }

    public func lockedListingsForOffers(_ wanted: [OfferPlacementKey]) throws -> [OfferPlacementRead?] {
        let listings = wanted.map(\.listing)
        // Each firm's live offer on its listing's mode (at most one: offers_one_live) and the ids a
        // new offer and its contract would take, in one statement; then the parties of the fills,
        // as one array (an OR of the two lists would scan every party).
        let ids = PostgresStatement(
            """
            SELECT (SELECT id FROM offers WHERE listing_id = q.listing_id AND mode = q.mode AND firm_id = q.firm_id
                        AND status IN ('open', 'countered')) AS live_id,
                   nextval('offers_id_seq') AS offer_id, nextval('contracts_id_seq') AS contract_id
            FROM unnest(string_to_array($1, ',')::bigint[], string_to_array($2, ','), string_to_array($3, ',')::bigint[])
                WITH ORDINALITY AS q (listing_id, mode, firm_id, n)
            ORDER BY q.n
            """,
            Self.idList(listings.map(\.value)), wanted.map(\.mode.rawValue).joined(separator: ","), Self.idList(wanted.map(\.firm.value)))
        let parties = PostgresStatement(
            """
            SELECT \(Store.partyColumns) FROM parties
            WHERE id = ANY (string_to_array($1, ',')::bigint[]
                || ARRAY(SELECT institution_id FROM listings WHERE id = ANY (string_to_array($2, ',')::bigint[])))
            """,
            Self.idList(wanted.map(\.firm.value)), Self.idList(listings.map(\.value)))
        let read = try lockedListings(listings, skipLocked: false, then: [ids, parties])
        for row in read.more[1] {
            let party = try Store.party(row)
            partiesReadAhead[party.id] = party
        }
        let idRows = read.more[0]
        guard idRows.count == wanted.count else { throw OfferBookInconsistent("\(idRows.count) rows of ids for \(wanted.count) offers") }
        return try wanted.enumerated().map { index, key in
            guard let stored = read.stored[key.listing] else { return nil }
            let row = idRows[index]
            contractIDsReadAhead[key.listing] = ContractID(try row.decode("contract_id"))
            return OfferPlacementRead(
                stored: stored, liveOffer: try row.decode("live_id", as: Int64?.self).map(OfferID.init), newID: OfferID(try row.decode("offer_id")))
        }
    }

    /// One round trip: the listings' offer locks (their sale-terms rows, in id order, so that
    /// units locking several never wait for each other in a circle), then what they guard, read
    /// after them — the listings, their books, and the books' logs since their snapshots — and
    /// then `more`, whose rows come back as they are. A listing's first use makes its sale-terms
    /// row and reads again. A listing that is not there (or, with `skipLocked`, is locked) is
    /// left out.
    private func lockedListings(_ listings: [ListingID], skipLocked: Bool, then more: [PostgresStatement]) throws
        -> (stored: [ListingID: StoredListingOffers], more: [PostgresRows])
    {
        let list = Self.idList(listings.map(\.value))
        var read = try flushed().queries(lockedReads(list, skipLocked: skipLocked) + more)
        if !skipLocked, read[1].count > read[0].count {
            _ = try connection.query(
                "INSERT INTO listing_sale_terms (listing_id) SELECT id FROM listings WHERE id = ANY (string_to_array($1, ',')::bigint[]) ON CONFLICT (listing_id) DO NOTHING",
                list)
            read = try connection.queries(lockedReads(list, skipLocked: skipLocked) + more)
        }
        var terms: [Int64: SaleTerms] = [:]
        for row in read[0] {
            terms[try row.decode("listing_id")] = SaleTerms(
                licenceSeats: try row.decode("licence_seats"), offerWindowClosesAt: try row.decode("offer_window_closes_at", as: Date?.self))
        }
        var tails: [Int64: [[UInt8]]] = [:]
        for row in read[3] { tails[try row.decode("book_id"), default: []].append(Array(try row.decode("command", as: Data.self))) }
        var books: [Int64: [StoredBook]] = [:]
        for row in read[2] { books[try row.decode("listing_id"), default: []].append(try Self.book(row, tail: tails[try row.decode("id")] ?? [])) }
        var stored: [ListingID: StoredListingOffers] = [:]
        for row in read[1] {
            let listing = try Store.listing(row)
            guard let saleTerms = terms[listing.id.value] else { continue }
            stored[listing.id] = (listing, saleTerms, books[listing.id.value] ?? [])
        }
        return (stored, Array(read.dropFirst(4)))
    }

    private func lockedReads(_ list: String, skipLocked: Bool) -> [PostgresStatement] {
        [
            PostgresStatement(
                """
                SELECT listing_id, licence_seats, offer_window_closes_at FROM listing_sale_terms
                WHERE listing_id = ANY (string_to_array($1, ',')::bigint[]) ORDER BY listing_id FOR UPDATE\(skipLocked ? " SKIP LOCKED" : "")
                """,
                list),
            PostgresStatement(
                "SELECT \(Store.listingColumns) FROM listings l JOIN parties p ON p.id = l.institution_id WHERE l.id = ANY (string_to_array($1, ',')::bigint[])",
                list),
            PostgresStatement("\(Self.bookSelect) WHERE listing_id = ANY (string_to_array($1, ',')::bigint[]) ORDER BY id", list),
            PostgresStatement(
                """
                SELECT c.book_id, c.command FROM offer_book_commands c JOIN offer_books b ON b.id = c.book_id
                WHERE b.listing_id = ANY (string_to_array($1, ',')::bigint[]) AND c.command_id > b.snapshot_command_id
                ORDER BY c.book_id, c.command_id
                """,
                list),
        ]
    }

    static func idList(_ ids: [Int64]) -> String {
        ids.map(String.init).joined(separator: ",")
    }

    static let bookSelect = """
        SELECT id, listing_id, mode, ask_fen, seat_count, match_on_arrival, offer_count_max, window_closes_at, window_matched,
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
            id = try flushed().query(
                """
                INSERT INTO offer_books (listing_id, mode, ask_fen, seat_count, match_on_arrival, offer_count_max, window_closes_at)
                VALUES ($1, $2, $3::bigint, $4::integer, $5, $6::integer, $7) RETURNING id
                """,
                listing.value, book.mode.rawValue, terms.askFen, Int64(terms.seatCount), terms.matchOnArrival,
                Int64(terms.offerCountMax), book.windowClosesAt
            )[0].decode("id")
        }
        // Held, with the unit's other writes nobody reads back (HeldOfferWrites).
        try held.book(
            id, lastCommandID: book.lastCommandID, isOpen: book.isOpen, windowMatched: book.windowMatched, snapshot: snapshot,
            appended: book.appended, on: connection)
        return id
    }

    public func bookLogs(_ listing: ListingID) throws -> [(book: StoredBook, log: [LoggedCommand])] {
        let read = try flushed().queries([
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
        try flushed().query(
            "SELECT DISTINCT listing_id FROM offer_books WHERE listing_id > $1 ORDER BY listing_id LIMIT $2", after?.value ?? 0, Int64(limit)
        ).map { ListingID(try $0.decode("listing_id")) }
    }

    // MARK: - Offers

    public func listingOfOffer(_ id: OfferID) throws -> ListingID? {
        try flushed().query("SELECT listing_id FROM offers WHERE id = $1", id.value).first.map { ListingID(try $0.decode("listing_id")) }
    }

    public func offer(_ id: OfferID) throws -> Offer? {
        try offers(where: "o.id = $1", [id.value]).first
    }

    public func parties(_ ids: [PartyID]) throws -> [PartyID: Party] {
        if ids.allSatisfy({ partiesReadAhead[$0] != nil }) { return partiesReadAhead.filter { ids.contains($0.key) } }
        return try Store.parties(ids, on: flushed())
    }

    public func saveOffer(_ offer: Offer, newStepsFrom: Int, isNew: Bool) throws {
        try held.offer(offer, newSteps: offer.steps.dropFirst(isNew ? 0 : newStepsFrom), isNew: isNew, on: connection)
    }

    public func expireLiveOffers(listing: ListingID, mode: TransferMode, except: [OfferID], at: Date) throws {
        _ = try flushed().query(
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
        guard var listing = try Store.listing(id, lock: true, on: flushed()) else { throw OfferBookInconsistent("no listing \(id)") }
        let before = listing.status
        change(&listing)
        listing.version += 1
        try Store.update(listing, previousStatus: before, on: connection)
    }

    public func saveSaleTerms(_ listing: ListingID, _ terms: SaleTerms) throws {
        _ = try flushed().query(
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
        try flushed().query("SELECT o.* FROM offers o WHERE \(condition)", parameters: parameters).map { row in
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
        try flushed().query(
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
        try flushed().query(
            "SELECT id FROM offers WHERE listing_id = $1 AND status IN ('open', 'countered') AND valid_until <= $2 ORDER BY id",
            listing.value, now
        ).map { OfferID(try $0.decode("id")) }
    }
}
