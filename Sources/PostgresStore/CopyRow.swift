import Ledger
import Postgres

/// The fields of one row of `COPY … TO STDOUT (FORMAT binary)`, as PostgreSQL's binary copy
/// format lays them out: a 16-bit field count, then per field a 32-bit length (−1 for null) and
/// the value in the type's binary form — big-endian integers, a bytea's raw bytes, a text's
/// UTF-8. The file header (signature, flags, extension) comes before the first row, and a field
/// count of −1 is the trailer. Nothing is converted from text, so a hash is 32 bytes to copy
/// rather than 64 hex digits to parse, and the server does no formatting at all.
final class CopyRow {
    /// `PGCOPY\n\377\r\n\0`: the first bytes of every binary copy.
    static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]

    private var bytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    /// Where each field's value lies in `bytes`: a buffer of its own, read once per field on the
    /// hot path of `ledger verify`, where an array's reference counting would show.
    private let fields: UnsafeMutableBufferPointer<Range<Int>>
    private let fieldCount: Int
    private var headerRead = false

    init(fieldCount: Int) {
        self.fieldCount = fieldCount
        fields = .allocate(capacity: fieldCount)
        fields.initialize(repeating: 0..<0)
    }

    deinit { fields.deallocate() }

    /// Splits `message` (valid until the next call) into its fields; false for the trailer.
    func read(_ message: UnsafeBufferPointer<UInt8>) throws -> Bool {
        bytes = message
        var offset = 0
        if !headerRead {
            guard message.count >= Self.signature.count + 8, message.prefix(Self.signature.count).elementsEqual(Self.signature) else {
                throw Self.malformed("no binary copy signature")
            }
            // Bits 16–31 of the flags are critical: a reader that does not know one must stop.
            guard try int32(at: Self.signature.count) & ~0xFFFF == 0 else { throw Self.malformed("unknown critical flags") }
            let extensionLength = Int(try int32(at: Self.signature.count + 4))
            guard extensionLength >= 0 else { throw Self.malformed("a negative header extension length") }
            offset = Self.signature.count + 8 + extensionLength
            headerRead = true
        }
        guard offset + 2 <= message.count else { throw Self.malformed("a row without its field count") }
        let count = Int(Int16(bitPattern: UInt16(message[offset]) << 8 | UInt16(message[offset + 1])))
        offset += 2
        if count == -1 {
            guard offset == message.count else { throw Self.malformed("bytes after the trailer") }
            return false
        }
        guard count == fieldCount else { throw Self.malformed("\(count) fields, not \(fieldCount)") }
        for field in 0..<fieldCount {
            let length = Int(try int32(at: offset))
            offset += 4
            guard length >= 0 else { throw Self.malformed("a null") }
            guard offset + length <= message.count else { throw Self.malformed("a field longer than its row") }
            fields[field] = offset..<(offset + length)
            offset += length
        }
        guard offset == message.count else { throw Self.malformed("bytes after the last field") }
        return true
    }

    private func int32(at offset: Int) throws -> Int32 {
        guard offset + 4 <= bytes.count else { throw Self.malformed("a row cut short") }
        return Int32(bigEndian: UnsafeRawPointer(bytes.baseAddress! + offset).loadUnaligned(as: Int32.self))
    }

    /// A smallint, integer or bigint field, sign-extended.
    func int64(_ field: Int) throws -> Int64 {
        let range = fields[field]
        let start = UnsafeRawPointer(bytes.baseAddress! + range.lowerBound)
        switch range.count {
        case 8: return Int64(bigEndian: start.loadUnaligned(as: Int64.self))
        case 4: return Int64(Int32(bigEndian: start.loadUnaligned(as: Int32.self)))
        case 2: return Int64(Int16(bigEndian: start.loadUnaligned(as: Int16.self)))
        default: throw Self.malformed("an integer of \(range.count) bytes")
        }
    }

    /// A 32-byte bytea field read straight into a hash: the hot path of `ledger verify`.
    func hash(_ field: Int) throws -> EntryHash {
        let range = fields[field]
        guard range.count == 32 else { throw Self.malformed("a hash of \(range.count) bytes, not 32") }
        let start = UnsafeRawPointer(bytes.baseAddress! + range.lowerBound)
        func word(_ offset: Int) -> UInt64 { UInt64(bigEndian: start.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
        return EntryHash(word0: word(0), word1: word(8), word2: word(16), word3: word(24))
    }

    /// A text field (the connection's client encoding is UTF-8).
    func text(_ field: Int) throws -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[fields[field]]), as: UTF8.self)
    }

    static func malformed(_ what: String) -> PostgresDecodingError {
        .invalidValue(column: "COPY row", expected: "the ledger's entry columns in binary copy format", text: what)
    }
}
