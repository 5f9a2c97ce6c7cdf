import Foundation
import Market
import Mustache

/// The dashboard's and the chart's Mustache templates (Templates/*.mustache, resources of this
/// module), loaded once; values are escaped for HTML (and so for SVG) as they are rendered.
enum VolumeTemplates {
    static let library: Result<MustacheLibrary, any Error> = Result {
        guard let folder = Bundle.module.url(forResource: "Templates", withExtension: nil) else { throw TemplateMissing(name: "Templates/") }
        var library = MustacheLibrary()
        for name in ["dashboard", "chart"] {
            let text = try String(contentsOf: folder.appendingPathComponent("\(name).mustache"), encoding: .utf8)
            try library.register(text, named: name)
        }
        return library
    }

    struct TemplateMissing: Error { var name: String }

    /// `object` rendered with the template `name`.
    static func render(_ object: Any, _ name: String) throws -> String {
        guard let text = try library.get().render(object, withTemplate: name) else { throw TemplateMissing(name: name) }
        return text
    }
}

/// What Templates/dashboard.mustache shows: every figure as text and, in `data-fen`, in fen, so
/// that the browser test compares the page with `GET /v1/volume`.
struct DashboardPage {
    struct Figure { var key: String; var label: String; var fen: String; var text: String }
    struct Row { var label: String; var total: String; var totalFen: String; var seller: String; var buyer: String; var count: String; var share: String }
    struct Table { var key: String; var title: String; var rows: [Row] }
    struct YearRow { var year: String; var total: String; var totalFen: String; var target: String; var share: String; var complete: Bool }
    struct Registration { var day: String; var number: String; var type: String; var field: String; var amount: String; var side: String; var band: String }
    struct Option { var value: String; var label: String; var selected: Bool }

    var title: String
    var regionName: String
    var regionCode: String
    var year: String
    var asOf: String
    var through: String
    var figures: [Figure]
    var hasTarget: Bool
    var targetText: String
    var targetSource: String
    var shareText: String
    var progressPercent: String
    var forecastMethod: String
    var tables: [Table]
    var years: [YearRow]
    var latest: [Registration]
    var hasLatest: Bool
    var regions: [Option]
    var yearOptions: [Option]
    var asOfGiven: Bool
    var chartURL: String
    var reportURL: String

    init(_ dashboard: VolumeDashboard, regions: [Region], today: Day, asOfGiven: Bool) {
        let report = dashboard.report
        title = "\(report.region.name)技术交易额 \(report.year)年"
        regionName = report.region.name
        regionCode = report.region.code.value
        year = String(report.year)
        asOf = report.asOf.text
        through = report.yearToDate.through.text
        self.asOfGiven = asOfGiven
        func figure(_ key: String, _ label: String, _ fen: Int64) -> Figure {
            Figure(key: key, label: label, fen: String(fen), text: VolumeText.yi(fen) + " 亿元")
        }
        var figures = [
            figure("totalFen", "年度技术交易额", report.totalFen), figure("sellerFen", "技术输出", report.sellerFen),
            figure("buyerFen", "技术吸纳", report.buyerFen),
            figure("sameDayLastYear", "去年同期（\(report.sameDayLastYear.through.text)）", report.sameDayLastYear.sides.totalFen),
            figure("forecastFen", "全年预测", report.forecast.totalFen),
        ]
        if let target = report.target {
            figures.insert(figure("targetFen", "年度目标", target.targetFen), at: 1)
            if let gap = report.gapFen { figures.insert(figure("gapFen", gap >= 0 ? "距目标差距" : "超出目标", gap), at: 2) }
        }
        self.figures = figures
        hasTarget = report.target != nil
        targetText = report.target.map { VolumeText.yi($0.targetFen) + " 亿元" } ?? "未设定"
        targetSource = report.target.map { VolumeText.source($0.source) } ?? ""
        shareText = report.shareOfTarget.map(VolumeText.percent) ?? "—"
        progressPercent = String(format: "%.1f", min(max((report.shareOfTarget ?? 0) * 100, 0), 100))
        forecastMethod = VolumeText.method(report.forecast.method)
        let total = report.totalFen
        func rows(_ items: [VolumeReport.Item]) -> [Row] {
            items.map { item in
                Row(
                    label: item.label, total: VolumeText.yi(item.totalFen), totalFen: String(item.totalFen), seller: VolumeText.yi(item.sellerFen),
                    buyer: VolumeText.yi(item.buyerFen), count: String(item.contractCount),
                    share: total > 0 ? VolumeText.percent(Double(item.totalFen) / Double(total)) : "—")
            }
        }
        let breakdowns = report.breakdowns
        tables = [
            Table(key: "field", title: "按技术领域", rows: rows(breakdowns?.field ?? [])),
            Table(key: "region", title: "按交易对方所在地区", rows: rows(breakdowns?.region ?? [])),
            Table(key: "type", title: "按合同类型", rows: rows(breakdowns?.type ?? [])),
            Table(key: "month", title: "按月份", rows: rows(breakdowns?.month ?? [])),
        ]
        years = report.series.map { year in
            YearRow(
                year: String(year.year), total: VolumeText.yi(year.totalFen), totalFen: String(year.totalFen),
                target: year.targetFen.map(VolumeText.yi) ?? "—",
                share: year.targetFen.map { VolumeText.percent(Double(year.totalFen) / Double($0)) } ?? "—", complete: year.complete)
        }
        let bandLabels = Dictionary((breakdowns?.region ?? []).map { ($0.key, $0.label) }, uniquingKeysWith: { first, _ in first })
        latest = dashboard.latest.map { registration in
            Registration(
                day: registration.registeredOn.text, number: registration.registrationNumber, type: registration.type.chineseName,
                field: dashboard.fieldNames[registration.fieldCode] ?? registration.fieldCode, amount: VolumeText.yi(registration.technologyFen),
                side: ["seller": "输出", "buyer": "吸纳", "both": "输出、吸纳"][registration.side] ?? registration.side,
                band: bandLabels[registration.band.rawValue] ?? registration.band.rawValue)
        }
        hasLatest = !latest.isEmpty
        self.regions = regions.map { region in
            Option(value: region.code.value, label: "\(region.name)（\(region.code.value)）", selected: region.code == report.region.code)
        }
        let lastYear = max(VolumeRules.year(today), report.year)
        yearOptions = (VolumeRules.seriesStartYear...lastYear).reversed().map { year in
            Option(value: String(year), label: "\(year)年", selected: year == report.year)
        }
        var query = "region=\(report.region.code.value)&year=\(report.year)"
        if asOfGiven { query += "&asOf=\(report.asOf.text)" }
        chartURL = "/v1/volume/chart.svg?" + query
        reportURL = "/v1/volume?" + query
    }
}
