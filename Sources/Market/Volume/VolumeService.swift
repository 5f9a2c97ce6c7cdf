import Foundation

/// What a dashboard shows: the report and the latest registrations.
public struct VolumeDashboard: Sendable {
    public var report: VolumeReport
    public var latest: [VolumeRegistration]
    public var fieldNames: [String: String]
}

/// What `techmarket volume verify` found: the running totals against a recount from every act.
public struct VolumeVerification: Sendable {
    public struct Difference: Sendable, Equatable {
        public var key: VolumeCell.Key
        public var stored: VolumeSides
        public var recounted: VolumeSides
    }

    public var actCount: Int
    public var cellCount: Int
    public var differences: [Difference]
    /// The recount, cells with all zeros left out (what `repair` writes).
    public var recounted: [VolumeCell]
}

/// The volume use cases (DOMAIN.md, "Counting the volume"; docs/volume.md): the report of a
/// region's year, public as the county publishes it; the targets a regulator or the operator
/// sets; and the recount that checks the running totals.
public struct VolumeService<Store: VolumeStore>: Sendable {
    public let store: Store
    /// Today in China time; a parameter so that tests can move the calendar.
    public var today: @Sendable () -> Day

    /// Versions read per page by a recount.
    public static var recountPageSizeDefault: Int { 10_000 }

    public init(store: Store, today: @escaping @Sendable () -> Day = { Day.today() }) {
        self.store = store
        self.today = today
    }

    /// The report of `region`'s `year` (default: `asOf`'s) as it stood on `asOf` (default
    /// today); `breakdowns` false leaves the breakdowns out.
    public func report(region: RegionCode = VolumeRules.planRegion, year: Int? = nil, asOf: Day? = nil, breakdowns: Bool = true)
        async throws -> VolumeReport
    {
        let asOf = asOf ?? today()
        let year = try Self.year(year, asOf: asOf)
        return try await store.volumeRead { work in try Self.report(region: region, year: year, asOf: asOf, breakdowns: breakdowns, work) }
    }

    /// The report with the latest registrations, read on one connection.
    public func dashboard(region: RegionCode = VolumeRules.planRegion, year: Int? = nil, asOf: Day? = nil) async throws -> VolumeDashboard {
        let asOf = asOf ?? today()
        let year = try Self.year(year, asOf: asOf)
        return try await store.volumeRead { work in
            let report = try Self.report(region: region, year: year, asOf: asOf, breakdowns: true, work)
            let tree = try work.regionTree()
            let latest = try work.latestRegistrations(region: region, through: report.yearToDate.through, limit: VolumeRules.latestRegistrationsMax)
                .map { act, number in
                    VolumeRules.registration(act, number: number, seenFrom: region, tree: tree)
                }
            return VolumeDashboard(report: report, latest: latest, fieldNames: try work.fieldNames())
        }
    }

    /// The year asked for, else `asOf`'s; one outside `VolumeRules.yearRange` is refused, naming
    /// `asOf` when it came from there (a rule between the two: 422).
    static func year(_ year: Int?, asOf: Day) throws(MarketError) -> Int {
        let range = VolumeRules.yearRange
        var issues = FieldIssues()
        if let year, !range.contains(year) {
            issues.add("year", "must be from \(range.lowerBound) to \(range.upperBound), not \(year)")
        } else if year == nil, !range.contains(VolumeRules.year(asOf)) {
            issues.addRule("asOf", "without year, must fall in a year from \(range.lowerBound) to \(range.upperBound)")
        }
        try issues.throwIfAny()
        return year ?? VolumeRules.year(asOf)
    }

    static func report(region: RegionCode, year: Int, asOf: Day, breakdowns: Bool, _ work: Store.VolumeUnit) throws -> VolumeReport {
        var issues = FieldIssues()
        let ancestry = try work.regionAncestry(region)
        if ancestry.isEmpty { issues.addRule("region", "is not a known region (see /v1/regions)") }
        try issues.throwIfAny()
        let through = min(asOf, VolumeRules.lastDay(year))
        let seriesStart = VolumeRules.firstDay(min(VolumeRules.seriesStartYear, year - 1))
        let months = through < seriesStart ? [] : try work.volumeMonths(region: region, from: seriesStart, through: through)
        let shares = breakdowns && through >= VolumeRules.firstDay(year)
            ? try work.volumeShares(region: region, from: VolumeRules.firstDay(year), through: through) : (breakdowns ? [] : nil)
        return VolumeRules.report(
            year: year, asOf: asOf, months: months, shares: shares, setTargets: try work.currentTargets(region: region),
            names: VolumeNames(ancestry: ancestry, fieldNames: try work.fieldNames()))
    }

