/// The canonical byte encodings the hash chains cover; docs/ledger.md lays them out byte by byte.
///
/// Fixed field order, fixed-width big-endian integers (signed ones in two's complement), a
/// length-prefixed UTF-8 reference, and a magic and version up front so that a future format can
/// never be mistaken for this one. Changing a byte here breaks every stored chain: the golden
/// vector in `EntryEncodingTests` exists to stop that happening silently.
public enum EntryEncoding {
    /// The format version written and read.
    public static let version: UInt8 = 1
    /// "TMLE": TechMarket ledger entry.
    public static let entryMagic: UInt32 = 0x544D_4C45
    /// "TMLA": TechMarket ledger account (the genesis of an account's chain).
    public static let accountMagic: UInt32 = 0x544D_4C41
    /// "TMLH": TechMarket ledger heads (the digest over every account's chain head).
    public static let headsMagic: UInt32 = 0x544D_4C48
    /// The bytes of an entry before its reference.
    public static let entryFixedLength = 174
    /// The longest encoded entry.
    public static let encodedLengthMax = entryFixedLength + LedgerLimits.referenceLengthMax
    /// The length of an account's genesis encoding.
    public static let genesisLength = 21

    /// Writes `entry` into `buffer` (at least `encodedLengthMax` bytes) and returns the length.
    ///
    /// The caller ensures the reference is at most `LedgerLimits.referenceLengthMax` bytes.
    public static func encode(_ entry: Entry, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var writer = Writer(buffer: buffer)
        writer.put(entryMagic)
        writer.put(version)
        writer.put(entry.kind.rawValue)
        writer.put(entry.transferID.rawValue)
        writer.put(entry.pendingID.rawValue)
        writer.put(entry.debitAccountID.rawValue)
        writer.put(entry.debitSequence)
        writer.put(entry.debitPreviousHash)
        writer.put(entry.creditAccountID.rawValue)
        writer.put(entry.creditSequence)
        writer.put(entry.creditPreviousHash)
        writer.put(entry.ledger)
        writer.put(entry.code)
        writer.put(UInt64(bitPattern: entry.amountFen))
        writer.put(UInt64(bitPattern: entry.releasedFen))
        writer.put(UInt64(bitPattern: entry.timestampMs))
        writer.put(UInt64(bitPattern: entry.expiresAtMs))
        assert(writer.offset == entryFixedLength - 2)
        var reference = entry.reference
        reference.withUTF8 { utf8 in
            precondition(utf8.count <= LedgerLimits.referenceLengthMax, "entry reference longer than the limit")
            writer.put(UInt16(utf8.count))
            writer.put(UnsafeRawBufferPointer(utf8))
        }
        return writer.offset
    }

    /// Reads a canonical encoding back; nil unless it is a well-formed version-1 entry. `hash` is the bytes' SHA-256.
    public static func decode(_ bytes: [UInt8]) -> Entry? {
        bytes.withUnsafeBytes { buffer -> Entry? in
            guard buffer.count >= entryFixedLength else { return nil }
            var reader = Reader(buffer: buffer)
            guard reader.u32() == entryMagic, reader.u8() == version, let kind = EntryKind(rawValue: reader.u8()) else { return nil }
            let transferID = TransferID(reader.u128())
            let pendingID = TransferID(reader.u128())
            let debitAccountID = AccountID(reader.u64())
            let debitSequence = reader.u64()
            let debitPreviousHash = reader.hash()
            let creditAccountID = AccountID(reader.u64())
            let creditSequence = reader.u64()
            let creditPreviousHash = reader.hash()
            let ledger = reader.u32()
            let code = reader.u16()
            let amountFen = Int64(bitPattern: reader.u64())
            let releasedFen = Int64(bitPattern: reader.u64())
            let timestampMs = Int64(bitPattern: reader.u64())
            let expiresAtMs = Int64(bitPattern: reader.u64())
            let referenceLength = Int(reader.u16())
            guard referenceLength <= LedgerLimits.referenceLengthMax, buffer.count == entryFixedLength + referenceLength,
                let reference = String(validating: buffer[entryFixedLength...], as: UTF8.self)
            else { return nil }
            return Entry(
                kind: kind, transferID: transferID, pendingID: pendingID,
                debitAccountID: debitAccountID, debitSequence: debitSequence, debitPreviousHash: debitPreviousHash,
                creditAccountID: creditAccountID, creditSequence: creditSequence, creditPreviousHash: creditPreviousHash,
                ledger: ledger, code: code, amountFen: amountFen, releasedFen: releasedFen,
                timestampMs: timestampMs, expiresAtMs: expiresAtMs, reference: reference,
                hash: EntryHash.sha256(buffer))
        }
    }

