import Foundation
import Market
import Postgres

/// The rows an offer unit of work writes and nobody reads back — the deals' contracts, the
/// books' new commands, the offers, the keys' answers — held until the unit's next statement
/// and then queued as one statement a table, in an order their keys allow: contracts before
/// their versions and the offers that name them, a book before its commands. So offers placed
/// together on several listings (`OfferService`'s batches) pay PostgreSQL's fixed work per
/// statement once, not once an offer (docs/offers.md, "Offers that commit together").
///
/// A row that would meet one already held in the same statement (the same offer, book or key
/// twice) first sends those held: each statement changes a row at most once, in the order the
/// unit wrote.
struct HeldOfferWrites {
    private var contracts: [(contract: Contract, version: ContractVersion)] = []
    private var books: [(id: Int64, lastCommandID: UInt64, isOpen: Bool, windowMatched: Bool, snapshot: [UInt8]?, appended: [LoggedCommand])] = []
    private var newOffers: [[any PostgresEncodable]] = []
    private var changedOffers: [[any PostgresEncodable]] = []
    private var keeps: [[any PostgresEncodable]] = []
    private var offerIDs: Set<Int64> = []
    private var bookIDs: Set<Int64> = []
    private var keys: Set<String> = []

    typealias Store = PostgresMarketStore

    var isEmpty: Bool { contracts.isEmpty && books.isEmpty && newOffers.isEmpty && changedOffers.isEmpty && keeps.isEmpty }

    mutating func contract(_ contract: Contract, _ version: ContractVersion) {
        contracts.append((contract, version))
    }

    mutating func book(
        _ id: Int64, lastCommandID: UInt64, isOpen: Bool, windowMatched: Bool, snapshot: [UInt8]?, appended: [LoggedCommand],
        on connection: PostgresConnection
    ) throws {
        if bookIDs.contains(id) { try send(on: connection) }
        bookIDs.insert(id)
        books.append((id, lastCommandID, isOpen, windowMatched, snapshot, appended))
    }

    /// An offer's row: new (all its columns) or changed (its steps appended to those kept).
    mutating func offer(_ offer: Offer, newSteps: ArraySlice<OfferStep>, isNew: Bool, on connection: PostgresConnection) throws {
        if offerIDs.contains(offer.id.value) { try send(on: connection) }
        offerIDs.insert(offer.id.value)
        let deal = offer.deal
        let changing: [any PostgresEncodable] = [
            offer.id.value, offer.priceFen, offer.terms, offer.status.rawValue, offer.counterPriceFen, offer.counterTerms,
            Int64(offer.round), deal?.priceFen, deal.map { Int64($0.seat) }, deal?.contractID.value, deal?.at, offer.updatedAt,
            OfferStepsJSON.text(newSteps),
        ]
        if isNew {
            newOffers.append(changing + [
                offer.listingID.value, offer.institutionID.value, offer.mode.rawValue, offer.firmID.value, offer.validUntil, offer.createdAt,
            ])
        } else {
            changedOffers.append(changing)
        }
    }

    /// A key's answer (`PostgresMarketStore.keepSQL`'s row).
    mutating func keep<R>(_ record: IdempotencyRecord<R>, _ response: StoredResponse, on connection: PostgresConnection) throws {
        let key = "\(record.apiKeyID) \(record.key)"
        if keys.contains(key) { try send(on: connection) }
        keys.insert(key)
        keeps.append(Store.keepParameters(record, response))
    }

    /// Queues what is held, a statement a table, and holds nothing more.
    mutating func send(on connection: PostgresConnection) throws {
        guard !isEmpty else { return }
        let held = self
        self = HeldOfferWrites()
        try Store.insertContracts(held.contracts, on: connection)
        try Self.sendBooks(held.books, on: connection)
        try Store.sendRows(Self.offerInsert, casts: Self.offerInsertCasts, held.newOffers, on: connection)
        try Store.sendRows(Self.offerUpdate, casts: Self.offerUpdateCasts, held.changedOffers, tail: Self.offerUpdateTail, on: connection)
        try Store.sendRows(Store.keepHead, casts: Store.keepCasts, held.keeps, tail: Store.keepTail, on: connection)
    }

