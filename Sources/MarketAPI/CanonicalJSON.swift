/// The canonical form of a flat JSON object, written by hand: byte for byte what
/// `JSONSerialization` parses and writes back with `.sortedKeys` (`IdempotentPost.canonical`), for
/// the bodies almost every POST sends — one object of strings, integers, booleans and nulls under
/// letter-only keys. Anything else (nesting, fractions and exponents, a key twice, keys that
/// differ only in case, other key characters) is nil, and takes JSONSerialization's way, as does
/// anything that is not JSON. The form must never change for a kept key: `CanonicalJSONTests`
/// holds it to JSONSerialization's on generated bodies. On the offer bench JSONSerialization's
/// writer was the server's largest cost per offer (perf, 2026-12-07). The same reading gives a
/// `FlatBody` its members without JSONDecoder.
enum CanonicalJSON {
    static func flatObject(_ body: [UInt8]) -> [UInt8]? {
        guard let members = members(body) else { return nil }
        // Letter-only keys in JSONSerialization's order: alphabetical whatever the case.
        let sorted = members.sorted { $0.folded.lexicographicallyPrecedes($1.folded) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.folded == b.folded { return nil }
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(body.count + 8)
        for (index, member) in sorted.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out += member.key.utf8
            out += "\":".utf8
            out += member.canonical
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The most digits of an integer taken by hand: every such integer is exact as a Double too
    /// (under 2^53), so JSONSerialization writes it back digit for digit whichever way it reads
    /// it; a longer one is left to JSONSerialization.
    static let integerDigitsMax = 15

    /// The members of a flat object, in order, or nil for anything else (see above).
    static func members(_ body: [UInt8]) -> [Member]? {
        var reader = Reader(bytes: body)
        guard let members = reader.object(), reader.atEnd else { return nil }
        return members
    }

    /// A value of a flat object.
    enum Value: Equatable {
        case string(String)
        case integer(Int64)
        case bool(Bool)
        case null
    }

    struct Member {
        var key: String
        /// The key's bytes with every letter in lower case: the order keys are written in.
        var folded: [UInt8]
        var value: Value
        /// The value as JSONSerialization writes it back.
        var canonical: [UInt8]
    }
    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool {
            mutating get {
                skipSpace()
                return index == bytes.count
            }
        }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func object() -> [Member]? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var members: [Member] = []
            if take(UInt8(ascii: "}")) { return members }
            repeat {
                skipSpace()
                guard let key = key(), take(UInt8(ascii: ":")), let (value, canonical) = value() else { return nil }
                members.append(Member(key: String(decoding: key, as: UTF8.self), folded: key.map { $0 | 0x20 }, value: value, canonical: canonical))
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}")) ? members : nil
        }

        /// A key of ASCII letters, without escapes.
        mutating func key() -> [UInt8]? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let start = index + 1
            var end = start
            while end < bytes.count, (bytes[end] | 0x20) >= UInt8(ascii: "a"), (bytes[end] | 0x20) <= UInt8(ascii: "z") { end += 1 }
            guard end > start, end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
            index = end + 1
            return Array(bytes[start..<end])
        }

        /// A string, integer, boolean or null, and the value as JSONSerialization writes it back.
        mutating func value() -> (Value, [UInt8])? {
            skipSpace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer()
            default:
                for (word, value) in [("true", Value.bool(true)), ("false", .bool(false)), ("null", .null)]
                where bytes[index...].starts(with: word.utf8) {
                    index += word.utf8.count
                    return (value, Array(word.utf8))
                }
                return nil
            }
        }

        /// `-?(0|[1-9][0-9]*)` of at most `integerDigitsMax` digits but not `-0`, followed by no
        /// fraction or exponent: the integers JSONSerialization writes back as they came.
        mutating func integer() -> (Value, [UInt8])? {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digits = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            let count = index - digits
            guard count >= 1, count <= CanonicalJSON.integerDigitsMax, !(count > 1 && bytes[digits] == UInt8(ascii: "0")),
                  !(digits > start && count == 1 && bytes[digits] == UInt8(ascii: "0"))
            else { return nil }
            if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) { return nil }
            let text = Array(bytes[start..<index])
            guard let integer = Int64(String(decoding: text, as: UTF8.self)) else { return nil }
            return (.integer(integer), text)
        }

        /// A string read and written again as JSONSerialization writes it: `"`, `\` and `/` and the
        /// control characters escaped (`\b \f \n \r \t`, the others `\u00xx`), everything else as
        /// UTF-8.
        mutating func string() -> (Value, [UInt8])? {
            index += 1
            var out: [UInt8] = [UInt8(ascii: "\"")]
            var text = String.UnicodeScalarView()
            while index < bytes.count {
                let byte = bytes[index]
                let scalar: Unicode.Scalar
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    out.append(byte)
                    return (.string(String(text)), out)
                } else if byte < 0x20 {
                    return nil
                } else if byte == UInt8(ascii: "\\") {
                    guard let escaped = escape() else { return nil }
                    scalar = escaped
                } else if byte < 0x80 {
                    index += 1
                    scalar = Unicode.Scalar(byte)
                } else {
                    guard let decoded = utf8Scalar() else { return nil }
                    scalar = decoded
                }
                write(scalar, into: &out)
                text.append(scalar)
            }
            return nil
        }

        /// The scalar of a backslash escape; a surrogate must come as a valid pair.
        mutating func escape() -> Unicode.Scalar? {
            guard index + 1 < bytes.count else { return nil }
            let letter = bytes[index + 1]
            index += 2
            switch letter {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(letter)
            case UInt8(ascii: "b"): return "\u{8}"
            case UInt8(ascii: "f"): return "\u{C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                guard let high = hex4() else { return nil }
                if (0xD800...0xDBFF).contains(high) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return nil }
                    index += 2
                    guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                    return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                }
                return Unicode.Scalar(high)
            default: return nil
            }
        }

        mutating func hex4() -> UInt32? {
            guard let unit = StrictJSON.hex4(bytes, at: index) else { return nil }
            index += 4
            return unit
        }

        /// One scalar of well-formed UTF-8 (no overlong forms, no surrogates).
        mutating func utf8Scalar() -> Unicode.Scalar? {
            let lead = bytes[index]
            let count = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0
            guard count > 0, index + count <= bytes.count else { return nil }
            var decoder = UTF8()
            var iterator = bytes[index..<index + count].makeIterator()
            guard case .scalarValue(let scalar) = decoder.decode(&iterator), scalar.utf8.count == count else { return nil }
            index += count
            return scalar
        }

        func write(_ scalar: Unicode.Scalar, into out: inout [UInt8]) {
            switch scalar {
            case "\"": out += #"\""#.utf8
            case "\\": out += #"\\"#.utf8
            case "/": out += #"\/"#.utf8
            case "\u{8}": out += #"\b"#.utf8
            case "\u{C}": out += #"\f"#.utf8
            case "\n": out += #"\n"#.utf8
            case "\r": out += #"\r"#.utf8
            case "\t": out += #"\t"#.utf8
            case _ where scalar.value < 0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += #"\u00"#.utf8
                out += [hex[Int(scalar.value >> 4)], hex[Int(scalar.value & 0xF)]]
            default: out += scalar.utf8
            }
        }
    }
}
