import Foundation

/// The unit of work of the volume use cases (`VolumeService`): reads of the running totals on
/// one connection, and a target set in one transaction under its Idempotency-Key.
public protocol VolumeStore: Sendable {
    associatedtype VolumeUnit: VolumeWork

    /// Runs `body` in one transaction; a refusal the record renders is kept as the key's answer.
    func volumeTransaction<T: Sendable, R>(_ record: IdempotencyRecord<R>?, _ body: @escaping @Sendable (VolumeUnit) throws -> T)
        async throws -> T

    /// Runs `body` on one connection, for reads.
    func volumeRead<T: Sendable>(_ body: @escaping @Sendable (VolumeUnit) throws -> T) async throws -> T

    /// Runs `body` in one read-only snapshot (REPEATABLE READ), for a recount that reads in pages.
    func volumeSnapshot<T: Sendable>(_ body: @escaping @Sendable (VolumeUnit) throws -> T) async throws -> T
}

/// What the volume use cases read and write: SQL and mapping only.
public protocol VolumeWork {
    func keep<R>(_ record: IdempotencyRecord<R>?, _ result: R) throws

    /// A region and the regions above it, itself first; empty when there is no such region.
    func regionAncestry(_ code: RegionCode) throws -> [Region]
    /// Every region's code and parent, for recounts.
    func regionTree() throws -> RegionTree
    /// Field codes and their Chinese names.
    func fieldNames() throws -> [String: String]

    /// The region's monthly totals from `from` through `through` (`VolumeMonth.rollUp` says
    /// what each holds), in month order.
    func volumeMonths(region: RegionCode, from: Day, through: Day) throws -> [VolumeMonth]
    /// The region's breakdown sums (fields, types, bands) over the days from `from` through `through`.
    func volumeShares(region: RegionCode, from: Day, through: Day) throws -> [VolumeShare]
    /// The latest registrations (first registrations and registered changes) with a side in the
    /// region or below it, on or before `through`, newest first.
    func latestRegistrations(region: RegionCode, through: Day, limit: Int) throws -> [(VolumeAct, registrationNumber: String)]

    /// The current target of each year of the region (the latest revision).
    func currentTargets(region: RegionCode) throws -> [Int: VolumeTarget]
    /// A page of targets, every revision, in id order; nil region: every region's.
    func targets(region: RegionCode?, page: PageRequest) throws -> [VolumeTarget]
    /// Writes the next revision of the region's year, under a lock that orders the setters of one region and year.
    func insertTarget(_ request: VolumeTargetRequest, by caller: Principal, at now: Date) throws -> VolumeTarget
    /// The current target of the region's year, read under the same lock as `insertTarget` takes.
    func lockedCurrentTarget(region: RegionCode, year: Int) throws -> VolumeTarget?

    /// A page of the acts that count, of at most `limit` registered versions in (contract,
    /// version) order after `after`, with where the next page starts (nil after the last).
    func countedActs(after: VolumeActPage.Cursor?, limit: Int) throws -> VolumeActPage
    /// Every running total the store keeps.
    func storedCells() throws -> [VolumeCell]
    /// Takes the lock that every write of the running totals waits for, until the transaction ends.
    func lockCells() throws
    /// Replaces every running total with `cells`.
    func replaceCells(_ cells: [VolumeCell]) throws
}

/// A page of counted acts as a recount reads them.
public struct VolumeActPage: Sendable {
    public struct Cursor: Sendable, Equatable {
        public var contract: Int64
        public var version: Int

        public init(contract: Int64, version: Int) {
            self.contract = contract
            self.version = version
        }
    }

    /// The versions of the page that count (some registered versions move nothing).
    public var acts: [VolumeAct]
    /// After the page's last version read, counted or not; nil when the page was the last.
    public var next: Cursor?

    public init(acts: [VolumeAct], next: Cursor?) {
        self.acts = acts
        self.next = next
    }
}

/// Regions by code with their parents, for the ancestries a recount needs.
public struct RegionTree: Sendable {
    public private(set) var parents: [RegionCode: RegionCode?]

    public init(_ pairs: [(RegionCode, RegionCode?)]) {
        parents = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }

    /// The region and those above it, itself first; empty for an unknown region.
    public func ancestry(_ code: RegionCode) -> [RegionCode] {
        var chain: [RegionCode] = []
        var next: RegionCode? = code
        while let current = next, let parent = parents[current], chain.count < Self.depthMax {
            chain.append(current)
            next = parent
        }
        return chain
    }

    /// Deeper than county → city → province is a loop in the data.
    static let depthMax = 8
}
