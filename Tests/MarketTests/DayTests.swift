import Foundation
import Market
import Testing

/// `Day`: dates as China reads them, checked against Foundation's calendar.
@Suite struct DayTests {
    @Test func todayIsTheCalendarDateInChinaTime() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "Asia/Shanghai"))
        func reference(_ date: Date) -> String {
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        }
        // Every 7 hours and 13 minutes from 2000 to 2200, and either side of each midnight in China
        // (16:00 UTC) around the leap days and the turn of each century.
        var instants: [Date] = []
        var t = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01T00:00:00Z
        while t.timeIntervalSince1970 < 7_258_118_400 {  // 2200-01-01
            instants.append(t)
            t += 7 * 3_600 + 13 * 60
        }
        for text in ["2000-02-28", "2000-02-29", "2000-03-01", "2024-02-29", "2100-02-28", "2100-03-01", "2199-12-31"] {
            var parts = DateComponents()
            parts.year = Int(text.prefix(4)); parts.month = Int(text.dropFirst(5).prefix(2)); parts.day = Int(text.suffix(2))
            let midnight = try #require(calendar.date(from: parts))
            instants += [midnight - 1, midnight, midnight + 1, midnight + 86_399]
        }
        for instant in instants {
            #expect(Day.today(instant).text == reference(instant), "\(instant)")
        }
    }

    @Test func onlyRealDatesOfTheRightShapeAreDays() {
        for text in ["2026-11-26", "2000-02-29", "2024-02-29", "2200-12-31", "2026-04-30"] {
            #expect(Day(text)?.text == text, "\(text)")
        }
        for text in ["2023-02-29", "2100-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "1999-12-31", "2201-01-01",
                     "2026-1-01", "26-01-01", "2026/01/01", "+026-01-01", "2026-01-0a", "２０２６-01-01", "2026-01-011", ""] {
            #expect(Day(text) == nil, "\(text)")
        }
    }

    @Test func daysSince1970RoundTripThroughTheCalendar() {
        #expect(Day("1970-01-01") == nil && Day("2000-01-01")?.daysSince1970 == 10_957)
        for text in ["2000-02-29", "2020-01-01", "2024-12-31", "2025-03-01", "2100-02-28", "2200-12-31"] {
            guard let day = Day(text) else { Issue.record("\(text) is a day"); continue }
            let (year, month, dayOfMonth) = Day.civil(fromDaysSince1970: day.daysSince1970)
            #expect(Day(year: Int(year), month: Int(month), day: Int(dayOfMonth)) == day, "\(text)")
        }
        #expect(Day(year: 2025, month: 2, day: 29) == nil && Day(year: 2026, month: 13, day: 1) == nil)
    }
}
