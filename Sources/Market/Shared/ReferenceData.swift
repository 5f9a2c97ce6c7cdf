import Foundation

/// The regions, alliances and fields the market is set up with (the Fixtures folder).
public struct ReferenceData: Sendable, Equatable {
    public var regions: [Region]
    public var alliances: [Alliance]
    public var fields: [TechnicalField]

    public init(regions: [Region], alliances: [Alliance], fields: [TechnicalField]) {
        self.regions = regions
        self.alliances = alliances
        self.fields = fields
    }

    /// Reads `regions.json`, `alliances.json` and `fields.json` from `directory` and checks them.
    public static func load(from directory: URL) throws -> ReferenceData {
        func read<T: Decodable>(_ name: String, as type: T.Type) throws -> T { try FixtureError.read(name, in: directory) }
        let data = ReferenceData(
            regions: try read("regions.json", as: [Region].self),
            alliances: try read("alliances.json", as: [Alliance].self),
            fields: try read("fields.json", as: [TechnicalField].self))
        try data.validate()
        return data
    }

    /// Checks that the hierarchy is consistent: parents exist and sit one level up, codes are
    /// unique, alliance members are known regions.
    public func validate() throws {
        var byCode: [RegionCode: Region] = [:]
        for region in regions {
            guard byCode.updateValue(region, forKey: region.code) == nil else {
                throw FixtureError.invalid("region \(region.code) appears twice")
            }
        }
        for region in regions {
            switch (region.level, region.parentCode.flatMap { byCode[$0] }) {
            case (.province, nil) where region.parentCode == nil: continue
            case (.city, let parent?) where parent.level == .province: continue
            case (.county, let parent?) where parent.level != .county: continue
            default:
                throw FixtureError.invalid("region \(region.code) (\(region.level.rawValue)) has parent \(region.parentCode?.value ?? "none"), which does not fit")
            }
        }
        for alliance in alliances {
            for member in alliance.members where byCode[member] == nil {
                throw FixtureError.invalid("alliance \(alliance.code) names unknown region \(member)")
            }
        }
        guard Set(fields.map(\.code)).count == fields.count else {
            throw FixtureError.invalid("a field code appears twice")
        }
    }

    /// Regions ordered so that every parent comes before its children.
    public var regionsParentsFirst: [Region] {
        let rank: [Region.Level: Int] = [.province: 0, .city: 1, .county: 2]
        return regions.sorted { (rank[$0.level]!, $0.code) < (rank[$1.level]!, $1.code) }
    }
}

/// Why fixtures could not be loaded.
public enum FixtureError: Error, CustomStringConvertible {
    /// Decodes one JSON file of the fixtures folder, saying which file failed and why.
    static func read<T: Decodable>(_ name: String, in directory: URL) throws -> T {
        let url = directory.appendingPathComponent(name)
        do {
            return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
        } catch {
            throw FixtureError.unreadable(file: url.path, reason: "\(error)")
        }
    }


    case unreadable(file: String, reason: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "cannot read fixture \(file): \(reason)"
        case .invalid(let reason): return "invalid fixtures: \(reason)"
        }
    }
}
