import Foundation
import Hummingbird
import Market
@testable import MarketAPI
import PostgresStore
import Testing
import TestSupport

/// The hand-written listing JSON is byte for byte what the API's JSONEncoder writes.
@Suite struct ListingJSONTests {
    static let encoder = AppRequestContext.jsonEncoder

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }

    @Test func everyDemoListingAndEveryPageIsWhatJSONEncoderWrites() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool()
            let service = ListingService(store: PostgresMarketStore(pool: pool))
            var query = ListingQuery()
            query.limit = 7
            var seen = 0
            while true {
                let page = try await service.search(query, for: nil)
                #expect(Self.bytes(ListingJSON.page(page)) == Array(try Self.encoder.encode(page)))
                for listing in page.items {
                    #expect(Self.bytes(ListingJSON.listing(listing)) == Array(try Self.encoder.encode(listing)), "listing \(listing.id)")
                }
                seen += page.items.count
                guard let next = page.nextCursor else { break }
                query.after = ListingCursor(encoded: next)
            }
            #expect(seen >= 200)
            await pool.close()
        }
    }

    @Test func awkwardTextNullsAndDatesAreWrittenTheSame() throws {
        let controls = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        let awkward = [
            controls, "\"quoted\" \\back\\slash/ forward/slash", "卫星遥感影像 😀 \u{2028}\u{2029} \u{7F} é", "", "{\"json\":[1,2]}",
        ]
        let dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_725_450.999_9), Date(timeIntervalSince1970: 951_782_400),
            Date(timeIntervalSince1970: 4_107_542_399.5), Date(timeIntervalSince1970: 1_709_164_799.000_001),
        ]
        for (index, text) in awkward.enumerated() {
            let content = ListingContent(
                reference: index % 2 == 0 ? text : nil, title: text, summary: text, benefit: index % 2 == 1 ? text : nil,
                fieldCode: "geographic_information", keywords: [text, "遥感"], trl: index + 1,
                ipAssets: [IPAsset(kind: .patent, number: index % 2 == 0 ? text : nil, title: text), IPAsset(kind: .knowHow, number: nil, title: "x")],
                transferModes: index % 2 == 0 ? [.assignment, .licenceNonExclusive] : [], askingPriceFen: index % 2 == 0 ? Int64(index) * 1_000_000_007 : nil)
            let listing = Listing(
                id: ListingID(Int64(index + 1)), institutionID: PartyID(Int64.max - Int64(index)), institutionName: text,
                regionCode: RegionCode("330521")!, status: index % 2 == 0 ? .published : .draft, version: index + 1, content: content,
                createdAt: dates[index], updatedAt: dates[(index + 1) % dates.count], publishedAt: index % 2 == 0 ? dates[(index + 2) % dates.count] : nil)
            #expect(Self.bytes(ListingJSON.listing(listing)) == Array(try Self.encoder.encode(listing)), "\(text.debugDescription)")
            let page = ListingPage(items: [listing, listing], nextCursor: index % 2 == 0 ? text : nil)
            #expect(Self.bytes(ListingJSON.page(page)) == Array(try Self.encoder.encode(page)))
        }
    }
}
