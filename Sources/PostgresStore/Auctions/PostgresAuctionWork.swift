import Foundation
import Ledger
import Market
import Postgres

extension PostgresMarketStore: AuctionStore {
    public typealias AuctionUnit = PostgresAuctionWork

    public func auctionTransaction<T: Sendable, R>(
        _ record: IdempotencyRecord<R>?, _ body: @escaping @Sendable (PostgresAuctionWork) throws -> T
    ) async throws -> T {
        try await moneyTransaction(record) { connection in try body(PostgresAuctionWork(connection)) }
    }

    public func auctionBatch<R: Sendable>(
        _ records: [IdempotencyRecord<R>?], _ body: @escaping @Sendable (PostgresAuctionWork, _ claimed: [Bool]) throws -> [Result<R, any Error>?]
    ) async throws -> [Result<R, any Error>] {
        try await moneyBatch(records) { connection, claimed in try body(PostgresAuctionWork(connection), claimed) }
    }

    public func auctionRead<T: Sendable>(_ body: @escaping @Sendable (PostgresAuctionWork) throws -> T) async throws -> T {
        try await available { try await self.pool.withConnection { connection in try body(PostgresAuctionWork(connection)) } }
    }
}

/// The auction use cases' reads and writes on one connection inside their transaction: SQL and
/// row mapping only (Schema/0017). A hammer's contract is written by the contracts adapter, and
/// the money by the ledger, on the same connection, in the same transaction.
public final class PostgresAuctionWork: AuctionWork {
    let connection: PostgresConnection
    init(_ connection: PostgresConnection) { self.connection = connection }

    typealias Store = PostgresMarketStore

    public func keep<R>(_ record: IdempotencyRecord<R>?, _ result: R) throws {
        try Store.keep(record, result, on: connection)
    }

    public func keepRefusal<R>(_ record: IdempotencyRecord<R>?, _ refusal: any Error) throws {
        guard let record, let answer = record.renderRefusal(refusal) else { return }
        try connection.send(Store.keepSQL, parameters: Store.keepParameters(record, answer))
    }

    public func insertSignedContract(_ draft: ContractDraft) throws -> ContractID {
        try PostgresContractWork(connection: connection).insertSignedContract(draft)
    }

    public func contract(_ id: ContractID, locked: Bool) throws -> Contract? {
        try PostgresContractWork(connection: connection).contract(id, locked: locked)
    }

    public func updateContract(_ contract: Contract, _ version: ContractVersion) throws {
        try PostgresContractWork(connection: connection).updateContract(contract, version)
    }

    // MARK: - Sessions

    public func insertSession(_ request: SessionRequest, at now: Date) throws -> AuctionSession {
        try Self.session(connection.query(
            """
            INSERT INTO auction_sessions (title, notice_at, starts_at, buyer_commission_basis_points, seller_commission_basis_points,
                deposit_basis_points, payment_days, forfeit_seller_basis_points, live, created_at)
            VALUES ($1, $2, $3, $4::integer, $5::integer, $6::integer, $7::integer, $8::integer, $9, $10) RETURNING *
            """,
            request.title.trimmingCharacters(in: .whitespacesAndNewlines), request.noticeAt, request.startsAt, Int64(request.buyerCommissionBasisPoints),
            Int64(request.sellerCommissionBasisPoints), Int64(request.depositBasisPoints), Int64(request.paymentDays),
            Int64(request.forfeitSellerBasisPoints), request.live, now)[0])
    }

    public func session(_ id: SessionID) throws -> AuctionSession? {
        try connection.query("SELECT * FROM auction_sessions WHERE id = $1", id.value).first.map(Self.session)
    }

    public func sessions(page: PageRequest) throws -> [AuctionSession] {
        try connection.query("SELECT * FROM auction_sessions WHERE id > $1 ORDER BY id LIMIT $2", page.afterID ?? 0, Int64(page.limit)).map(Self.session)
    }

    static func session(_ row: PostgresRow) throws -> AuctionSession {
        AuctionSession(
            id: SessionID(try row.decode("id")), title: try row.decode("title"), noticeAt: try row.decode("notice_at"),
            startsAt: try row.decode("starts_at"), buyerCommissionBasisPoints: try row.decode("buyer_commission_basis_points"),
            sellerCommissionBasisPoints: try row.decode("seller_commission_basis_points"), depositBasisPoints: try row.decode("deposit_basis_points"),
            paymentDays: try row.decode("payment_days"), forfeitSellerBasisPoints: try row.decode("forfeit_seller_basis_points"),
            live: try row.decode("live"), createdAt: try row.decode("created_at"))
    }

