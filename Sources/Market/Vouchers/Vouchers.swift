import Foundation
import Ledger

public typealias ProgramID = Identifier<VoucherProgram>
public typealias VoucherID = Identifier<Voucher>
public typealias RedemptionID = Identifier<Redemption>
public typealias SettlementID = Identifier<SettlementBatch>

/// Which provider regions a program honours.
public enum Honours: Sendable, Equatable, Codable {
    /// The issuing region and the regions below it.
    case own
    /// The member regions of an alliance (G60, YRD) and the regions below them.
    case alliance(String)
    /// These regions and the regions below them.
    case list([RegionCode])

    enum CodingKeys: String, CodingKey { case kind, alliance, regions }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "own": self = .own
        case "alliance": self = .alliance(try container.decode(String.self, forKey: .alliance))
        case "list": self = .list(try container.decode([RegionCode].self, forKey: .regions))
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "must be own, alliance or list")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .own: try container.encode("own", forKey: .kind)
        case .alliance(let code):
            try container.encode("alliance", forKey: .kind)
            try container.encode(code, forKey: .alliance)
        case .list(let regions):
            try container.encode("list", forKey: .kind)
            try container.encode(regions, forKey: .regions)
        }
    }

    /// Whether a provider in a region with these ancestors (itself first, then up to its
    /// province) is honoured; `allianceMembers` are the members of the named alliance.
    public func covers(ancestry: [RegionCode], issuer: RegionCode, allianceMembers: Set<RegionCode>) -> Bool {
        switch self {
        case .own: return ancestry.contains(issuer)
        case .alliance: return ancestry.contains(where: allianceMembers.contains)
        case .list(let regions): return ancestry.contains(where: regions.contains)
        }
    }
}

