/// What an entry did to the balances of its two accounts.
public enum EntryKind: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// A transfer posted at once: `amountFen` added to debits posted and credits posted.
    case posted = 1
    /// 冻结: `amountFen` added to debits pending and credits pending.
    case pending = 2
    /// 入账: the pending amount `releasedFen` leaves pending and `amountFen` (≤ it) is posted.
    case postPending = 3
    /// 撤销: the pending amount leaves pending; `amountFen` equals `releasedFen`.
    case voidPending = 4
    /// 超时: as a void, at the pending transfer's timeout; `transferID` is the pending transfer's own id.
    case expirePending = 5

    /// The kind in words, for statements.
    public var description: String {
        switch self {
        case .posted: "posted"
        case .pending: "pending"
        case .postPending: "post"
        case .voidPending: "void"
        case .expirePending: "expire"
        }
    }
}

/// One append-only ledger entry (分录): one change to the balances of one debit and one credit account.
///
/// Double entry is kept in one row: the same amounts change the debit side of `debitAccountID`
/// and the credit side of `creditAccountID`, so every entry balances by construction. The entry
/// is a link in two hash chains, one per account: it names each account's sequence number and
/// previous hash, and its own `hash` (SHA-256 of the canonical encoding, which covers both) becomes
/// the new head of both chains. See docs/ledger.md.
public struct Entry: Hashable, Sendable {
    /// What it did.
    public var kind: EntryKind
    /// The transfer that made it (for an expiry: the pending transfer).
    public var transferID: TransferID
    /// For a post, void or expiry: the pending transfer it resolved; zero otherwise.
    public var pendingID: TransferID
    /// The account debited.
    public var debitAccountID: AccountID
    /// This entry's place in the debit account's chain (1 for its first entry).
    public var debitSequence: UInt64
    /// The hash of the debit account's previous entry, or its genesis hash.
    public var debitPreviousHash: EntryHash
    /// The account credited.
    public var creditAccountID: AccountID
    /// This entry's place in the credit account's chain (1 for its first entry).
    public var creditSequence: UInt64
    /// The hash of the credit account's previous entry, or its genesis hash.
    public var creditPreviousHash: EntryHash
    /// The currency ledger.
    public var ledger: UInt32
    /// What the transfer is.
    public var code: UInt16
    /// The amount held (pending), posted (posted, post) or released (void, expiry), in fen.
    public var amountFen: Int64
    /// For a post, void or expiry: the pending amount released from pending; 0 otherwise.
    public var releasedFen: Int64
    /// When it was applied, in ms since the Unix epoch.
    public var timestampMs: Int64
    /// For a pending entry with a timeout: when it expires (0 = never); 0 otherwise.
    public var expiresAtMs: Int64
    /// The business object it belongs to.
    public var reference: String
    /// SHA-256 of the canonical encoding; stored with the entry, not part of the encoding.
    public var hash: EntryHash

    /// Builds an entry from its fields (a stored row, for example); `hash` is taken as given.
    public init(
        kind: EntryKind, transferID: TransferID, pendingID: TransferID,
        debitAccountID: AccountID, debitSequence: UInt64, debitPreviousHash: EntryHash,
        creditAccountID: AccountID, creditSequence: UInt64, creditPreviousHash: EntryHash,
        ledger: UInt32, code: UInt16, amountFen: Int64, releasedFen: Int64,
        timestampMs: Int64, expiresAtMs: Int64, reference: String, hash: EntryHash
    ) {
        self.kind = kind
        self.transferID = transferID
        self.pendingID = pendingID
        self.debitAccountID = debitAccountID
        self.debitSequence = debitSequence
        self.debitPreviousHash = debitPreviousHash
        self.creditAccountID = creditAccountID
        self.creditSequence = creditSequence
        self.creditPreviousHash = creditPreviousHash
        self.ledger = ledger
        self.code = code
        self.amountFen = amountFen
        self.releasedFen = releasedFen
        self.timestampMs = timestampMs
        self.expiresAtMs = expiresAtMs
        self.reference = reference
        self.hash = hash
    }

    /// The change to pending (debits of the debit account, credits of the credit account).
    public var pendingDeltaFen: Int64 {
        switch kind {
        case .posted: 0
        case .pending: amountFen
        case .postPending, .voidPending, .expirePending: -releasedFen
        }
    }

    /// The change to posted (debits of the debit account, credits of the credit account).
    public var postedDeltaFen: Int64 {
        switch kind {
        case .posted, .postPending: amountFen
        case .pending, .voidPending, .expirePending: 0
        }
    }

    /// The canonical encoding (version 1), the bytes the hash covers.
    public var canonicalBytes: [UInt8] {
        precondition(reference.utf8.count <= LedgerLimits.referenceLengthMax, "entry reference longer than the limit")
        return [UInt8](unsafeUninitializedCapacity: EntryEncoding.encodedLengthMax) { buffer, count in
            count = EntryEncoding.encode(self, into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// SHA-256 of the canonical encoding, computed now (compare with `hash` to detect an edit).
    public var computedHash: EntryHash {
        precondition(reference.utf8.count <= LedgerLimits.referenceLengthMax, "entry reference longer than the limit")
        return withUnsafeTemporaryAllocation(byteCount: EntryEncoding.encodedLengthMax, alignment: 8) { buffer in
            let count = EntryEncoding.encode(self, into: buffer)
            return EntryHash.sha256(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}