    /// The books' new commands and their new positions: one statement for as many books as its
    /// parameters hold (a book's commands are at most `OfferLimits.offersPerBookMax` and a few,
    /// three parameters each).
    private static func sendBooks(
        _ books: [(id: Int64, lastCommandID: UInt64, isOpen: Bool, windowMatched: Bool, snapshot: [UInt8]?, appended: [LoggedCommand])],
        on connection: PostgresConnection
    ) throws {
        var start = 0
        while start < books.count {
            var commandRows: [String] = []
            var bookRows: [String] = []
            var parameters: [any PostgresEncodable] = []
            var end = start
            while end < books.count {
                let book = books[end]
                let needed = 5 + 3 * book.appended.count
                if end > start, parameters.count + needed > Store.parametersPerStatementMax { break }
                let n = parameters.count
                parameters += [book.id, Int64(book.lastCommandID), book.isOpen, book.windowMatched, book.snapshot.map { Data($0) }]
                bookRows.append("($\(n + 1)::bigint, $\(n + 2)::bigint, $\(n + 3)::boolean, $\(n + 4)::boolean, $\(n + 5)::bytea)")
                for entry in book.appended {
                    parameters += [Int64(entry.commandID), Data(entry.command), Data(entry.events)]
                    let m = parameters.count
                    commandRows.append("($\(n + 1)::bigint, $\(m - 2)::bigint, $\(m - 1)::bytea, $\(m)::bytea)")
                }
                end += 1
            }
            let appended = commandRows.isEmpty
                ? "" : "WITH appended AS (INSERT INTO offer_book_commands (book_id, command_id, command, events) VALUES \(commandRows.joined(separator: ", "))) "
            try connection.send(
                """
                \(appended)UPDATE offer_books b SET last_command_id = v.last_command_id, is_open = v.is_open, window_matched = v.window_matched,
                    snapshot = coalesce(v.snapshot, b.snapshot),
                    snapshot_command_id = CASE WHEN v.snapshot IS NULL THEN b.snapshot_command_id ELSE v.last_command_id END
                FROM (VALUES \(bookRows.joined(separator: ", "))) AS v (id, last_command_id, is_open, window_matched, snapshot)
                WHERE b.id = v.id
                """,
                parameters: parameters)
            start = end
        }
    }

    static let offerInsert = """
        INSERT INTO offers (id, price_fen, terms, status, counter_price_fen, counter_terms, round, deal_price_fen, deal_seat,
            deal_contract_id, deal_at, updated_at, steps, listing_id, institution_id, mode, firm_id, valid_until, created_at)
        VALUES
        """
    static let offerInsertCasts = [
        "", "::bigint", "", "", "::bigint", "", "::integer", "::bigint", "::integer", "::bigint", "", "", "::jsonb", "", "", "", "", "", "",
    ]

    static let offerUpdate = """
        UPDATE offers o SET price_fen = v.price_fen, terms = v.terms, status = v.status, counter_price_fen = v.counter_price_fen,
            counter_terms = v.counter_terms, round = v.round, deal_price_fen = v.deal_price_fen, deal_seat = v.deal_seat,
            deal_contract_id = v.deal_contract_id, deal_at = v.deal_at, updated_at = v.updated_at, steps = o.steps || v.steps
        FROM (VALUES
        """
    static let offerUpdateCasts = [
        "::bigint", "::bigint", "::text", "::text", "::bigint", "::text", "::integer", "::bigint", "::integer", "::bigint",
        "::timestamptz", "::timestamptz", "::jsonb",
    ]
    static let offerUpdateTail = """
        ) AS v (id, price_fen, terms, status, counter_price_fen, counter_terms, round, deal_price_fen, deal_seat, deal_contract_id,
            deal_at, updated_at, steps)
        WHERE o.id = v.id
        """
}
