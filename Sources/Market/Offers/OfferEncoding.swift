import Foundation

// The one JSON shape of each offer resource, as docs/offers.md and the OpenAPI document show it.

extension Offer: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, mode, priceFen, terms, validUntil, status, awaiting, counter, round, deal, steps, createdAt, updatedAt
        case listingID = "listingId", institutionID = "institutionId", firmID = "firmId"
    }

    /// The standing counter, its terms written as null when it has none.
    public struct Counter: Encodable {
        var priceFen: Int64
        var terms: String?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(priceFen, forKey: .priceFen)
            try container.encode(terms, forKey: .terms)
        }

        enum CodingKeys: String, CodingKey { case priceFen, terms }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(listingID, forKey: .listingID)
        try container.encode(institutionID, forKey: .institutionID)
        try container.encode(firmID, forKey: .firmID)
        try container.encode(mode, forKey: .mode)
        try container.encode(priceFen, forKey: .priceFen)
        try container.encode(terms, forKey: .terms)
        try container.encode(validUntil, forKey: .validUntil)
        try container.encode(status, forKey: .status)
        try container.encode(awaiting, forKey: .awaiting)
        try container.encode(counterPriceFen.map { Counter(priceFen: $0, terms: counterTerms) }, forKey: .counter)
        try container.encode(round, forKey: .round)
        try container.encode(deal, forKey: .deal)
        try container.encode(steps, forKey: .steps)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

extension OfferStep: Encodable {
    enum CodingKeys: String, CodingKey {
        case kind, priceFen, terms, reason, at
        case byPartyID = "byPartyId"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(byPartyID, forKey: .byPartyID)
        try container.encode(priceFen, forKey: .priceFen)
        try container.encode(terms, forKey: .terms)
        try container.encode(reason, forKey: .reason)
        try container.encode(at, forKey: .at)
    }
}

extension SaleTermsView: Encodable {
    enum CodingKeys: String, CodingKey {
        case askingPriceFen, licenceSeats, offerWindowClosesAt, books
        case listingID = "listingId"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(listingID, forKey: .listingID)
        try container.encode(askingPriceFen, forKey: .askingPriceFen)
        try container.encode(terms.licenceSeats, forKey: .licenceSeats)
        try container.encode(terms.offerWindowClosesAt, forKey: .offerWindowClosesAt)
        try container.encode(books, forKey: .books)
    }
}

