import Foundation
import Market
import Postgres

/// How the contract tables are read: the statements and the row mapping.
extension PostgresMarketStore {
    static let contractSelect = """
        SELECT c.id, c.type, c.status, c.title, c.seller_party_id, c.seller_name, c.seller_credit_code, c.seller_region,
               c.buyer_party_id, c.buyer_name, c.buyer_credit_code, c.buyer_region, c.field_code, c.total_fen, c.cost_lines::text AS cost_lines,
               c.registered_technology_fen, c.signed_on::text AS signed_on, c.source, c.source_id, c.listing_id, c.subject,
               c.registration_number, c.registration_revision, c.registration_region, c.first_registered_on::text AS first_registered_on,
               c.registered_on::text AS registered_on, c.version, c.created_at, c.updated_at
        FROM contracts c
        """

    static let versionSelect = """
        SELECT v.version, v.act, v.status, v.title, v.total_fen, v.cost_lines::text AS cost_lines, v.registration_number,
               v.registration_revision, v.registration_region, v.first_registered_on::text AS first_registered_on,
               v.registered_on::text AS registered_on, v.counted_delta_fen, v.reason, v.by_role, v.recorded_at
        FROM contract_versions v
        """

    static func contract(_ row: PostgresRow) throws -> Contract {
        func party(_ side: String) throws -> ContractParty {
            ContractParty(
                partyID: try row.decode("\(side)_party_id", as: Int64?.self).map(PartyID.init), name: try row.decode("\(side)_name"),
                creditCode: try row.decode("\(side)_credit_code", as: String?.self), regionCode: try regionCode(row, "\(side)_region"))
        }
        let source = try row.decode("source", as: String.self)
        let sourceID = try row.decode("source_id", as: Int64?.self)
        guard let contractSource = ContractSource(kind: source, reference: sourceID) else {
            throw PostgresDecodingError.invalidValue(column: "source", expected: "offer, auction_lot or direct with its id", text: source)
        }
        return Contract(
            id: ContractID(try row.decode("id")), type: try enumValue(row, "type"), status: try enumValue(row, "status"),
            seller: try party("seller"), buyer: try party("buyer"), fieldCode: try row.decode("field_code"), terms: try terms(row),
            signedOn: try day(row, "signed_on"), source: contractSource, listingID: try row.decode("listing_id", as: Int64?.self).map(ListingID.init),
            subject: try row.decode("subject", as: String?.self), registration: try registration(row),
            registeredTechnologyFen: try row.decode("registered_technology_fen"), version: try row.decode("version"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }

    static func version(_ row: PostgresRow) throws -> ContractVersion {
        ContractVersion(
            version: try row.decode("version"), act: try enumValue(row, "act"), status: try enumValue(row, "status"), terms: try terms(row),
            registration: try registration(row), countedDeltaFen: try row.decode("counted_delta_fen"),
            reason: try row.decode("reason", as: String?.self), byRole: try row.decode("by_role", as: String?.self).flatMap(Role.init(rawValue:)),
            recordedAt: try row.decode("recorded_at"))
    }

    static func terms(_ row: PostgresRow) throws -> ContractTerms {
        ContractTerms(
            title: try row.decode("title"), totalFen: try row.decode("total_fen"),
            costLines: try jsonDecoder.decode([CostLine].self, from: Data(try row.decode("cost_lines", as: String.self).utf8)))
    }

    static func registration(_ row: PostgresRow) throws -> Registration? {
        guard let number = try row.decode("registration_number", as: String?.self) else { return nil }
        return Registration(
            number: number, revision: try row.decode("registration_revision"), registeredOn: try day(row, "registered_on"),
            firstRegisteredOn: try day(row, "first_registered_on"), regionCode: try regionCode(row, "registration_region"))
    }

    static func day(_ row: PostgresRow, _ column: String) throws -> Day {
        let text = try row.decode(column, as: String.self)
        guard let day = Day(text) else { throw PostgresDecodingError.invalidValue(column: column, expected: "a date", text: text) }
        return day
    }

    static func regionCode(_ row: PostgresRow, _ column: String) throws -> RegionCode {
        let text = try row.decode(column, as: String.self)
        guard let code = RegionCode(text) else { throw PostgresDecodingError.invalidValue(column: column, expected: "a region code", text: text) }
        return code
    }

    static func enumValue<T: RawRepresentable>(_ row: PostgresRow, _ column: String) throws -> T where T.RawValue == String {
        let text = try row.decode(column, as: String.self)
        guard let value = T(rawValue: text) else { throw PostgresDecodingError.invalidValue(column: column, expected: "\(T.self)", text: text) }
        return value
    }
}
