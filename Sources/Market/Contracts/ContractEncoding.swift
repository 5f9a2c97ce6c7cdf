import Foundation

/// A contract as the API shows it: both amounts, the cost lines, the source and the
/// registration (null until registered). One shape, encoded from the domain value.
extension Contract: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, type, status, title, seller, buyer, field, totalFen, nonTechnicalCosts, nonTechnicalCostFen, technologyFen
        case registeredTechnologyFen, signedOn, source, listingId, subject, registration, version, createdAt, updatedAt
    }

    struct SourceJSON: Encodable {
        var kind: String
        var id: Int64?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            try container.encode(kind, forKey: AnyCodingKey("kind"))
            try container.encode(id, forKey: AnyCodingKey("id"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(status, forKey: .status)
        try container.encode(terms.title, forKey: .title)
        try container.encode(seller, forKey: .seller)
        try container.encode(buyer, forKey: .buyer)
        try container.encode(fieldCode, forKey: .field)
        try container.encode(terms.totalFen, forKey: .totalFen)
        try container.encode(terms.costLines, forKey: .nonTechnicalCosts)
        try container.encode(terms.nonTechnicalCostFen, forKey: .nonTechnicalCostFen)
        try container.encode(terms.technologyFen, forKey: .technologyFen)
        try container.encode(registeredTechnologyFen, forKey: .registeredTechnologyFen)
        try container.encode(signedOn, forKey: .signedOn)
        try container.encode(SourceJSON(kind: source.kind, id: source.reference), forKey: .source)
        try container.encode(listingID, forKey: .listingId)
        try container.encode(subject, forKey: .subject)
        try container.encode(registration, forKey: .registration)
        try container.encode(version, forKey: .version)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

extension ContractParty {
    enum CodingKeys: String, CodingKey { case partyID = "partyId", name, creditCode, regionCode }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(partyID, forKey: .partyID)
        try container.encode(name, forKey: .name)
        try container.encode(creditCode, forKey: .creditCode)
        try container.encode(regionCode, forKey: .regionCode)
    }
}

extension CostLine {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encode(kind, forKey: AnyCodingKey("kind"))
        try container.encode(amountFen, forKey: AnyCodingKey("amountFen"))
        try container.encode(note, forKey: AnyCodingKey("note"))
    }
}

extension ContractVersion: Encodable {
    enum CodingKeys: String, CodingKey {
        case version, act, status, title, totalFen, nonTechnicalCosts, nonTechnicalCostFen, technologyFen, registration, countedDeltaFen
        case reason, byRole, recordedAt
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(act, forKey: .act)
        try container.encode(status, forKey: .status)
        try container.encode(terms.title, forKey: .title)
        try container.encode(terms.totalFen, forKey: .totalFen)
        try container.encode(terms.costLines, forKey: .nonTechnicalCosts)
        try container.encode(terms.nonTechnicalCostFen, forKey: .nonTechnicalCostFen)
        try container.encode(terms.technologyFen, forKey: .technologyFen)
        try container.encode(registration, forKey: .registration)
        try container.encode(countedDeltaFen, forKey: .countedDeltaFen)
        try container.encode(reason, forKey: .reason)
        try container.encode(byRole, forKey: .byRole)
        try container.encode(recordedAt, forKey: .recordedAt)
    }
}

/// `GET /v1/contracts/{id}` and every contract POST: the contract with every version.
extension ContractHistory: Encodable {
    public func encode(to encoder: any Encoder) throws {
        try contract.encode(to: encoder)
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encode(versions, forKey: AnyCodingKey("versions"))
    }
}

/// Any key, for shapes written by hand.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
