import Foundation
@testable import MarketAPI
import Testing

/// `trimmingWhitespace` trims what `trimmingCharacters(in: .whitespaces)` trims, and nothing else.
@Suite struct TrimmingWhitespaceTests {
    @Test func itTrimsWhatFoundationTrims() {
        for value in 0..<0x11_0000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "x" + String(scalar) + "y" + String(scalar) + "x"
            let inner = text.dropFirst().dropLast()
            if inner.trimmingWhitespace != String(inner).trimmingCharacters(in: .whitespaces) {
                Issue.record("U+\(String(value, radix: 16)) is trimmed otherwise")
            }
        }
        let samples = [
            "", " ", "\t", "key", " key ", "\tkey\t", "  tm_live_abc  ", "\u{3000}key\u{3000}", "\u{A0}key\u{202F}", "\u{2003}k e y\u{205F}",
            "key\n", "\nkey", "\r\nkey\r\n", "\u{200B}key\u{200B}", " \u{301}key", "key \u{301}", "德清 ", " 😀", "\u{FEFF}key", "\u{85}key\u{2028}",
        ]
        for sample in samples {
            let wrapped = "x" + sample + "x"
            let inner = wrapped.dropFirst().dropLast()
            #expect(inner.trimmingWhitespace == String(inner).trimmingCharacters(in: .whitespaces), "\(sample.unicodeScalars.map { $0.value })")
        }
    }

    @Test func aBearerHeaderGivesItsKeyTrimmed() {
        #expect(BearerKey.parse("Bearer  tm_abc \t") == "tm_abc")
        #expect(BearerKey.parse("bearer tm_abc") == "tm_abc")
        #expect(BearerKey.parse("Basic tm_abc") == nil)
        #expect(BearerKey.parse("Bearer") == nil)
    }
}
