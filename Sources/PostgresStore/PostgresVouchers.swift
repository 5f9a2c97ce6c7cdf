import Foundation
import Ledger
import Market
import Postgres

/// Ledger account codes and transfer kinds of the voucher scheme (docs/vouchers.md).
enum VoucherLedger {
    static let treasuryCode: UInt16 = 10
    static let programCode: UInt16 = 20
    static let voucherCode: UInt16 = 30
    static let payableCode: UInt16 = 40
    static let settledCode: UInt16 = 50

    enum Step: UInt64 {
        case fund = 1, issue, hold, approve, release, settle

        var code: UInt16 { UInt16(100 + rawValue) }
        /// The high half of the ids of this step: "VC" and the step, apart from every other id.
        var high: UInt64 { 0x5643_0000_0000_0000 | rawValue }
        func id(_ object: Int64) -> TransferID { TransferID(high: high, low: UInt64(object)) }
    }
}

extension PostgresMarketStore: VoucherStore {
    // MARK: - Programs

    public func createProgram(
        _ terms: ProgramTerms, by caller: Principal?, record: IdempotencyRecord<VoucherProgram>? = nil
    ) async throws -> VoucherProgram {
        let region = try VoucherRules.programRegion(of: caller)
        try terms.validate()
        return try await moneyTransaction(record) { connection in
            let program = try Self.createProgram(terms, issuer: region, on: connection)
            try Self.keep(record, program, on: connection)
            return program
        }
    }

    static func createProgram(_ terms: ProgramTerms, issuer: RegionCode, on connection: PostgresConnection) throws -> VoucherProgram {
        if case .alliance(let code) = terms.honours,
           try connection.query("SELECT 1 FROM alliances WHERE code = $1", code).isEmpty {
            throw MarketError.invalid([FieldIssue("honours.alliance", "is not a known alliance (see /v1/alliances)")])
        }
        if case .list(let regions) = terms.honours {
            let known = try connection.query(
                "SELECT count(*) AS n FROM regions WHERE code = ANY (string_to_array($1, ','))", regions.map(\.value).joined(separator: ",")
            )[0].decode("n", as: Int.self)
            if known != Set(regions).count { throw MarketError.invalid([FieldIssue("honours.regions", "names a region that does not exist")]) }
        }
        let treasury = try treasuryAccount(issuer, on: connection)
        let budgetAccount = try newAccount(code: VoucherLedger.programCode, limited: true, name: "program \(issuer) \(terms.year) budget", on: connection)
        let id: Int64
        do {
            id = try connection.query(
                """
                INSERT INTO voucher_programs (issuer_region, year, name, budget_fen, share_basis_points, firm_cap_fen, group_cap_fen,
                    use_by, claim_by, honours, budget_account_id)
                VALUES ($1, $2::integer, $3, $4::bigint, $5::integer, $6::bigint, $7::bigint, $8::date, $9::date, $10::jsonb, $11::bigint)
                RETURNING id
                """,
                issuer.value, Int64(terms.year), terms.name, terms.budgetFen, Int64(terms.shareBasisPoints), terms.firmCapFen,
                terms.groupCapFen, terms.useBy.text, terms.claimBy.text, try jsonText(terms.honours), budgetAccount
            )[0].decode("id")
        } catch let error as PostgresError where error.isUniqueViolation {
            throw MarketError.duplicate(field: "name", message: "the region already has a \(terms.year) program with this name")
        }
        try move(
            Transfer(
                id: VoucherLedger.Step.fund.id(id), debitAccountID: treasury, creditAccountID: AccountID(UInt64(budgetAccount)),
                amountFen: terms.budgetFen, code: VoucherLedger.Step.fund.code, reference: "program \(id)"),
            on: connection)
        return try program(ProgramID(id), lock: false, on: connection)!
    }

    public func programs(for caller: Principal?, page: PageRequest) async throws -> [ProgramReport] {
        let region = try Self.regulatorScope(caller, what: "voucher programs")
        return try await available { try await self.pool.withConnection { connection in
            let ids = try connection.query(
                "SELECT id FROM voucher_programs WHERE ($1::text IS NULL OR issuer_region = $1) AND id > $2 ORDER BY id LIMIT $3",
                region?.value, page.afterID ?? 0, Int64(page.limit)
            ).map { ProgramID(try $0.decode("id")) }
            return try ids.compactMap { try Self.program($0, lock: false, on: connection) }.map { try Self.report($0, on: connection) }
        } }
    }

