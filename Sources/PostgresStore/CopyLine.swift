import Ledger
import Postgres

/// The fields of one line of `COPY … TO STDOUT` in text format: tab-separated, `\N` for null,
/// backslash escapes in text, `\\x` and hex digits for bytea (read here only as 32-byte hashes).
struct CopyLine {
    private(set) var bytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private(set) var fields: [Range<Int>] = []

    init(expectedFieldCount: Int) { fields.reserveCapacity(expectedFieldCount) }

    /// Splits `line` (valid until the next call) into its fields.
    mutating func read(_ line: UnsafeBufferPointer<UInt8>, expecting count: Int) throws {
        bytes = line
        fields.removeAll(keepingCapacity: true)
        var start = 0
        for index in 0..<line.count where line[index] == 0x09 {
            fields.append(start..<index)
            start = index + 1
        }
        fields.append(start..<line.count)
        guard fields.count == count else { throw Self.malformed("\(fields.count) fields, not \(count)") }
    }

    func int64(_ field: Int) throws -> Int64 {
        let range = fields[field]
        var index = range.lowerBound
        let negative = index < range.upperBound && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < range.upperBound else { throw Self.malformed("an empty number") }
        var value: Int64 = 0
        while index < range.upperBound {
            let digit = bytes[index] &- 0x30
            guard digit < 10 else { throw Self.malformed("a number with a non-digit") }
            // Accumulate negatively so that Int64.min fits.
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times.subtractingReportingOverflow(Int64(digit))
            guard !overflow1 && !overflow2 else { throw Self.malformed("a number out of range") }
            value = next
            index += 1
        }
        if negative { return value }
        guard value != .min else { throw Self.malformed("a number out of range") }
        return -value
    }

    /// A 32-byte bytea field read straight into a hash: the hot path of `ledger verify`.
    func hash(_ field: Int) throws -> EntryHash {
        let range = fields[field]
        guard range.count == 3 + 64, bytes[range.lowerBound] == 0x5C, bytes[range.lowerBound + 1] == 0x5C,
              bytes[range.lowerBound + 2] == UInt8(ascii: "x")
        else { throw Self.malformed("a hash that is not \\\\x and 64 hex digits") }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var bad: UInt8 = 0
        for word in 0..<4 {
            var value: UInt64 = 0
            let base = range.lowerBound + 3 + word * 16
            for index in base..<(base + 16) {
                let nibble = Self.hexValues[Int(bytes[index])]
                bad |= nibble
                value = value << 4 | UInt64(nibble & 0x0F)
            }
            switch word {
            case 0: words.0 = value
            case 1: words.1 = value
            case 2: words.2 = value
            default: words.3 = value
            }
        }
        guard bad & 0x80 == 0 else { throw Self.malformed("a hash with a non-hex digit") }
        return EntryHash(word0: words.0, word1: words.1, word2: words.2, word3: words.3)
    }

    /// The value of each hex digit; 0x80 marks every other byte.
    static let hexValues: [UInt8] = (0..<256).map { byte in
        switch byte {
        case 0x30...0x39: return UInt8(byte - 0x30)
        case 0x61...0x66: return UInt8(byte - 0x61 + 10)
        case 0x41...0x46: return UInt8(byte - 0x41 + 10)
        default: return 0x80
        }
    }

    /// A text field with COPY's escapes undone.
    func text(_ field: Int) throws -> String {
        let range = fields[field]
        guard bytes[range].contains(0x5C) else {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        var result = [UInt8]()
        result.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            index += 1
            guard byte == 0x5C, index < range.upperBound else {
                result.append(byte)
                continue
            }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "f"): result.append(0x0C)
            case UInt8(ascii: "n"): result.append(0x0A)
            case UInt8(ascii: "r"): result.append(0x0D)
            case UInt8(ascii: "t"): result.append(0x09)
            case UInt8(ascii: "v"): result.append(0x0B)
            case 0x30...0x37:
                var value = escaped - 0x30
                for _ in 0..<2 where index < range.upperBound && (0x30...0x37).contains(bytes[index]) {
                    value = value &* 8 &+ (bytes[index] - 0x30)
                    index += 1
                }
                result.append(value)
            default: result.append(escaped)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    static func malformed(_ what: String) -> PostgresDecodingError {
        .invalidValue(column: "COPY line", expected: "the ledger's entry columns", text: what)
    }
}
