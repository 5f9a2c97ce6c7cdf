import Foundation

/// Where a contract's counterpart is, seen from the region whose volume is counted: the bands
/// the county reports by (docs/volume.md). For 德清县 they are: inside the county, the rest of
/// Huzhou, the rest of Zhejiang, the rest of the Yangtze River Delta, elsewhere.
public enum VolumeBand: String, Sendable, Codable, CaseIterable {
    /// Both parties are in the region (or below it).
    case inside
    /// The counterpart is in the region's city, outside the region.
    case restOfCity = "rest_of_city"
    /// … in the region's province, outside its city.
    case restOfProvince = "rest_of_province"
    /// … in another province of the Yangtze River Delta.
    case restOfDelta = "rest_of_delta"
    case elsewhere
}

/// What a running total groups by besides the day: the whole, or one breakdown's value.
public enum VolumeDimension: String, Sendable, Codable, CaseIterable {
    case total, field, type, band
}

/// One act of a contract as the volume counts it: a registration (first, or of a change) or a
/// termination, with what it moved (`ContractVersion.countedDeltaFen`) on the day it was
/// registered, and the contract's columns a report groups by.
public struct VolumeAct: Sendable, Hashable {
    public var day: Day
    public var deltaFen: Int64
    /// +1 for a first registration, −1 for a termination, 0 for a change registered again.
    public var contractDelta: Int64
    public var sellerRegion: RegionCode
    public var buyerRegion: RegionCode
    public var fieldCode: String
    public var type: ContractType

    public init(
        day: Day, deltaFen: Int64, contractDelta: Int64, sellerRegion: RegionCode, buyerRegion: RegionCode, fieldCode: String,
        type: ContractType
    ) {
        self.day = day
        self.deltaFen = deltaFen
        self.contractDelta = contractDelta
        self.sellerRegion = sellerRegion
        self.buyerRegion = buyerRegion
        self.fieldCode = fieldCode
        self.type = type
    }
}

/// Amounts of one region, split by side: 技术输出 (the region sells), 技术吸纳 (it buys), and
/// the total, in which a contract with both sides in the region counts once.
public struct VolumeSides: Sendable, Hashable, Codable {
    public var totalFen: Int64
    public var sellerFen: Int64
    public var buyerFen: Int64
    /// Contracts registered (first registrations less terminations), counted the same way.
    public var contractCount: Int64

    public init(totalFen: Int64 = 0, sellerFen: Int64 = 0, buyerFen: Int64 = 0, contractCount: Int64 = 0) {
        self.totalFen = totalFen
        self.sellerFen = sellerFen
        self.buyerFen = buyerFen
        self.contractCount = contractCount
    }

    public static func + (lhs: VolumeSides, rhs: VolumeSides) -> VolumeSides {
        VolumeSides(
            totalFen: lhs.totalFen + rhs.totalFen, sellerFen: lhs.sellerFen + rhs.sellerFen, buyerFen: lhs.buyerFen + rhs.buyerFen,
            contractCount: lhs.contractCount + rhs.contractCount)
    }

    public static func += (lhs: inout VolumeSides, rhs: VolumeSides) { lhs = lhs + rhs }
}

/// A running total: what the acts of one day moved in one region's volume, for the whole
/// (`dimension` total, `value` "") or one value of a breakdown. The store keeps these, written
/// in the transaction of each act; a report sums them.
public struct VolumeCell: Sendable, Hashable {
    public struct Key: Sendable, Hashable, Comparable {
        public var region: RegionCode
        public var day: Day
        public var dimension: VolumeDimension
        public var value: String

        public init(region: RegionCode, day: Day, dimension: VolumeDimension, value: String) {
            self.region = region
            self.day = day
            self.dimension = dimension
            self.value = value
        }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.region.value, lhs.day.text, lhs.dimension.rawValue, lhs.value) < (rhs.region.value, rhs.day.text, rhs.dimension.rawValue, rhs.value)
        }
    }

    public var key: Key
    public var sides: VolumeSides

    public init(key: Key, sides: VolumeSides) {
        self.key = key
        self.sides = sides
    }
}

/// One day's total of a region (the `total` cells).
public struct VolumeDay: Sendable, Hashable {
    public var day: Day
    public var sides: VolumeSides

