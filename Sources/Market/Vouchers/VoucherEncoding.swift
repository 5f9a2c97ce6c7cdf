import Foundation

// The one JSON shape of each voucher resource (a voucher and a program's flow encode as they
// are declared, in their own files), as the API writes it (docs/vouchers.md and the
// OpenAPI document): the domain values encode themselves; no copy of them exists for the wire.

extension ProgramReport: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, issuerRegion, year, name, budgetFen, shareBasisPoints, firmCapFen, groupCapFen, useBy, claimBy, honours
        case issuedFen, remainingFen, voucherCount, flows, createdAt
    }

    /// A program with its terms flattened and where its money went.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(program.id, forKey: .id)
        try container.encode(program.issuerRegion, forKey: .issuerRegion)
        try container.encode(program.terms.year, forKey: .year)
        try container.encode(program.terms.name, forKey: .name)
        try container.encode(program.terms.budgetFen, forKey: .budgetFen)
        try container.encode(program.terms.shareBasisPoints, forKey: .shareBasisPoints)
        try container.encode(program.terms.firmCapFen, forKey: .firmCapFen)
        try container.encode(program.terms.groupCapFen, forKey: .groupCapFen)
        try container.encode(program.terms.useBy, forKey: .useBy)
        try container.encode(program.terms.claimBy, forKey: .claimBy)
        try container.encode(program.terms.honours, forKey: .honours)
        try container.encode(program.issuedFen, forKey: .issuedFen)
        try container.encode(program.remainingFen, forKey: .remainingFen)
        try container.encode(voucherCount, forKey: .voucherCount)
        try container.encode(flows, forKey: .flows)
        try container.encode(program.createdAt, forKey: .createdAt)
    }
}

extension Redemption: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, voucherNumber, providerRegion, issuerRegion, contractReference, contractAmountFen, voucherAmountFen, ownPaymentFen
        case status, evidence, reason, createdAt, updatedAt
        case firmID = "firmId", providerID = "providerId", settlementID = "settlementId"
    }

    /// The request's fields flattened, and nulls written, so that every redemption has one shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(voucherNumber, forKey: .voucherNumber)
        try container.encode(firmID, forKey: .firmID)
        try container.encode(providerID, forKey: .providerID)
        try container.encode(providerRegion, forKey: .providerRegion)
        try container.encode(issuerRegion, forKey: .issuerRegion)
        try container.encode(request.contractReference, forKey: .contractReference)
        try container.encode(request.contractAmountFen, forKey: .contractAmountFen)
        try container.encode(request.voucherAmountFen, forKey: .voucherAmountFen)
        try container.encode(request.ownPaymentFen, forKey: .ownPaymentFen)
        try container.encode(status, forKey: .status)
        try container.encode(evidence, forKey: .evidence)
        try container.encode(reason, forKey: .reason)
        try container.encode(settlementID, forKey: .settlementID)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}
