import Foundation
import Market
@testable import MarketAPI
import Testing

/// The hand-written offer JSON is byte for byte what the API's JSONEncoder writes.
@Suite struct OfferJSONTests {
    static let encoder = AppRequestContext.jsonEncoder

    static func offers(text: String, at dates: [Date]) -> [Offer] {
        let steps = [
            OfferStep(kind: .offered, byPartyID: PartyID(7), priceFen: 100_000, terms: text, at: dates[0]),
            OfferStep(kind: .countered, byPartyID: PartyID(2), priceFen: 150_000, terms: nil, at: dates[1]),
            OfferStep(kind: .rejected, byPartyID: PartyID(Int64.max), reason: text, at: dates[2]),
            OfferStep(kind: .matched, byPartyID: nil, priceFen: 120_000, at: dates[3]),
        ]
        func offer(_ status: OfferStatus, steps count: Int) -> Offer {
            Offer(
                id: OfferID(Int64(count + 1)), listingID: ListingID(301), institutionID: PartyID(2), mode: .licenceNonExclusive,
                firmID: PartyID(Int64.max - 1), priceFen: 1_000_000_000_000, terms: text, validUntil: dates[4], status: status,
                steps: Array(steps.prefix(count)), createdAt: dates[0], updatedAt: dates[count % dates.count])
        }
        var countered = offer(.countered, steps: 2)
        countered.counterPriceFen = 150_000
        countered.counterTerms = text
        var counteredWithoutTerms = countered
        counteredWithoutTerms.counterTerms = nil
        var filled = offer(.filled, steps: 4)
        filled.round = 3
        filled.deal = OfferDeal(priceFen: 120_000, seat: 1_000, contractID: ContractID(Int64.max), at: dates[3])
        return [
            offer(.open, steps: 1), countered, counteredWithoutTerms, filled, offer(.rejected, steps: 3), offer(.withdrawn, steps: 0),
            offer(.expired, steps: 4),
        ]
    }

    @Test func everyStateAwkwardTextAndDatesAreWhatJSONEncoderWrites() throws {
        let controls = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        let dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_725_450.999_9), Date(timeIntervalSince1970: 951_782_400),
            Date(timeIntervalSince1970: 4_107_542_399.5), Date(timeIntervalSince1970: 1_709_164_799.000_001),
        ]
        for text in [controls, "\"quoted\" \\back\\slash/ forward/slash", "压测 😀 \u{2028}\u{2029} \u{7F} é", ""] {
            for offer in Self.offers(text: text, at: dates) {
                #expect(OfferJSON(offer).jsonBytes == Array(try Self.encoder.encode(offer)), "\(offer.status) \(text.debugDescription)")
            }
        }
    }
}
