import Crypto

/// A SHA-256 hash in the ledger's chains, held as four big-endian words so comparing is cheap.
public struct EntryHash: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Bytes 0–7, big-endian.
    public var word0: UInt64
    /// Bytes 8–15, big-endian.
    public var word1: UInt64
    /// Bytes 16–23, big-endian.
    public var word2: UInt64
    /// Bytes 24–31, big-endian.
    public var word3: UInt64

    /// Builds a hash from its four big-endian words.
    public init(word0: UInt64, word1: UInt64, word2: UInt64, word3: UInt64) {
        self.word0 = word0
        self.word1 = word1
        self.word2 = word2
        self.word3 = word3
    }

    /// All zero bytes; never the hash of anything the ledger writes.
    public static let zero = EntryHash(word0: 0, word1: 0, word2: 0, word3: 0)

    /// The number of bytes in a hash.
    public static let byteCount = 32

    /// Wraps a swift-crypto digest.
    public init(_ digest: SHA256Digest) {
        self = digest.withUnsafeBytes { EntryHash(loadingFrom: $0, atOffset: 0) }
    }

    /// Reads 32 bytes from an array (a `bytea` column); nil unless there are exactly 32. Not
    /// generic, so that a caller in another module pays no generic dispatch per byte.
    public init?(byteArray bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        func word(_ offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in offset..<(offset + 8) { value = value << 8 | UInt64(bytes[index]) }
            return value
        }
        self.init(word0: word(0), word1: word(8), word2: word(16), word3: word(24))
    }

    /// Reads 32 bytes (a `bytea` column, for example); nil unless there are exactly 32.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for (index, byte) in bytes.enumerated() {
            let shift = UInt64(56 - 8 * (index % 8))
            switch index / 8 {
            case 0: words.0 |= UInt64(byte) << shift
            case 1: words.1 |= UInt64(byte) << shift
            case 2: words.2 |= UInt64(byte) << shift
            default: words.3 |= UInt64(byte) << shift
            }
        }
        self.init(word0: words.0, word1: words.1, word2: words.2, word3: words.3)
    }

    /// Reads 64 hex digits, either case; nil for anything else.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 2 * Self.byteCount else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        var index = 0
        while index < digits.count {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes: bytes)
    }

    /// Reads 32 bytes at `offset` of `buffer`, which must hold them.
    init(loadingFrom buffer: UnsafeRawBufferPointer, atOffset offset: Int) {
        self.init(
            word0: UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
            word1: UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)),
            word2: UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)),
            word3: UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)))
    }

    /// Writes the 32 bytes at `offset` of `buffer`, which must have room.
    func store(into buffer: UnsafeMutableRawBufferPointer, atOffset offset: Int) {
        buffer.storeBytes(of: word0.bigEndian, toByteOffset: offset, as: UInt64.self)
        buffer.storeBytes(of: word1.bigEndian, toByteOffset: offset + 8, as: UInt64.self)
        buffer.storeBytes(of: word2.bigEndian, toByteOffset: offset + 16, as: UInt64.self)
        buffer.storeBytes(of: word3.bigEndian, toByteOffset: offset + 24, as: UInt64.self)
    }

    /// The 32 bytes, for a `bytea` column.
    public var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(Self.byteCount)
        for word in [word0, word1, word2, word3] {
            for shift in stride(from: 56, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return result
    }

    /// The hash as 64 lowercase hex digits.
    public var hex: String {
        let alphabet = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(2 * Self.byteCount)
        for byte in bytes {
            text.append(alphabet[Int(byte >> 4)])
            text.append(alphabet[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The first 16 hex digits, enough to tell hashes apart in a message.
    public var shortHex: String { String(hex.prefix(16)) }

    /// The full hex digits.
    public var description: String { hex }

    /// Orders hashes by their bytes.
    public static func < (lhs: EntryHash, rhs: EntryHash) -> Bool {
        (lhs.word0, lhs.word1, lhs.word2, lhs.word3) < (rhs.word0, rhs.word1, rhs.word2, rhs.word3)
    }

    /// SHA-256 of `bytes`.
    static func sha256(_ bytes: UnsafeRawBufferPointer) -> EntryHash {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        return EntryHash(hasher.finalize())
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