    public func lastBidAt(_ lot: LotID) throws -> Date? {
        try connection.query("SELECT max(at) AS at FROM lot_events WHERE lot_id = $1 AND kind = 'bid'", lot.value)
            .first.flatMap { try $0.decode("at", as: Date?.self) }
    }

    // MARK: - Lots

    public func lockedListing(_ id: ListingID) throws -> Listing? {
        try Store.listing(id, lock: true, on: connection)
    }

    public func openLot(of listing: ListingID) throws -> LotID? {
        try connection.query("SELECT id FROM lots WHERE listing_id = $1 AND status IN ('awaiting_consent', 'consented')", listing.value)
            .first.map { LotID(try $0.decode("id")) }
    }

    public func insertLot(session: SessionID, institution: PartyID, terms: LotTerms, depositFen: Int64, at now: Date) throws -> Lot {
        try Self.lot(connection.query(
            """
            INSERT INTO lots (session_id, listing_id, institution_id, mode, format, opening_price_fen, reserve_fen, increment_fen, starts_at,
                scheduled_ends_at, extension_window_seconds, extension_count_max, dutch_interval_seconds, deposit_fen, status, ends_at, created_at)
            VALUES ($1, $2, $3, $4, $5, $6::bigint, $7::bigint, $8::bigint, $9, $10, $11::integer, $12::integer, $13::integer, $14::bigint,
                'awaiting_consent', $10, $15)
            RETURNING *
            """,
            session.value, terms.listingID.value, institution.value, terms.mode.rawValue, terms.format.rawValue, terms.openingPriceFen, terms.reserveFen,
            terms.incrementFen, terms.startsAt, terms.endsAt, Int64(terms.extensionWindowSeconds), terms.extensionCountMax.map(Int64.init),
            terms.dutchIntervalSeconds.map(Int64.init), depositFen, now)[0])
    }

    public func lockedLot(_ id: LotID, skipLocked: Bool) throws -> StoredLot? {
        // One round trip: the lot's row lock, then its log since the snapshot, read after it
        // (nothing can change it in between: the lock is held).
        let read = try connection.queries([
            PostgresStatement("SELECT * FROM lots WHERE id = $1 FOR UPDATE\(skipLocked ? " SKIP LOCKED" : "")", id.value),
            PostgresStatement(
                "SELECT c.command FROM lot_commands c JOIN lots l ON l.id = c.lot_id WHERE c.lot_id = $1 AND c.command_id > l.snapshot_command_id ORDER BY c.command_id",
                id.value),
        ])
        guard let row = read[0].first else { return nil }
        return try Self.stored(row, tail: read[1])
    }

    public func lockedLotFacts(_ id: LotID, skipLocked: Bool) throws -> LotFacts? {
        // One round trip: the lock first, then what it guards, each statement read after it.
        let read = try connection.queries([
            PostgresStatement("SELECT * FROM lots WHERE id = $1 FOR UPDATE\(skipLocked ? " SKIP LOCKED" : "")", id.value),
            PostgresStatement(
                "SELECT c.command FROM lot_commands c JOIN lots l ON l.id = c.lot_id WHERE c.lot_id = $1 AND c.command_id > l.snapshot_command_id ORDER BY c.command_id",
                id.value),
            PostgresStatement("SELECT s.* FROM auction_sessions s JOIN lots l ON l.session_id = s.id WHERE l.id = $1", id.value),
            PostgresStatement("SELECT * FROM lot_registrations WHERE lot_id = $1 ORDER BY id", id.value),
        ])
        guard let row = read[0].first else { return nil }
        guard let session = try read[2].first.map(Self.session) else { throw LotInconsistent("lot \(id) has no session") }
        return LotFacts(stored: try Self.stored(row, tail: read[1]), session: session, registrations: try read[3].map(Self.registration))
    }

    public func storedLot(_ id: LotID) throws -> StoredLot? {
        // Without the lock, a bid may commit between two statements: the log is read for exactly
        // the commands the row says (the log never changes), in a second round trip.
        guard let row = try connection.query("SELECT * FROM lots WHERE id = $1", id.value).first else { return nil }
        let tail = try connection.query(
            "SELECT command FROM lot_commands WHERE lot_id = $1 AND command_id > $2::bigint AND command_id <= $3::bigint ORDER BY command_id",
            id.value, try row.decode("snapshot_command_id", as: Int64.self), try row.decode("last_command_id", as: Int64.self))
        return try Self.stored(row, tail: tail)
    }

