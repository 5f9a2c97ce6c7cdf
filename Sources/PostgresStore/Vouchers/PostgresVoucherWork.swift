import Foundation
import Ledger
import Market
import Postgres

extension PostgresMarketStore: VoucherStore {
    public func transaction<T: Sendable, R>(
        _ record: IdempotencyRecord<R>?, _ body: @escaping @Sendable (PostgresVoucherWork) throws -> T
    ) async throws -> T {
        try await moneyTransaction(record) { connection in try body(PostgresVoucherWork(connection)) }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (PostgresVoucherWork) throws -> T) async throws -> T {
        try await available { try await self.pool.withConnection { connection in try body(PostgresVoucherWork(connection)) } }
    }
}

/// The voucher use cases' reads and writes on one connection inside their transaction: SQL and
/// row mapping only. It remembers the rows of the ledger locks a write sent along, for the
/// transfer that then commits on them.
public final class PostgresVoucherWork: VoucherWork {
    let connection: PostgresConnection
    /// The transfer whose accounts the last write locked, and the rows of those locks.
    private var locked: (transfer: TransferID, rows: ArraySlice<PostgresRows>)?

    init(_ connection: PostgresConnection) { self.connection = connection }

    typealias Store = PostgresMarketStore

    public func keep<R>(_ record: IdempotencyRecord<R>?, _ result: R) throws {
        try Store.keep(record, result, on: connection)
    }

    public func move(_ transfer: Transfer, committing: Bool) throws -> TransferResult {
        guard committing else { return try LedgerSteps.move(transfer, on: connection) }
        guard let locked, locked.transfer == transfer.id else {
            preconditionFailure("a committing transfer follows the write that locked its accounts (lockingFor:)")
        }
        self.locked = nil
        return try LedgerSteps.move(transfer, locked: locked.rows, on: connection)
    }

    // MARK: - Programs

    public func allianceExists(_ code: String) throws -> Bool {
        try !connection.query("SELECT 1 FROM alliances WHERE code = $1", code).isEmpty
    }

    public func regionCount(_ regions: Set<RegionCode>) throws -> Int {
        try connection.query(
            "SELECT count(*) AS n FROM regions WHERE code = ANY (string_to_array($1, ','))", regions.map(\.value).joined(separator: ",")
        )[0].decode("n", as: Int.self)
    }

    public func treasuryAccount(_ region: RegionCode) throws -> AccountID {
        try LedgerSteps.mappedAccount(
            table: "voucher_region_accounts", keyColumns: "region_code", keys: [region.value], code: VoucherLedger.treasuryCode,
            limited: false, name: "treasury \(region)", on: connection)
    }

    public func insertProgram(_ terms: ProgramTerms, issuer: RegionCode) throws -> (id: ProgramID, budget: AccountID)? {
        let budget = try LedgerSteps.newAccount(
            code: VoucherLedger.programCode, limited: true, name: "program \(issuer) \(terms.year) budget", on: connection)
        do {
            let id: Int64 = try connection.query(
                """
                INSERT INTO voucher_programs (issuer_region, year, name, budget_fen, share_basis_points, firm_cap_fen, group_cap_fen,
                    use_by, claim_by, honours, budget_account_id)
                VALUES ($1, $2::integer, $3, $4::bigint, $5::integer, $6::bigint, $7::bigint, $8::date, $9::date, $10::jsonb, $11::bigint)
                RETURNING id
                """,
                issuer.value, Int64(terms.year), terms.name, terms.budgetFen, Int64(terms.shareBasisPoints), terms.firmCapFen,
                terms.groupCapFen, terms.useBy.text, terms.claimBy.text, try Store.jsonText(terms.honours), Int64(bitPattern: budget.rawValue)
            )[0].decode("id")
            return (ProgramID(id), budget)
        } catch let error as PostgresError where error.isUniqueViolation {
            return nil
        }
    }

    public func program(_ id: ProgramID, locked: Bool) throws -> VoucherProgram? {
        try Store.program(id, lock: locked, on: connection)
    }

    public func programs(_ visibility: ProgramVisibility, page: PageRequest) throws -> [VoucherProgram] {
        let issuer: String? = switch visibility {
        case .all: nil
        case .issuer(let region): region.value
        }
        return try connection.query(
            "\(Store.programSQL(where: "($1::text IS NULL OR p.issuer_region = $1) AND p.id > $2")) ORDER BY p.id LIMIT $3",
            issuer, page.afterID ?? 0, Int64(page.limit)
        ).map(Store.program)
    }

