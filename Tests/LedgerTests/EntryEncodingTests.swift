import Ledger
import LedgerTestSupport
import Testing

@Suite struct EntryEncodingTests {
    /// One entry with every field set to something distinctive, so a swapped or resized field shows.
    static let sample = Entry(
        kind: .postPending, transferID: TransferID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10),
        pendingID: TransferID(high: 0, low: 0x2A), debitAccountID: aid(3), debitSequence: 7,
        debitPreviousHash: EntryHash(word0: 0x1111_1111_1111_1111, word1: 0x2222_2222_2222_2222, word2: 0x3333_3333_3333_3333, word3: 0x4444_4444_4444_4444),
        creditAccountID: aid(0x0000_0001_0000_0005), creditSequence: 1,
        creditPreviousHash: EntryHash(word0: 0xAAAA_AAAA_AAAA_AAAA, word1: 0xBBBB_BBBB_BBBB_BBBB, word2: 0xCCCC_CCCC_CCCC_CCCC, word3: 0xDDDD_DDDD_DDDD_DDDD),
        ledger: LedgerCode.cny, code: 0x0102, amountFen: 123_456, releasedFen: 200_000,
        timestampMs: 1_735_689_600_000, expiresAtMs: 0, reference: "券:A1", hash: .zero)

    /// The format, frozen: if this fails, stored chains no longer verify. Bump the version instead.
    static let goldenHex =
        "544d4c450103" + "0102030405060708090a0b0c0d0e0f10" + "0000000000000000000000000000002a"
        + "0000000000000003" + "0000000000000007"
        + "1111111111111111222222222222222233333333333333334444444444444444"
        + "0000000100000005" + "0000000000000001"
        + "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd"
        + "0000009c" + "0102" + "000000000001e240" + "0000000000030d40" + "000001941f297c00" + "0000000000000000"
        + "0006" + "e588b83a4131"

    static let goldenHash = "af819c324819ddafc1e22d1de3ea73bb89f68170fa9ad6a59fb44413df58981c"

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test("the canonical encoding is byte for byte the documented one")
    func golden() {
        #expect(Self.hex(Self.sample.canonicalBytes) == Self.goldenHex)
        #expect(Self.sample.canonicalBytes.count == EntryEncoding.entryFixedLength + 6)
    }

    @Test("the hash of the golden entry is frozen")
    func goldenHash() {
        #expect(Self.sample.computedHash.hex == Self.goldenHash)
    }

    @Test("decoding the encoding gives the entry back, with its hash")
    func roundTrip() throws {
        var entry = Self.sample
        entry.hash = entry.computedHash
        let decoded = try #require(EntryEncoding.decode(entry.canonicalBytes))
        #expect(decoded == entry)
    }

    @Test("every entry of a random ledger round-trips")
    func roundTripLedger() throws {
        var workload = Workload(seed: 7)
        var ledger = LedgerState()
        for account in workload.accounts() { _ = ledger.createAccount(account) }
        for _ in 0..<100 {
            let (batch, atMs) = workload.batch()
            _ = ledger.apply(batch, atMs: atMs)
        }
        #expect(ledger.entries.count > 50)
        for entry in ledger.entries {
            #expect(EntryEncoding.decode(entry.canonicalBytes) == entry)
        }
    }

    @Test("malformed encodings are refused, not trapped on")
    func decodeRefuses() {
        let bytes = Self.sample.canonicalBytes
        #expect(EntryEncoding.decode([]) == nil)
        #expect(EntryEncoding.decode(Array(bytes.dropLast())) == nil)
        #expect(EntryEncoding.decode(bytes + [0]) == nil)
        var wrongVersion = bytes
        wrongVersion[4] = 2
        #expect(EntryEncoding.decode(wrongVersion) == nil)
        var wrongKind = bytes
        wrongKind[5] = 9
        #expect(EntryEncoding.decode(wrongKind) == nil)
        var badUTF8 = bytes
        badUTF8[badUTF8.count - 1] = 0xFF
        #expect(EntryEncoding.decode(badUTF8) == nil)
    }

    @Test("negative amounts are two's complement, big-endian")
    func signedFields() {
        var entry = Self.sample
        entry.amountFen = -2
        let bytes = entry.canonicalBytes
        #expect(Array(bytes[140..<148]) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE])
    }

    @Test("the genesis of an account covers its id, ledger, code and flags")
    func genesis() {
        let bytes = EntryEncoding.genesisBytes(accountID: aid(5), ledger: LedgerCode.cny, code: 2, flags: .debitsMustNotExceedCredits)
        #expect(Self.hex(bytes) == "544d4c4101" + "0000000000000005" + "0000009c" + "0002" + "0001")
        let plain = Account(id: aid(5), code: 2)
        let limited = Account(id: aid(5), code: 2, flags: .debitsMustNotExceedCredits)
        #expect(plain.genesisHash != limited.genesisHash)
        #expect(plain.headHash == plain.genesisHash)
        #expect(Account(id: aid(6), code: 2).genesisHash != plain.genesisHash)
    }

    @Test("hashes read and write as bytes and hex")
    func hashForms() throws {
        let hash = Self.sample.computedHash
        #expect(EntryHash(bytes: hash.bytes) == hash)
        #expect(EntryHash(hex: hash.hex) == hash)
        #expect(EntryHash(hex: hash.hex.uppercased()) == hash)
        #expect(EntryHash(hex: "12") == nil)
        #expect(EntryHash(bytes: [1, 2, 3]) == nil)
        #expect(hash.hex.count == 64)
    }

    @Test("transfer ids split into two 64-bit halves")
    func transferIDHalves() {
        let id = TransferID(high: 0xDEAD, low: 0xBEEF)
        #expect(id.high == 0xDEAD && id.low == 0xBEEF)
        #expect(TransferID(high: id.high, low: id.low) == id)
    }
}