    public func program(_ id: ProgramID, for caller: Principal?) async throws -> ProgramReport {
        let region = try Self.regulatorScope(caller, what: "voucher programs")
        return try await available { try await self.pool.withConnection { connection in
            guard let program = try Self.program(id, lock: false, on: connection), region == nil || region == program.issuerRegion else {
                throw MarketError.notFound("no voucher program \(id)")
            }
            return try Self.report(program, on: connection)
        } }
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

    // MARK: - Vouchers

    public func issueVoucher(
        program id: ProgramID, firm: PartyID, faceValueFen: Int64, number: String?, by caller: Principal?,
        record: IdempotencyRecord<Voucher>?
    ) async throws -> Voucher {
        try await moneyTransaction(record) { connection in
            // The program row is the lock that orders issuances of one program (budget and caps).
            guard let program = try Self.program(id, lock: true, on: connection) else {
                throw MarketError.notFound("no voucher program \(id)")
            }
            try VoucherRules.checkProgramOwner(caller, issuer: program.issuerRegion)
            // Caps count the issuer's vouchers of the program's year, whichever program; the firm
            // row (and its group's) are locked so that two programs cannot race past a cap.
            guard let party = try connection.query(
                "SELECT \(Self.partyColumns) FROM parties WHERE id = $1 FOR UPDATE", firm.value
            ).first.map(Self.party) else {
                throw MarketError.invalid([FieldIssue("firmId", "no participant \(firm)")])
            }
            if let group = party.groupCode { try connection.query("SELECT 1 FROM party_groups WHERE code = $1 FOR UPDATE", group) }
            let issued = try connection.query(
                """
                SELECT coalesce(sum(v.face_value_fen) FILTER (WHERE v.firm_id = $1), 0)::bigint AS firm,
                       coalesce(sum(v.face_value_fen) FILTER (WHERE v.group_code = $2), 0)::bigint AS grp
                FROM vouchers v JOIN voucher_programs p ON p.id = v.program_id
                WHERE p.issuer_region = $3 AND p.year = $4::integer AND (v.firm_id = $1 OR v.group_code = $2)
                """,
                firm.value, party.groupCode, program.issuerRegion.value, Int64(program.terms.year))[0]
            try VoucherRules.checkIssuance(
                faceValueFen: faceValueFen,
                .init(
                    program: program, firm: party, firmAncestry: try Self.ancestry(party.regionCode, on: connection),
                    firmIssuedFen: try issued.decode("firm"), groupIssuedFen: try issued.decode("grp"), today: Day.today()))
            let voucherNumber = try number ?? Self.nextVoucherNumber(program, on: connection)
            let account = try Self.newAccount(code: VoucherLedger.voucherCode, limited: true, name: "voucher \(voucherNumber)", on: connection)
            let voucherID: Int64
            do {
                voucherID = try connection.query(
                    """
                    INSERT INTO vouchers (number, program_id, firm_id, group_code, face_value_fen, account_id)
                    VALUES ($1, $2, $3, $4, $5::bigint, $6::bigint) RETURNING id
                    """,
                    voucherNumber, id.value, firm.value, party.groupCode, faceValueFen, account)[0].decode("id")
            } catch let error as PostgresError where error.isUniqueViolation || error.isCheckViolation {
                throw MarketError.duplicate(field: "number", message: "voucher number \(voucherNumber) is taken or malformed")
            }
            try Self.move(
                Transfer(
                    id: VoucherLedger.Step.issue.id(voucherID), debitAccountID: AccountID(UInt64(program.budgetAccountID)),
                    creditAccountID: AccountID(UInt64(account)), amountFen: faceValueFen, code: VoucherLedger.Step.issue.code,
                    reference: voucherNumber),
                on: connection)
            let voucher = try Self.voucher(number: voucherNumber, on: connection)!
            try Self.keep(record, voucher, on: connection)
            return voucher
        }
    }

    public func vouchers(for caller: Principal?, page: PageRequest) async throws -> [Voucher] {
        let (firm, region) = try Self.voucherScope(caller)
        return try await available { try await self.pool.withConnection { connection in
            try connection.query(
                """
                \(Self.voucherSelect) WHERE ($1::bigint IS NULL OR v.firm_id = $1) AND ($2::text IS NULL OR p.issuer_region = $2)
                  AND v.id > $3 ORDER BY v.id LIMIT $4
                """,
                firm?.value, region?.value, page.afterID ?? 0, Int64(page.limit)
            ).map(Self.voucher)
        } }
    }

    public func voucher(number: String, for caller: Principal?) async throws -> Voucher {
        let (firm, region) = try Self.voucherScope(caller)
        return try await available { try await self.pool.withConnection { connection in
            guard let voucher = try Self.voucher(number: number, on: connection),
                  firm == nil || firm == voucher.firmID, region == nil || region == voucher.issuerRegion
            else { throw MarketError.notFound("no voucher \(number)") }
            return voucher
        } }
    }

    // MARK: - Redemptions

    public func redeem(
        voucher number: String, _ request: RedemptionRequest, by caller: Principal?, record: IdempotencyRecord<Redemption>?
    ) async throws -> Redemption {
        guard let caller else { throw MarketError.unauthenticated("the firm's API key is required") }
        // Before the transaction: the request's fields go into its statements.
        try request.validate()
        return try await moneyTransaction(record) { connection in
            // One round trip, each statement after the one before: the voucher row's lock (it
            // orders redemptions of one voucher; the ledger's limit is the backstop), then what it
            // guards — the voucher with its balance, its program, the facts the checks need — and
            // the new redemption's id.
            let read = try connection.queries(Self.lockedVoucherStatements(number) + [
                PostgresStatement(Self.programSQL(where: "p.id = (SELECT program_id FROM vouchers WHERE number = $1)"), number),
                PostgresStatement(Self.redemptionFactsSQL, request.providerID.value, request.contractReference, number),
                PostgresStatement("SELECT nextval(pg_get_serial_sequence('voucher_redemptions', 'id')) AS id"),
            ])
            guard let voucher = try read[1].first.map(Self.voucher),
                  caller.isAdmin || caller.partyID == voucher.firmID || (caller.role == .regulator && caller.regionCode == voucher.issuerRegion)
            else { throw MarketError.notFound("no voucher \(number)") }
            let program = try Self.program(read[2][0])
            let facts = try Self.redemptionFacts(read[3][0])
            try VoucherRules.checkRedemption(
                request, by: caller,
                .init(
                    voucher: voucher, program: program, provider: facts.provider, providerAdmitted: facts.admitted,
                    providerAncestry: facts.ancestry, allianceMembers: facts.allianceMembers, contractTaken: facts.contractTaken,
                    today: Day.today()))
            let payable = try facts.payable
                ?? Self.payableAccount(issuer: voucher.issuerRegion, provider: request.providerID, shard: Self.payableShard(voucher.id), on: connection)
            let id: Int64 = try read[4][0].decode("id")
            let hold = Transfer(
                id: VoucherLedger.Step.hold.id(id), debitAccountID: AccountID(UInt64(voucher.accountID)),
                creditAccountID: AccountID(UInt64(payable)), amountFen: request.voucherAmountFen, code: VoucherLedger.Step.hold.code,
                flags: [.pending], reference: "redemption \(id)")
            // The redemption, written and read back as every redemption is read, and the hold's
            // lock in one round trip; the hold's write goes with COMMIT in the next. So the
            // payable account, which the provider's redemptions on vouchers of this shard share,
            // is held for one round trip.
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
                            \(Self.redemptionSelect(from: "r"))
                            """,
                            id, voucher.id.value, request.providerID.value, request.contractReference, request.contractAmountFen,
                            request.voucherAmountFen, request.ownPaymentFen)
                    ] + PostgresLedgerStore.lockStatements(for: hold))
            } catch let error as PostgresError where error.isUniqueViolation && error.constraint == "voucher_redemptions_contract" {
                // Another voucher took the contract at the same moment.
                throw VoucherRefusal.contractAlreadyRedeemed(contractReference: request.contractReference)
            }
            let redemption = try Self.redemption(written[0][0])
            try Self.keep(record, redemption, on: connection)
            try Self.move(
                hold, locked: written.dropFirst(), on: connection,
                refusal: { error in
                    error == .exceedsCredits
                        ? VoucherRefusal.exceedsVoucherRemaining(number: number, remainingFen: nil, requestedFen: request.voucherAmountFen)
                        : nil
                })
            return redemption
        }
    }

    public func redemptions(for caller: Principal?, status: Redemption.Status?, page: PageRequest) async throws -> [Redemption] {
        guard let caller else { throw MarketError.unauthenticated("an API key is required") }
        return try await available { try await self.pool.withConnection { connection in
            let scope = Self.redemptionScope(caller)
            return try connection.query(
                "\(Self.redemptionSelect()) WHERE \(scope.condition) AND ($2::text IS NULL OR r.status = $2) AND r.id > $3 ORDER BY r.id LIMIT $4",
                parameters: [scope.value, status?.rawValue, page.afterID ?? 0, Int64(page.limit)]
            ).map(Self.redemption)
        } }
    }

    public func redemption(_ id: RedemptionID, for caller: Principal?) async throws -> Redemption {
        guard let caller else { throw MarketError.unauthenticated("an API key is required") }
        return try await available { try await self.pool.withConnection { connection in
            guard let redemption = try Self.redemption(id, lock: false, on: connection), Self.canSee(redemption, caller) else {
                throw MarketError.notFound("no redemption \(id)")
            }
            return redemption
        } }
    }

    public func claim(_ id: RedemptionID, evidence: [String], by caller: Principal?) async throws -> Redemption {
        guard let caller else { throw MarketError.unauthenticated("the provider's API key is required") }
        try VoucherRules.checkEvidence(evidence)
        return try await moneyTransaction { connection in
            guard let redemption = try Self.redemption(id, lock: true, on: connection), Self.canSee(redemption, caller) else {
                throw MarketError.notFound("no redemption \(id)")
            }
            guard caller.role == .provider, caller.partyID == redemption.providerID else {
                throw MarketError.forbidden("only the redemption's provider claims it")
            }
            guard redemption.status == .held else { throw MarketError.invalidTransition(resource: "redemption", from: redemption.status.rawValue, action: "claimed") }
            if let claimBy = redemption.claimBy, claimBy < Day.today() {
                throw VoucherRefusal.claimPeriodOver(claimBy: claimBy)
            }
            var claimed = redemption
            claimed.updatedAt = try connection.queryThenCommit(
                "UPDATE voucher_redemptions SET status = 'claimed', evidence = $2::text[], updated_at = now() WHERE id = $1 RETURNING updated_at",
                parameters: [id.value, Self.textArray(evidence)])[0].decode("updated_at")
            claimed.status = .claimed
            claimed.evidence = evidence
            return claimed
        }
    }

    public func decide(
        _ id: RedemptionID, approve: Bool, reason: String?, by caller: Principal?, record: IdempotencyRecord<Redemption>?
    ) async throws -> Redemption {
        guard let caller else { throw MarketError.unauthenticated("a regulator's API key is required") }
        if !approve { try VoucherRules.checkReason(reason ?? "") }
        return try await moneyTransaction(record) { connection in
            guard let redemption = try Self.redemption(id, lock: true, on: connection), Self.canSee(redemption, caller) else {
                throw MarketError.notFound("no redemption \(id)")
            }
            guard caller.role == .regulator, caller.regionCode == redemption.issuerRegion else {
                throw MarketError.forbidden("only a regulator of the issuing region \(redemption.issuerRegion) decides its claims")
            }
            guard redemption.status == .claimed else {
                throw MarketError.invalidTransition(resource: "redemption", from: redemption.status.rawValue, action: approve ? "approved" : "rejected")
            }
            let step: VoucherLedger.Step = approve ? .approve : .release
            let pendingID = VoucherLedger.Step.hold.id(id.value)
            let transfer: Transfer = approve
                ? .post(id: step.id(id.value), pendingID: pendingID, amountFen: redemption.request.voucherAmountFen, reference: "redemption \(id)")
                : .void(id: step.id(id.value), pendingID: pendingID, reference: "redemption \(id)")
            // The decision and the ledger's lock in one round trip, the ledger's write with the
            // kept response and COMMIT in the next: the shared payable account is held for one.
            let written = try connection.queries(
                [
                    PostgresStatement(
                        "UPDATE voucher_redemptions SET status = $2, reason = $3, updated_at = now() WHERE id = $1 RETURNING updated_at",
                        id.value, approve ? "approved" : "rejected", approve ? nil : reason)
                ] + PostgresLedgerStore.lockStatements(for: transfer))
            var decided = redemption
            decided.updatedAt = try written[0][0].decode("updated_at")
            decided.status = approve ? .approved : .rejected
            decided.reason = approve ? nil : reason
            try Self.keep(record, decided, on: connection)
            try Self.move(transfer, locked: written.dropFirst(), on: connection)
            return decided
        }
    }

    public func sweep(today: Day) async throws -> Int {
        try await moneyTransaction { connection in
            let lapsed = try connection.query(
                """
                SELECT r.id FROM voucher_redemptions r JOIN vouchers v ON v.id = r.voucher_id JOIN voucher_programs p ON p.id = v.program_id
                WHERE r.status = 'held' AND p.claim_by < $1::date ORDER BY r.id FOR UPDATE OF r
                """,
                today.text
            ).map { try $0.decode("id", as: Int64.self) }
            // Every account the voids touch, locked at once in the ledger's one order (ascending
            // ids), so that this batch cannot deadlock with single redemptions or settlements.
            let holds = try Self.holdAccounts(of: lapsed, on: connection)
            _ = try PostgresLedgerStore.lockAccounts(holds.values.flatMap { [$0.voucher, $0.payable] }, on: connection)
            for id in lapsed {
                try Self.move(.void(id: VoucherLedger.Step.release.id(id), pendingID: VoucherLedger.Step.hold.id(id), reference: "lapsed \(id)"), on: connection)
                try connection.query("UPDATE voucher_redemptions SET status = 'lapsed', updated_at = now() WHERE id = $1", id)
            }
            return lapsed.count
        }
    }

    // MARK: - Settlement

    public func settle(issuer: RegionCode, by caller: Principal?, record: IdempotencyRecord<SettlementBatch?>?) async throws -> SettlementBatch? {
        guard let caller else { throw MarketError.unauthenticated("a regulator's API key is required") }
        guard caller.isAdmin || (caller.role == .regulator && caller.regionCode == issuer) else {
            throw MarketError.forbidden("only a regulator of \(issuer) (or an admin) settles its claims")
        }
        return try await moneyTransaction(record) { connection in
            let due = try connection.query(
                """
                SELECT r.id, r.provider_id, r.voucher_amount_fen FROM voucher_redemptions r
                JOIN vouchers v ON v.id = r.voucher_id JOIN voucher_programs p ON p.id = v.program_id
                WHERE r.status = 'approved' AND p.issuer_region = $1 ORDER BY r.id FOR UPDATE OF r
                """,
                issuer.value
            ).map { (id: try $0.decode("id", as: Int64.self), provider: PartyID(try $0.decode("provider_id")), amount: try $0.decode("voucher_amount_fen", as: Int64.self)) }
            guard !due.isEmpty else {
                try Self.keep(record, nil, on: connection)
                return nil
            }
            let batch: Int64 = try connection.query(
                "INSERT INTO settlement_batches (issuer_region) VALUES ($1) RETURNING id", issuer.value)[0].decode("id")
            // Each claim is paid from the payable account its hold credited, to the provider's
            // settled account (opened when missing); every account of the batch is locked at
            // once, ascending.
            let holds = try Self.holdAccounts(of: due.map(\.id), on: connection)
            var settled: [PartyID: AccountID] = [:]
            for provider in Set(due.map(\.provider)) {
                settled[provider] = AccountID(UInt64(try Self.settledAccount(provider, on: connection)))
            }
            _ = try PostgresLedgerStore.lockAccounts(holds.values.map(\.payable) + settled.values, on: connection)
            for item in due {
                guard let payable = holds[item.id]?.payable else {
                    throw LedgerStepFailed(step: "settle redemption \(item.id)", reason: "its hold is not in the ledger")
                }
                try Self.move(
                    Transfer(
                        id: VoucherLedger.Step.settle.id(item.id), debitAccountID: payable,
                        creditAccountID: settled[item.provider]!, amountFen: item.amount, code: VoucherLedger.Step.settle.code,
                        reference: "settlement \(batch)"),
                    on: connection)
                try connection.query(
                    "UPDATE voucher_redemptions SET status = 'paid', settlement_id = $2, updated_at = now() WHERE id = $1", item.id, batch)
            }
            let result = try Self.settlement(SettlementID(batch), on: connection)
            try Self.keep(record, result, on: connection)
            return result
        }
    }

    public func settlement(_ id: SettlementID, for caller: Principal?) async throws -> SettlementBatch {
        guard let caller else { throw MarketError.unauthenticated("a regulator's API key is required") }
        return try await available { try await self.pool.withConnection { connection in
            let batch = try Self.settlement(id, on: connection)
            guard caller.isAdmin || (caller.role == .regulator && caller.regionCode == batch.issuerRegion) else {
                throw MarketError.notFound("no settlement \(id)")
            }
            return batch
        } }
    }

    static func settlement(_ id: SettlementID, on connection: PostgresConnection) throws -> SettlementBatch {
        guard let head = try connection.query("SELECT issuer_region, created_at FROM settlement_batches WHERE id = $1", id.value).first else {
            throw MarketError.notFound("no settlement \(id)")
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

    // MARK: - Idempotency keys

    /// A transaction that moves money: retried on serialization failures and deadlocks, and
    /// turning a lost database into `StoreUnavailable`.
    ///
    /// With a record, the transaction's first statement claims the Idempotency-Key
    /// (`idempotency_claim`, Schema/0012), in the round trip of the body's first statements: it
    /// takes the key's advisory lock, which the transaction then holds until it ends, and fails
    /// when another request with the key is running (`inProgress`) or the key is answered (the
    /// kept answer is read after the rollback: `replay`, or `reusedWithOtherRequest`). Failing in
    /// PostgreSQL, it stops the transaction there: the statements sent after it do not run. The
    /// body keeps its answer with `keep`, in its own commit. A refusal that the record renders
    /// rolls the body's work back and is then kept as the key's answer in a short transaction of
    /// its own; should another request with the key have answered in between, that answer is
    /// the key's, and this one's too.
    func moneyTransaction<T: Sendable, R>(
        _ record: IdempotencyRecord<R>? = nil as IdempotencyRecord<Never>?, _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        guard let record else { return try await available { try await self.pool.withTransaction(retry: .onConflict, body) } }
        do {
            return try await available { try await self.pool.withTransaction(retry: .onConflict) { connection in
                try connection.send("SELECT idempotency_claim($1, $2)", record.apiKeyID, record.key)
                return try body(connection)
            } }
        } catch let error as PostgresError where error.sqlState?.code == "TK409" {
            throw IdempotencyKeyAnswered(.inProgress)
        } catch let error as PostgresError where error.sqlState?.code == "TK200" {
            throw IdempotencyKeyAnswered(try await keptAnswer(record))
        } catch {
            guard let refusal = record.renderRefusal(error) else { throw error }
            let kept = try await available { try await self.pool.withTransaction { connection in
                try connection.send("SELECT pg_advisory_xact_lock(idempotency_lock($1, $2))", record.apiKeyID, record.key)
                return try !connection.query(Self.keepSQL, parameters: Self.keepParameters(record, refusal)).isEmpty
            } }
            if !kept { throw IdempotencyKeyAnswered(try await keptAnswer(record)) }
            throw error
        }
    }

    /// The answer kept for a key: the first response to the same request, or word that the key
    /// was used for another.
    func keptAnswer<R>(_ record: IdempotencyRecord<R>) async throws -> IdempotencyAnswer {
        let requestHash = SHA256.hex(record.request)
        return try await available { try await self.pool.withConnection { connection in
            guard let row = try connection.query(
                "SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE api_key_id = $1 AND key = $2 AND state = 'done'",
                record.apiKeyID, record.key
            ).first else { return .inProgress }
            guard try row.decode("request_hash", as: String.self) == requestHash else { return .reusedWithOtherRequest }
            return .replay(StoredResponse(status: try row.decode("response_status"), body: try row.decode("response_body")))
        } }
    }

    /// Keeps `result`'s response as the answer to the record's key, sent with the transaction's
    /// next statement (nothing waits for it).
    static func keep<T>(_ record: IdempotencyRecord<T>?, _ result: T, on connection: PostgresConnection) throws {
        guard let record else { return }
        try connection.send(keepSQL, parameters: keepParameters(record, try record.render(result)))
    }

    /// A key's answer, written once; over a row left 'running' by a claim committed apart (before
    /// Schema/0012), never over an answer. Returns a row when it wrote.
    static let keepSQL = """
        INSERT INTO idempotency_keys (api_key_id, key, request_hash, state, response_status, response_body)
        VALUES ($1, $2, $3, 'done', $4::integer, $5)
        ON CONFLICT (api_key_id, key) DO UPDATE SET request_hash = excluded.request_hash, state = 'done',
            response_status = excluded.response_status, response_body = excluded.response_body, started_at = now()
        WHERE idempotency_keys.state = 'running'
        RETURNING 1
        """

    static func keepParameters<T>(_ record: IdempotencyRecord<T>, _ response: StoredResponse) -> [any PostgresEncodable] {
        [record.apiKeyID, record.key, SHA256.hex(record.request), Int64(response.status), response.body]
    }

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

    // MARK: - Who sees what

    /// Regulators see their own region's; admins everything; others nothing.
    static func regulatorScope(_ caller: Principal?, what: String) throws -> RegionCode? {
        guard let caller else { throw MarketError.unauthenticated("an API key is required") }
        if caller.isAdmin { return nil }
        guard caller.role == .regulator, let region = caller.regionCode else {
            throw MarketError.forbidden("\(what) are shown to regulators and admins")
        }
        return region
    }

    static func voucherScope(_ caller: Principal?) throws -> (firm: PartyID?, region: RegionCode?) {
        guard let caller else { throw MarketError.unauthenticated("an API key is required") }
        switch caller.role {
        case .admin: return (nil, nil)
        case .firm: return (caller.partyID, nil)
        case .regulator: return (nil, caller.regionCode)
        default: throw MarketError.forbidden("vouchers are shown to their firm, the issuing regulator and admins")
        }
    }

    static func redemptionScope(_ caller: Principal) -> (condition: String, value: any PostgresEncodable) {
        switch caller.role {
        case .admin: return ("($1::text IS NULL)", nil as String?)
        case .firm: return ("v.firm_id = $1::bigint", caller.partyID?.value ?? 0)
        case .provider: return ("r.provider_id = $1::bigint", caller.partyID?.value ?? 0)
        case .regulator: return ("p.issuer_region = $1", caller.regionCode?.value ?? "")
        case .institution: return ("false AND $1::text IS NULL", nil as String?)
        }
    }

    static func canSee(_ redemption: Redemption, _ caller: Principal) -> Bool {
        switch caller.role {
        case .admin: return true
        case .firm: return caller.partyID == redemption.firmID
        case .provider: return caller.partyID == redemption.providerID
        case .regulator: return caller.regionCode == redemption.issuerRegion
        case .institution: return false
        }
    }

    // MARK: - Ledger plumbing

    /// What a redemption's checks need beyond the voucher and its program, in one statement, for
    /// provider $1, contract reference $2 and voucher number $3: the provider (no id when there is
    /// no such party) and whether it is admitted, its region's ancestry (itself first), the
    /// members of the program's alliance if it honours one, whether the provider's contract is
    /// already paid with a live voucher redemption, and the voucher's shard of the issuer's
    /// payable account to the provider if it has been opened.
    static let redemptionFactsSQL = """
        WITH program AS (SELECT p.issuer_region, p.honours ->> 'alliance' AS alliance, v.id % \(payableShardCount) AS shard
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

    /// Digits of a voucher's serial within its region and year (`330521-2026-000123`).
    static let voucherSerialDigits = 6

    static func nextVoucherNumber(_ program: VoucherProgram, on connection: PostgresConnection) throws -> String {
        let prefix = "\(program.issuerRegion.value)-\(program.terms.year)-"
        // Numbers run per region and year across programs: one issuer at a time draws the next.
        try connection.query("SELECT pg_advisory_xact_lock(hashtext($1))", "voucher-number " + prefix)
        let last = try connection.query(
            "SELECT max(number) AS n FROM vouchers WHERE number LIKE $1 || '%'", prefix
        )[0].decode("n", as: String?.self)
        let digits = String((last.flatMap { Int($0.suffix(voucherSerialDigits)) } ?? 0) + 1)
        guard digits.count <= voucherSerialDigits else {
            throw VoucherRefusal.voucherNumbersExhausted(issuer: program.issuerRegion, year: program.terms.year)
        }
        return prefix + String(repeating: "0", count: voucherSerialDigits - digits.count) + digits
    }

    /// A ledger account's label is cut to this (the accounts table's limit).
    static let accountNameLengthMax = 128

    static func newAccount(code: UInt16, limited: Bool, name: String, on connection: PostgresConnection) throws -> Int64 {
        let id: Int64 = try connection.query("SELECT nextval('voucher_account_ids') AS id")[0].decode("id")
        try openAccount(id, code: code, limited: limited, name: name, on: connection)
        return id
    }

    static func openAccount(_ id: Int64, code: UInt16, limited: Bool, name: String, on connection: PostgresConnection) throws {
        let account = Account(id: AccountID(UInt64(id)), code: code, flags: limited ? [.debitsMustNotExceedCredits] : [])
        let result = try PostgresLedgerStore.createAccount(
            LabelledAccount(account, name: String(name.prefix(accountNameLengthMax))), on: connection)
        guard result == .ok else { throw LedgerStepFailed(step: "open account \(name)", reason: "\(result)") }
    }

    /// The account that a mapping table names for `key`, opened on first use. Two first uses at
    /// once: the second waits on the first's mapping row and then takes its account.
    static func mappedAccount(
        table: String, keyColumns: String, keys: [any PostgresEncodable], code: UInt16, limited: Bool, name: String,
        on connection: PostgresConnection
    ) throws -> Int64 {
        let match = keyColumns.split(separator: ",").enumerated().map { "\($0.element.trimmingCharacters(in: .whitespaces)) = $\($0.offset + 1)" }
            .joined(separator: " AND ")
        if let row = try connection.query("SELECT account_id FROM \(table) WHERE \(match)", parameters: keys).first {
            return try row.decode("account_id")
        }
        let id: Int64 = try connection.query("SELECT nextval('voucher_account_ids') AS id")[0].decode("id")
        let placeholders = (1...keys.count + 1).map { "$\($0)" }.joined(separator: ", ")
        let inserted = try connection.query(
            "INSERT INTO \(table) (\(keyColumns), account_id) VALUES (\(placeholders)::bigint) ON CONFLICT DO NOTHING RETURNING account_id",
            parameters: keys + [id])
        guard !inserted.isEmpty else {
            return try connection.query("SELECT account_id FROM \(table) WHERE \(match)", parameters: keys)[0].decode("account_id")
        }
        try openAccount(id, code: code, limited: limited, name: name, on: connection)
        return id
    }

    static func treasuryAccount(_ region: RegionCode, on connection: PostgresConnection) throws -> AccountID {
        AccountID(UInt64(try mappedAccount(
            table: "voucher_region_accounts", keyColumns: "region_code", keys: [region.value], code: VoucherLedger.treasuryCode,
            limited: false, name: "treasury \(region)", on: connection)))
    }

    /// What an issuing region owes a provider is spread over this many payable accounts, so that
    /// redemptions at one provider do not all wait on one account (Schema/0011).
    static let payableShardCount: Int64 = 8

    /// The shard of the payable accounts that a voucher's redemptions hold on.
    static func payableShard(_ voucher: VoucherID) -> Int64 { voucher.value % payableShardCount }

    static func payableAccount(issuer: RegionCode, provider: PartyID, shard: Int64, on connection: PostgresConnection) throws -> Int64 {
        try mappedAccount(
            table: "voucher_payable_accounts", keyColumns: "issuer_region, provider_id, shard", keys: [issuer.value, provider.value, shard],
            code: VoucherLedger.payableCode, limited: true, name: "payable \(issuer) to provider \(provider), shard \(shard)", on: connection)
    }

    /// The accounts each redemption's hold moved: the voucher's, and the payable account it credited.
    static func holdAccounts(of redemptions: [Int64], on connection: PostgresConnection) throws -> [Int64: (voucher: AccountID, payable: AccountID)] {
        var accounts: [Int64: (voucher: AccountID, payable: AccountID)] = [:]
        for row in try connection.query(
            """
            SELECT id_low AS redemption, debit_account_id, credit_account_id FROM ledger_transfers
            WHERE id_high = $1 AND id_low = ANY (string_to_array($2, ',')::bigint[])
            """,
            Int64(bitPattern: VoucherLedger.Step.hold.high), redemptions.map(String.init).joined(separator: ","))
        {
            accounts[try row.decode("redemption")] = (
                AccountID(UInt64(bitPattern: try row.decode("debit_account_id"))), AccountID(UInt64(bitPattern: try row.decode("credit_account_id")))
            )
        }
        return accounts
    }

    static func settledAccount(_ provider: PartyID, on connection: PostgresConnection) throws -> Int64 {
        try mappedAccount(
            table: "voucher_settled_accounts", keyColumns: "provider_id", keys: [provider.value], code: VoucherLedger.settledCode,
            limited: false, name: "settled to provider \(provider)", on: connection)
    }

    /// Applies one transfer inside the caller's transaction; a refusal the rules should have
    /// prevented is a bug, unless `refusal` turns it into an answer. Given `locked`, the rows of
    /// its `PostgresLedgerStore.lockStatements` that the caller sent with its own last
    /// statements, the transfer is the transaction's last step: its write goes with COMMIT, so
    /// its accounts are held from that round trip to COMMIT only.
    static func move(
        _ transfer: Transfer, locked: ArraySlice<PostgresRows>? = nil, on connection: PostgresConnection,
        refusal: (TransferError) -> VoucherRefusal? = { _ in nil }
    ) throws {
        let atMs = Int64(Date().timeIntervalSince1970 * 1000)
        let result = try locked.map { try PostgresLedgerStore.apply(transfer, locked: $0, atMs: atMs, committing: true, on: connection) }
            ?? PostgresLedgerStore.apply(transfer, atMs: atMs, on: connection)
        switch result {
        case .ok: return
        case .refused(let error):
            if let answer = refusal(error) { throw answer }
            throw LedgerStepFailed(step: "transfer \(transfer.reference)", reason: "\(error)")
        default:
            throw LedgerStepFailed(step: "transfer \(transfer.reference)", reason: "\(result)")
        }
    }

}

/// The ledger refused a step that the voucher rules had allowed: a bug, reported as a 500.
struct LedgerStepFailed: Error, CustomStringConvertible {
    var step: String
    var reason: String
    var description: String { "the ledger refused to \(step): \(reason)" }
}
