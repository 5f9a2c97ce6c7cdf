import Foundation

/// The built-in type OIDs that decoding checks against.
public enum PostgresTypeOID {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let char: UInt32 = 18
    public static let name: UInt32 = 19
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let json: UInt32 = 114
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let unknown: UInt32 = 705
    public static let bpchar: UInt32 = 1042
    public static let varchar: UInt32 = 1043
    public static let date: UInt32 = 1082
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802

    static let names: [UInt32: String] = [
        bool: "boolean", bytea: "bytea", char: "\"char\"", name: "name", int8: "bigint", int2: "smallint",
        int4: "integer", text: "text", oid: "oid", json: "json", float4: "real", float8: "double precision",
        unknown: "unknown", bpchar: "character", varchar: "character varying", date: "date",
        timestamp: "timestamp", timestamptz: "timestamptz", numeric: "numeric", uuid: "uuid", jsonb: "jsonb",
    ]

    /// A readable name for a type OID, for error messages.
    public static func name(_ oid: UInt32) -> String { names[oid] ?? "oid \(oid)" }

    static let textual: Set<UInt32> = [text, varchar, bpchar, name, char, unknown, json, jsonb]
}

/// A statement parameter in PostgreSQL's text format; `nil` text is SQL NULL.
public struct PostgresParameter: Sendable, Equatable {
    public var text: String?
    /// 0 lets the server infer the type from the statement.
    public var typeOID: UInt32

    public init(text: String?, typeOID: UInt32 = 0) {
        self.text = text
        self.typeOID = typeOID
    }

    public static let null = PostgresParameter(text: nil)
}

/// A Swift value that can be bound to a `$n` parameter.
public protocol PostgresEncodable: Sendable {
    /// The value in PostgreSQL's text format.
    var postgresParameter: PostgresParameter { get }
}

/// A Swift value that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable {
    /// Reads the value from the column's text and type; throws when the type does not fit.
    static func decode(text: Substring, typeOID: UInt32, column: String) throws -> Self
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresParameter: PostgresParameter { self?.postgresParameter ?? .null }
}

extension PostgresParameter: PostgresEncodable {
    public var postgresParameter: PostgresParameter { self }
}

extension String: PostgresEncodable, PostgresDecodable {
    public var postgresParameter: PostgresParameter { .init(text: self) }
    public static func decode(text: Substring, typeOID: UInt32, column: String) throws -> String {
        guard PostgresTypeOID.textual.contains(typeOID) || typeOID == PostgresTypeOID.uuid else {
            throw PostgresDecodingError.typeMismatch(column: column, expected: "String", actualTypeOID: typeOID)
        }
        return String(text)
    }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public var postgresParameter: PostgresParameter { .init(text: String(self)) }
    public static func decode(text: Substring, typeOID: UInt32, column: String) throws -> Int64 {
        guard typeOID == PostgresTypeOID.int8 || typeOID == PostgresTypeOID.int4 || typeOID == PostgresTypeOID.int2
            || typeOID == PostgresTypeOID.oid
        else {
            throw PostgresDecodingError.typeMismatch(column: column, expected: "Int64", actualTypeOID: typeOID)
        }
        guard let value = Int64(text) else {
            throw PostgresDecodingError.invalidValue(column: column, expected: "Int64", text: String(text))
        }
        return value
    }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public var postgresParameter: PostgresParameter { .init(text: String(self)) }
    public static func decode(text: Substring, typeOID: UInt32, column: String) throws -> Int {
        Int(try Int64.decode(text: text, typeOID: typeOID, column: column))
    }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public var postgresParameter: PostgresParameter { .init(text: String(self)) }
    public static func decode(text: Substring, typeOID: UInt32, column: String) throws -> Int32 {
        guard typeOID == PostgresTypeOID.int4 || typeOID == PostgresTypeOID.int2 else {
            throw PostgresDecodingError.typeMismatch(column: column, expected: "Int32", actualTypeOID: typeOID)
        }
        guard let value = Int32(text) else {
            throw PostgresDecodingError.invalidValue(column: column, expected: "Int32", text: String(text))
        }
        return value
    }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public var postgresParameter: PostgresParameter { .init(text: self ? "t" : "f") }
    public static func decode(text: Substring, typeOID: UInt32, column: String) throws -> Bool {
        guard typeOID == PostgresTypeOID.bool else {
            throw PostgresDecodingError.typeMismatch(column: column, expected: "Bool", actualTypeOID: typeOID)
        }
        switch text {
        case "t": return true
        case "f": return false
        default: throw PostgresDecodingError.invalidValue(column: column, expected: "Bool", text: String(text))
        }
    }
}

extension Double: PostgresEncodable, PostgresDecodable {
    public var postgresParameter: PostgresParameter {
        // The shortest text that reads back as the same Double; PostgreSQL spells the specials its own way.
        if isNaN { return .init(text: "NaN") }
        if isInfinite { return .init(text: self < 0 ? "-Infinity" : "Infinity") }
        return .init(text: "\(self)")
    }
    public static func decode(text: Substring, typeOID: UInt32, column: String) throws -> Double {
        guard typeOID == PostgresTypeOID.float8 || typeOID == PostgresTypeOID.float4
            || typeOID == PostgresTypeOID.numeric || typeOID == PostgresTypeOID.int4 || typeOID == PostgresTypeOID.int8
            || typeOID == PostgresTypeOID.int2
        else {
            throw PostgresDecodingError.typeMismatch(column: column, expected: "Double", actualTypeOID: typeOID)
        }
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let value = Double(text) else {
                throw PostgresDecodingError.invalidValue(column: column, expected: "Double", text: String(text))
            }
            return value
        }
    }
}

