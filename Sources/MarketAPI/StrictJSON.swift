import Market

/// The boundary rule for a JSON body, checked once before anything decodes it: well-formed JSON,
/// at most `depthMax` arrays and objects deep, no key twice in one object, and every string (keys
/// too) valid Unicode without control characters (C0, DEL, C1) — a tab or a line feed only in the
/// fields a body names multiline. Each refusal names its field; nothing here traps on any input.
struct StrictJSON {
    /// Arrays and objects nested deeper than this are refused (no body here needs more than 3).
    static let depthMax = 32
    /// Refusals listed in one answer; the rest are left for the next try.
    static let issueCountMax = 20

    /// The refusals of `bytes` (already known to be UTF-8), empty when the body may be decoded.
    static func issues(in bytes: [UInt8], multiline: Set<String> = []) -> [FieldIssue] {
        var scanner = StrictJSON(bytes: bytes, multiline: multiline)
        scanner.skipSpace()
        if scanner.value(path: .root, key: nil, depth: 0) {
            scanner.skipSpace()
            if scanner.index < bytes.count { scanner.malformed("more after the JSON value") }
        }
        return scanner.issues
    }

    private let bytes: [UInt8]
    private let multiline: Set<String>
    private var index = 0
    private var issues: [FieldIssue] = []

    private init(bytes: [UInt8], multiline: Set<String>) {
        self.bytes = bytes
        self.multiline = multiline
    }

    private mutating func add(_ path: JSONPath, _ message: String) {
        guard issues.count < Self.issueCountMax else { return }
        let field = path.text
        issues.append(FieldIssue(field.isEmpty ? "body" : field, message))
    }

    /// Ends the scan: the rest cannot be read as JSON.
    private mutating func malformed(_ what: String) {
        issues.append(FieldIssue("body", "is not valid JSON: \(what) at byte \(index)"))
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    /// Reads one value at `path`; false when the body is malformed (already said).
    private mutating func value(path: JSONPath, key: String?, depth: Int) -> Bool {
        guard let byte = current else {
            malformed("a value was expected")
            return false
        }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < Self.depthMax else {
                add(path, "is nested more than \(Self.depthMax) levels deep")
                issues.append(FieldIssue("body", "was not read past \(Self.depthMax) levels"))
                return false
            }
            return byte == UInt8(ascii: "{") ? object(path: path, depth: depth + 1) : array(path: path, depth: depth + 1)
        case UInt8(ascii: "\""):
            guard let text = string(path: path) else { return false }
            check(text, path: path, allowsNewlines: key.map(multiline.contains) ?? false, isKey: false)
            return true
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    private mutating func object(path: JSONPath, depth: Int) -> Bool {
        index += 1
        skipSpace()
        if current == UInt8(ascii: "}") {
            index += 1
            return true
        }
        var seen: Set<String> = []
        while true {
            guard current == UInt8(ascii: "\"") else {
                malformed("a quoted key was expected")
                return false
            }
            guard let key = string(path: path) else { return false }
            let keyText = String(String.UnicodeScalarView(key))
            let field = JSONPath.member(path, key)
            check(key, path: field, allowsNewlines: false, isKey: true)
            if !seen.insert(keyText).inserted { add(field, "is given more than once") }
            skipSpace()
            guard current == UInt8(ascii: ":") else {
                malformed("':' was expected")
                return false
            }
            index += 1
            skipSpace()
            guard value(path: field, key: keyText, depth: depth) else { return false }
            skipSpace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
                skipSpace()
            case UInt8(ascii: "}"):
                index += 1
                return true
            default:
                malformed("',' or '}' was expected")
                return false
            }
        }
    }

    private mutating func array(path: JSONPath, depth: Int) -> Bool {
        index += 1
        skipSpace()
        if current == UInt8(ascii: "]") {
            index += 1
            return true
        }
        var position = 0
        while true {
            guard value(path: .element(path, position), key: nil, depth: depth) else { return false }
            position += 1
            skipSpace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
                skipSpace()
            case UInt8(ascii: "]"):
                index += 1
                return true
            default:
                malformed("',' or ']' was expected")
                return false
            }
        }
    }

