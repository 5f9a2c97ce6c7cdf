import Foundation
@testable import MarketAPI
import Testing

/// The hand-read RFC 3339 times of request bodies read as Foundation's ISO 8601 formatter read
/// them, and refuse what the document's pattern or the calendar refuses.
@Suite struct TimestampTests {
    static func foundation(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    @Test(arguments: [
        "2027-01-31T12:00:00Z", "2027-01-31T12:00:00+08:00", "2027-01-31T12:00:00-05:30", "1970-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z", "2000-02-29T23:59:59+14:00", "2026-12-07T09:12:24.250Z", "2026-12-07T09:12:24.5+08:00",
        "2400-03-01T00:00:00Z", "1900-02-28T00:00:00Z",
    ])
    func readsAsFoundationDid(_ text: String) throws {
        let date = try #require(Timestamp.parse(text))
        let expected = try #require(Self.foundation(text))
        #expect(abs(date.timeIntervalSince(expected)) < 0.001, "\(text): \(date) against \(expected)")
    }

    /// RFC 3339's calendar is the proleptic Gregorian (Foundation's turns Julian before 1582).
    @Test func readsTheProlepticGregorianCalendar() throws {
        #expect(try #require(Timestamp.parse("0001-01-01T00:00:00Z")).timeIntervalSince1970 == -62_135_596_800)
    }

    @Test func keepsTheFraction() throws {
        let date = try #require(Timestamp.parse("2026-12-07T09:12:24.123456Z"))
        #expect(abs(date.timeIntervalSince1970 - 1_796_634_744.123456) < 0.000_001)
    }

    @Test(arguments: [
        "", "2027-01-31", "2027-01-31T12:00:00", "2027-01-31 12:00:00Z", "2027-1-31T12:00:00Z", "2027-01-31T12:00Z",
        "2027-13-01T00:00:00Z", "2027-00-01T00:00:00Z", "2027-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2027-04-31T00:00:00Z",
        "2027-01-00T00:00:00Z", "2027-01-31T24:00:00Z", "2027-01-31T12:60:00Z", "2027-01-31T12:00:60Z", "2027-01-31T12:00:00.Z",
        "2027-01-31T12:00:00+0800", "2027-01-31T12:00:00+08", "2027-01-31T12:00:00+24:00", "2027-01-31T12:00:00z",
        "2027-01-31t12:00:00Z", "2027-01-31T12:00:00Z ", " 2027-01-31T12:00:00Z", "٢٠٢٧-01-31T12:00:00Z",
        "2027-01-31T12:00:00.123456789012345678901234Z",
    ])
    func refuses(_ text: String) {
        #expect(Timestamp.parse(text) == nil, "\(text)")
    }
}
