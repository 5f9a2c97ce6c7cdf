import Foundation
import Market

/// An answer whose JSON is written by hand, not by JSONEncoder: `IdempotentPost` keeps and sends
/// its `jsonBytes`.
protocol PrewrittenJSON {
    var jsonBytes: [UInt8] { get }
}

/// An offer written as JSON by hand, byte for byte what the API's JSONEncoder writes for it
/// (`Offer.encode(to:)`, keys sorted, ISO 8601 dates, slashes unescaped), which
/// `OfferJSONTests` checks on offers in every state and on awkward text; the strings and dates
/// are written as `ListingJSON` writes them. On the offer bench JSONEncoder's tree of boxed
/// values was the largest of the server's own costs per offer after the request's time
/// (perf, 2026-12-07).
struct OfferJSON: Encodable, Sendable, PrewrittenJSON {
    let offer: Offer

    init(_ offer: Offer) { self.offer = offer }

    func encode(to encoder: any Encoder) throws { try offer.encode(to: encoder) }

    var jsonBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(640 + 160 * offer.steps.count)
        Self.write(offer, into: &out)
        return out
    }

    /// The keys in sorted order, as JSONEncoder's `.sortedKeys` writes them.
    static func write(_ offer: Offer, into out: inout [UInt8]) {
        out += #"{"awaiting":"#.utf8
        ListingJSON.string(offer.awaiting?.rawValue, into: &out)
        out += #","counter":"#.utf8
        if let price = offer.counterPriceFen {
            out += #"{"priceFen":"#.utf8
            out += String(price).utf8
            out += #","terms":"#.utf8
            ListingJSON.string(offer.counterTerms, into: &out)
            out.append(UInt8(ascii: "}"))
        } else {
            out += "null".utf8
        }
        out += #","createdAt":"#.utf8
        ListingJSON.date(offer.createdAt, into: &out)
        out += #","deal":"#.utf8
        if let deal = offer.deal {
            out += #"{"at":"#.utf8
            ListingJSON.date(deal.at, into: &out)
            out += #","contractId":"#.utf8
            out += String(deal.contractID.value).utf8
            out += #","priceFen":"#.utf8
            out += String(deal.priceFen).utf8
            out += #","seat":"#.utf8
            out += String(deal.seat).utf8
            out.append(UInt8(ascii: "}"))
        } else {
            out += "null".utf8
        }
        out += #","firmId":"#.utf8
        out += String(offer.firmID.value).utf8
        out += #","id":"#.utf8
        out += String(offer.id.value).utf8
        out += #","institutionId":"#.utf8
        out += String(offer.institutionID.value).utf8
        out += #","listingId":"#.utf8
        out += String(offer.listingID.value).utf8
        out += #","mode":"#.utf8
        ListingJSON.string(offer.mode.rawValue, into: &out)
        out += #","priceFen":"#.utf8
        out += String(offer.priceFen).utf8
        out += #","round":"#.utf8
        out += String(offer.round).utf8
        out += #","status":"#.utf8
        ListingJSON.string(offer.status.rawValue, into: &out)
        out += #","steps":["#.utf8
        for (index, step) in offer.steps.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += #"{"at":"#.utf8
            ListingJSON.date(step.at, into: &out)
            out += #","byPartyId":"#.utf8
            if let party = step.byPartyID { out += String(party.value).utf8 } else { out += "null".utf8 }
            out += #","kind":"#.utf8
            ListingJSON.string(step.kind.rawValue, into: &out)
            out += #","priceFen":"#.utf8
            if let price = step.priceFen { out += String(price).utf8 } else { out += "null".utf8 }
            out += #","reason":"#.utf8
            ListingJSON.string(step.reason, into: &out)
            out += #","terms":"#.utf8
            ListingJSON.string(step.terms, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out += #"],"terms":"#.utf8
        ListingJSON.string(offer.terms, into: &out)
        out += #","updatedAt":"#.utf8
        ListingJSON.date(offer.updatedAt, into: &out)
        out += #","validUntil":"#.utf8
        ListingJSON.date(offer.validUntil, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}
