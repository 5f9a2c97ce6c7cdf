import Foundation

/// A participant's id in the market.
public typealias PartyID = Identifier<Party>

/// A database id that knows what it identifies, so that a party's id cannot be passed where a
/// listing's is expected. Encodes as a bare JSON number.
public struct Identifier<Subject>: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let value: Int64

    public init(_ value: Int64) { self.value = value }

    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Int64.self) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
    public var description: String { String(value) }
}

/// What a participant is; it decides what its keys may do.
public enum PartyKind: String, Sendable, Codable, CaseIterable {
    /// 成果持有单位: lists achievements.
    case institution
    /// 企业: buys, bids, holds vouchers.
    case firm
    /// 服务机构: delivers services paid with vouchers.
    case provider
    /// 科技局: runs its region's voucher programs.
    case regulator

    /// The kind with its article, for messages: "an institution", "a firm".
    public var withArticle: String { self == .institution ? "an institution" : "a \(rawValue)" }

    /// Legal entities other than government bodies must give a credit code.
    public var requiresCreditCode: Bool { self != .regulator }
}

/// A participant: an institution, a firm, a provider or a regulator.
public struct Party: Sendable, Equatable, Codable {
    public var id: PartyID
    /// A short stable name for the command line (`casdq`).
    public var handle: String
    public var kind: PartyKind
    public var name: String
    public var nameEn: String?
    public var regionCode: RegionCode
    public var creditCode: String?
    /// The controller group of a firm.
    public var groupCode: String?
    public var createdAt: Date

    public init(
        id: PartyID, handle: String, kind: PartyKind, name: String, nameEn: String?, regionCode: RegionCode,
        creditCode: String?, groupCode: String?, createdAt: Date
    ) {
        self.id = id
        self.handle = handle
        self.kind = kind
        self.name = name
        self.nameEn = nameEn
        self.regionCode = regionCode
        self.creditCode = creditCode
        self.groupCode = groupCode
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, handle, kind, name, nameEn, regionCode, creditCode, groupCode, createdAt
    }

    /// Every key is written, null included, so that clients see one shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(handle, forKey: .handle)
        try container.encode(kind, forKey: .kind)
        try container.encode(name, forKey: .name)
        try container.encode(nameEn, forKey: .nameEn)
        try container.encode(regionCode, forKey: .regionCode)
        try container.encode(creditCode, forKey: .creditCode)
        try container.encode(groupCode, forKey: .groupCode)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

/// Firms under one controller.
public struct PartyGroup: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    public var controller: String

    public init(code: String, name: String, controller: String) {
        self.code = code
        self.name = name
        self.controller = controller
    }
}

/// A participant to register: checked before it is stored.
public struct NewParty: Sendable, Equatable, Codable {
    public var handle: String
    public var kind: PartyKind
    public var name: String
    public var nameEn: String?
    public var regionCode: RegionCode
    public var creditCode: String?
    public var groupCode: String?

    public init(
        handle: String, kind: PartyKind, name: String, nameEn: String? = nil, regionCode: RegionCode,
        creditCode: String?, groupCode: String? = nil
    ) {
        self.handle = handle
        self.kind = kind
        self.name = name
        self.nameEn = nameEn
        self.regionCode = regionCode
        self.creditCode = creditCode
        self.groupCode = groupCode
    }

    /// Lengths in characters, as Schema/0003 checks them too.
    public static let nameLength = 1...64
    public static let nameEnLength = 1...128

    /// Checks every field; the credit code's check character is verified. Returns the code in
    /// its canonical (upper-case) form.
    public func validated() throws(MarketError) -> NewParty {
        var issues = FieldIssues()
        var result = self
        if !Self.isHandle(handle) {
            issues.add("handle", "must be 2 to 40 lower-case letters, digits or hyphens")
        }
        TextRule.check(name, "name", length: Self.nameLength, into: &issues)
        if let nameEn { TextRule.check(nameEn, "nameEn", length: Self.nameEnLength, into: &issues) }
        switch creditCode {
        case .some(let text):
            do {
                result.creditCode = try SocialCreditCode(text).value
            } catch {
                issues.add("creditCode", "is not a valid unified social credit code: \(error)")
            }
        case .none where kind.requiresCreditCode:
            issues.add("creditCode", "is required for \(kind.withArticle) (统一社会信用代码)")
        case .none:
            break
        }
        if let groupCode {
            if kind != .firm { issues.add("groupCode", "only firms belong to controller groups") }
            else if !Self.isHandle(groupCode) { issues.add("groupCode", "must be 2 to 40 lower-case letters, digits or hyphens") }
        }
        try issues.throwIfAny()
        return result
    }

    static func isHandle(_ text: String) -> Bool {
        let bytes = text.utf8
        return (2...40).contains(bytes.count)
            && bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }
}

/// Filters of the participants' directory.
public struct PartyQuery: Sendable, Equatable {
    public var kind: PartyKind?
    public var regionCode: RegionCode?
    public var limit: Int
    /// Parties with ids above this one.
    public var after: PartyID?

    public static let limitMax = 100

    public init(kind: PartyKind? = nil, regionCode: RegionCode? = nil, limit: Int = 50, after: PartyID? = nil) {
        self.kind = kind
        self.regionCode = regionCode
        self.limit = limit
        self.after = after
    }
}