    public func report(_ program: VoucherProgram) throws -> ProgramReport {
        try Store.report(program, on: connection)
    }

    // MARK: - Vouchers

    public func lockedIssuanceFacts(firm: PartyID, program: VoucherProgram, today: Day) throws -> VoucherRules.IssuanceFacts? {
        // Caps count the issuer's vouchers of the program's year, whichever program; the firm
        // row (and its group's) are locked so that two programs cannot race past a cap.
        guard let party = try connection.query(
            "SELECT \(Store.partyColumns) FROM parties WHERE id = $1 FOR UPDATE", firm.value
        ).first.map(Store.party) else { return nil }
        if let group = party.groupCode { try connection.query("SELECT 1 FROM party_groups WHERE code = $1 FOR UPDATE", group) }
        let issued = try connection.query(
            """
            SELECT coalesce(sum(v.face_value_fen) FILTER (WHERE v.firm_id = $1), 0)::bigint AS firm,
                   coalesce(sum(v.face_value_fen) FILTER (WHERE v.group_code = $2), 0)::bigint AS grp
            FROM vouchers v JOIN voucher_programs p ON p.id = v.program_id
            WHERE p.issuer_region = $3 AND p.year = $4::integer AND (v.firm_id = $1 OR v.group_code = $2)
            """,
            firm.value, party.groupCode, program.issuerRegion.value, Int64(program.terms.year))[0]
        return VoucherRules.IssuanceFacts(
            program: program, firm: party, firmAncestry: try Store.ancestry(party.regionCode, on: connection),
            firmIssuedFen: try issued.decode("firm"), groupIssuedFen: try issued.decode("grp"), today: today)
    }

    public func lastVoucherSerial(issuer: RegionCode, year: Int) throws -> Int {
        let prefix = "\(issuer.value)-\(year)-"
        // Numbers run per region and year across programs: one issuer at a time draws the next.
        try connection.query("SELECT pg_advisory_xact_lock(hashtext($1))", "voucher-number " + prefix)
        let last = try connection.query("SELECT max(number) AS n FROM vouchers WHERE number LIKE $1 || '%'", prefix)[0]
            .decode("n", as: String?.self)
        return last.flatMap { Int($0.suffix(VoucherLedger.voucherSerialDigits)) } ?? 0
    }

    public func insertVoucher(number: String, program: ProgramID, firm: Party, faceValueFen: Int64) throws -> (id: VoucherID, account: AccountID)? {
        let account = try LedgerSteps.newAccount(code: VoucherLedger.voucherCode, limited: true, name: "voucher \(number)", on: connection)
        do {
            let id: Int64 = try connection.query(
                """
                INSERT INTO vouchers (number, program_id, firm_id, group_code, face_value_fen, account_id)
                VALUES ($1, $2, $3, $4, $5::bigint, $6::bigint) RETURNING id
                """,
                number, program.value, firm.id.value, firm.groupCode, faceValueFen, Int64(bitPattern: account.rawValue))[0].decode("id")
            return (VoucherID(id), account)
        } catch let error as PostgresError where error.isUniqueViolation || error.isCheckViolation {
            return nil
        }
    }

    public func voucher(number: String) throws -> Voucher? {
        try Store.voucher(number: number, on: connection)
    }

    public func vouchers(_ visibility: VoucherVisibility, page: PageRequest) throws -> [Voucher] {
        var firm: Int64?
        var issuer: String?
        switch visibility {
        case .all: break
        case .holder(let party): firm = party.value
        case .issuer(let region): issuer = region.value
        }
        return try connection.query(
            """
            \(Store.voucherSelect) WHERE ($1::bigint IS NULL OR v.firm_id = $1) AND ($2::text IS NULL OR p.issuer_region = $2)
              AND v.id > $3 ORDER BY v.id LIMIT $4
            """,
            firm, issuer, page.afterID ?? 0, Int64(page.limit)
        ).map(Store.voucher)
    }

    // MARK: - Redemptions