/// A calendar day (China time), as `2027-12-31`.
public struct Day: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let text: String

    public init?(_ text: String) {
        let digits = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in digits[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard digits.count == 10, digits[4] == UInt8(ascii: "-"), digits[7] == UInt8(ascii: "-"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              (2000...2200).contains(year), (1...12).contains(month), (1...Self.daysIn(month, of: year)).contains(day)
        else { return nil }
        self.text = text
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let day = Day(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be a date such as 2027-12-31")
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    /// Days in `month` of `year` in the Gregorian calendar.
    public static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Seconds China time is ahead of UTC: eight hours all year (no daylight saving since 1991).
    static let chinaOffsetSeconds: Int64 = 8 * 3_600

    /// Today in China time. Plain arithmetic (`civil(fromDaysSince1970:)`): this runs on every
    /// voucher request, where a DateFormatter or Calendar costs more than the rest of the rules
    /// together.
    public static func today(_ now: Date = Date()) -> Day {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down)) + chinaOffsetSeconds
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (year, month, day) = civil(fromDaysSince1970: days)
        return Day(year: Int(year), month: Int(month), day: Int(day))!
    }

    /// The day of `year`, `month` and `day`; nil when there is no such day (or it is outside 2000–2200).
    public init?(year: Int, month: Int, day: Int) {
        func padded(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        guard year >= 0, month >= 0, day >= 0 else { return nil }
        self.init(padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2))
    }

    /// Days from 1970-01-01 (day 0), the inverse of `civil(fromDaysSince1970:)`.
    public var daysSince1970: Int64 {
        let digits = Array(text.utf8).map { Int64($0) - 0x30 }
        let year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
        return Self.daysSince1970(year: year, month: digits[5] * 10 + digits[6], day: digits[8] * 10 + digits[9])
    }

    /// Days from 1970-01-01 (day 0) of a date of the proleptic Gregorian calendar, in any year,
    /// after Howard Hinnant's `days_from_civil`.
    public static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The Gregorian year, month and day of a day counted from 1970-01-01 (day 0), after Howard
    /// Hinnant's `civil_from_days`.
    public static func civil(fromDaysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468  // days from 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153  // March is 0
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The same day `years` later (29 February becomes the 28th in a common year).
    public func addingYears(_ years: Int) -> Day {
        let year = Int(text.prefix(4))! + years
        let monthDay = String(text.dropFirst(4))
        return Day(String(year) + monthDay) ?? Day(String(year) + "-02-28")!
    }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.text < rhs.text }
    public var description: String { text }
}

/// The terms of a voucher program, as a regulator sets them (decoded from the fixtures' rows).
public struct ProgramTerms: Sendable, Equatable, Decodable {
    /// Shares are basis points of a contract's amount: 10,000 is all of it.
    public static let basisPointsWhole = 10_000
    public var year: Int
    public var name: String
    public var budgetFen: Int64
    /// The share of a contract a voucher may cover, in basis points (5000 = 50%).
    public var shareBasisPoints: Int
    public var firmCapFen: Int64
    public var groupCapFen: Int64
    public var useBy: Day
    public var claimBy: Day
    public var honours: Honours

    public static let shareDefault = 5_000
    public static let firmCapDefault: Int64 = 300_000_00
    public static let groupCapDefault: Int64 = 500_000_00
    public static let amountFenMax: Int64 = 1_000_000_000_000
    public static let nameLength = 2...100

    public init(
        year: Int, name: String, budgetFen: Int64, shareBasisPoints: Int = ProgramTerms.shareDefault,
        firmCapFen: Int64 = ProgramTerms.firmCapDefault, groupCapFen: Int64 = ProgramTerms.groupCapDefault, useBy: Day,
        claimBy: Day, honours: Honours
    ) {
        self.year = year
        self.name = name
        self.budgetFen = budgetFen
        self.shareBasisPoints = shareBasisPoints
        self.firmCapFen = firmCapFen
        self.groupCapFen = groupCapFen
        self.useBy = useBy
        self.claimBy = claimBy
        self.honours = honours
    }

    public func validate() throws(MarketError) {
        var issues = FieldIssues()
        if !(2000...2200).contains(year) { issues.add("year", "must be a year such as 2026") }
        TextRule.check(name, "name", length: Self.nameLength, into: &issues)
        for (field, value) in [("budgetFen", budgetFen), ("firmCapFen", firmCapFen), ("groupCapFen", groupCapFen)]
        where !(1...Self.amountFenMax).contains(value) {
            issues.add(field, "must be from 1 to \(Self.amountFenMax) fen, not \(value)")
        }
        if !(1...Self.basisPointsWhole).contains(shareBasisPoints) {
            issues.add("shareBasisPoints", "must be from 1 to \(Self.basisPointsWhole) (basis points of the contract amount), not \(shareBasisPoints)")
        }
        if claimBy < useBy { issues.addRule("claimBy", "must not be before useBy (\(useBy))") }
        switch honours {
        case .alliance(let code) where code.isEmpty || code.utf8.count > 32:
            issues.add("honours.alliance", "must be an alliance code from /v1/alliances")
        case .list(let regions) where regions.isEmpty || regions.count > 100:
            issues.add("honours.regions", "must list 1 to 100 region codes")
        default:
            break
        }
        try issues.throwIfAny()
    }
}

/// A voucher program with what it has spent.
public struct VoucherProgram: Sendable, Equatable {
    public var id: ProgramID
    public var issuerRegion: RegionCode
    public var terms: ProgramTerms
    /// Face values issued so far.
    public var issuedFen: Int64
    /// Budget not yet issued.
    public var remainingFen: Int64
    public var createdAt: Date
    /// The ledger account of the budget (set by the store).
    public var budgetAccountID: Int64 = 0

    public init(id: ProgramID, issuerRegion: RegionCode, terms: ProgramTerms, issuedFen: Int64, remainingFen: Int64, createdAt: Date) {
        self.id = id
        self.issuerRegion = issuerRegion
        self.terms = terms
        self.issuedFen = issuedFen
        self.remainingFen = remainingFen
        self.createdAt = createdAt
    }
}

/// A voucher held by a firm; it encodes as the API shows it (not its id or account).
public struct Voucher: Sendable, Equatable, Encodable {
    enum CodingKeys: String, CodingKey {
        case number, issuerRegion, faceValueFen, remainingFen, heldFen, useBy, claimBy, issuedAt
        case programID = "programId", firmID = "firmId"
    }

    public var id: VoucherID
    public var number: String
    public var programID: ProgramID
    public var issuerRegion: RegionCode
    public var firmID: PartyID
    public var faceValueFen: Int64
    /// Face value less what is held or spent.
    public var remainingFen: Int64
    /// Held by redemptions not yet approved or released.
    public var heldFen: Int64
    public var useBy: Day
    public var claimBy: Day
    public var issuedAt: Date
    /// The ledger account holding the voucher's value (set by the store).
    public var accountID: Int64 = 0

    public init(
        id: VoucherID, number: String, programID: ProgramID, issuerRegion: RegionCode, firmID: PartyID, faceValueFen: Int64,
        remainingFen: Int64, heldFen: Int64, useBy: Day, claimBy: Day, issuedAt: Date
    ) {
        self.id = id
        self.number = number
        self.programID = programID
        self.issuerRegion = issuerRegion
        self.firmID = firmID
        self.faceValueFen = faceValueFen
        self.remainingFen = remainingFen
        self.heldFen = heldFen
        self.useBy = useBy
        self.claimBy = claimBy
        self.issuedAt = issuedAt
    }
}

/// A redemption of part of a voucher against one service contract.
public struct Redemption: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case held, claimed, approved, rejected, lapsed, paid
    }

    public var id: RedemptionID
    public var voucherNumber: String
    public var voucherID: VoucherID
    public var firmID: PartyID
    public var providerID: PartyID
    public var providerRegion: RegionCode
    public var issuerRegion: RegionCode
    public var request: RedemptionRequest
    public var status: Status
    public var evidence: [String]
    public var reason: String?
    public var settlementID: SettlementID?
    /// The program's claim-by date, past which the provider can no longer claim.
    public var claimBy: Day?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: RedemptionID, voucherNumber: String, voucherID: VoucherID, firmID: PartyID, providerID: PartyID,
        providerRegion: RegionCode, issuerRegion: RegionCode, request: RedemptionRequest, status: Status, evidence: [String],
        reason: String?, settlementID: SettlementID?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.voucherNumber = voucherNumber
        self.voucherID = voucherID
        self.firmID = firmID
        self.providerID = providerID
        self.providerRegion = providerRegion
        self.issuerRegion = issuerRegion
        self.request = request
        self.status = status
        self.evidence = evidence
        self.reason = reason
        self.settlementID = settlementID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a firm asks to redeem.
