import Foundation
@testable import Market
import SeededRandom
import Testing

@Suite struct SearchTextTests {
    // MARK: Tokens

    @Test func ideographRunsGiveBigramsThenTheLastCharacter() {
        #expect(SearchText.tokens("卫星遥感影像智能解译") == ["卫星", "星遥", "遥感", "感影", "影像", "像智", "智能", "能解", "解译", "译"])
        #expect(SearchText.tokens("遥感") == ["遥感", "感"])
        #expect(SearchText.tokens("镁") == ["镁"])
        #expect(SearchText.tokens("镁，铝") == ["镁", "铝"])
    }

    @Test func everyIdeographRangeCounts() {
        // Extension A, extension B and a compatibility ideograph (NFKC maps U+F900 to 豈 U+8C48).
        #expect(SearchText.tokens("㐀㐁") == ["㐀㐁", "㐁"])
        #expect(SearchText.tokens("𠀀𠀁𠀂") == ["𠀀𠀁", "𠀁𠀂", "𠀂"])
        #expect(SearchText.tokens("\u{F900}") == ["\u{8C48}"])
        // Kangxi radical ⼈ (U+2F08) is 人 under NFKC.
        #expect(SearchText.tokens("⼈工") == ["人工", "工"])
    }

    @Test func asciiWordsAreLowercasedAndJoinedByDotsHyphensAndUnderscores() {
        #expect(SearchText.tokens("UAV") == ["uav"])
        #expect(SearchText.tokens("Wi-Fi v1.2.3 snake_case") == ["wi-fi", "v1.2.3", "snake_case"])
        #expect(SearchText.tokens("GB/T 7714-2015") == ["gb", "t", "7714-2015"])
        #expect(SearchText.tokens("a..b a.-b -a- .5 x.") == ["a", "b", "a", "b", "a", "5", "x"])
        #expect(SearchText.tokens("C++ and C#") == ["c", "and", "c"])
    }

    @Test func fullWidthFormsAreNormalised() {
        #expect(SearchText.tokens("ＵＡＶ") == ["uav"])
        #expect(SearchText.tokens("５Ｇ通信") == ["5g", "通信", "信"])
        #expect(SearchText.tokens("ｖ１．２") == ["v1.2"])
        #expect(SearchText.tokens("ＵＡＶ\u{3000}无人机") == ["uav", "无人", "人机", "机"])
        #expect(SearchText.tokens("0.1mg/cm²") == ["0.1mg", "cm2"])
        #expect(SearchText.tokens("ＵＡＶ") == SearchText.tokens("uav"))
    }

    @Test func mixedRunsFollowEachOther() {
        #expect(SearchText.tokens("5G通信模组") == ["5g", "通信", "信模", "模组", "组"])
        #expect(SearchText.tokens("通信5G模组") == ["通信", "信", "5g", "模组", "组"])
    }

    @Test func chinesePatentNumbersIndexWithoutPrefixAndWithoutCheckCharacter() {
        #expect(SearchText.tokens("CN202110123456.7") == ["202110123456.7", "202110123456"])
        #expect(SearchText.tokens("zl202110123456.X") == ["202110123456.x", "202110123456"])
        #expect(SearchText.tokens("202110123456.7") == ["202110123456.7", "202110123456"])
        #expect(SearchText.tokens("ZL202110123456") == ["202110123456"])
        #expect(SearchText.tokens("202110123456") == ["202110123456"])
        #expect(SearchText.tokens("专利号：CN202110123456.7，已授权") == ["专利", "利号", "号", "202110123456.7", "202110123456", "已授", "授权", "权"])
        // Not patent numbers: plain words.
        #expect(SearchText.tokens("CN2021101234567") == ["cn2021101234567"])
        #expect(SearchText.tokens("cn20211012345.6") == ["cn20211012345.6"])
        #expect(SearchText.tokens("US202110123456.7") == ["us202110123456.7"])
        #expect(SearchText.tokens("CN202110123456.77") == ["cn202110123456.77"])
        #expect(SearchText.tokens("CN202110123456.Y") == ["cn202110123456.y"])
        #expect(SearchText.tokens("CN 202110123456.7") == ["cn", "202110123456.7", "202110123456"])
    }