    public func lockedRedemptionFacts(voucher number: String, _ request: RedemptionRequest, today: Day) throws -> RedemptionPrefetch? {
        // One round trip, each statement after the one before: the voucher row's lock (it
        // orders redemptions of one voucher; the ledger's limit is the backstop), then what it
        // guards — the voucher with its balance, its program, the facts the checks need — and
        // the new redemption's id.
        let read = try connection.queries(Store.lockedVoucherStatements(number) + [
            PostgresStatement(Store.programSQL(where: "p.id = (SELECT program_id FROM vouchers WHERE number = $1)"), number),
            PostgresStatement(Store.redemptionFactsSQL, request.providerID.value, request.contractReference, number),
            PostgresStatement("SELECT nextval('voucher_redemptions_id_seq') AS id"),
        ])
        guard let voucher = try read[1].first.map(Store.voucher), let programRow = read[2].first else { return nil }
        let facts = try Store.redemptionFacts(read[3][0])
        return RedemptionPrefetch(
            facts: VoucherRules.RedemptionFacts(
                voucher: voucher, program: try Store.program(programRow), provider: facts.provider, providerAdmitted: facts.admitted,
                providerAncestry: facts.ancestry, allianceMembers: facts.allianceMembers, contractTaken: facts.contractTaken, today: today),
            payable: facts.payable.map { AccountID(UInt64($0)) }, newID: RedemptionID(try read[4][0].decode("id")))
    }

    public func payableAccount(issuer: RegionCode, provider: PartyID, shard: Int64) throws -> AccountID {
        try LedgerSteps.mappedAccount(
            table: "voucher_payable_accounts", keyColumns: "issuer_region, provider_id, shard", keys: [issuer.value, provider.value, shard],
            code: VoucherLedger.payableCode, limited: true, name: "payable \(issuer) to provider \(provider), shard \(shard)", on: connection)
    }

    public func insertRedemption(_ id: RedemptionID, voucher: Voucher, _ request: RedemptionRequest, lockingFor hold: Transfer) throws -> Redemption? {
        // The redemption, written and read back as every redemption is read, and the hold's
        // lock in one round trip; the hold's write goes with COMMIT in the next. So the payable
        // account, which the provider's redemptions on vouchers of this shard share, is held for
        // one round trip.
        let written: [PostgresRows]
        do {
            written = try connection.queries(
                [
                    PostgresStatement(
                        """
                        WITH r AS (
                            INSERT INTO voucher_redemptions (id, voucher_id, provider_id, contract_reference, contract_amount_fen,
                                voucher_amount_fen, own_payment_fen, status)
                            VALUES ($1, $2, $3, $4, $5::bigint, $6::bigint, $7::bigint, 'held') RETURNING *)
                        \(Store.redemptionSelect(from: "r"))
                        """,
                        id.value, voucher.id.value, request.providerID.value, request.contractReference, request.contractAmountFen,
                        request.voucherAmountFen, request.ownPaymentFen)
                ] + PostgresLedgerStore.lockStatements(for: hold))
        } catch let error as PostgresError where error.isUniqueViolation && error.constraint == "voucher_redemptions_contract" {
            return nil
        }
        locked = (hold.id, written.dropFirst())
        return try Store.redemption(written[0][0])
    }

    public func redemption(_ id: RedemptionID, locked: Bool) throws -> Redemption? {
        try Store.redemption(id, lock: locked, on: connection)
    }

    public func redemptions(_ visibility: RedemptionVisibility, status: Redemption.Status?, page: PageRequest) throws -> [Redemption] {
        let condition: String
        let value: any PostgresEncodable
        switch visibility {
        case .all: (condition, value) = ("($1::text IS NULL)", nil as String?)
        case .holder(let firm): (condition, value) = ("v.firm_id = $1::bigint", firm.value)
        case .provider(let provider): (condition, value) = ("r.provider_id = $1::bigint", provider.value)
        case .issuer(let region): (condition, value) = ("p.issuer_region = $1", region.value)
        case .none: (condition, value) = ("false AND $1::text IS NULL", nil as String?)
        }
        return try connection.query(
            "\(Store.redemptionSelect()) WHERE \(condition) AND ($2::text IS NULL OR r.status = $2) AND r.id > $3 ORDER BY r.id LIMIT $4",
            parameters: [value, status?.rawValue, page.afterID ?? 0, Int64(page.limit)]
        ).map(Store.redemption)
    }