    /// A string's scalars with its escapes read; nil when malformed (already said). A lone
    /// surrogate is refused on its field and read as U+FFFD so that the scan goes on.
    private mutating func string(path: JSONPath) -> [Unicode.Scalar]? {
        index += 1
        var scalars: [Unicode.Scalar] = []
        var text: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: text, as: UTF8.self).unicodeScalars)
            text.removeAll(keepingCapacity: true)
        }
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                flush()
                return scalars
            case UInt8(ascii: "\\"):
                flush()
                index += 1
                guard let escaped = current else { break }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(Unicode.Scalar(escaped))
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "f"): scalars.append("\u{C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    guard let unit = hex4() else {
                        malformed("\\u needs four hex digits")
                        return nil
                    }
                    if (0xD800...0xDBFF).contains(unit), bytes.count >= index + 6, bytes[index] == UInt8(ascii: "\\"),
                       bytes[index + 1] == UInt8(ascii: "u")
                    {
                        let mark = index
                        index += 2
                        if let low = hex4(), (0xDC00...0xDFFF).contains(low),
                           let scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                        {
                            scalars.append(scalar)
                            continue
                        }
                        index = mark
                    }
                    if let scalar = Unicode.Scalar(unit) {
                        scalars.append(scalar)
                    } else {
                        add(path, "is not valid Unicode (a lone surrogate \\u\(String(unit, radix: 16, uppercase: true)))")
                        scalars.append("\u{FFFD}")
                    }
                default:
                    malformed("an unknown escape")
                    return nil
                }
            case 0..<0x20:
                add(path, "must not contain control characters (not even escaped)")
                text.append(byte)
                index += 1
            default:
                text.append(byte)
                index += 1
            }
        }
        malformed("a string is not closed")
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard let unit = Self.hex4(bytes, at: index) else { return nil }
        index += 4
        return unit
    }

    /// The code unit of a `\uXXXX` escape's four hex digits at `index`; nil when they are not.
    static func hex4(_ bytes: [UInt8], at index: Int) -> UInt32? {
        guard bytes.count >= index + 4 else { return nil }
        var unit: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { return nil }
            unit = unit << 4 | UInt32(digit)
        }
        return unit
    }

    private mutating func check(_ scalars: [Unicode.Scalar], path: JSONPath, allowsNewlines: Bool, isKey: Bool) {
        let control = scalars.contains { scalar in
            scalar.properties.generalCategory == .control && !(allowsNewlines && (scalar == "\n" || scalar == "\t"))
        }
        guard control else { return }
        add(path, isKey ? "is a key with control characters" : allowsNewlines
            ? "must not contain control characters other than tabs and line feeds" : "must not contain control characters")
    }

    private mutating func literal(_ word: String) -> Bool {
        let count = word.utf8.count
        let matches = bytes.count >= index + count && bytes[index..<index + count].elementsEqual(word.utf8)
        guard matches else {
            malformed("an unknown word")
            return false
        }
        index += count
        return true
    }

    /// A number in JSON's grammar; its size is for the field's decoder to judge.
    private mutating func number() -> Bool {
        let start = index
        func digits() -> Int {
            let first = index
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
            return index - first
        }
        if current == UInt8(ascii: "-") { index += 1 }
        let whole = digits()
        var valid = whole > 0 && !(whole > 1 && bytes[index - whole] == UInt8(ascii: "0"))
        if valid, current == UInt8(ascii: ".") {
            index += 1
            valid = digits() > 0
        }
        if valid, current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            valid = digits() > 0
        }
        if !valid {
            index = start
            malformed("a value was expected")
        }
        return valid
    }
}

/// Where a value sits in a body, kept as links to its parent and written out (`FieldPath`) only
/// when a refusal names it: a body of many small elements costs no path text.
indirect enum JSONPath {
    case root
    case member(JSONPath, [Unicode.Scalar])
    case element(JSONPath, Int)

    var text: String {
        switch self {
        case .root: return ""
        case .member(let parent, let key): return FieldPath.appending(key: key, to: parent.text)
        case .element(let parent, let position): return "\(parent.text)[\(position)]"
        }
    }
}

/// How a body's fields are named in refusals: `ipAssets[0].number`, and a key that is not a plain
/// name in brackets and quotes (`[""]`, `["a.b"]`), cut to `keyLengthMax` characters.
enum FieldPath {
    static let keyLengthMax = 40

    static func appending(key: String, to path: String) -> String {
        appending(key: Array(key.unicodeScalars), to: path)
    }

    static func appending(key scalars: [Unicode.Scalar], to path: String) -> String {
        let plain = !scalars.isEmpty && scalars.count <= keyLengthMax && scalars.allSatisfy { scalar in
            scalar.isASCII && (scalar == "_" || scalar.properties.isAlphabetic || (scalar.value >= 0x30 && scalar.value <= 0x39))
        }
        if plain { return path.isEmpty ? String(String.UnicodeScalarView(scalars)) : "\(path).\(String(String.UnicodeScalarView(scalars)))" }
        var quoted = "[\""
        for scalar in scalars.prefix(keyLengthMax) {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case _ where scalar.properties.generalCategory == .control:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                quoted += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        if scalars.count > keyLengthMax { quoted += "…" }
        return path + quoted + "\"]"
    }

    /// The top-level field a path starts with (`ipAssets` for `ipAssets[0].number`).
    static func root(_ path: String) -> Substring {
        path.prefix { $0 != "[" && $0 != "." }
    }
}
