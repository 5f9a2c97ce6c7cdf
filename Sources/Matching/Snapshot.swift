/// Why a snapshot or an encoded command could not be decoded.
public enum SnapshotError: Error, Sendable, Equatable {
    /// The bytes ended before the value did.
    case truncated
    /// The bytes do not start with this module's magic number.
    case badMagic
    /// The snapshot was written by a format version this code does not read.
    case unsupportedVersion(UInt8)
    /// The snapshot holds another kind of engine than the one asked for.
    case wrongKind(expected: UInt8, found: UInt8)
    /// The checksum does not match: the bytes were damaged.
    case checksumMismatch
    /// A field holds a value no engine can be in (an unknown tag, a broken invariant).
    case invalidValue(field: StaticString)
    /// Bytes remain after the value.
    case trailingBytes

    /// Equal when the cases and their payloads are equal.
    public static func == (lhs: SnapshotError, rhs: SnapshotError) -> Bool {
        switch (lhs, rhs) {
        case (.truncated, .truncated), (.badMagic, .badMagic), (.checksumMismatch, .checksumMismatch),
             (.trailingBytes, .trailingBytes):
            return true
        case let (.unsupportedVersion(a), .unsupportedVersion(b)):
            return a == b
        case let (.wrongKind(a1, a2), .wrongKind(b1, b2)):
            return a1 == b1 && a2 == b2
        case let (.invalidValue(a), .invalidValue(b)):
            return a.description == b.description
        default:
            return false
        }
    }
}

/// Appends values in this module's compact binary form: LEB128 varints, zigzag for signed values.
///
/// Why our own form: the module imports nothing but the standard library, snapshots must be
/// byte-for-byte deterministic (so equal states give equal bytes), and varints keep fen and
/// millisecond values short.
public struct SnapshotWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Starts an empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends one raw byte.
    public mutating func writeByte(_ value: UInt8) { bytes.append(value) }

    /// Appends an unsigned varint.
    public mutating func writeUInt(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    /// Appends a signed varint (zigzag).
    public mutating func writeInt(_ value: Int64) {
        writeUInt(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Appends a boolean as one byte.
    public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func writeHeader(kind: UInt8) {
        bytes.append(contentsOf: snapshotMagic)
        bytes.append(snapshotVersion)
        bytes.append(kind)
    }

    mutating func writeChecksum() {
        let sum = fnv1a(bytes[...])
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: sum >> (8 * UInt64(i)))) }
    }
}

/// Reads values written by `SnapshotWriter`, refusing anything malformed.
public struct SnapshotReader: Sendable {
    private let bytes: [UInt8]
    /// The offset of the next byte to read.
    public private(set) var position: Int

    /// Starts reading `bytes` from the beginning.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
    }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { position == bytes.count }

    /// Reads one raw byte.
    public mutating func readByte() throws(SnapshotError) -> UInt8 {
        guard position < bytes.count else { throw .truncated }
        defer { position += 1 }
        return bytes[position]
    }

    /// Reads an unsigned varint.
    public mutating func readUInt() throws(SnapshotError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            guard shift < 64, !(shift == 63 && byte > 1) else { throw .invalidValue(field: "varint") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Reads a signed varint (zigzag).
    public mutating func readInt() throws(SnapshotError) -> Int64 {
        let raw = try readUInt()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Reads a boolean byte, refusing anything but 0 or 1.
    public mutating func readBool() throws(SnapshotError) -> Bool {
        switch try readByte() {
        case 0: return false
        case 1: return true
        default: throw .invalidValue(field: "bool")
        }
    }

    /// Reads a count, refusing one above `max`.
    mutating func readCount(max: Int, field: StaticString) throws(SnapshotError) -> Int {
        let raw = try readUInt()
        guard raw <= UInt64(max) else { throw .invalidValue(field: field) }
        return Int(raw)
    }

    mutating func readInt32(field: StaticString) throws(SnapshotError) -> Int32 {
        let v = try readInt()
        guard let n = Int32(exactly: v) else { throw .invalidValue(field: field) }
        return n
    }

    /// Checks magic, version, kind and checksum of a whole snapshot and positions after the header.
    static func opening(_ bytes: [UInt8], kind: UInt8) throws(SnapshotError) -> SnapshotReader {
        let headerCount = snapshotMagic.count + 2
        guard bytes.count >= headerCount + 8 else { throw .truncated }
        let body = bytes[0..<(bytes.count - 8)]
        var stored: UInt64 = 0
        for i in 0..<8 { stored |= UInt64(bytes[bytes.count - 8 + i]) << (8 * UInt64(i)) }
        guard fnv1a(body) == stored else { throw .checksumMismatch }
        guard Array(bytes[0..<snapshotMagic.count]) == snapshotMagic else { throw .badMagic }
        let version = bytes[snapshotMagic.count]
        guard version == snapshotVersion else { throw .unsupportedVersion(version) }
        let found = bytes[snapshotMagic.count + 1]
        guard found == kind else { throw .wrongKind(expected: kind, found: found) }
        var reader = SnapshotReader(Array(body))
        reader.position = headerCount
        return reader
    }
}

let snapshotMagic: [UInt8] = [0x54, 0x4D, 0x4D] // "TMM": TechMarket matching
let snapshotVersion: UInt8 = 1

enum SnapshotKind {
    static let english: UInt8 = 1
    static let dutch: UInt8 = 2
    static let sealed: UInt8 = 3
    static let listing: UInt8 = 4
}

func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes {
        hash ^= UInt64(b)
        hash = hash &* 0x0000_0100_0000_01B3
    }
    return hash
}
