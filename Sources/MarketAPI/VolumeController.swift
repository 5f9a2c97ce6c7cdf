import Foundation
import HTTPTypes
import Hummingbird
import Market
import NIOCore

/// Technology transaction volume (技术交易额, docs/volume.md): the report and its chart, public
/// as the county publishes them; the targets regulators set; the dashboard page.
struct VolumeController<Store: VolumeStore & KeyStore & ReferenceDataStore> {
    let volume: VolumeService<Store>
    let store: Store
    let auth: Authenticator<Store>
    let idempotent = IdempotentPost()

    init(store: Store) {
        volume = VolumeService(store: store)
        self.store = store
        auth = Authenticator(keys: store)
    }

    static var reportParameters: [String] { ["region", "year", "asOf", "breakdowns"] }
    static var chartParameters: [String] { ["region", "year", "asOf"] }

    /// `region`, `year` and `asOf` as a report reads them (each bad one named).
    struct Selection {
        var region: RegionCode
        var year: Int?
        var asOf: Day?
    }

    static func selection(_ reader: inout QueryReader) -> Selection {
        let region = reader.value("region", "a six-digit region code (GB/T 2260)", RegionCode.init) ?? VolumeRules.planRegion
        let year = reader.integer("year", in: Int64(VolumeRules.yearRange.lowerBound)...Int64(VolumeRules.yearRange.upperBound)).map(Int.init)
        let asOf = reader.value("asOf", "a date such as 2026-11-30", Day.init)
        return Selection(region: region, year: year, asOf: asOf)
    }

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get { request, context in
            _ = try await auth.principal(request)
            var reader = QueryReader(request, known: Self.reportParameters)
            let selection = Self.selection(&reader)
            let breakdowns = reader.boolean("breakdowns") ?? true
            try reader.finish()
            return try context.responseEncoder.encode(
                try await volume.report(region: selection.region, year: selection.year, asOf: selection.asOf, breakdowns: breakdowns),
                from: request, context: context)
        }
        routes.get("chart.svg") { request, context in
            _ = try await auth.principal(request)
            var reader = QueryReader(request, known: Self.chartParameters)
            let selection = Self.selection(&reader)
            try reader.finish()
            let report = try await volume.report(region: selection.region, year: selection.year, asOf: selection.asOf)
            // The year before, for its months; none before the first year a report may name.
            let lastYear = VolumeRules.yearRange.contains(report.year - 1)
                ? try await volume.report(region: selection.region, year: report.year - 1, asOf: min(report.asOf, VolumeRules.lastDay(report.year - 1)))
                : nil
            let svg = try VolumeTemplates.render(VolumeChart(report, lastYear: lastYear), "chart")
            return Response(
                status: .ok, headers: [.contentType: "image/svg+xml; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: svg)))
        }
        routes.get("targets") { request, context in
            _ = try await auth.principal(request)
            var reader = QueryReader(request, known: ["region", "limit", "cursor"])
            let region = reader.value("region", "a six-digit region code (GB/T 2260)", RegionCode.init)
            let page = reader.page(cursorPrefix: "t")
            try reader.finish()
            let found = try await volume.targets(region: region, page: page.withOneMore)
            return try context.responseEncoder.encode(
                ListPage(found, page: page, cursorPrefix: "t", id: \.id, render: { $0 }), from: request, context: context)
        }
        routes.put("targets/:region/:year") { request, context in
            let caller = try await auth.require(request)
            var issues = FieldIssues()
            let region = RegionCode(try context.parameters.require("region"))
            if region == nil { issues.add("region", "must be a six-digit region code (GB/T 2260)") }
            let year = Int(try context.parameters.require("year")).flatMap { VolumeRules.yearRange.contains($0) ? $0 : nil }
            if year == nil { issues.add("year", "must be a year from \(VolumeRules.yearRange.lowerBound) to \(VolumeRules.yearRange.upperBound)") }
            try issues.throwIfAny()
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(TargetBody.self, from: request, context: context)
            guard let region, let year else { throw MarketError.invalid(issues.all) }
            let target = VolumeTargetRequest(regionCode: region, year: year, targetFen: body.targetFen, note: body.note)
            return try await idempotent.run(request, body: bytes, caller: caller, context: context, render: { $0 }) { record in
                try await volume.setTarget(target, by: caller, record: record)
            }
        }
        return routes
    }

    /// `GET /dashboard`: the page a person opens, rendered on the server from the templates.
    var dashboardEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get { request, context in
            var reader = QueryReader(request, known: Self.chartParameters)
            let selection = Self.selection(&reader)
            try reader.finish()
            let dashboard = try await volume.dashboard(region: selection.region, year: selection.year, asOf: selection.asOf)
            let regions = try await store.regions(RegionQuery())
            let html = try VolumeTemplates.render(
                DashboardPage(dashboard, regions: regions, today: volume.today(), asOfGiven: selection.asOf != nil), "dashboard")
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        return routes
    }
}

/// The body of `PUT /v1/volume/targets/{region}/{year}`.
struct TargetBody: Decodable {
    var targetFen: Int64
    var note: String?

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["targetFen", "note"])
        let target: Int64? = reader.required("targetFen", "an integer number of fen")
        let note: String?? = reader.optional("note", "a string")
        try reader.finish()
        targetFen = try reader.take(target, "targetFen")
        self.note = note ?? nil
    }
}
