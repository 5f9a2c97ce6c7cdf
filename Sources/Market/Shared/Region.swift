/// A six-digit administrative division code (GB/T 2260), such as 330521 for 德清县.
public struct RegionCode: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let value: String

    /// Accepts exactly six ASCII digits, the first not zero.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 6, bytes.allSatisfy({ $0 >= 48 && $0 <= 57 }), bytes[0] != 48 else { return nil }
        value = text
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let code = RegionCode(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a GB/T 2260 region code: \(text)"))
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    public static func < (lhs: RegionCode, rhs: RegionCode) -> Bool { lhs.value < rhs.value }
    public var description: String { value }
}

/// A region of the administrative hierarchy: county → city → province.
public struct Region: Hashable, Sendable, Codable {
    public enum Level: String, Sendable, Codable, CaseIterable {
        /// 省 or 直辖市.
        case province
        /// 地级市.
        case city
        /// 县, 区 or 县级市.
        case county
    }

    public var code: RegionCode
    public var name: String
    public var nameEn: String
    public var level: Level
    public var parentCode: RegionCode?

    public init(code: RegionCode, name: String, nameEn: String, level: Level, parentCode: RegionCode?) {
        self.code = code
        self.name = name
        self.nameEn = nameEn
        self.level = level
        self.parentCode = parentCode
    }
}

/// A named set of regions (the G60 corridor, the Yangtze River Delta) whose voucher programs
/// honour each other's providers. A region belongs when it or an ancestor is a member.
public struct Alliance: Hashable, Sendable, Codable {
    public var code: String
    public var name: String
    public var nameEn: String
    public var members: [RegionCode]

    public init(code: String, name: String, nameEn: String, members: [RegionCode]) {
        self.code = code
        self.name = name
        self.nameEn = nameEn
        self.members = members
    }
}

/// A technical field of the market's taxonomy (the plan's six directions and a few more).
public struct TechnicalField: Hashable, Sendable, Codable {
    public var code: String
    public var name: String
    public var nameEn: String
    /// One of the six directions named by the county's 14th five-year plan.
    public var planDirection: Bool

    public init(code: String, name: String, nameEn: String, planDirection: Bool) {
        self.code = code
        self.name = name
        self.nameEn = nameEn
        self.planDirection = planDirection
    }
}
