/// What a key may do. Every role but admin acts for one party of the same kind.
public enum Role: String, Sendable, Codable, CaseIterable {
    case institution, firm, provider, regulator, admin

    /// The party kind a key of this role must belong to; nil for admin, who acts for the operator.
    public var partyKind: PartyKind? { PartyKind(rawValue: rawValue) }
}

/// How a caller reached the market.
public enum Channel: Sendable, Equatable {
    /// An API key, over HTTP.
    case apiKey
    /// The operator's command line (and the fixture loader, which acts for each party), with no
    /// key: what the operator may do there is said in `AccessPolicy`, not by a made-up key.
    case commandLine
}

/// The caller of a request, as its key says.
public struct Principal: Sendable, Equatable {
    /// The API key's id; `Principal.noKeyID` on the command line.
    public var keyID: Int64
    public var role: Role
    public var partyID: PartyID?
    /// The region a regulator acts for (its party's region).
    public var regionCode: RegionCode?
    public var channel: Channel

    public init(keyID: Int64, role: Role, partyID: PartyID?, regionCode: RegionCode?, channel: Channel = .apiKey) {
        self.keyID = keyID
        self.role = role
        self.partyID = partyID
        self.regionCode = regionCode
        self.channel = channel
    }

    /// The key id of a caller that has none (the command line).
    public static let noKeyID: Int64 = 0

    /// The market's operator at the command line.
    public static let commandLineOperator = Principal(keyID: noKeyID, role: .admin, partyID: nil, regionCode: nil, channel: .commandLine)

    /// A party as the command line acts for it (the fixture loader).
    public static func commandLine(actingFor party: Party) -> Principal {
        Principal(
            keyID: noKeyID, role: Self.role(of: party.kind), partyID: party.id, regionCode: party.regionCode,
            channel: .commandLine)
    }

    /// The role of a party of `kind`; every kind has one (a new kind without one is a bug).
    static func role(of kind: PartyKind) -> Role {
        guard let role = Role(rawValue: kind.rawValue) else { preconditionFailure("party kind \(kind) has no role") }
        return role
    }

    /// The regulator of `region` as the command line acts for it.
    public static func commandLine(regulatorOf region: RegionCode) -> Principal {
        Principal(keyID: noKeyID, role: .regulator, partyID: nil, regionCode: region, channel: .commandLine)
    }

    public var isAdmin: Bool { role == .admin }

    /// True when this caller acts for `party`.
    public func actsFor(_ party: PartyID) -> Bool { partyID == party }
}

/// An API key as people see it: the secret is never stored, only its hash.
public struct APIKeyInfo: Sendable, Equatable {
    public var id: Int64
    /// The first characters of the key, to tell keys apart.
    public var hint: String
    public var role: Role
    public var partyID: PartyID?
    public var partyHandle: String?
    public var label: String
    public var isRevoked: Bool

    public init(id: Int64, hint: String, role: Role, partyID: PartyID?, partyHandle: String?, label: String, isRevoked: Bool) {
        self.id = id
        self.hint = hint
        self.role = role
        self.partyID = partyID
        self.partyHandle = partyHandle
        self.label = label
        self.isRevoked = isRevoked
    }
}

/// The text of API keys: `tmk_` and 32 base32 characters (160 random bits).
public enum APIKeyText {
    public static let prefix = "tmk_"
    /// The demo keys' prefix: they are published in Fixtures/keys.json, so a server outside the
    /// demo refuses to start while one is active.
    public static let demoPrefix = "tmk_demo_"
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// A new random key.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var text = prefix
        for _ in 0..<32 { text.unicodeScalars.append(Unicode.Scalar(alphabet[Int(generator.next(upperBound: UInt32(32)))])) }
        return text
    }

    /// Keys are ASCII, `tmk_` then 16 to 80 letters, digits or underscores; anything else is not
    /// worth a database lookup.
    public static func isWellFormed(_ text: some StringProtocol) -> Bool {
        let bytes = text.utf8
        guard bytes.count >= prefix.utf8.count + 16, bytes.count <= prefix.utf8.count + 80, text.hasPrefix(prefix) else { return false }
        return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    /// What `keys list` shows of a key.
    public static func hint(_ key: String) -> String { String(key.prefix(prefix.count + 6)) + "…" }
}