    static func stored(_ row: PostgresRow, tail: PostgresRows) throws -> StoredLot {
        StoredLot(
            lot: try lot(row), lastCommandID: UInt64(try row.decode("last_command_id", as: Int64.self)),
            lastEventSequence: try row.decode("last_event_sequence"), snapshot: try row.decode("snapshot", as: Data?.self).map { Array($0) },
            snapshotCommandID: UInt64(try row.decode("snapshot_command_id", as: Int64.self)),
            tail: try tail.map { Array(try $0.decode("command", as: Data.self)) })
    }

    public func lot(_ id: LotID) throws -> Lot? {
        try connection.query("SELECT * FROM lots WHERE id = $1", id.value).first.map(Self.lot)
    }

    public func lots(_ filter: LotFilter, page: PageRequest) throws -> [Lot] {
        try connection.query(
            "SELECT * FROM lots WHERE ($1::bigint IS NULL OR session_id = $1) AND ($2::text IS NULL OR status = $2) AND id > $3 ORDER BY id LIMIT $4",
            filter.sessionID?.value, filter.status?.rawValue, page.afterID ?? 0, Int64(page.limit)
        ).map(Self.lot)
    }

    public func saveLot(_ lot: Lot, log: [LotLogEntry], events: [LotEvent], lastCommandID: UInt64, lastEventSequence: Int64, snapshot: [UInt8]?) throws {
        var statements = log.map { entry in
            PostgresStatement(
                "INSERT INTO lot_commands (lot_id, command_id, command, events) VALUES ($1, $2::bigint, $3, $4)",
                lot.id.value, Int64(entry.commandID), Data(entry.command), entry.events)
        }
        statements += events.map { event in
            PostgresStatement(
                """
                INSERT INTO lot_events (lot_id, sequence, kind, paddle, price_fen, bid_kind, leader_paddle, ends_at, outcome, at)
                VALUES ($1, $2::bigint, $3, $4::integer, $5::bigint, $6, $7::integer, $8, $9, $10)
                """,
                lot.id.value, event.sequence, event.kind.rawValue, event.paddle.map(Int64.init), event.priceFen, event.bidKind,
                event.leaderPaddle.map(Int64.init), event.endsAt, event.outcome, event.at)
        }
        if let first = events.first, let last = events.last {
            // Sent with the commit: the live streams of every server hear of these events then.
            statements.append(PostgresStatement(
                "SELECT pg_notify($1, $2)", PostgresLotBell.channel,
                LotBellRing(lotID: lot.id, firstSequence: first.sequence, lastSequence: last.sequence).payload))
        }
        let result = lot.result
        statements.append(PostgresStatement(
            """
            UPDATE lots SET status = $2, excluded_group_codes = $3, consented_at = $4, ends_at = $5, extension_count = $6::integer,
                current_price_fen = $7::bigint, leader_paddle = $8::integer, bid_count = $9::integer, registered_count = $10::integer,
                last_command_id = $11::bigint, last_event_sequence = $12::bigint,
                snapshot = CASE WHEN $13::bytea IS NULL THEN snapshot ELSE $13::bytea END,
                snapshot_command_id = CASE WHEN $13::bytea IS NULL THEN snapshot_command_id ELSE $11::bigint END,
                hammer_price_fen = $14::bigint, winner_paddle = $15::integer, winner_firm_id = $16::bigint, buyer_commission_fen = $17::bigint,
                contract_id = $18::bigint, no_sale_reason = $19, closed_at = $20, payment_due_at = $21, paid_at = $22
            WHERE id = $1
            """,
            parameters: [
                lot.id.value, lot.status.rawValue, lot.excludedGroupCodes.joined(separator: ","), lot.consentedAt, lot.endsAt, Int64(lot.extensionCount),
                lot.currentPriceFen, lot.leaderPaddle.map(Int64.init), Int64(lot.bidCount), Int64(lot.registeredCount), Int64(lastCommandID),
                lastEventSequence, snapshot.map { Data($0) }, result?.hammerPriceFen, result?.winnerPaddle.map(Int64.init),
                result?.winnerFirmID?.value, result?.buyerCommissionFen ?? 0, result?.contractID?.value, result?.noSaleReason, result?.closedAt,
                result?.paymentDueAt, result?.paidAt,
            ]))
        // Nothing is read back: the writes go with the transaction's next statement, for a bid its
        // COMMIT, so the lot's lock is held from the round trip that took it to the one that commits.
        for statement in statements { try connection.send(statement.sql, parameters: statement.parameters) }
    }

