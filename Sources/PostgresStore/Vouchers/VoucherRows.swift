import Foundation
import Market
import Postgres

/// How the voucher tables are read: the statements and the row mapping the voucher unit of work
/// shares.
extension PostgresMarketStore {
    // MARK: - Reading rows

    static let voucherSelect = """
        SELECT v.id, v.number, v.program_id, p.issuer_region, v.firm_id, v.face_value_fen, p.use_by::text AS use_by,
               p.claim_by::text AS claim_by, v.issued_at, v.account_id,
               (a.credits_posted_fen - a.debits_posted_fen - a.debits_pending_fen) AS remaining, a.debits_pending_fen AS held
        FROM vouchers v JOIN voucher_programs p ON p.id = v.program_id JOIN ledger_accounts a ON a.id = v.account_id
        """

    static func voucher(number: String, on connection: PostgresConnection) throws -> Voucher? {
        try connection.query("\(voucherSelect) WHERE v.number = $1", number).first.map(voucher)
    }

    /// The voucher row's lock, then the voucher with its balance, for one round trip: locked
    /// first and read after, so that the balance read is the one left by whoever held the lock
    /// before (a locking join would re-read only the locked row, and its ledger balance could be
    /// stale).
    static func lockedVoucherStatements(_ number: String) -> [PostgresStatement] {
        [
            PostgresStatement("SELECT 1 FROM vouchers WHERE number = $1 FOR UPDATE", number),
            PostgresStatement("\(voucherSelect) WHERE v.number = $1", number),
        ]
    }

    static func voucher(_ row: PostgresRow) throws -> Voucher {
        var voucher = Voucher(
            id: VoucherID(try row.decode("id")), number: try row.decode("number"), programID: ProgramID(try row.decode("program_id")),
            issuerRegion: RegionCode(try row.decode("issuer_region"))!, firmID: PartyID(try row.decode("firm_id")),
            faceValueFen: try row.decode("face_value_fen"), remainingFen: try row.decode("remaining"), heldFen: try row.decode("held"),
            useBy: Day(try row.decode("use_by"))!, claimBy: Day(try row.decode("claim_by"))!, issuedAt: try row.decode("issued_at"))
        voucher.accountID = try row.decode("account_id")
        return voucher
    }

    /// With `lock`, locks the program row first and reads after (see `lockedVoucherStatements`).
    static func program(_ id: ProgramID, lock: Bool, on connection: PostgresConnection) throws -> VoucherProgram? {
        let read = PostgresStatement(programSQL(where: "p.id = $1"), id.value)
        guard lock else { return try connection.query(read.sql, parameters: read.parameters).first.map(program) }
        return try connection.queries([PostgresStatement("SELECT 1 FROM voucher_programs WHERE id = $1 FOR UPDATE", id.value), read])[1]
            .first.map(program)
    }

    /// Programs with their budget's balance, as `program(_ row:)` reads them.
    static func programSQL(where condition: String) -> String {
        """
        SELECT p.id, p.issuer_region, p.year, p.name, p.budget_fen, p.share_basis_points, p.firm_cap_fen, p.group_cap_fen,
               p.use_by::text AS use_by, p.claim_by::text AS claim_by, p.honours::text AS honours, p.budget_account_id, p.created_at,
               (a.credits_posted_fen - a.debits_posted_fen - a.debits_pending_fen) AS remaining
        FROM voucher_programs p JOIN ledger_accounts a ON a.id = p.budget_account_id
        WHERE \(condition)
        """
    }

    static func program(_ row: PostgresRow) throws -> VoucherProgram {
        let terms = ProgramTerms(
            year: try row.decode("year"), name: try row.decode("name"), budgetFen: try row.decode("budget_fen"),
            shareBasisPoints: try row.decode("share_basis_points"), firmCapFen: try row.decode("firm_cap_fen"),
            groupCapFen: try row.decode("group_cap_fen"), useBy: Day(try row.decode("use_by"))!,
            claimBy: Day(try row.decode("claim_by"))!,
            honours: try jsonDecoder.decode(Honours.self, from: Data(try row.decode("honours", as: String.self).utf8)))
        let remaining: Int64 = try row.decode("remaining")
        var program = VoucherProgram(
            id: ProgramID(try row.decode("id")), issuerRegion: RegionCode(try row.decode("issuer_region"))!, terms: terms,
            issuedFen: terms.budgetFen - remaining, remainingFen: remaining, createdAt: try row.decode("created_at"))
        program.budgetAccountID = try row.decode("budget_account_id")
        return program
    }