    /// A regulator of the region (or of one above it), or the operator, sets the region's target
    /// for a year; the same target again changes nothing.
    public func setTarget(_ request: VolumeTargetRequest, by caller: Principal?, record: IdempotencyRecord<VolumeTarget>? = nil)
        async throws -> VolumeTarget
    {
        guard let caller else { throw MarketError.unauthenticated("a regulator's or an admin's API key is required") }
        try VolumeRules.checkTarget(request)
        return try await store.volumeTransaction(record) { work in
            let ancestry = try work.regionAncestry(request.regionCode).map(\.code)
            if ancestry.isEmpty { throw MarketError.invalid([.rule("region", "is not a known region (see /v1/regions)")]) }
            try AccessPolicy.checkSetsVolumeTarget(caller, regionAncestry: ancestry)
            let current = try work.lockedCurrentTarget(region: request.regionCode, year: request.year)
            let target: VolumeTarget
            if let current, current.targetFen == request.targetFen, current.note == request.note {
                target = current
            } else {
                target = try work.insertTarget(request, by: caller, at: Date())
            }
            try work.keep(record, target)
            return target
        }
    }

    /// A page of the targets set, every revision, public as the plan is.
    public func targets(region: RegionCode?, page: PageRequest = .first) async throws -> [VolumeTarget] {
        try await store.volumeRead { work in try work.targets(region: region, page: page) }
    }

    /// Recounts every running total from the acts of every contract, in one snapshot, and
    /// compares. `repair` recounts instead in a transaction that holds the totals' lock (the
    /// registrations in between wait) and writes the recount over the stored totals.
    public func verify(
        repair: Bool = false, pageSize: Int = recountPageSizeDefault, progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> VolumeVerification {
        precondition(pageSize >= 1, "a page holds at least one version")
        if repair {
            return try await store.volumeTransaction(nil as IdempotencyRecord<Never>?) { work in
                try work.lockCells()
                let verification = try Self.recount(work, pageSize: pageSize, progress: progress)
                if !verification.differences.isEmpty { try work.replaceCells(verification.recounted) }
                return verification
            }
        }
        return try await store.volumeSnapshot { work in try Self.recount(work, pageSize: pageSize, progress: progress) }
    }

    static func recount(_ work: Store.VolumeUnit, pageSize: Int, progress: (Int) -> Void) throws -> VolumeVerification {
        let tree = try work.regionTree()
        var sums: [VolumeCell.Key: VolumeSides] = [:]
        var after: VolumeActPage.Cursor?
        var count = 0
        while true {
            let page = try work.countedActs(after: after, limit: pageSize)
            for act in page.acts {
                for cell in VolumeRules.cells(for: act, sellerAncestry: tree.ancestry(act.sellerRegion), buyerAncestry: tree.ancestry(act.buyerRegion)) {
                    sums[cell.key, default: VolumeSides()] += cell.sides
                }
            }
            count += page.acts.count
            progress(count)
            guard let next = page.next else { break }
            after = next
        }
        let stored = Dictionary(try work.storedCells().map { ($0.key, $0.sides) }, uniquingKeysWith: +)
        var differences: [VolumeVerification.Difference] = []
        for key in Set(sums.keys).union(stored.keys).sorted() {
            let recounted = sums[key] ?? VolumeSides(), kept = stored[key] ?? VolumeSides()
            if recounted != kept { differences.append(.init(key: key, stored: kept, recounted: recounted)) }
        }
        let cells = sums.filter { $0.value != VolumeSides() }.map { VolumeCell(key: $0.key, sides: $0.value) }.sorted { $0.key < $1.key }
        return VolumeVerification(actCount: count, cellCount: stored.count, differences: differences, recounted: cells)
    }
}

extension VolumeRules {
    /// A registration as a dashboard lists it, seen from `region`.
    public static func registration(_ act: VolumeAct, number: String, seenFrom region: RegionCode, tree: RegionTree) -> VolumeRegistration {
        let seller = tree.ancestry(act.sellerRegion), buyer = tree.ancestry(act.buyerRegion)
        let side = seller.contains(region) && buyer.contains(region) ? "both" : seller.contains(region) ? "seller" : "buyer"
        return VolumeRegistration(
            registeredOn: act.day, registrationNumber: number, type: act.type, fieldCode: act.fieldCode, technologyFen: act.deltaFen,
            side: side, band: band(of: region, sellerAncestry: seller, buyerAncestry: buyer))
    }
}