    /// The hash an account's empty chain starts from: SHA-256 of magic, version, id, ledger, code, flags.
    ///
    /// Binding the account's fixed attributes into its chain means a later change to them (say,
    /// dropping a balance limit) breaks the link to the account's first entry.
    public static func genesisHash(accountID: AccountID, ledger: UInt32, code: UInt16, flags: AccountFlags) -> EntryHash {
        withUnsafeTemporaryAllocation(byteCount: genesisLength, alignment: 8) { buffer in
            var writer = Writer(buffer: buffer)
            writer.put(accountMagic)
            writer.put(version)
            writer.put(accountID.rawValue)
            writer.put(ledger)
            writer.put(code)
            writer.put(flags.rawValue)
            assert(writer.offset == genesisLength)
            return EntryHash.sha256(UnsafeRawBufferPointer(buffer))
        }
    }

    /// The genesis encoding's bytes, for the documentation and the golden test.
    public static func genesisBytes(accountID: AccountID, ledger: UInt32, code: UInt16, flags: AccountFlags) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: genesisLength) { buffer, count in
            var writer = Writer(buffer: UnsafeMutableRawBufferPointer(buffer))
            writer.put(accountMagic)
            writer.put(version)
            writer.put(accountID.rawValue)
            writer.put(ledger)
            writer.put(code)
            writer.put(flags.rawValue)
            count = writer.offset
        }
    }
}

/// Big-endian writes into a buffer the caller sized; no bounds are checked beyond the standard library's.
struct Writer {
    let buffer: UnsafeMutableRawBufferPointer
    var offset = 0

    mutating func put(_ value: UInt8) {
        buffer.storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
        offset += 1
    }
    mutating func put(_ value: UInt16) {
        buffer.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
        offset += 2
    }
    mutating func put(_ value: UInt32) {
        buffer.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
        offset += 4
    }
    mutating func put(_ value: UInt64) {
        buffer.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt64.self)
        offset += 8
    }
    mutating func put(_ value: UInt128) {
        put(UInt64(truncatingIfNeeded: value >> 64))
        put(UInt64(truncatingIfNeeded: value))
    }
    mutating func put(_ value: EntryHash) {
        value.store(into: buffer, atOffset: offset)
        offset += EntryHash.byteCount
    }
    mutating func put(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        (buffer.baseAddress! + offset).copyMemory(from: base, byteCount: bytes.count)
        offset += bytes.count
    }
}

/// Big-endian reads from a buffer whose length the caller checked.
struct Reader {
    let buffer: UnsafeRawBufferPointer
    var offset = 0

    mutating func u8() -> UInt8 {
        defer { offset += 1 }
        return buffer[offset]
    }
    mutating func u16() -> UInt16 {
        defer { offset += 2 }
        return UInt16(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
    mutating func u32() -> UInt32 {
        defer { offset += 4 }
        return UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
    mutating func u64() -> UInt64 {
        defer { offset += 8 }
        return UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    mutating func u128() -> UInt128 {
        let high = u64()
        return UInt128(high) << 64 | UInt128(u64())
    }
    mutating func hash() -> EntryHash {
        defer { offset += EntryHash.byteCount }
        return EntryHash(loadingFrom: buffer, atOffset: offset)
    }
}