    public func setListingStatus(_ id: ListingID, _ status: ListingStatus) throws {
        guard var listing = try Store.listing(id, lock: true, on: connection) else { throw LotInconsistent("no listing \(id)") }
        guard listing.status != status else { return }
        let before = listing.status
        listing.status = status
        listing.version += 1
        try Store.update(listing, previousStatus: before, on: connection)
    }

    public func lotsDue(now: Date, limit: Int) throws -> [LotID] {
        try connection.query(
            "SELECT id FROM lots WHERE status = 'consented' AND ends_at <= $1 ORDER BY ends_at, id LIMIT $2 FOR UPDATE SKIP LOCKED", now, Int64(limit)
        ).map { LotID(try $0.decode("id")) }
    }

    static func lot(_ row: PostgresRow) throws -> Lot {
        let terms = LotTerms(
            listingID: ListingID(try row.decode("listing_id")), mode: try Store.enumValue(row, "mode"), format: try Store.enumValue(row, "format"),
            openingPriceFen: try row.decode("opening_price_fen"), reserveFen: try row.decode("reserve_fen"), incrementFen: try row.decode("increment_fen"),
            startsAt: try row.decode("starts_at"), endsAt: try row.decode("scheduled_ends_at"),
            extensionWindowSeconds: try row.decode("extension_window_seconds"), extensionCountMax: try row.decode("extension_count_max", as: Int?.self),
            dutchIntervalSeconds: try row.decode("dutch_interval_seconds", as: Int?.self))
        let status: LotStatus = try Store.enumValue(row, "status")
        var result: LotResult?
        if let closedAt = try row.decode("closed_at", as: Date?.self) {
            let hammer = try row.decode("hammer_price_fen", as: Int64?.self)
            result = LotResult(
                sold: hammer != nil, hammerPriceFen: hammer, winnerPaddle: try row.decode("winner_paddle", as: Int?.self),
                winnerFirmID: try row.decode("winner_firm_id", as: Int64?.self).map(PartyID.init), buyerCommissionFen: try row.decode("buyer_commission_fen"),
                contractID: try row.decode("contract_id", as: Int64?.self).map(ContractID.init), noSaleReason: try row.decode("no_sale_reason", as: String?.self),
                closedAt: closedAt, paymentDueAt: try row.decode("payment_due_at", as: Date?.self), paidAt: try row.decode("paid_at", as: Date?.self))
        }
        let groups: String = try row.decode("excluded_group_codes")
        return Lot(
            id: LotID(try row.decode("id")), sessionID: SessionID(try row.decode("session_id")),
            institutionID: PartyID(try row.decode("institution_id")), terms: terms, depositFen: try row.decode("deposit_fen"), status: status,
            excludedGroupCodes: groups.isEmpty ? [] : groups.split(separator: ",").map(String.init),
            consentedAt: try row.decode("consented_at", as: Date?.self), endsAt: try row.decode("ends_at"),
            extensionCount: try row.decode("extension_count"), currentPriceFen: try row.decode("current_price_fen", as: Int64?.self),
            leaderPaddle: try row.decode("leader_paddle", as: Int?.self), bidCount: try row.decode("bid_count"),
            registeredCount: try row.decode("registered_count"), result: result, createdAt: try row.decode("created_at"))
    }

    // MARK: - Parties and registrations

    public func parties(_ ids: [PartyID]) throws -> [PartyID: Party] {
        try Store.parties(ids, on: connection)
    }

    public func registrations(_ lot: LotID) throws -> [LotRegistration] {
        try connection.query("SELECT * FROM lot_registrations WHERE lot_id = $1 ORDER BY id", lot.value).map(Self.registration)
    }

    public func registrations(firm: PartyID, page: PageRequest) throws -> [LotRegistration] {
        try connection.query(
            "SELECT * FROM lot_registrations WHERE firm_id = $1 AND id > $2 ORDER BY id LIMIT $3", firm.value, page.afterID ?? 0, Int64(page.limit)
        ).map(Self.registration)
    }

    public func insertRegistration(lot: LotID, firm: PartyID, paddle: Int, depositFen: Int64, at now: Date) throws -> LotRegistration {
        try Self.registration(connection.query(
            """
            INSERT INTO lot_registrations (lot_id, firm_id, paddle, deposit_fen, deposit_status, registered_at)
            VALUES ($1, $2, $3::integer, $4::bigint, 'held', $5) RETURNING *
            """,
            lot.value, firm.value, Int64(paddle), depositFen, now)[0])
    }

    public func setDepositStatuses(_ statuses: [LotRegistrationID: LotRegistration.DepositStatus]) throws {
        guard !statuses.isEmpty else { return }
        _ = try connection.queries(statuses.sorted { $0.key < $1.key }.map { id, status in
            PostgresStatement("UPDATE lot_registrations SET deposit_status = $2 WHERE id = $1", id.value, status.rawValue)
        })
    }

