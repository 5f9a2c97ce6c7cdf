import Foundation
import Market
import Postgres

extension PostgresMarketStore {
    /// Loads Deqing's contract history in one transaction, unless its first registration is
    /// there already; returns how many contracts were added.
    public func load(_ history: ContractHistoryFixture) async throws -> Int {
        try await pool.withTransaction { connection in try Self.load(history, on: connection) }
    }

    /// The history played through the rules in memory, then written by two COPYs (thousands of
    /// contracts in well under a second: the demo starts with them), its ids reserved from the
    /// contracts' sequence at once.
    public static func load(_ history: ContractHistoryFixture, on connection: PostgresConnection) throws -> Int {
        let count = history.rows.filter { $0.act == .registeredDirectly }.count
        guard count > 0, let first = history.rows.first?.fields["number"] else { return 0 }
        if try !connection.query("SELECT 1 FROM contracts WHERE registration_number = $1", first).isEmpty { return 0 }
        var partyIDs: [String: PartyID] = [:]
        for row in try connection.query("SELECT id, handle FROM parties") { partyIDs[try row.decode("handle")] = PartyID(try row.decode("id")) }
        let firstID = try reserveContractIDs(count, on: connection)
        return try copy(try history.contracts(firstID: firstID, partyIDs: partyIDs), on: connection)
    }

    /// Takes `count` ids from the contracts' sequence at once; returns the first.
    public static func reserveContractIDs(_ count: Int, on connection: PostgresConnection) throws -> Int64 {
        let last: Int64 = try connection.query(
            "SELECT setval(pg_get_serial_sequence('contracts', 'id'), nextval(pg_get_serial_sequence('contracts', 'id')) + $1::bigint - 1) AS last",
            Int64(count))[0].decode("last")
        return last - Int64(count) + 1
    }

    /// Writes contracts with every version by two COPYs, and adds their acts to the volume's
    /// running totals (`volume_add_acts`); their ids are reserved (`reserveContractIDs`) and
    /// run without a gap. Returns how many were written.
    public static func copy(_ histories: [ContractHistory], on connection: PostgresConnection) throws -> Int {
        guard let first = histories.first?.contract.id.value, let last = histories.last?.contract.id.value else { return 0 }
        var contracts = CSVRows()
        var versions = CSVRows()
        for history in histories {
            let contract = history.contract
            let registration = contract.registration
            contracts.append([
                String(contract.id.value), contract.type.rawValue, contract.status.rawValue, contract.terms.title,
                contract.seller.partyID.map { String($0.value) }, contract.seller.name, contract.seller.creditCode, contract.seller.regionCode.value,
                contract.buyer.partyID.map { String($0.value) }, contract.buyer.name, contract.buyer.creditCode, contract.buyer.regionCode.value,
                contract.fieldCode, String(contract.terms.totalFen), try jsonText(contract.terms.costLines), String(contract.terms.nonTechnicalCostFen),
                String(contract.registeredTechnologyFen), contract.signedOn.text, contract.source.kind, contract.source.reference.map(String.init),
                contract.listingID.map { String($0.value) }, contract.subject, registration?.number, registration.map { String($0.revision) },
                registration?.regionCode.value, registration?.firstRegisteredOn.text, registration?.registeredOn.text, String(contract.version),
                CSVRows.timestamp(contract.createdAt), CSVRows.timestamp(contract.updatedAt),
            ])
            for version in history.versions {
                let registration = version.registration
                versions.append([
                    String(contract.id.value), String(version.version), version.act.rawValue, version.status.rawValue, version.terms.title,
                    String(version.terms.totalFen), try jsonText(version.terms.costLines), String(version.terms.nonTechnicalCostFen),
                    registration?.number, registration.map { String($0.revision) }, registration?.regionCode.value,
                    registration?.firstRegisteredOn.text, registration?.registeredOn.text, String(version.countedDeltaFen), contract.type.rawValue,
                    contract.fieldCode, contract.seller.regionCode.value, contract.buyer.regionCode.value, version.reason, version.byRole?.rawValue,
                    CSVRows.timestamp(version.recordedAt),
                ])
            }
        }
        try connection.copyIn(
            """
            COPY contracts (id, type, status, title, seller_party_id, seller_name, seller_credit_code, seller_region, buyer_party_id, buyer_name,
                buyer_credit_code, buyer_region, field_code, total_fen, cost_lines, non_technical_cost_fen, registered_technology_fen, signed_on,
                source, source_id, listing_id, subject, registration_number, registration_revision, registration_region, first_registered_on,
                registered_on, version, created_at, updated_at) FROM STDIN (FORMAT csv)
            """,
            data: contracts.bytes)
        try connection.copyIn(
            """
            COPY contract_versions (contract_id, version, act, status, title, total_fen, cost_lines, non_technical_cost_fen, registration_number,
                registration_revision, registration_region, first_registered_on, registered_on, counted_delta_fen, type, field_code, seller_region,
                buyer_region, reason, by_role, recorded_at) FROM STDIN (FORMAT csv)
            """,
            data: versions.bytes)
        try addVolume(contractIDs: first, last, on: connection)
        return histories.count
    }
}

/// Rows for `COPY … (FORMAT csv)`: nil is NULL (an empty field), every value is quoted.
struct CSVRows {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ fields: [String?]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let field else { continue }
            bytes.append(UInt8(ascii: "\""))
            for byte in field.utf8 {
                if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    static func timestamp(_ date: Date) -> String { formatter.string(from: date) }

    nonisolated(unsafe) static let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