    /// Redemptions as `redemption(_ row:)` reads them, from `source` (the table, or a CTE that
    /// returns its rows) as `r`.
    static func redemptionSelect(from source: String = "voucher_redemptions") -> String {
        """
        SELECT r.id, v.number, r.voucher_id, v.firm_id, r.provider_id, pr.region_code AS provider_region, p.issuer_region,
               r.contract_reference, r.contract_amount_fen, r.voucher_amount_fen, r.own_payment_fen, r.status,
               array_to_json(r.evidence)::text AS evidence, r.reason, r.settlement_id, r.created_at, r.updated_at,
               p.claim_by::text AS claim_by
        FROM \(source) r JOIN vouchers v ON v.id = r.voucher_id JOIN voucher_programs p ON p.id = v.program_id
        JOIN parties pr ON pr.id = r.provider_id
        """
    }

    static func redemption(_ id: RedemptionID, lock: Bool, on connection: PostgresConnection) throws -> Redemption? {
        try connection.query("\(redemptionSelect()) WHERE r.id = $1\(lock ? " FOR UPDATE OF r" : "")", id.value).first.map(redemption)
    }

    static func redemption(_ row: PostgresRow) throws -> Redemption {
        let statusText: String = try row.decode("status")
        var redemption = Redemption(
            id: RedemptionID(try row.decode("id")), voucherNumber: try row.decode("number"), voucherID: VoucherID(try row.decode("voucher_id")),
            firmID: PartyID(try row.decode("firm_id")), providerID: PartyID(try row.decode("provider_id")),
            providerRegion: RegionCode(try row.decode("provider_region"))!, issuerRegion: RegionCode(try row.decode("issuer_region"))!,
            request: RedemptionRequest(
                providerID: PartyID(try row.decode("provider_id")), contractReference: try row.decode("contract_reference"),
                contractAmountFen: try row.decode("contract_amount_fen"), voucherAmountFen: try row.decode("voucher_amount_fen"),
                ownPaymentFen: try row.decode("own_payment_fen")),
            status: Redemption.Status(rawValue: statusText) ?? .held,
            evidence: try jsonDecoder.decode([String].self, from: Data(try row.decode("evidence", as: String.self).utf8)),
            reason: try row.decode("reason", as: String?.self), settlementID: try row.decode("settlement_id", as: Int64?.self).map(SettlementID.init),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
        redemption.claimBy = Day(try row.decode("claim_by"))
        return redemption
    }

    /// The program's voucher count and where its money went, by provider region.
    static func report(_ program: VoucherProgram, on connection: PostgresConnection) throws -> ProgramReport {
        let id = program.id
        let count = try connection.query("SELECT count(*) AS n FROM vouchers WHERE program_id = $1", id.value)[0].decode("n", as: Int.self)
        let flows = try connection.query(
            """
            SELECT p.region_code,
                   coalesce(sum(r.voucher_amount_fen) FILTER (WHERE r.status IN ('held', 'claimed')), 0)::bigint AS held,
                   coalesce(sum(r.voucher_amount_fen) FILTER (WHERE r.status = 'approved'), 0)::bigint AS approved,
                   coalesce(sum(r.voucher_amount_fen) FILTER (WHERE r.status = 'paid'), 0)::bigint AS paid
            FROM voucher_redemptions r JOIN vouchers v ON v.id = r.voucher_id JOIN parties p ON p.id = r.provider_id
            WHERE v.program_id = $1 AND r.status NOT IN ('rejected', 'lapsed')
            GROUP BY p.region_code ORDER BY p.region_code
            """,
            id.value
        ).map { row in
            ProgramReport.Flow(
                providerRegion: RegionCode(try row.decode("region_code"))!, heldFen: try row.decode("held"),
                approvedFen: try row.decode("approved"), paidFen: try row.decode("paid"))
        }
        return ProgramReport(program: program, voucherCount: count, flows: flows)
    }

    static func settlement(_ id: SettlementID, on connection: PostgresConnection) throws -> SettlementBatch? {
        guard let head = try connection.query("SELECT issuer_region, created_at FROM settlement_batches WHERE id = $1", id.value).first else {
            return nil
        }
        // The amounts are read from the ledger's settle transfers, so a batch always matches it.
        let lines = try connection.query(
            """
            SELECT r.id, v.number, r.contract_reference, r.provider_id, p.name, p.region_code, t.amount_fen
            FROM voucher_redemptions r JOIN vouchers v ON v.id = r.voucher_id JOIN parties p ON p.id = r.provider_id
            JOIN ledger_transfers t ON t.id_high = $2 AND t.id_low = r.id
            WHERE r.settlement_id = $1
            ORDER BY p.region_code, r.provider_id, r.id
            """,
            id.value, Int64(bitPattern: VoucherLedger.Step.settle.high)
        ).map { row in
            SettlementBatch.Line(
                redemptionID: RedemptionID(try row.decode("id")), voucherNumber: try row.decode("number"),
                contractReference: try row.decode("contract_reference"), providerID: PartyID(try row.decode("provider_id")),
                providerName: try row.decode("name"), providerRegion: RegionCode(try row.decode("region_code"))!,
                amountFen: try row.decode("amount_fen"))
        }
        return SettlementBatch(
            id: id, issuerRegion: RegionCode(try head.decode("issuer_region"))!, createdAt: try head.decode("created_at"), lines: lines)
    }

    /// What a redemption's checks need beyond the voucher and its program, in one statement, for
    /// provider $1, contract reference $2 and voucher number $3: the provider (no id when there is
    /// no such party) and whether it is admitted, its region's ancestry (itself first), the
    /// members of the program's alliance if it honours one, whether the provider's contract is
    /// already paid with a live voucher redemption, and the voucher's shard of the issuer's
    /// payable account to the provider if it has been opened.
    static let redemptionFactsSQL = """
        WITH program AS (SELECT p.issuer_region, p.honours ->> 'alliance' AS alliance, v.id % \(VoucherLedger.payableShardCount) AS shard
                         FROM vouchers v JOIN voucher_programs p ON p.id = v.program_id WHERE v.number = $3)
        SELECT \(partyColumns),
            coalesce(p.admitted, false) AS admitted, coalesce(up.codes, '') AS ancestry,
            (SELECT coalesce(string_agg(region_code, ','), '') FROM alliance_members WHERE alliance_code = (SELECT alliance FROM program)) AS members,
            EXISTS (SELECT 1 FROM voucher_redemptions
                    WHERE provider_id = $1 AND upper(contract_reference) = upper($2) AND status NOT IN ('rejected', 'lapsed')) AS taken,
            (SELECT account_id FROM voucher_payable_accounts
             WHERE issuer_region = (SELECT issuer_region FROM program) AND provider_id = $1
               AND shard = (SELECT shard FROM program)) AS payable
        FROM (SELECT 1) AS one
        LEFT JOIN parties p ON p.id = $1
        LEFT JOIN LATERAL (\(ancestrySQL(of: "p.region_code", select: "string_agg(code, ',' ORDER BY depth) AS codes"))) AS up ON true
        """

    static func redemptionFacts(_ row: PostgresRow) throws -> (
        provider: Party?, admitted: Bool, ancestry: [RegionCode], allianceMembers: Set<RegionCode>, contractTaken: Bool, payable: Int64?
    ) {
        func codes(_ column: String) throws -> [RegionCode] {
            try row.decode(column, as: String.self).split(separator: ",").compactMap { RegionCode(String($0)) }
        }
        let provider = try row.decode("id", as: Int64?.self) == nil ? nil : try party(row)
        return (
            provider, try row.decode("admitted"), try codes("ancestry"), Set(try codes("members")), try row.decode("taken"),
            try row.decode("payable", as: Int64?.self)
        )
    }

    /// A region and the regions above it, itself first.
    static func ancestry(_ region: RegionCode, on connection: PostgresConnection) throws -> [RegionCode] {
        try connection.query("\(ancestrySQL(of: "$1", select: "code")) ORDER BY depth", region.value)
            .compactMap { RegionCode(try $0.decode("code")) }
    }

    /// Walks up from the region `start` (an expression) to the top, selecting `select` from its
    /// rows (`code`, and `depth`: 0 for the region itself).
    static func ancestrySQL(of start: String, select: String) -> String {
        """
        WITH RECURSIVE up AS (SELECT code, parent_code, 0 AS depth FROM regions WHERE code = \(start)
            UNION ALL SELECT r.code, r.parent_code, up.depth + 1 FROM regions r JOIN up ON r.code = up.parent_code)
        SELECT \(select) FROM up
        """
    }

}
