import Foundation

/// A listing's id.
public typealias ListingID = Identifier<Listing>

/// Where a listing is in its life: draft → published → (under offer / in auction) → transacted,
/// or withdrawn.
public enum ListingStatus: String, Sendable, Codable, CaseIterable {
    case draft, published
    case underOffer = "under_offer"
    case inAuction = "in_auction"
    case transacted, withdrawn

    /// Anyone may read a listing in these states; drafts and withdrawn listings only their holder.
    public var isPublic: Bool { self != .draft && self != .withdrawn }
    /// The holding institution may edit a listing only in these states.
    public var isEditable: Bool { self == .draft || self == .published }
}

/// How an achievement may change hands.
public enum TransferMode: String, Sendable, Codable, CaseIterable {
    /// 转让
    case assignment
    /// 独占许可
    case licenceExclusive = "licence_exclusive"
    /// 排他许可
    case licenceSole = "licence_sole"
    /// 普通许可
    case licenceNonExclusive = "licence_non_exclusive"
    /// 作价入股
    case equity
    /// 合作开发
    case coDevelopment = "co_development"
}

/// An intellectual-property asset behind an achievement.
public struct IPAsset: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case patent
        case softwareCopyright = "software_copyright"
        case knowHow = "know_how"
    }

    public var kind: Kind
    /// The patent number (`CN202110123456.7`) or software copyright registration (`2021SR0123456`).
    public var number: String?
    public var title: String

    public init(kind: Kind, number: String?, title: String) {
        self.kind = kind
        self.number = number
        self.title = title
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encodeIfPresent(number, forKey: .number)
        try container.encode(title, forKey: .title)
    }

    /// A Chinese patent application number: CN or ZL, 12 digits, a dot, and a check character
    /// (the digits weighted 2–9,2–5, summed mod 11; 10 is X).
    public static func isPatentNumber(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[14] == UInt8(ascii: "."),
              let prefix = String(bytes: bytes[0..<2], encoding: .ascii), prefix == "CN" || prefix == "ZL"
        else { return false }
        let digits = bytes[2..<14]
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        let weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
        let sum = zip(digits, weights).reduce(0) { $0 + Int($1.0 - 0x30) * $1.1 }
        let check = sum % 11
        let expected = check == 10 ? UInt8(ascii: "X") : UInt8(0x30 + check)
        return bytes[15] == expected
    }

    /// A software copyright registration number: year, SR, seven digits (`2021SR0123456`).
    public static func isSoftwareCopyrightNumber(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let isDigit = { (byte: UInt8) in byte >= 0x30 && byte <= 0x39 }
        return bytes.count == 13 && bytes[0..<4].allSatisfy(isDigit) && bytes[4] == UInt8(ascii: "S")
            && bytes[5] == UInt8(ascii: "R") && bytes[6...].allSatisfy(isDigit)
    }
}

/// What an institution writes about an achievement: everything it may edit.
public struct ListingContent: Sendable, Equatable {
    public var reference: String?
    public var title: String
    public var summary: String
    public var benefit: String?
    public var fieldCode: String
    public var keywords: [String]
    public var trl: Int
    public var ipAssets: [IPAsset]
    public var transferModes: [TransferMode]
    /// The asking price in fen; nil when the price is negotiable (面议).
    public var askingPriceFen: Int64?

    public init(
        reference: String? = nil, title: String, summary: String, benefit: String? = nil, fieldCode: String,
        keywords: [String] = [], trl: Int, ipAssets: [IPAsset] = [], transferModes: [TransferMode], askingPriceFen: Int64?
    ) {
        self.reference = reference
        self.title = title
        self.summary = summary
        self.benefit = benefit
        self.fieldCode = fieldCode
        self.keywords = keywords
        self.trl = trl
        self.ipAssets = ipAssets
        self.transferModes = transferModes
        self.askingPriceFen = askingPriceFen
    }

    public var negotiable: Bool { askingPriceFen == nil }

