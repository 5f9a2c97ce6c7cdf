import Ledger
import Testing

@Suite struct MoneyFormatTests {
    @Test("fen show as yuan with two decimals and thousands separators", arguments: [
        (0, "0.00"), (5, "0.05"), (-5, "-0.05"), (100, "1.00"), (123_456, "1,234.56"), (-123_456, "-1,234.56"),
        (100_000_000, "1,000,000.00"), (99_999, "999.99"), (Int64.max, "92,233,720,368,547,758.07"),
        (Int64.min, "-92,233,720,368,547,758.08"),
    ] as [(Int64, String)])
    func format(fen: Int64, text: String) {
        #expect(MoneyFormat.yuan(fen) == text)
        #expect(MoneyFormat.fen(fromYuan: text) == (fen == Int64.min ? nil : fen))
    }

    @Test("without grouping")
    func ungrouped() {
        #expect(MoneyFormat.yuan(Int64(123_456_789), grouping: false) == "1234567.89")
        #expect(MoneyFormat.yuan(Int128(250_000_000_000), grouping: true) == "2,500,000,000.00")
    }

    @Test("parsing accepts plain forms and refuses ambiguous ones", arguments: [
        ("12", 1_200 as Int64?), ("12.5", 1_250), ("0.01", 1), ("1234567.89", 123_456_789), ("1,5", nil), ("1.234", nil),
        ("", nil), ("-", nil), ("1.", nil), (".5", nil), ("12,34.00", nil), ("１２", nil), ("1e3", nil), ("999,999.99", 99_999_999),
        ("99999999999999999999", nil),
    ] as [(String, Int64?)])
    func parse(text: String, fen: Int64?) {
        #expect(MoneyFormat.fen(fromYuan: text) == fen)
    }
}