public struct RedemptionRequest: Sendable, Equatable {
    public var providerID: PartyID
    public var contractReference: String
    public var contractAmountFen: Int64
    public var voucherAmountFen: Int64
    public var ownPaymentFen: Int64

    public init(providerID: PartyID, contractReference: String, contractAmountFen: Int64, voucherAmountFen: Int64, ownPaymentFen: Int64) {
        self.providerID = providerID
        self.contractReference = contractReference
        self.contractAmountFen = contractAmountFen
        self.voucherAmountFen = voucherAmountFen
        self.ownPaymentFen = ownPaymentFen
    }

    /// A service contract's reference, as the provider numbers it (`SJT-2026-0042`).
    public static let contractReferenceLengthMax = 60

    /// The checks that need nothing but the request.
    public func validate() throws(MarketError) {
        var issues = FieldIssues()
        if !ListingContent.isReference(contractReference, lengthMax: Self.contractReferenceLengthMax) {
            issues.add("contractReference", "must be 1 to \(Self.contractReferenceLengthMax) of the characters A-Z a-z 0-9 - _ . /")
        }
        for (field, value, low) in [
            ("contractAmountFen", contractAmountFen, Int64(1)), ("voucherAmountFen", voucherAmountFen, 1), ("ownPaymentFen", ownPaymentFen, 0),
        ] where !(low...ProgramTerms.amountFenMax).contains(value) {
            issues.add(field, "must be from \(low) to \(ProgramTerms.amountFenMax) fen, not \(value)")
        }
        if issues.isEmpty && voucherAmountFen > contractAmountFen {
            issues.addRule("voucherAmountFen", "must not exceed the contract amount \(contractAmountFen)")
        }
        try issues.throwIfAny()
    }
}

/// One settlement run of an issuing region.
public struct SettlementBatch: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var redemptionID: RedemptionID
        public var voucherNumber: String
        public var contractReference: String
        public var providerID: PartyID
        public var providerName: String
        public var providerRegion: RegionCode
        public var amountFen: Int64

        public init(
            redemptionID: RedemptionID, voucherNumber: String, contractReference: String, providerID: PartyID, providerName: String,
            providerRegion: RegionCode, amountFen: Int64
        ) {
            self.redemptionID = redemptionID
            self.voucherNumber = voucherNumber
            self.contractReference = contractReference
            self.providerID = providerID
            self.providerName = providerName
            self.providerRegion = providerRegion
            self.amountFen = amountFen
        }
    }

    public var id: SettlementID
    public var issuerRegion: RegionCode
    public var createdAt: Date
    /// Ordered by provider region, provider, redemption.
    public var lines: [Line]

    public init(id: SettlementID, issuerRegion: RegionCode, createdAt: Date, lines: [Line]) {
        self.id = id
        self.issuerRegion = issuerRegion
        self.createdAt = createdAt
        self.lines = lines
    }

    public var totalFen: Int64 { lines.reduce(0) { $0 + $1.amountFen } }

    /// The batch as CSV: one line per redemption, then a total per provider region and overall.
    public var csv: String {
        var text = "provider_region,provider_id,provider,redemption_id,voucher,contract,amount_yuan\n"
        func field(_ value: String) -> String {
            value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        }
        for line in lines {
            text += [
                line.providerRegion.value, line.providerID.description, field(line.providerName), line.redemptionID.description,
                field(line.voucherNumber), field(line.contractReference), MoneyFormat.yuan(line.amountFen, grouping: false),
            ].joined(separator: ",") + "\n"
        }
        for (region, amount) in totalsByRegion {
            text += "\(region.value),,total,,,,\(MoneyFormat.yuan(amount, grouping: false))\n"
        }
        text += ",,total,,,,\(MoneyFormat.yuan(totalFen, grouping: false))\n"
        return text
    }

    public var totalsByRegion: [(RegionCode, Int64)] {
        var totals: [RegionCode: Int64] = [:]
        for line in lines { totals[line.providerRegion, default: 0] += line.amountFen }
        return totals.sorted { $0.key < $1.key }
    }
}