    static func registration(_ row: PostgresRow) throws -> LotRegistration {
        LotRegistration(
            id: LotRegistrationID(try row.decode("id")), lotID: LotID(try row.decode("lot_id")), firmID: PartyID(try row.decode("firm_id")),
            paddle: try row.decode("paddle"), depositFen: try row.decode("deposit_fen"), depositStatus: try Store.enumValue(row, "deposit_status"),
            registeredAt: try row.decode("registered_at"))
    }

    // MARK: - Money

    func account(_ holder: AuctionLedger.Holder) throws -> AccountID {
        try LedgerSteps.mappedAccount(
            table: "auction_accounts", keyColumns: "kind, owner", keys: [holder.kind, holder.owner], code: holder.code, limited: holder.isLimited,
            name: holder.name, on: connection)
    }

    public func move(_ step: AuctionMoneyStep) throws -> TransferResult {
        let transfer = Transfer(
            id: step.step.id(step.objectID), debitAccountID: try account(step.from), creditAccountID: try account(step.to), amountFen: step.amountFen,
            code: step.step.code, reference: String(step.reference.utf8.prefix(LedgerLimits.referenceLengthMax)) ?? "")
        return try LedgerSteps.move(transfer, on: connection)
    }

    public func depositBalance(_ firm: PartyID) throws -> Int64 {
        try connection.query(
            """
            SELECT coalesce((SELECT a.credits_posted_fen - a.debits_posted_fen - a.debits_pending_fen FROM ledger_accounts a
                JOIN auction_accounts m ON m.account_id = a.id WHERE m.kind = 'deposit' AND m.owner = $1), 0) AS balance
            """,
            firm.value)[0].decode("balance")
    }

    public func insertReceipt(firm: PartyID, amountFen: Int64, reference: String, at now: Date) throws -> DepositReceiptID? {
        try connection.query(
            """
            INSERT INTO deposit_receipts (firm_id, amount_fen, reference, received_at) VALUES ($1, $2::bigint, $3, $4)
            ON CONFLICT (reference) DO NOTHING RETURNING id
            """,
            firm.value, amountFen, reference, now
        ).first.map { DepositReceiptID(try $0.decode("id")) }
    }

    public func receipt(reference: String) throws -> DepositReceipt? {
        guard let row = try connection.query("SELECT * FROM deposit_receipts WHERE reference = $1", reference).first else { return nil }
        let firm = PartyID(try row.decode("firm_id"))
        return DepositReceipt(
            id: DepositReceiptID(try row.decode("id")), firmID: firm, amountFen: try row.decode("amount_fen"), reference: try row.decode("reference"),
            balanceFen: try depositBalance(firm), receivedAt: try row.decode("received_at"))
    }

    public func transferAmount(_ id: TransferID) throws -> Int64? {
        try PostgresLedgerStore.findTransfer(id, lock: false, on: connection)?.transfer.amountFen
    }

    // MARK: - The record

    public func lotEvents(_ lot: LotID, after sequence: Int64, kinds: [LotEvent.Kind]?, limit: Int) throws -> [LotEvent] {
        try connection.query(
            """
            SELECT * FROM lot_events WHERE lot_id = $1 AND sequence > $2::bigint
                AND ($3::text IS NULL OR kind = ANY (string_to_array($3, ','))) ORDER BY sequence LIMIT $4
            """,
            lot.value, sequence, kinds.map { $0.map(\.rawValue).joined(separator: ",") }, Int64(limit)
        ).map { row in
            LotEvent(
                sequence: try row.decode("sequence"), kind: try Store.enumValue(row, "kind"), paddle: try row.decode("paddle", as: Int?.self),
                priceFen: try row.decode("price_fen", as: Int64?.self), bidKind: try row.decode("bid_kind", as: String?.self),
                leaderPaddle: try row.decode("leader_paddle", as: Int?.self), endsAt: try row.decode("ends_at", as: Date?.self),
                outcome: try row.decode("outcome", as: String?.self), at: try row.decode("at"))
        }
    }

    public func lotLog(_ lot: LotID) throws -> [LotLogEntry] {
        try connection.query("SELECT command_id, command, events FROM lot_commands WHERE lot_id = $1 ORDER BY command_id", lot.value).map { row in
            LotLogEntry(
                commandID: UInt64(try row.decode("command_id", as: Int64.self)), command: Array(try row.decode("command", as: Data.self)),
                events: try row.decode("events"))
        }
    }
}
