import Foundation
@testable import MarketAPI
import SeededRandom
import Testing

/// The hand-written canonical form of a flat object is byte for byte JSONSerialization's, the
/// form the Idempotency-Keys already kept were hashed with; what it does not take goes that way.
@Suite struct CanonicalJSONTests {
    static let seed: UInt64 = 20_261_207

    /// Text with everything a string may hold: escapes of each kind, surrogate pairs, controls,
    /// slashes, DEL, line separators, CJK and emoji, raw or escaped.
    static let pieces = [
        "a", "Z", " ", "压测", "德清县", "😀", "é", "\\\"", "\\\\", "\\/", "/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0000", "\\u0001",
        "\\u001f", "\\u001F", "\\u0020", "\\u00e9", "\\u5fb7", "\\ud83d\\ude00", "\\uD83D\\uDE00", "\u{7F}", "\u{2028}", "\u{FFFF}", "<", "&",
        "'", "0", "\\u007f",
    ]

    static func value(_ random: inout SplitMix64) -> String {
        switch random.below(7) {
        case 0: return "true"
        case 1: return "false"
        case 2: return "null"
        case 3: return String(random.int(-999_999_999_999_999...999_999_999_999_999))
        case 4: return random.pick(["0", "-1", "1", "100000", "-999999999999999", "999999999999999"])
        default: return "\"" + (0..<random.below(8)).map { _ in random.pick(pieces) }.joined() + "\""
        }
    }

    static func space(_ random: inout SplitMix64) -> String { random.pick(["", "", " ", "\n", "\t", " \r\n "]) }

    static func body(_ random: inout SplitMix64) -> String {
        let keys = ["mode", "priceFen", "terms", "validUntil", "reason", "a", "B", "b", "Ab", "abc", "z", "licenceSeats", "offerWindowClosesAt"]
        let members = (0..<random.below(6)).map { _ in
            "\"" + random.pick(keys) + "\"" + space(&random) + ":" + space(&random) + value(&random)
        }
        return space(&random) + "{" + space(&random) + members.joined(separator: space(&random) + "," + space(&random)) + space(&random) + "}" + space(&random)
    }

    @Test func generatedFlatBodiesAreWhatJSONSerializationWrites() {
        var random = SplitMix64(seed: Self.seed)
        var handWritten = 0
        for _ in 0..<20_000 {
            let body = Array(Self.body(&random).utf8)
            let slow = IdempotentPost.serializationCanonical(body)
            guard let fast = CanonicalJSON.flatObject(body) else { continue }
            handWritten += 1
            #expect(fast == slow, "seed \(Self.seed): \(String(decoding: body, as: UTF8.self))")
            if fast != slow { return }
        }
        // Most are taken by hand (the rest have a key twice, or two that differ only in case).
        #expect(handWritten > 10_000)
    }

    @Test func anOfferBodyIsTakenByHand() throws {
        let body = #"{"mode": "licence_non_exclusive", "priceFen": 100000, "terms": "压测\n条款 a/b", "validUntil": "2026-12-09T00:00:00Z"}"#
        let fast = try #require(CanonicalJSON.flatObject(Array(body.utf8)))
        #expect(String(decoding: fast, as: UTF8.self)
            == #"{"mode":"licence_non_exclusive","priceFen":100000,"terms":"压测\n条款 a\/b","validUntil":"2026-12-09T00:00:00Z"}"#)
        #expect(fast == IdempotentPost.serializationCanonical(Array(body.utf8)))
    }

    /// What the hand does not take goes JSONSerialization's way, which still gives the kept form.
    @Test func whatIsNotAFlatObjectOfSimpleValuesIsLeftToJSONSerialization() {
        let others = [
            #"{"a":1,"a":2}"#, #"{"b":1,"B":2}"#, #"{"a":{"b":1}}"#, #"{"a":[1]}"#, #"{"a":1.5}"#, #"{"a":1e2}"#, #"{"a":-0}"#, #"{"a":01}"#,
            #"{"a":1234567890123456}"#, #"{"a_b":1}"#, #"{"a1":1}"#, #"{"é":1}"#, #"{"a":"\ud800"}"#, #"{"a":"\udc00"}"#, #"{"a":"\x"}"#,
            "{\"a\":\"tab\there\"}", #"{"a":tru}"#, #"{"a":1,}"#, #"{"a":1"#, #"[1]"#, #""text""#, "", "{} {}", #"{"a" 1}"#,
        ]
        for text in others {
            #expect(CanonicalJSON.flatObject(Array(text.utf8)) == nil, "\(text)")
        }
        // The integers' bound, from its name: the longest taken by hand is JSONSerialization's form.
        let longest = Array(#"{"a":-\#(String(repeating: "9", count: CanonicalJSON.integerDigitsMax))}"#.utf8)
        #expect(CanonicalJSON.flatObject(longest) == IdempotentPost.serializationCanonical(longest))
        #expect(CanonicalJSON.flatObject(Array(#"{"a":\#(String(repeating: "9", count: CanonicalJSON.integerDigitsMax + 1))}"#.utf8)) == nil)
        #expect(CanonicalJSON.flatObject([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]) == nil)  // invalid UTF-8
        #expect(CanonicalJSON.flatObject([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC0, 0xAF, 0x22, 0x7D]) == nil)  // overlong "/"
        #expect(CanonicalJSON.flatObject([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D]) == nil)  // a surrogate
    }

    /// An offer's body read by hand (`OfferBody.init(flat:)`) is what JSONDecoder reads, and
    /// whatever the hand does not take the decoder reads or refuses.
    @Test func offerBodiesReadByHandAreWhatJSONDecoderReads() throws {
        var random = SplitMix64(seed: Self.seed)
        let values: [String: [String]] = [
            "mode": [#""licence_non_exclusive""#, #""transfer""#, #""Transfer""#, #""gift""#, "1", "null"],
            "priceFen": ["100000", "1", "0", "-5", "1000000000000", #""100""#, "1.5", "null", "true"],
            "terms": [#""""#, #""压测\n条款 \"a\"/b""#, "null", "7", #""\u5fb7\ud83d\ude00""#],
            "validUntil": [#""2026-12-09T00:00:00Z""#, #""2027-01-31T12:00:00+08:00""#, #""2026-12-09""#, #""yesterday""#, "null", "0"],
            "other": ["1", #""x""#],
        ]
        var byHand = 0
        for _ in 0..<20_000 {
            var keys = ["mode", "priceFen", "terms", "validUntil"].filter { _ in !random.chance(10) }
            if random.chance(5) { keys.append("other") }
            if random.chance(5), let key = keys.first { keys.append(key) }
            let members = keys.shuffled(using: &random).map { "\"\($0)\": \(random.pick(values[$0]!))" }
            let body = Array(("{" + members.joined(separator: ", ") + "}").utf8)
            let decoded = try? JSONDecoder().decode(OfferBody.self, from: Data(body))
            guard let hand = CanonicalJSON.members(body).flatMap(OfferBody.init(flat:)) else { continue }
            byHand += 1
            #expect(hand.request == decoded?.request, "seed \(Self.seed): \(String(decoding: body, as: UTF8.self))")
        }
        #expect(byHand > 200)
    }
}
