import Foundation
import Market
import Postgres

extension PostgresMarketStore: ContractStore {
    public func contractTransaction<T: Sendable, R>(
        _ record: IdempotencyRecord<R>?, _ body: @escaping @Sendable (PostgresContractWork) throws -> T
    ) async throws -> T {
        try await moneyTransaction(record) { connection in try body(PostgresContractWork(connection: connection)) }
    }

    public func contractRead<T: Sendable>(_ body: @escaping @Sendable (PostgresContractWork) throws -> T) async throws -> T {
        try await available { try await self.pool.withConnection { connection in try body(PostgresContractWork(connection: connection)) } }
    }
}

/// The contract use cases' reads and writes on one connection: SQL and row mapping only. Any
/// unit of work of another area makes one over its own connection to write a deal's signed
/// contract (`insertSignedContract`) inside its open transaction.
public final class PostgresContractWork: ContractWork {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    typealias Store = PostgresMarketStore

    public func keep<R>(_ record: IdempotencyRecord<R>?, _ result: R) throws {
        try Store.keep(record, result, on: connection)
    }

    public func contract(_ id: ContractID, locked: Bool) throws -> Contract? {
        try connection.query("\(Store.contractSelect) WHERE c.id = $1\(locked ? " FOR UPDATE" : "")", id.value).first.map(Store.contract)
    }

    public func versions(of id: ContractID) throws -> [ContractVersion] {
        try connection.query("\(Store.versionSelect) WHERE v.contract_id = $1 ORDER BY v.version", id.value).map(Store.version)
    }

    public func contracts(_ query: ContractQuery, page: PageRequest) throws -> [Contract] {
        var party: Int64?
        var region: String?
        switch query.visibility {
        case .all: break
        case .party(let id): party = id.value
        case .region(let code): region = code.value
        }
        // Each region filter's subtree is computed once, as a hashed sub-plan.
        return try connection.query(
            """
            \(Store.contractSelect)
            WHERE ($1::bigint IS NULL OR c.seller_party_id = $1 OR c.buyer_party_id = $1)
              AND ($2::text IS NULL OR c.seller_region IN (SELECT unnest(region_and_below($2))) OR c.buyer_region IN (SELECT unnest(region_and_below($2))))
              AND ($3::text IS NULL OR c.status = $3) AND ($4::text IS NULL OR c.type = $4) AND ($5::text IS NULL OR c.field_code = $5)
              AND ($6::integer IS NULL OR c.registered_year = $6)
              AND ($7::bigint IS NULL OR c.seller_party_id = $7) AND ($8::bigint IS NULL OR c.buyer_party_id = $8)
              AND ($9::text IS NULL OR c.seller_region IN (SELECT unnest(region_and_below($9))))
              AND ($10::text IS NULL OR c.buyer_region IN (SELECT unnest(region_and_below($10))))
              AND ($11::text IS NULL OR c.seller_region IN (SELECT unnest(region_and_below($11))) OR c.buyer_region IN (SELECT unnest(region_and_below($11))))
              AND c.id > $12
            ORDER BY c.id LIMIT $13
            """,
            party, region, query.status?.rawValue, query.type?.rawValue, query.fieldCode, query.year.map(Int64.init),
            query.sellerParty?.value, query.buyerParty?.value, query.sellerRegion?.value, query.buyerRegion?.value, query.eitherRegion?.value,
            page.afterID ?? 0, Int64(page.limit)
        ).map(Store.contract)
    }

    public func ancestry(_ region: RegionCode) throws -> [RegionCode] {
        try Store.ancestry(region, on: connection)
    }

    public func fieldExists(_ code: String) throws -> Bool {
        try !connection.query("SELECT 1 FROM fields WHERE code = $1", code).isEmpty
    }

    public func missingParties(_ parties: Set<PartyID>) throws -> Set<PartyID> {
        guard !parties.isEmpty else { return [] }
        let found = try connection.query(
            "SELECT id FROM parties WHERE id = ANY (string_to_array($1, ',')::bigint[])", parties.map { String($0.value) }.joined(separator: ",")
        ).map { PartyID(try $0.decode("id")) }
        return parties.subtracting(found)
    }

    public func lastRegistrationSerial(region: RegionCode, year: Int) throws -> Int {
        let prefix = "\(year)\(region.value)"
        // Serials run per region and year: one registrar at a time draws the next.
        try connection.query("SELECT pg_advisory_xact_lock(hashtext($1))", "contract-number " + prefix)
        let last = try connection.query(
            "SELECT max(registration_number) AS n FROM contracts WHERE registration_number BETWEEN $1 || '000000' AND $1 || '999999'", prefix
        )[0].decode("n", as: String?.self)
        return last.flatMap { Int($0.suffix(ContractRules.serialDigits)) } ?? 0
    }

    public func newContractID() throws -> ContractID {
        ContractID(try connection.query("SELECT nextval('contracts_id_seq') AS id")[0].decode("id"))
    }

    public func insertContract(_ contract: Contract, _ version: ContractVersion) throws {
        try Store.insertContracts([(contract, version)], on: connection)
    }

