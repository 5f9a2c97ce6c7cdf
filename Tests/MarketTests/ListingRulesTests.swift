import Foundation
@testable import Market
import Testing

@Suite struct ListingRulesTests {
    let content = ListingContent(
        reference: "CASDQ-1", title: "卫星遥感影像智能解译", summary: "基于深度学习的遥感影像自动解译系统。", fieldCode: "geographic_information",
        keywords: ["遥感"], trl: 6, ipAssets: [IPAsset(kind: .patent, number: "CN202110123456.7", title: "方法")],
        transferModes: [.assignment], askingPriceFen: 100)

    func issues(_ body: () throws -> Void) -> [String] {
        do {
            try body()
            return []
        } catch let MarketError.invalid(issues) {
            return issues.map(\.field)
        } catch {
            return ["unexpected \(error)"]
        }
    }

    @Test func aValidListingPasses() throws {
        try content.validate()
    }

    @Test func everyBrokenRuleIsNamed() {
        var bad = content
        bad.title = "x"
        bad.trl = 10
        bad.keywords = ["a", "a"]
        bad.transferModes = []
        bad.askingPriceFen = 0
        bad.ipAssets = [IPAsset(kind: .patent, number: "CN202110123456.8", title: "t"), IPAsset(kind: .knowHow, number: "1", title: "")]
        #expect(issues { try bad.validate() } == [
            "title", "keywords[1]", "trl", "ipAssets[0].number", "ipAssets[1].title", "ipAssets[1].number", "transferModes", "askingPriceFen",
        ])
    }

    @Test func patentCheckCharactersAreVerified() {
        #expect(IPAsset.isPatentNumber("CN202110123456.7"))
        #expect(IPAsset.isPatentNumber("ZL202110123456.7"))
        #expect(!IPAsset.isPatentNumber("CN202110123456.8"))
        #expect(!IPAsset.isPatentNumber("US202110123456.7"))
        #expect(IPAsset.isSoftwareCopyrightNumber("2021SR0123456"))
        #expect(!IPAsset.isSoftwareCopyrightNumber("2021SR012345"))
    }

    @Test func changesKeepThePriceRuleWhole() throws {
        var toNegotiable = ListingChanges()
        toNegotiable.negotiable = true
        #expect(try toNegotiable.applied(to: content).askingPriceFen == nil)

        var both = ListingChanges()
        both.negotiable = true
        both.askingPriceFen = .some(5)
        #expect(issues { _ = try both.applied(to: content) } == ["negotiable"])

        var clearWithoutNegotiable = ListingChanges()
        clearWithoutNegotiable.askingPriceFen = .some(nil)
        clearWithoutNegotiable.negotiable = false
        #expect(issues { _ = try clearWithoutNegotiable.applied(to: content) } == ["askingPriceFen"])

        var negotiable = content
        negotiable.askingPriceFen = nil
        var priced = ListingChanges()
        priced.askingPriceFen = .some(500)
        #expect(try priced.applied(to: negotiable).askingPriceFen == 500)
        var notNegotiable = ListingChanges()
        notNegotiable.negotiable = false
        #expect(issues { _ = try notNegotiable.applied(to: negotiable) } == ["askingPriceFen"])

        var clearBenefit = ListingChanges()
        clearBenefit.benefit = .some(nil)
        var withBenefit = content
        withBenefit.benefit = "快"
        #expect(try clearBenefit.applied(to: withBenefit).benefit == nil)
    }

    @Test func cursorsRoundTripAndRefuseForgeries() {
        for key: ListingCursor.Key in [.newest(listedMicros: 1_790_000_000_123_456), .price(nil), .price(99), .relevance(tier: 1, listedMicros: 5), .relevance(tier: 2, listedMicros: -5)] {
            let cursor = ListingCursor(key: key, id: ListingID(42), querySignature: 7)
            #expect(ListingCursor(encoded: cursor.encoded) == cursor)
        }
        for text in ["", "abc", String(repeating: "A", count: 300), "v1~n~1~1~1"] {
            #expect(ListingCursor(encoded: text) == nil, "\(text)")
        }
    }

    @Test func aCursorOnlyFitsItsOwnSearch() {
        let query = ListingQuery(text: "遥感", sort: .relevance)
        var next = query
        next.after = ListingCursor(key: .relevance(tier: 1, listedMicros: 0), id: ListingID(1), querySignature: query.signature)
        #expect(issues { try next.validate() } == [])
        var other = ListingQuery(text: "无人机", sort: .relevance)
        other.after = next.after
        #expect(issues { try other.validate() } == ["cursor"])
        var wrongSort = ListingQuery(sort: .newest)
        wrongSort.after = ListingCursor(key: .price(1), id: ListingID(1), querySignature: wrongSort.signature)
        #expect(issues { try wrongSort.validate() } == ["cursor"])
    }

    @Test func participantsNeedCheckedCreditCodes() throws {
        let party = NewParty(handle: "lab", kind: .provider, name: "实验室", regionCode: RegionCode("310117")!, creditCode: nil)
        #expect(issues { _ = try party.validated() } == ["creditCode"])
        var regulator = party
        regulator.kind = .regulator
        _ = try regulator.validated()
        var grouped = party
        grouped.groupCode = "some-group"
        grouped.creditCode = "91310117MA1J3K8P2X"
        #expect(issues { _ = try grouped.validated() }.contains("groupCode"))
        var badHandle = regulator
        badHandle.handle = "Lab One"
        #expect(issues { _ = try badHandle.validated() } == ["handle"])
    }

    @Test func generatedKeysAreWellFormedAndDistinct() {
        let keys = (0..<100).map { _ in APIKeyText.generate() }
        #expect(Set(keys).count == 100)
        #expect(keys.allSatisfy(APIKeyText.isWellFormed))
        #expect(!APIKeyText.isWellFormed("tmk_short"))
        #expect(!APIKeyText.isWellFormed("tmk_" + String(repeating: "ä", count: 20)))
    }
}