    public func markClaimed(_ id: RedemptionID, evidence: [String]) throws -> Date {
        try connection.queryThenCommit(
            "UPDATE voucher_redemptions SET status = 'claimed', evidence = $2::text[], updated_at = now() WHERE id = $1 RETURNING updated_at",
            parameters: [id.value, Store.textArray(evidence)])[0].decode("updated_at")
    }

    public func markDecided(_ id: RedemptionID, status: Redemption.Status, reason: String?, lockingFor transfer: Transfer) throws -> Date {
        let written = try connection.queries(
            [
                PostgresStatement(
                    "UPDATE voucher_redemptions SET status = $2, reason = $3, updated_at = now() WHERE id = $1 RETURNING updated_at",
                    id.value, status.rawValue, reason)
            ] + PostgresLedgerStore.lockStatements(for: transfer))
        locked = (transfer.id, written.dropFirst())
        return try written[0][0].decode("updated_at")
    }

    public func lockedLapsedHolds(before today: Day) throws -> [RedemptionID] {
        try connection.query(
            """
            SELECT r.id FROM voucher_redemptions r JOIN vouchers v ON v.id = r.voucher_id JOIN voucher_programs p ON p.id = v.program_id
            WHERE r.status = 'held' AND p.claim_by < $1::date ORDER BY r.id FOR UPDATE OF r
            """,
            today.text
        ).map { RedemptionID(try $0.decode("id")) }
    }

    public func holdAccounts(of redemptions: [RedemptionID]) throws -> [RedemptionID: (voucher: AccountID, payable: AccountID)] {
        var accounts: [RedemptionID: (voucher: AccountID, payable: AccountID)] = [:]
        for row in try connection.query(
            """
            SELECT id_low AS redemption, debit_account_id, credit_account_id FROM ledger_transfers
            WHERE id_high = $1 AND id_low = ANY (string_to_array($2, ',')::bigint[])
            """,
            Int64(bitPattern: VoucherLedger.Step.hold.high), redemptions.map { String($0.value) }.joined(separator: ","))
        {
            accounts[RedemptionID(try row.decode("redemption"))] = (
                AccountID(UInt64(bitPattern: try row.decode("debit_account_id"))), AccountID(UInt64(bitPattern: try row.decode("credit_account_id")))
            )
        }
        return accounts
    }

    public func lockAccounts(_ accounts: [AccountID]) throws {
        _ = try PostgresLedgerStore.lockAccounts(accounts, on: connection)
    }

    public func markLapsed(_ id: RedemptionID) throws {
        try connection.query("UPDATE voucher_redemptions SET status = 'lapsed', updated_at = now() WHERE id = $1", id.value)
    }

    // MARK: - Settlement

    public func lockedApprovedClaims(issuer: RegionCode) throws -> [(id: RedemptionID, provider: PartyID, amountFen: Int64)] {
        try connection.query(
            """
            SELECT r.id, r.provider_id, r.voucher_amount_fen FROM voucher_redemptions r
            JOIN vouchers v ON v.id = r.voucher_id JOIN voucher_programs p ON p.id = v.program_id
            WHERE r.status = 'approved' AND p.issuer_region = $1 ORDER BY r.id FOR UPDATE OF r
            """,
            issuer.value
        ).map { (RedemptionID(try $0.decode("id")), PartyID(try $0.decode("provider_id")), try $0.decode("voucher_amount_fen", as: Int64.self)) }
    }

    public func insertSettlementBatch(issuer: RegionCode) throws -> SettlementID {
        SettlementID(try connection.query("INSERT INTO settlement_batches (issuer_region) VALUES ($1) RETURNING id", issuer.value)[0].decode("id"))
    }

    public func settledAccount(_ provider: PartyID) throws -> AccountID {
        try LedgerSteps.mappedAccount(
            table: "voucher_settled_accounts", keyColumns: "provider_id", keys: [provider.value], code: VoucherLedger.settledCode,
            limited: false, name: "settled to provider \(provider)", on: connection)
    }

    public func markPaid(_ id: RedemptionID, batch: SettlementID) throws {
        try connection.query("UPDATE voucher_redemptions SET status = 'paid', settlement_id = $2, updated_at = now() WHERE id = $1", id.value, batch.value)
    }

    public func settlement(_ id: SettlementID) throws -> SettlementBatch? {
        try Store.settlement(id, on: connection)
    }
}
