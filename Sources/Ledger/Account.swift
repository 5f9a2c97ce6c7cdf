/// Optional rules on an account's balances; at most one of the two limits may be set.
public struct AccountFlags: OptionSet, Hashable, Sendable {
    /// The flags as stored (a `smallint` column).
    public let rawValue: UInt16

    /// Wraps stored flags.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// 借方不得超过贷方: debits (pending + posted) never exceed posted credits, so the account never overdraws.
    public static let debitsMustNotExceedCredits = AccountFlags(rawValue: 1 << 0)
    /// 贷方不得超过借方: credits (pending + posted) never exceed posted debits.
    public static let creditsMustNotExceedDebits = AccountFlags(rawValue: 1 << 1)

    /// Every flag this version knows; any other bit is refused.
    public static let known: AccountFlags = [.debitsMustNotExceedCredits, .creditsMustNotExceedDebits]
}

/// An account's four running totals, in fen (分); each only ever grows except pending, which a post, void or expiry releases.
public struct Balances: Hashable, Sendable, CustomStringConvertible {
    /// Debits held by pending transfers not yet posted, voided or expired.
    public var debitsPendingFen: Int64
    /// Debits posted for good.
    public var debitsPostedFen: Int64
    /// Credits held by pending transfers not yet posted, voided or expired.
    public var creditsPendingFen: Int64
    /// Credits posted for good.
    public var creditsPostedFen: Int64

    /// Builds balances from stored columns.
    public init(debitsPendingFen: Int64 = 0, debitsPostedFen: Int64 = 0, creditsPendingFen: Int64 = 0, creditsPostedFen: Int64 = 0) {
        self.debitsPendingFen = debitsPendingFen
        self.debitsPostedFen = debitsPostedFen
        self.creditsPendingFen = creditsPendingFen
        self.creditsPostedFen = creditsPostedFen
    }

    /// All four totals at zero.
    public static let zero = Balances()

    /// Whether these balances respect `flags`, counting pending amounts as TigerBeetle does.
    public func satisfies(_ flags: AccountFlags) -> Bool {
        if flags.contains(.debitsMustNotExceedCredits)
            && Int128(debitsPendingFen) + Int128(debitsPostedFen) > Int128(creditsPostedFen) { return false }
        if flags.contains(.creditsMustNotExceedDebits)
            && Int128(creditsPendingFen) + Int128(creditsPostedFen) > Int128(debitsPostedFen) { return false }
        return true
    }

    /// The four totals in yuan, for messages.
    public var description: String {
        "debits pending \(MoneyFormat.yuan(debitsPendingFen)) posted \(MoneyFormat.yuan(debitsPostedFen)), "
            + "credits pending \(MoneyFormat.yuan(creditsPendingFen)) posted \(MoneyFormat.yuan(creditsPostedFen))"
    }
}

/// An account (账户): what it is, its limit, its balances, and the head of its own hash chain.
///
/// The storage adapter keeps one row per account with exactly these fields and locks it
/// (`SELECT … FOR UPDATE`) before calling `LedgerRules.validate`; the rules return the new row.
public struct Account: Hashable, Sendable {
    /// The account's id.
    public let id: AccountID
    /// The currency ledger it counts in (`LedgerCode.cny`).
    public let ledger: UInt32
    /// What kind of account it is (program budget, voucher, escrow …), chosen by the market.
    public let code: UInt16
    /// Its balance limit, if any; fixed at opening and bound into its chain's genesis hash.
    public let flags: AccountFlags
    /// Its running totals.
    public var balances: Balances
    /// How many entries its chain holds; the last entry has this sequence number (the first is 1).
    public var sequence: UInt64
    /// The hash of its last entry, or its genesis hash while it has none.
    public var headHash: EntryHash

    /// Opens a new account: zero balances, an empty chain starting at its genesis hash.
    public init(id: AccountID, ledger: UInt32 = LedgerCode.cny, code: UInt16, flags: AccountFlags = []) {
        self.id = id
        self.ledger = ledger
        self.code = code
        self.flags = flags
        self.balances = .zero
        self.sequence = 0
        self.headHash = EntryEncoding.genesisHash(accountID: id, ledger: ledger, code: code, flags: flags)
    }

    /// Rebuilds an account from its stored row.
    public init(id: AccountID, ledger: UInt32, code: UInt16, flags: AccountFlags, balances: Balances, sequence: UInt64, headHash: EntryHash) {
        self.id = id
        self.ledger = ledger
        self.code = code
        self.flags = flags
        self.balances = balances
        self.sequence = sequence
        self.headHash = headHash
    }

    /// The hash an empty chain of this account starts from; it covers id, ledger, code and flags.
    public var genesisHash: EntryHash {
        EntryEncoding.genesisHash(accountID: id, ledger: ledger, code: code, flags: flags)
    }

    /// The account's chain head, as it enters the ledger digest.
    public var head: AccountHead { AccountHead(accountID: id, sequence: sequence, hash: headHash) }
}

/// Why an account could not be opened.
public enum AccountError: String, Error, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Zero is reserved for "no account".
    case idMustNotBeZero = "id_must_not_be_zero"
    /// Every account counts in some currency ledger.
    case ledgerMustNotBeZero = "ledger_must_not_be_zero"
    /// Every account says what kind it is.
    case codeMustNotBeZero = "code_must_not_be_zero"
    /// A flag bit this version does not know.
    case flagsUnknown = "flags_unknown"
    /// Both limits at once would freeze the account.
    case flagsAreMutuallyExclusive = "flags_are_mutually_exclusive"
    /// A new account starts with zero balances and an empty chain.
    case mustStartEmpty = "must_start_empty"
    /// The id is taken by an account with another ledger.
    case existsWithDifferentLedger = "exists_with_different_ledger"
    /// The id is taken by an account with another code.
    case existsWithDifferentCode = "exists_with_different_code"
    /// The id is taken by an account with other flags.
    case existsWithDifferentFlags = "exists_with_different_flags"

    /// The snake_case name, stable for logs and the CLI.
    public var description: String { rawValue }
}

/// The answer to opening an account.
public enum AccountResult: Hashable, Sendable, CustomStringConvertible {
    /// Opened.
    case ok
    /// Already open with the same ledger, code and flags: nothing changed.
    case exists
    /// Refused, with the reason.
    case refused(AccountError)

    /// `ok`, `exists` or the refusal's name.
    public var description: String {
        switch self {
        case .ok: "ok"
        case .exists: "exists"
        case .refused(let error): error.rawValue
        }
    }
}