    @Test func longWordsAreCutTo64Bytes() {
        let long = String(repeating: "a", count: 200)
        #expect(SearchText.tokens(long) == [String(repeating: "a", count: 64)])
        #expect(SearchText.tokens(long.uppercased() + " b") == [String(repeating: "a", count: 64), "b"])
        // A cut right after a joiner drops the joiner.
        let joined = String(repeating: "a", count: 63) + "-bcd"
        #expect(SearchText.tokens(joined) == [String(repeating: "a", count: 63)])
        #expect(SearchText.tsquery(long) == "'\(String(repeating: "a", count: 64))'")
    }

    @Test(arguments: ["", " ", "\n\t", "!!!", "，。、；：？！", "🚀🛰️👍🏽", "ロケット", "한국어", "Ωμέγα", "'\"\\", "\u{0301}", "\u{1}\u{7F}"])
    func nothingSearchableGivesNothing(_ text: String) {
        #expect(SearchText.tokens(text) == [])
        #expect(SearchText.tsvector([(text, "A")]) == "")
        #expect(SearchText.tsquery(text) == nil)
    }

    @Test func otherScriptsAndEmojiSeparate() {
        #expect(SearchText.tokens("卫星🛰遥感") == ["卫星", "星", "遥感", "感"])
        #expect(SearchText.tokens("caféネット5G") == ["caf", "5g"])
        #expect(SearchText.tokens("it's a \"quoted\" \\path\\") == ["it", "s", "a", "quoted", "path"])
    }

    @Test func invisibleCharactersAreSkipped() {
        // Zero-width space, soft hyphen, zero-width joiner, BOM, an ideographic variation selector.
        #expect(SearchText.tokens("遥\u{200B}感 Wi\u{00AD}Fi 卫\u{200D}星\u{FEFF} 葛\u{E0100}城") == ["遥感", "感", "wifi", "卫星", "星", "葛城", "城"])
        #expect(SearchText.tsquery("遥\u{200B}感") == "'遥感'")
        #expect(SearchText.tsquery("\u{200B}\u{FEFF}") == nil)
    }

    @Test func veryLongInputs() {
        let text = String(repeating: "卫星遥感 UAV-2 ", count: 20_000)
        let tokens = SearchText.tokens(text)
        #expect(tokens.count == 100_000)
        #expect(tokens.prefix(5) == ["卫星", "星遥", "遥感", "感", "uav-2"])
    }

    // MARK: tsvector

    @Test func tsvectorGroupsPositionsPerLexemeWithWeights() throws {
        let literal = SearchText.tsvector([("卫星遥感", "A"), ("遥感 影像", "C")])
        #expect(literal == "'卫星':1A '星遥':2A '遥感':3A,5C '感':3A,5C '影像':7C '像':7C")
        let vector = try #require(parseVector(literal))
        #expect(vector["遥感"] == [3: "A", 5: "C"])
    }

    @Test func touchingRunsTakeConsecutivePositionsAndSeparatorsLeaveOneGap() throws {
        #expect(SearchText.tsvector([("5G通信", "A")]) == "'5g':1A '通信':2A '信':2A")
        #expect(SearchText.tsvector([("通信5G", "A")]) == "'通信':1A '信':1A '5g':2A")
        #expect(SearchText.tsvector([("5G-通信", "A")]) == "'5g':1A '通信':3A '信':3A")
        // However many separators: one gap.
        #expect(SearchText.tsvector([("a ,;🚀 b", "B")]) == "'a':1B 'b':3B")
        #expect(SearchText.tsvector([("镁", "A"), ("铝", "B")]) == "'镁':1A '铝':3B")
        // Nothing before the first token, and sections without tokens, leave no gap.
        #expect(SearchText.tsvector([("!!", "A"), ("", "B"), ("  镁", "C")]) == "'镁':1C")
    }

    @Test func patentNumberFormsShareOnePosition() {
        #expect(SearchText.tsvector([("ZL202110123456.7 号", "B")]) == "'202110123456.7':1B '202110123456':1B '号':3B")
    }