    public init(day: Day, sides: VolumeSides) {
        self.day = day
        self.sides = sides
    }
}

/// One month's total of a region, as a report reads them: the whole month (through the report's
/// day), and the part of it up to the report's day of the year (month and day), which is what
/// "the same day last year" and the seasonal forecast compare.
public struct VolumeMonth: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var sides: VolumeSides
    /// The days of the month whose month and day are on or before the report's.
    public var sidesBySameDay: VolumeSides

    public init(year: Int, month: Int, sides: VolumeSides, sidesBySameDay: VolumeSides) {
        self.year = year
        self.month = month
        self.sides = sides
        self.sidesBySameDay = sidesBySameDay
    }

    /// Days rolled up into months, as the store's query does (tests, and any store without SQL):
    /// the days through `through`, and for each month the part on or before `through`'s month and day.
    public static func rollUp(_ days: [VolumeDay], through: Day) -> [VolumeMonth] {
        let cut = VolumeRules.monthDay(through)
        var months: [Int: VolumeMonth] = [:]
        for day in days where day.day <= through {
            let year = VolumeRules.year(day.day), month = VolumeRules.month(day.day)
            var entry = months[year * 100 + month] ?? VolumeMonth(year: year, month: month, sides: VolumeSides(), sidesBySameDay: VolumeSides())
            entry.sides += day.sides
            if VolumeRules.monthDay(day.day) <= cut { entry.sidesBySameDay += day.sides }
            months[year * 100 + month] = entry
        }
        return months.keys.sorted().compactMap { months[$0] }
    }
}

/// One breakdown value's sum over a span of days, as a report reads them.
public struct VolumeShare: Sendable, Hashable {
    public var dimension: VolumeDimension
    public var value: String
    public var sides: VolumeSides

    public init(dimension: VolumeDimension, value: String, sides: VolumeSides) {
        self.dimension = dimension
        self.value = value
        self.sides = sides
    }
}

/// A region's target for a year as a regulator or the operator set it, kept with who and when.
public struct VolumeTarget: Sendable, Hashable, Codable {
    public var id: Int64
    public var regionCode: RegionCode
    public var year: Int
    public var targetFen: Int64
    public var note: String?
    /// 1 for the first target of the region's year, then 2, 3, … for each one set over it.
    public var revision: Int
    public var setByRole: Role
    public var setByPartyID: PartyID?
    public var setAt: Date

    public init(
        id: Int64, regionCode: RegionCode, year: Int, targetFen: Int64, note: String?, revision: Int, setByRole: Role,
        setByPartyID: PartyID?, setAt: Date
    ) {
        self.id = id
        self.regionCode = regionCode
        self.year = year
        self.targetFen = targetFen
        self.note = note
        self.revision = revision
        self.setByRole = setByRole
        self.setByPartyID = setByPartyID
        self.setAt = setAt
    }

    enum CodingKeys: String, CodingKey {
        case id, regionCode, year, targetFen, note, revision, setByRole, setByPartyID = "setByPartyId", setAt
    }
}

/// A target as a caller asks to set it.
public struct VolumeTargetRequest: Sendable, Equatable {
    public var regionCode: RegionCode
    public var year: Int
    public var targetFen: Int64
    public var note: String?

    public init(regionCode: RegionCode, year: Int, targetFen: Int64, note: String?) {
        self.regionCode = regionCode
        self.year = year
        self.targetFen = targetFen
        self.note = note
    }
}

/// Which registered contract a dashboard lists among the latest: public columns only (the
/// parties and the title stay with the regulator).
public struct VolumeRegistration: Sendable, Hashable, Codable {
    public var registeredOn: Day
    public var registrationNumber: String
    public var type: ContractType
    public var fieldCode: String
    public var technologyFen: Int64
    /// The counted region's side: seller, buyer, or both.
    public var side: String
    public var band: VolumeBand

    public init(
        registeredOn: Day, registrationNumber: String, type: ContractType, fieldCode: String, technologyFen: Int64, side: String,
        band: VolumeBand
    ) {
        self.registeredOn = registeredOn
        self.registrationNumber = registrationNumber
        self.type = type
        self.fieldCode = fieldCode
        self.technologyFen = technologyFen
        self.side = side
        self.band = band
    }
}
