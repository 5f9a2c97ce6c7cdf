import Foundation
import Market

/// The geometry of `GET /v1/volume/chart.svg` (Templates/chart.mustache draws it): above, a bar
/// per year from 2020 against the plan's path and the 2025 target line; below, the report
/// year's total month by month, cumulative, against last year's and the forecast. Axes in 亿元.
/// An 800-unit-wide viewBox that scales to the page, so it reads at 800 px and on a phone.
struct VolumeChart {
    struct Tick { var y: String; var label: String }
    struct XLabel { var x: String; var label: String }
    struct Bar { var x: String; var y: String; var width: String; var height: String; var label: String; var value: String; var valueY: String; var complete: Bool }
    struct Dot { var x: String; var y: String }
    struct Line { var points: String; var dots: [Dot] }

    static let width = 800.0
    static let left = 64.0
    static let right = 24.0
    static let barsTop = 104.0
    static let barsBottom = 300.0
    static let linesTop = 412.0
    static let linesBottom = 630.0
    static let height = 710.0

    var title: String
    var subtitle: String
    var barsTitle: String
    var linesTitle: String
    var barTicks: [Tick]
    var bars: [Bar]
    var planLine: Line?
    var targetLineY: String?
    var targetLabel: String?
    var lineTicks: [Tick]
    var months: [XLabel]
    var thisYear: Line
    var lastYear: Line
    var forecast: Line?
    var yearTargetY: String?
    var yearTargetLabel: String?
    var thisYearLabel: String
    var lastYearLabel: String
    var forecastLabel: String
    var zeroY: String
    var linesZeroY: String

    init(_ report: VolumeReport, lastYear last: VolumeReport?) {
        let plotWidth = Self.width - Self.left - Self.right
        title = "\(report.region.name)技术交易额"
        subtitle = "统计至 \(report.yearToDate.through.text)，单位：亿元"
        barsTitle = "历年技术交易额与规划路径"
        linesTitle = "\(report.year)年逐月累计"
        thisYearLabel = "\(report.year)年累计"
        lastYearLabel = "\(report.year - 1)年累计"
        forecastLabel = "全年预测 \(VolumeText.yi(report.forecast.totalFen))"

        // Bars per year against the plan's path.
        let series = report.series
        let planTarget = report.region.code == VolumeRules.planRegion ? VolumeRules.planTargetFen : nil
        let barMax = ([planTarget ?? 0] + series.map(\.totalFen) + series.compactMap(\.targetFen)).max() ?? 0
        let barScale = Scale(maxFen: barMax, top: Self.barsTop, bottom: Self.barsBottom)
        barTicks = barScale.ticks
        zeroY = Self.f(barScale.y(0))
        let slot = plotWidth / Double(max(series.count, 1))
        bars = series.enumerated().map { index, year in
            let x = Self.left + slot * Double(index) + slot * 0.2
            let top = barScale.y(max(year.totalFen, 0))
            return Bar(
                x: Self.f(x), y: Self.f(top), width: Self.f(slot * 0.6), height: Self.f(barScale.y(0) - top), label: String(year.year),
                value: VolumeText.yi(year.totalFen), valueY: Self.f(top - 6), complete: year.complete)
        }
        let planned = series.enumerated().compactMap { index, year in
            year.targetFen.map { Dot(x: Self.f(Self.left + slot * (Double(index) + 0.5)), y: Self.f(barScale.y($0))) }
        }
        planLine = planned.isEmpty ? nil : Line(points: planned.map { "\($0.x),\($0.y)" }.joined(separator: " "), dots: planned)
        targetLineY = planTarget.map { Self.f(barScale.y($0)) }
        targetLabel = planTarget.map { "\(VolumeRules.planTargetYear)年目标 \(VolumeText.yi($0))亿元" }

        // Cumulative month by month.
        func cumulative(_ report: VolumeReport?, through month: Int) -> [Int64] {
            var running: Int64 = 0
            return (report?.breakdowns?.month ?? []).prefix(month).map { item in
                running += item.totalFen
                return running
            }
        }
        let through = report.yearToDate.through
        let reached = VolumeRules.year(through) == report.year && through >= VolumeRules.firstDay(report.year) ? VolumeRules.month(through)
            : (through < VolumeRules.firstDay(report.year) ? 0 : 12)
        let now = cumulative(report, through: reached)
        let before = cumulative(last, through: 12)
        let yearTarget = report.target?.targetFen
        let lineMax = ([report.forecast.totalFen, yearTarget ?? 0] + now + before).max() ?? 0
        let lineScale = Scale(maxFen: lineMax, top: Self.linesTop, bottom: Self.linesBottom)
        lineTicks = lineScale.ticks
        linesZeroY = Self.f(lineScale.y(0))
        let step = plotWidth / 12
        func x(_ month: Int) -> Double { Self.left + step * (Double(month) - 0.5) }
        months = (1...12).map { XLabel(x: Self.f(x($0)), label: "\($0)月") }
        func line(_ values: [Int64]) -> Line {
            let dots = values.enumerated().map { Dot(x: Self.f(x($0.offset + 1)), y: Self.f(lineScale.y($0.element))) }
            return Line(points: dots.map { "\($0.x),\($0.y)" }.joined(separator: " "), dots: dots)
        }
        thisYear = line(now)
        lastYear = line(before)
        if let lastValue = now.last, reached < 12, report.forecast.method != .notStarted {
            let dots = [
                Dot(x: Self.f(x(reached)), y: Self.f(lineScale.y(lastValue))),
                Dot(x: Self.f(x(12)), y: Self.f(lineScale.y(report.forecast.totalFen))),
            ]
            forecast = Line(points: dots.map { "\($0.x),\($0.y)" }.joined(separator: " "), dots: dots)
        } else {
            forecast = nil
        }
        yearTargetY = yearTarget.map { Self.f(lineScale.y($0)) }
        yearTargetLabel = yearTarget.map { "\(report.year)年目标 \(VolumeText.yi($0))亿元" }
    }

    /// 亿元 on a vertical axis from 0 to a round maximum.
    struct Scale {
        var top: Double
        var bottom: Double
        var maxFen: Int64
        var stepFen: Int64

        init(maxFen: Int64, top: Double, bottom: Double) {
            self.top = top
            self.bottom = bottom
            // A step of 1, 2 or 5 × 10ⁿ hundredths of 亿元 giving at most five ticks.
            let hundredth: Int64 = 100_000_000
            let peak = max(maxFen, hundredth)
            var step = hundredth
            let multipliers: [Int64] = [1, 2, 5]
            var index = 0
            while peak / step > 5 && step < Int64.max / 10 {
                index += 1
                step = multipliers[index % 3] * Self.power(index / 3) * hundredth
            }
            stepFen = step
            self.maxFen = ((peak + step - 1) / step) * step
        }

        static func power(_ exponent: Int) -> Int64 { (0..<exponent).reduce(Int64(1)) { value, _ in value * 10 } }

        func y(_ fen: Int64) -> Double { bottom - (bottom - top) * Double(fen) / Double(maxFen) }

        var ticks: [Tick] {
            let count = Int(maxFen / stepFen)
            return (0...count).map { index in
                let fen = Int64(index) * stepFen
                return Tick(y: VolumeChart.f(y(fen)), label: VolumeText.yi(fen).replacingOccurrences(of: ".00", with: ""))
            }
        }
    }

    /// A coordinate to one decimal.
    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