extension UUID: PostgresEncodable, PostgresDecodable {
    public var postgresParameter: PostgresParameter { .init(text: uuidString, typeOID: PostgresTypeOID.uuid) }
    public static func decode(text: Substring, typeOID: UInt32, column: String) throws -> UUID {
        guard typeOID == PostgresTypeOID.uuid || PostgresTypeOID.textual.contains(typeOID) else {
            throw PostgresDecodingError.typeMismatch(column: column, expected: "UUID", actualTypeOID: typeOID)
        }
        guard let value = UUID(uuidString: String(text)) else {
            throw PostgresDecodingError.invalidValue(column: column, expected: "UUID", text: String(text))
        }
        return value
    }
}

/// The bytes of a `bytea` column.
public struct PostgresBytes: Hashable, Sendable, PostgresEncodable, PostgresDecodable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var postgresParameter: PostgresParameter {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(2 + bytes.count * 2)
        text.append(UInt8(ascii: "\\"))
        text.append(UInt8(ascii: "x"))
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return .init(text: String(decoding: text, as: UTF8.self), typeOID: PostgresTypeOID.bytea)
    }

    /// Each ASCII byte's value as a hex digit, or 0xff.
    private static let hexValues: [UInt8] = (0..<256).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt8(byte) - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt8(byte) - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt8(byte) - UInt8(ascii: "A") + 10
        default: return 0xff
        }
    }

    /// Decodes `\x` followed by pairs of hex digits; nil when the text is not that.
    static func decodeHex(_ utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else { return nil }
        let count = (utf8.count - 2) / 2
        var valid = true
        let bytes = hexValues.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                for index in 0..<count {
                    let high = table[Int(utf8[2 + 2 * index])]
                    let low = table[Int(utf8[3 + 2 * index])]
                    if high > 15 || low > 15 { valid = false }
                    buffer[index] = high << 4 | (low & 0x0f)
                }
                initialized = count
            }
        }
        return valid ? bytes : nil
    }

    public static func decode(text: Substring, typeOID: UInt32, column: String) throws -> PostgresBytes {
        guard typeOID == PostgresTypeOID.bytea else {
            throw PostgresDecodingError.typeMismatch(column: column, expected: "bytes", actualTypeOID: typeOID)
        }
        // The connection sets bytea_output = hex, so the text is \x followed by pairs of hex digits.
        var text = text
        guard let bytes = text.withUTF8({ decodeHex($0) }) else {
            throw PostgresDecodingError.invalidValue(column: column, expected: "hex bytea", text: String(text))
        }
        return PostgresBytes(bytes)
    }
}

extension Data: PostgresEncodable, PostgresDecodable {
    public var postgresParameter: PostgresParameter { PostgresBytes(Array(self)).postgresParameter }
    public static func decode(text: Substring, typeOID: UInt32, column: String) throws -> Data {
        Data(try PostgresBytes.decode(text: text, typeOID: typeOID, column: column).bytes)
    }
}

/// The text of a `json` or `jsonb` column, or a JSON parameter.
public struct PostgresJSON: Hashable, Sendable, PostgresEncodable, PostgresDecodable {
    public var text: String

    public init(_ text: String) { self.text = text }

    public var postgresParameter: PostgresParameter { .init(text: text, typeOID: PostgresTypeOID.jsonb) }

    public static func decode(text: Substring, typeOID: UInt32, column: String) throws -> PostgresJSON {
        guard typeOID == PostgresTypeOID.json || typeOID == PostgresTypeOID.jsonb else {
            throw PostgresDecodingError.typeMismatch(column: column, expected: "JSON", actualTypeOID: typeOID)
        }
        return PostgresJSON(String(text))
    }
}

extension Date: PostgresEncodable, PostgresDecodable {
    public var postgresParameter: PostgresParameter {
        .init(text: PostgresTimestamp.format(self), typeOID: PostgresTypeOID.timestamptz)
    }

    public static func decode(text: Substring, typeOID: UInt32, column: String) throws -> Date {
        guard typeOID == PostgresTypeOID.timestamptz else {
            throw PostgresDecodingError.typeMismatch(column: column, expected: "Date (timestamptz)", actualTypeOID: typeOID)
        }
        guard let date = PostgresTimestamp.parse(text) else {
            throw PostgresDecodingError.invalidValue(column: column, expected: "timestamptz", text: String(text))
        }
        return date
    }
}

/// ISO timestamps as PostgreSQL writes them with `DateStyle = ISO`, at microsecond precision.
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let micros = Int64(totalMicros)
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(fraction, 6))+00"
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]`.
    static func parse(_ text: Substring) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<digits {
                let c = bytes[index]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int64(c - 48)
                index += 1
            }
            return value
        }
        func expect(_ c: Character) -> Bool {
            guard index < bytes.count, bytes[index] == c.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            expect(" "), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
            let second = number(2)
        else { return nil }
        var micros: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale: Int64 = 100_000
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                micros += Int64(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds: Int64 = 0
        if index < bytes.count {
            let sign: Int64
            switch bytes[index] {
            case UInt8(ascii: "+"): sign = 1
            case UInt8(ascii: "-"): sign = -1
            default: return nil
            }
            index += 1
            guard let offsetHours = number(2) else { return nil }
            offsetSeconds = offsetHours * 3600
            if expect(":") {
                guard let offsetMinutes = number(2) else { return nil }
                offsetSeconds += offsetMinutes * 60
                if expect(":") {
                    guard let extra = number(2) else { return nil }
                    offsetSeconds += extra
                }
            }
            offsetSeconds *= sign
        }
        guard index == bytes.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    // Howard Hinnant's days_from_civil and civil_from_days: exact for the proleptic Gregorian calendar.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (month <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, month, day)
    }
}