    /// Lengths in characters (code points), as docs/listings.md states them.
    public static let titleLength = 2...100
    public static let summaryLength = 10...2000
    public static let benefitLengthMax = 500
    public static let keywordLength = 1...20
    public static let ipAssetTitleLength = 1...100
    public static let keywordCountMax = 5
    public static let ipAssetCountMax = 20
    public static let askingPriceFenMax: Int64 = 1_000_000_000_000
    public static let trlRange = 1...9

    /// Every rule of docs/listings.md, each broken one named.
    public func validate() throws(MarketError) {
        var issues = FieldIssues()
        if let reference, !Self.isReference(reference) {
            issues.add("reference", "must be 1 to 40 of the characters A-Z a-z 0-9 - _ . /")
        }
        TextRule.check(title, "title", length: Self.titleLength, into: &issues)
        TextRule.check(summary, "summary", length: Self.summaryLength, multiline: true, into: &issues)
        if let benefit { TextRule.check(benefit, "benefit", length: 0...Self.benefitLengthMax, multiline: true, into: &issues) }
        if fieldCode.isEmpty || fieldCode.utf8.count > 40 { issues.add("field", "must be a field code from /v1/fields") }
        if keywords.count > Self.keywordCountMax {
            issues.add("keywords", "must have at most \(Self.keywordCountMax) keywords, not \(keywords.count)")
        } else {
            for (index, keyword) in keywords.enumerated() {
                TextRule.check(keyword, "keywords[\(index)]", length: Self.keywordLength, into: &issues)
                if keywords[..<index].contains(keyword) { issues.add("keywords[\(index)]", "repeats an earlier keyword") }
            }
        }
        if !Self.trlRange.contains(trl) {
            issues.add("trl", "must be a technology readiness level from 1 to 9 (GB/T 22900-2022), not \(trl)")
        }
        if ipAssets.count > Self.ipAssetCountMax {
            issues.add("ipAssets", "must have at most \(Self.ipAssetCountMax) assets, not \(ipAssets.count)")
        } else {
            for (index, asset) in ipAssets.enumerated() {
                let path = "ipAssets[\(index)]"
                TextRule.check(asset.title, "\(path).title", length: Self.ipAssetTitleLength, into: &issues)
                switch asset.kind {
                case .patent:
                    if let number = asset.number {
                        if !IPAsset.isPatentNumber(number) {
                            issues.add("\(path).number", "must be a Chinese patent number such as CN202110123456.7, with a correct check character")
                        }
                    } else { issues.add("\(path).number", "is required for a patent") }
                case .softwareCopyright:
                    if let number = asset.number {
                        if !IPAsset.isSoftwareCopyrightNumber(number) {
                            issues.add("\(path).number", "must be a software copyright registration such as 2021SR0123456")
                        }
                    } else { issues.add("\(path).number", "is required for a software copyright") }
                case .knowHow:
                    if asset.number != nil { issues.add("\(path).number", "know-how has no registration number; leave it out") }
                }
            }
        }
        if transferModes.isEmpty {
            issues.add("transferModes", "must offer at least one transfer mode")
        } else if Set(transferModes).count != transferModes.count {
            issues.add("transferModes", "must not repeat a mode")
        }
        if let price = askingPriceFen, !(1...Self.askingPriceFenMax).contains(price) {
            issues.add("askingPriceFen", "must be from 1 to \(Self.askingPriceFenMax) fen (¥10bn), not \(price)")
        }
        try issues.throwIfAny()
    }

    /// An institution's own number for an achievement: 1 to 40 of `A-Z a-z 0-9 - _ . /`.
    public static let referenceLengthMax = 40

    /// `referenceLengthMax` by default; contracts take longer ones.
    static func isReference(_ text: String, lengthMax: Int = referenceLengthMax) -> Bool {
        let bytes = text.utf8
        return (1...lengthMax).contains(bytes.count) && bytes.allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x2F
        }
    }
}

