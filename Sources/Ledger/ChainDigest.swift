import Crypto

/// One account's chain head: how many entries its chain holds and the hash of the last.
public struct AccountHead: Hashable, Sendable {
    /// The account.
    public var accountID: AccountID
    /// Its number of entries (the last entry's sequence number).
    public var sequence: UInt64
    /// The hash of its last entry, or its genesis hash.
    public var hash: EntryHash

    /// Builds a head (from a stored account row, for example).
    public init(accountID: AccountID, sequence: UInt64, hash: EntryHash) {
        self.accountID = accountID
        self.sequence = sequence
        self.hash = hash
    }
}

/// The ledger's head (账本摘要): one SHA-256 over every account's chain head, in account id order.
///
/// It is what an admin prints and keeps outside the database. Computing it reads each account's
/// head once, in any transaction, and no transfer ever writes it, so it costs the transfers nothing.
public struct ChainDigest: Hashable, Sendable, CustomStringConvertible {
    /// The digest.
    public var hash: EntryHash
    /// How many account heads it covers.
    public var accountCount: Int
    /// How many entries those heads cover (each entry extends two chains, so half the sum of the sequences).
    public var entryCount: UInt64

    /// The digest of `heads`, whatever their order; account ids must be distinct.
    public static func of(_ heads: some Sequence<AccountHead>) -> ChainDigest {
        var builder = Builder()
        for head in heads.sorted(by: { $0.accountID < $1.accountID }) { builder.add(head) }
        return builder.finish()
    }

    /// Builds the digest from heads streamed in strictly ascending account id order (`ORDER BY id`).
    public struct Builder {
        private var hasher = SHA256()
        private var count = 0
        private var sequenceSum: UInt128 = 0
        private var last: AccountID?

        /// Starts a digest.
        public init() {
            var prefix: [UInt8] = []
            prefix.reserveCapacity(5)
            for shift in stride(from: 24, through: 0, by: -8) { prefix.append(UInt8(truncatingIfNeeded: EntryEncoding.headsMagic >> UInt32(shift))) }
            prefix.append(EntryEncoding.version)
            prefix.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }

        /// Adds the next head; its account id must be above the previous one's.
        public mutating func add(_ head: AccountHead) {
            if let last { precondition(last < head.accountID, "account heads must be added in strictly ascending id order") }
            last = head.accountID
            withUnsafeTemporaryAllocation(byteCount: 48, alignment: 8) { buffer in
                var writer = Writer(buffer: buffer)
                writer.put(head.accountID.rawValue)
                writer.put(head.sequence)
                writer.put(head.hash)
                hasher.update(bufferPointer: UnsafeRawBufferPointer(buffer))
            }
            count += 1
            sequenceSum += UInt128(head.sequence)
        }

        /// The digest: the heads, then the number of heads as a trailer.
        public func finish() -> ChainDigest {
            var hasher = hasher
            withUnsafeTemporaryAllocation(byteCount: 8, alignment: 8) { buffer in
                var writer = Writer(buffer: buffer)
                writer.put(UInt64(count))
                hasher.update(bufferPointer: UnsafeRawBufferPointer(buffer))
            }
            return ChainDigest(hash: EntryHash(hasher.finalize()), accountCount: count, entryCount: UInt64(truncatingIfNeeded: sequenceSum / 2))
        }
    }

    /// `ledger head <64 hex digits> (N accounts, M entries)`.
    public var description: String { "ledger head \(hash.hex) (\(accountCount) accounts, \(entryCount) entries)" }
}