    @Test func weightsAreNormalised() {
        #expect(SearchText.tsvector([("a", "a"), ("b", "b"), ("c", "c"), ("d", "d"), ("e", "x"), ("f", "é")])
            == "'a':1A 'b':3B 'c':5C 'd':7D 'e':9D 'f':11D")
    }

    @Test func positionsStopAt16383AndEachLexemeKeeps256() throws {
        // 20 000 different ideographs, so that every bigram is new.
        let text = String(String.UnicodeScalarView((0..<20_000).map { Unicode.Scalar(0x4E00 + UInt32($0))! }))
        let vector = try #require(parseVector(SearchText.tsvector([(text, "C")])))
        let positions = vector.values.flatMap(\.keys)
        #expect(positions.max() == 16383)
        #expect(vector.count == 16383)

        // Words too, and a later section adds nothing once the limit is reached.
        let words = String(repeating: "w ", count: 9000)
        let capped = try #require(parseVector(SearchText.tsvector([(words, "A"), ("后来", "B")])))
        #expect(capped.count == 1)
        #expect(capped["w"]?.count == 256)
        #expect(capped["w"]?.keys.max() == 511)

        let distinct = (0..<9000).map { "w\($0)" }.joined(separator: " ")
        let all = try #require(parseVector(SearchText.tsvector([(distinct, "A"), ("后来", "B")])))
        #expect(all.values.flatMap(\.keys).max() == 16383)
        #expect(all["后来"] == nil)
    }

    @Test func literalsQuoteQuotesAndBackslashes() {
        var output = ""
        SearchText.appendQuoted("it's\\", to: &output)
        #expect(output == "'it''s\\\\'")
        output = ""
        SearchText.appendQuoted("遥感", to: &output)
        #expect(output == "'遥感'")
    }

    @Test func sqlLookingTextIsOnlyWords() throws {
        let text = "'; DROP TABLE listings;--"
        #expect(SearchText.tokens(text) == ["drop", "table", "listings"])
        #expect(SearchText.tsquery(text) == "'drop' & 'table' & 'listings'")
        #expect(SearchText.tsvector([(text, "A")]) == "'drop':1A 'table':3A 'listings':5A")
        #expect(SearchText.tsquery("a'b\\c") == "'a' <2> 'b' <2> 'c'")
    }

    // MARK: tsquery

    @Test(arguments: [
        ("遥感", "'遥感'"),
        ("无人机 群控", "'无人' <-> '人机' & '群控'"),
        ("镁", "'镁':*"),
        ("UAV", "'uav'"),
        ("ＵＡＶ", "'uav'"),
        ("CN202110123456.7", "'202110123456.7'"),
        ("zl202110123456.x", "'202110123456.x'"),
        ("ZL202110123456", "'202110123456'"),
        ("202110123456", "'202110123456'"),
        ("5G通信模组", "'5g' <-> '通信' <-> '信模' <-> '模组'"),
        ("5g通", "'5g' <-> '通':*"),
        ("信5g", "'信':* <-> '5g'"),
        ("5g-通信", "'5g' <2> '通信'"),
        ("gb/t 7714-2015", "'gb' <2> 't' & '7714-2015'"),
        ("  卫星\u{3000}遥感\t影像\n", "'卫星' & '遥感' & '影像'"),
        ("专利号CN202110123456.7", "'专利' <-> '利号' <-> '202110123456.7'"),
    ])
    func queries(_ query: String, _ expected: String) {
        #expect(SearchText.tsquery(query) == expected)
    }

    @Test func emptyQueriesAreNil() {
        #expect(SearchText.tsquery("") == nil)
        #expect(SearchText.tsquery("  ") == nil)
        #expect(SearchText.tsquery("!!!") == nil)
        #expect(SearchText.tsquery("&|!():*<->") == nil)
    }

    @Test func tsqueryOperatorsInTheInputAreSeparators() {
        #expect(SearchText.tsquery("遥感&影像") == "'遥感' <2> '影像'")
        #expect(SearchText.tsquery("!遥感 | (影像)") == "'遥感' & '影像'")
        #expect(SearchText.tsquery("a:* <-> b") == "'a' & 'b'")
        #expect(SearchText.tsquery("'镁' \\") == "'镁':*")
    }

    @Test func atMostTenTermsAreUsed() throws {
        let query = (1...12).map { "w\($0)" }.joined(separator: " ")
        let parsed = try #require(SearchText.tsquery(query).flatMap(parseQuery))
        #expect(parsed.count == 10)
        #expect(parsed.last?.first?.lexeme == "w10")
        // Terms without tokens do not count.
        let padded = String(repeating: "!! ", count: 20) + query
        #expect(SearchText.tsquery(padded) == SearchText.tsquery(query))
    }

    @Test func longTermsAreCutTo32Tokens() throws {
        let term = String(repeating: "卫星遥感", count: 1000)
        let parsed = try #require(SearchText.tsquery(term + " 影像").flatMap(parseQuery))
        #expect(parsed.map(\.count) == [32, 1])
        #expect(parsed[1][0].lexeme == "影像")
    }

    @Test func singleCharacterQueriesFindEveryCharacter() throws {
        let document = "卫星遥感"
        for character in document {
            let query = try #require(SearchText.tsquery(String(character)))
            #expect(try matchesDocument([(document, "A")], query), "\(character)")
        }
        #expect(try !matchesDocument([(document, "A")], #require(SearchText.tsquery("镁"))))
    }

    @Test func patentNumbersFindEachOther() throws {
        let withCheck = ["CN202110123456.7", "ZL202110123456.7", "202110123456.7", "cn202110123456.7"]
        let withoutCheck = ["CN202110123456", "ZL202110123456", "202110123456"]
        for document in withCheck {
            for query in withCheck + withoutCheck {
                #expect(try matchesDocument([("专利 " + document, "B")], #require(SearchText.tsquery(query))), "\(query) in \(document)")
            }
        }
        for document in withoutCheck {
            for query in withoutCheck {
                #expect(try matchesDocument([(document, "B")], #require(SearchText.tsquery(query))), "\(query) in \(document)")
            }
            // The more specific query does not find a number written without its check character.
            #expect(try !matchesDocument([(document, "B")], #require(SearchText.tsquery("CN202110123456.7"))))
        }
        #expect(try !matchesDocument([("CN202110123456.7", "B")], #require(SearchText.tsquery("CN202110123456.8"))))
    }

    @Test func phrasesDoNotJoinAcrossSectionsOrSeparators() throws {
        let sections: [(text: String, weight: Character)] = [("卫星", "A"), ("遥感", "C")]
        #expect(try matchesDocument(sections, #require(SearchText.tsquery("卫星 遥感"))))
        #expect(try !matchesDocument(sections, #require(SearchText.tsquery("卫星遥感"))))
        #expect(try !matchesDocument(sections, #require(SearchText.tsquery("星遥"))))
        #expect(try !matchesDocument([("卫星，遥感", "A")], #require(SearchText.tsquery("卫星遥感"))))
        #expect(try matchesDocument([("卫星，遥感", "A")], #require(SearchText.tsquery("卫星、遥感"))))
        #expect(try !matchesDocument([("5G 通信", "A")], #require(SearchText.tsquery("5g通信"))))
        #expect(try !matchesDocument([("遥感卫星", "A")], #require(SearchText.tsquery("卫星遥感"))))
        #expect(try !matchesDocument([("星卫", "A")], #require(SearchText.tsquery("卫星"))))
    }

    @Test func queriesAreAlwaysWellFormed() throws {
        // Operators, quotes, backslashes and CJK mixed at random must always give valid syntax.
        let alphabet = Array("&|!():*<->'\"\\ \t\u{3000}aZ9._-卫星遥感镁，。🚀é\u{0301}ＵＡ１%;")
        var random = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let length = Int.random(in: 0...24, using: &random)
            let query = String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
            guard let tsquery = SearchText.tsquery(query) else {
                #expect(SearchText.tokens(query).isEmpty, "\(query)")
                continue
            }
            #expect(parseQuery(tsquery) != nil, "\(query) → \(tsquery)")
            #expect(parseVector(SearchText.tsvector([(query, "A")])) != nil, "\(query)")
        }
    }

    @Test func theNormalisationShortcutIsSafe() {
        // Every scalar the scanner reads without NFKC is unchanged by it, or becomes ASCII
        // punctuation that separates just the same (not one of the joiners . - _).
        var inert: [Unicode.Scalar] = []
        for value in UInt32(0x80)...UInt32(0x10FFFF) where SearchText.isNormalisationInert(value) {
            if let scalar = Unicode.Scalar(value) { inert.append(scalar) }
        }
        var changed = 0
        for scalar in inert {
            let text = String(scalar)
            let normalised = text.precomposedStringWithCompatibilityMapping
            if normalised == text { continue }
            changed += 1
            let result = Array(normalised.unicodeScalars)
            let separates = result.count == 1 && result[0].isASCII && !result[0].properties.isAlphabetic
                && !("0"..."9").contains(result[0]) && !"._-".unicodeScalars.contains(result[0])
                && !result[0].properties.isWhitespace
            #expect(separates, "U+\(String(scalar.value, radix: 16)) → \(normalised)")
        }
        #expect(changed == 7)
        // And the whole set at once (nothing composes across neighbours).
        let all = String(String.UnicodeScalarView(inert))
        #expect(SearchText.tokens(all) == SearchText.tokens(all.precomposedStringWithCompatibilityMapping))
    }

    // MARK: Consistency: a query cut from a document finds it

    static let samples = [
        "卫星遥感影像智能解译系统，支持5G通信模组与北斗定位。",
        "基于ＵＡＶ的无人机群控技术（专利号：CN202110123456.7）",
        "GB/T 7714-2015 参考文献著录规则; v1.2.3版本",
        "镁合金轻量化 Mg-Al-Zn 压铸工艺，ZL202110123456.X已授权",
        "深度学习+边缘计算：AI芯片NPU@1.5GHz低功耗",
        "氢燃料电池PEMFC催化剂Pt/C载量0.1mg/cm²以下",
        "哈哈哈哈 aaa aaa 遥感遥感，遥感",
        "𠀀𠀁𠀂扩展B区汉字 and 豈 compatibility",
        "it's a \"quoted\" \\path\\ 'single'测试 '; DROP TABLE listings;--",
        "专利202110123456通信",
        "遥\u{200B}感 Wi\u{00AD}Fi模组",
    ]

    @Test(arguments: samples)
    func everySubstringOfADocumentFindsIt(_ sample: String) throws {
        let text = Array(sample.precomposedStringWithCompatibilityMapping.unicodeScalars)
        // The sample is the second section so that positions do not start at 1.
        let vector = try #require(parseVector(SearchText.tsvector([("标题 Title", "A"), (sample, "C"), ("尾部", "D")])))
        var checked = 0
        for start in 0..<text.count where canCut(text, at: start) {
            for end in (start + 1)...text.count where canCut(text, at: end) {
                let query = String(String.UnicodeScalarView(text[start..<end]))
                guard let tsquery = SearchText.tsquery(query) else {
                    #expect(SearchText.tokens(query).isEmpty, "\(query)")
                    continue
                }
                let parsed = try #require(parseQuery(tsquery), "\(tsquery)")
                #expect(matches(vector, parsed), "\(query) → \(tsquery)")
                checked += 1
            }
        }
        #expect(checked >= 10)
    }

    @Test func randomSubstringsOfRandomDocumentsFindThem() throws {
        let pieces = ["卫", "星", "遥", "感", "镁", "合", "金", "a", "B", "z", "0", "1", "9", ".", "-", "_", " ", " ",
                      "，", "/", "'", "\\", "Ａ", "５", "🚀", "é", "\u{3000}", "&", "CN202110123456.7", "202110123456 ", "\u{200B}"]
        var random = SplitMix64(seed: 2024)
        var checked = 0
        for _ in 0..<300 {
            let document = (0..<Int.random(in: 1...30, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let other = (0..<Int.random(in: 0...5, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let vector = try #require(parseVector(SearchText.tsvector([(other, "A"), (document, "B"), (other, "C")])))
            let text = Array(document.precomposedStringWithCompatibilityMapping.unicodeScalars)
            for _ in 0..<30 {
                let start = Int.random(in: 0..<text.count, using: &random)
                let end = Int.random(in: (start + 1)...text.count, using: &random)
                guard canCut(text, at: start), canCut(text, at: end) else { continue }
                let query = String(String.UnicodeScalarView(text[start..<end]))
                guard let tsquery = SearchText.tsquery(query) else { continue }
                let parsed = try #require(parseQuery(tsquery), "\(tsquery)")
                #expect(matches(vector, parsed), "\(query) in \(document) → \(tsquery)")
                checked += 1
            }
        }
        #expect(checked > 1000)
    }
}

// MARK: - Helpers: PostgreSQL's reading of the literals, and phrase matching

/// ASCII words are matched whole, so a query may only be cut where it does not split one
/// (looking through invisible characters, which the tokenizer skips).
private func canCut(_ text: [Unicode.Scalar], at index: Int) -> Bool {
    func wordish(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar))
    }
    let before = text[..<index].last { !$0.properties.isDefaultIgnorableCodePoint }
    let after = text[index...].first { !$0.properties.isDefaultIgnorableCodePoint }
    guard let before, let after else { return true }
    return !(wordish(before) && wordish(after))
}

private struct Operand: Equatable {
    var lexeme: String
    var prefix: Bool
    /// Positions after the previous operand of the phrase (1 for the first).
    var distance: Int
}

private struct Reader {
    let scalars: [Unicode.Scalar]
    var index = 0

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    var atEnd: Bool { index == scalars.count }

    mutating func take(_ literal: String) -> Bool {
        let wanted = Array(literal.unicodeScalars)
        guard scalars[index...].starts(with: wanted) else { return false }
        index += wanted.count
        return true
    }

    /// A quoted lexeme: '' is a quote and a backslash escapes the next character.
    mutating func quoted() -> String? {
        guard take("'") else { return nil }
        var lexeme = String.UnicodeScalarView()
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if scalar == "\\" {
                guard index < scalars.count else { return nil }
                lexeme.append(scalars[index])
                index += 1
            } else if scalar == "'" {
                if index < scalars.count && scalars[index] == "'" {
                    lexeme.append("'")
                    index += 1
                } else {
                    return lexeme.isEmpty ? nil : String(lexeme)
                }
            } else {
                lexeme.append(scalar)
            }
        }
        return nil
    }

    mutating func number() -> Int? {
        var value = 0
        let start = index
        while index < scalars.count, let digit = Int(String(scalars[index])), scalars[index].isASCII {
            value = value * 10 + digit
            index += 1
        }
        return index > start && index - start < 6 ? value : nil
    }
}