/// A technology achievement (科技成果) as stored and served.
public struct Listing: Sendable, Equatable, Encodable {
    public var id: ListingID
    public var institutionID: PartyID
    public var institutionName: String
    public var regionCode: RegionCode
    public var status: ListingStatus
    /// Starts at 1 and grows by one with every change; edits carry the version they read.
    public var version: Int
    public var content: ListingContent
    public var createdAt: Date
    public var updatedAt: Date
    public var publishedAt: Date?

    public init(
        id: ListingID, institutionID: PartyID, institutionName: String, regionCode: RegionCode, status: ListingStatus,
        version: Int, content: ListingContent, createdAt: Date, updatedAt: Date, publishedAt: Date?
    ) {
        self.id = id
        self.institutionID = institutionID
        self.institutionName = institutionName
        self.regionCode = regionCode
        self.status = status
        self.version = version
        self.content = content
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.publishedAt = publishedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, reference, status, version, institutionId, institutionName, regionCode, title, summary, benefit, field
        case keywords, trl, ipAssets, transferModes, askingPriceFen, negotiable, createdAt, updatedAt, publishedAt
    }

    /// One flat JSON object, nulls written, in the shape of docs/listings.md.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(content.reference, forKey: .reference)
        try container.encode(status, forKey: .status)
        try container.encode(version, forKey: .version)
        try container.encode(institutionID, forKey: .institutionId)
        try container.encode(institutionName, forKey: .institutionName)
        try container.encode(regionCode, forKey: .regionCode)
        try container.encode(content.title, forKey: .title)
        try container.encode(content.summary, forKey: .summary)
        try container.encode(content.benefit, forKey: .benefit)
        try container.encode(content.fieldCode, forKey: .field)
        try container.encode(content.keywords, forKey: .keywords)
        try container.encode(content.trl, forKey: .trl)
        try container.encode(content.ipAssets, forKey: .ipAssets)
        try container.encode(content.transferModes, forKey: .transferModes)
        try container.encode(content.askingPriceFen, forKey: .askingPriceFen)
        try container.encode(content.negotiable, forKey: .negotiable)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(publishedAt, forKey: .publishedAt)
    }
}

/// A change to some fields of a listing: nil leaves a field as it is; `.some(nil)` clears an
/// optional field.
public struct ListingChanges: Sendable, Equatable {
    public var reference: String??
    public var title: String?
    public var summary: String?
    public var benefit: String??
    public var fieldCode: String?
    public var keywords: [String]?
    public var trl: Int?
    public var ipAssets: [IPAsset]?
    public var transferModes: [TransferMode]?
    public var askingPriceFen: Int64??
    public var negotiable: Bool?

    public init() {}

    public var isEmpty: Bool { self == ListingChanges() }

    /// The content with these changes, checked. A price makes the listing priced; `negotiable:
    /// true` clears the price; asking for both at once is refused.
    public func applied(to content: ListingContent) throws(MarketError) -> ListingContent {
        var result = content
        if let reference { result.reference = reference }
        if let title { result.title = title }
        if let summary { result.summary = summary }
        if let benefit { result.benefit = benefit }
        if let fieldCode { result.fieldCode = fieldCode }
        if let keywords { result.keywords = keywords }
        if let trl { result.trl = trl }
        if let ipAssets { result.ipAssets = ipAssets }
        if let transferModes { result.transferModes = transferModes }
        let needsPrice = FieldIssue("askingPriceFen", "is required when the price is not negotiable")
        switch askingPriceFen {
        case .some(.some(let price)):
            guard negotiable != true else {
                throw .invalid([FieldIssue("negotiable", "cannot be true with an asking price; send one or the other")])
            }
            result.askingPriceFen = price
        case .some(.none):
            guard negotiable != false else { throw .invalid([needsPrice]) }
            result.askingPriceFen = nil
        case .none:
            if negotiable == true { result.askingPriceFen = nil }
            // The listing's own price decides this one, which the document cannot see (422).
            if negotiable == false && result.askingPriceFen == nil { throw .invalid([.rule(needsPrice.field, needsPrice.message)]) }
        }
        try result.validate()
        return result
    }
}