    public func updateContract(_ contract: Contract, _ version: ContractVersion) throws {
        let registration = contract.registration
        try connection.send(
            """
            UPDATE contracts SET status = $2, title = $3, total_fen = $4::bigint, cost_lines = $5::jsonb, non_technical_cost_fen = $6::bigint,
                registered_technology_fen = $7::bigint, registration_number = $8, registration_revision = $9::integer,
                registration_region = $10, first_registered_on = $11::date, registered_on = $12::date, version = $13::integer, updated_at = $14
            WHERE id = $1
            """,
            contract.id.value, contract.status.rawValue, contract.terms.title, contract.terms.totalFen, try Store.jsonText(contract.terms.costLines),
            contract.terms.nonTechnicalCostFen, contract.registeredTechnologyFen, registration?.number, registration.map { Int64($0.revision) },
            registration?.regionCode.value, registration?.firstRegisteredOn.text, registration?.registeredOn.text, Int64(contract.version),
            contract.updatedAt)
        try insertVersion(version, of: contract)
    }

    /// Writes a version and, when its act counts, its running totals (docs/volume.md), in the
    /// same transaction: the volume never lags a registration.
    private func insertVersion(_ version: ContractVersion, of contract: Contract) throws {
        try Store.sendRows(Store.versionInsert, casts: Store.versionCasts, [try Store.versionRow(version, of: contract)], on: connection)
        try Store.addVolume(of: version, contract, on: connection)
    }
}

extension PostgresMarketStore {
    /// Writes new contracts, each with its first version (and its running totals when that
    /// counts), a statement a table for all of them.
    static func insertContracts(_ contracts: [(contract: Contract, version: ContractVersion)], on connection: PostgresConnection) throws {
        try sendRows(contractInsert, casts: contractCasts, try contracts.map { try contractRow($0.contract) }, on: connection)
        try sendRows(versionInsert, casts: versionCasts, try contracts.map { try versionRow($0.version, of: $0.contract) }, on: connection)
        for (contract, version) in contracts { try addVolume(of: version, contract, on: connection) }
    }

    static let contractInsert = """
        INSERT INTO contracts (id, type, status, title, seller_party_id, seller_name, seller_credit_code, seller_region,
            buyer_party_id, buyer_name, buyer_credit_code, buyer_region, field_code, total_fen, cost_lines, non_technical_cost_fen,
            registered_technology_fen, signed_on, source, source_id, listing_id, subject, registration_number, registration_revision,
            registration_region, first_registered_on, registered_on, version, created_at, updated_at)
        VALUES
        """
    static let contractCasts = [
        "", "", "", "", "", "", "", "", "", "", "", "", "", "::bigint", "::jsonb", "::bigint", "::bigint", "::date",
        "", "", "", "", "", "::integer", "", "::date", "::date", "::integer", "", "",
    ]

    static func contractRow(_ contract: Contract) throws -> [any PostgresEncodable] {
        let registration = contract.registration
        return [
            contract.id.value, contract.type.rawValue, contract.status.rawValue, contract.terms.title, contract.seller.partyID?.value,
            contract.seller.name, contract.seller.creditCode, contract.seller.regionCode.value, contract.buyer.partyID?.value,
            contract.buyer.name, contract.buyer.creditCode, contract.buyer.regionCode.value, contract.fieldCode, contract.terms.totalFen,
            try jsonText(contract.terms.costLines), contract.terms.nonTechnicalCostFen, contract.registeredTechnologyFen,
            contract.signedOn.text, contract.source.kind, contract.source.reference, contract.listingID?.value, contract.subject,
            registration?.number, registration.map { Int64($0.revision) }, registration?.regionCode.value, registration?.firstRegisteredOn.text,
            registration?.registeredOn.text, Int64(contract.version), contract.createdAt, contract.createdAt,
        ]
    }

    static let versionInsert = """
        INSERT INTO contract_versions (contract_id, version, act, status, title, total_fen, cost_lines, non_technical_cost_fen,
            registration_number, registration_revision, registration_region, first_registered_on, registered_on, counted_delta_fen,
            type, field_code, seller_region, buyer_region, reason, by_role, recorded_at)
        VALUES
        """
    static let versionCasts = [
        "", "::integer", "", "", "", "::bigint", "::jsonb", "::bigint", "", "::integer", "", "::date", "::date", "::bigint",
        "", "", "", "", "", "", "",
    ]

    static func versionRow(_ version: ContractVersion, of contract: Contract) throws -> [any PostgresEncodable] {
        let registration = version.registration
        return [
            contract.id.value, Int64(version.version), version.act.rawValue, version.status.rawValue, version.terms.title,
            version.terms.totalFen, try jsonText(version.terms.costLines), version.terms.nonTechnicalCostFen, registration?.number,
            registration.map { Int64($0.revision) }, registration?.regionCode.value, registration?.firstRegisteredOn.text,
            registration?.registeredOn.text, version.countedDeltaFen, contract.type.rawValue, contract.fieldCode,
            contract.seller.regionCode.value, contract.buyer.regionCode.value, version.reason, version.byRole?.rawValue, version.recordedAt,
        ]
    }
}