/// A tsvector literal read strictly: lexeme → position → weight; nil if PostgreSQL would refuse it
/// or would silently change it (duplicate lexemes, positions out of range, too many positions).
private func parseVector(_ literal: String) -> [String: [Int: Character]]? {
    var reader = Reader(literal)
    var vector: [String: [Int: Character]] = [:]
    while !reader.atEnd {
        if !vector.isEmpty { guard reader.take(" ") else { return nil } }
        guard let lexeme = reader.quoted(), vector[lexeme] == nil, reader.take(":") else { return nil }
        var positions: [Int: Character] = [:]
        repeat {
            guard let position = reader.number(), (1...16383).contains(position), positions[position] == nil else { return nil }
            let weights: [Character] = ["A", "B", "C", "D"]
            guard let weight = weights.first(where: { reader.take(String($0)) }) else { return nil }
            positions[position] = weight
        } while reader.take(",")
        guard positions.count <= 256 else { return nil }
        vector[lexeme] = positions
    }
    return vector
}

/// The tsquery shapes `SearchText.tsquery` may write: phrases of quoted lexemes (optionally :*)
/// joined by <-> or <N>, and phrases joined by &. Anything else is nil.
private func parseQuery(_ text: String) -> [[Operand]]? {
    var reader = Reader(text)
    var terms: [[Operand]] = []
    while !reader.atEnd || terms.isEmpty {
        if !terms.isEmpty { guard reader.take(" & ") else { return nil } }
        var term: [Operand] = []
        var distance = 1
        while true {
            guard let lexeme = reader.quoted() else { return nil }
            term.append(Operand(lexeme: lexeme, prefix: reader.take(":*"), distance: distance))
            if reader.take(" <-> ") {
                distance = 1
            } else if reader.take(" <") {
                guard let number = reader.number(), number > 0, reader.take("> ") else { return nil }
                distance = number
            } else {
                break
            }
        }
        terms.append(term)
    }
    return terms
}

/// `vector @@ query` for the parsed shapes: every term must occur as a phrase.
private func matches(_ vector: [String: [Int: Character]], _ query: [[Operand]]) -> Bool {
    func positions(_ operand: Operand) -> Set<Int> {
        guard operand.prefix else { return Set(vector[operand.lexeme].map { Array($0.keys) } ?? []) }
        var found = Set<Int>()
        for (lexeme, positions) in vector where lexeme.utf8.starts(with: operand.lexeme.utf8) {
            found.formUnion(positions.keys)
        }
        return found
    }
    return query.allSatisfy { term in
        var ends = positions(term[0])
        for operand in term.dropFirst() {
            ends = Set(ends.map { $0 + operand.distance }).intersection(positions(operand))
        }
        return !ends.isEmpty
    }
}

private func matchesDocument(_ sections: [(text: String, weight: Character)], _ tsquery: String) throws -> Bool {
    let vector = try #require(parseVector(SearchText.tsvector(sections)))
    let query = try #require(parseQuery(tsquery))
    return matches(vector, query)
}
