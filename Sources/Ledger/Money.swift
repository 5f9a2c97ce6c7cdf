/// Amounts for people: fen (分) shown as yuan (元) with two decimals and thousands separators.
public enum MoneyFormat {
    /// `123456` → `"1,234.56"`, `-5` → `"-0.05"`; exact for every value (`Int64.min`, `Int128` totals).
    public static func yuan<Fen: BinaryInteger>(_ amountFen: Fen, grouping: Bool = true) -> String {
        let magnitude = amountFen.magnitude
        let whole = String(magnitude / 100)
        let cents = magnitude % 100
        var text = amountFen < 0 ? "-" : ""
        if grouping {
            let digits = Array(whole.utf8)
            for (index, digit) in digits.enumerated() {
                if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
                text.unicodeScalars.append(Unicode.Scalar(digit))
            }
        } else {
            text += whole
        }
        text += cents < 10 ? ".0\(cents)" : ".\(cents)"
        return text
    }

    /// Parses `"1,234.56"`, `"-0.05"`, `"12"` or `"12.5"` into fen; nil for anything else or past `Int64`.
    ///
    /// Commas must group thousands exactly (`"1,5"` is refused, not read as 15), so a European
    /// decimal comma can never turn into an amount a hundred times too large.
    public static func fen(fromYuan text: String) -> Int64? {
        var body = Substring(text)
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholeText = parts.first, !wholeText.isEmpty else { return nil }
        let fractionText = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || (1...2).contains(fractionText.count) else { return nil }
        let groups = wholeText.split(separator: ",", omittingEmptySubsequences: false)
        if groups.count > 1 {
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
        }
        var total: Int64 = 0
        let digits = groups.joined() + fractionText + String(repeating: "0", count: 2 - fractionText.count)
        for character in digits {
            guard let digit = character.wholeNumberValue, character.isASCII else { return nil }
            let (times, o1) = total.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            total = plus
        }
        return negative ? -total : total
    }
}
