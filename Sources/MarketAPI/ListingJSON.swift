import Foundation
import Hummingbird
import Market

/// Listings written as JSON by hand, byte for byte what the API's JSONEncoder writes for them
/// (`Listing.encode(to:)`, keys sorted, ISO 8601 dates, slashes unescaped), which
/// `ListingJSONTests` checks on every demo listing and on awkward text. JSONEncoder builds a tree
/// of boxed values and looks up generic metadata for every field; on a page of 20 listings that
/// was a third of the server's CPU for a search the database had already answered.
enum ListingJSON {
    static func page(_ page: ListingPage) -> ByteBuffer {
        var out: [UInt8] = []
        out.reserveCapacity(1_024 * (page.items.count + 1))
        out += #"{"items":["#.utf8
        for (index, listing) in page.items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            write(listing, into: &out)
        }
        out += #"],"nextCursor":"#.utf8
        string(page.nextCursor, into: &out)
        out.append(UInt8(ascii: "}"))
        return ByteBuffer(bytes: out)
    }

    static func listing(_ listing: Listing) -> ByteBuffer {
        var out: [UInt8] = []
        out.reserveCapacity(2_048)
        write(listing, into: &out)
        return ByteBuffer(bytes: out)
    }

    /// The keys in sorted order, as JSONEncoder's `.sortedKeys` writes them.
    static func write(_ listing: Listing, into out: inout [UInt8]) {
        let content = listing.content
        out += #"{"askingPriceFen":"#.utf8
        if let fen = content.askingPriceFen { out += String(fen).utf8 } else { out += "null".utf8 }
        out += #","benefit":"#.utf8
        string(content.benefit, into: &out)
        out += #","createdAt":"#.utf8
        date(listing.createdAt, into: &out)
        out += #","field":"#.utf8
        string(content.fieldCode, into: &out)
        out += #","id":"#.utf8
        out += String(listing.id.value).utf8
        out += #","institutionId":"#.utf8
        out += String(listing.institutionID.value).utf8
        out += #","institutionName":"#.utf8
        string(listing.institutionName, into: &out)
        out += #","ipAssets":["#.utf8
        for (index, asset) in content.ipAssets.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += #"{"kind":"#.utf8
            string(asset.kind.rawValue, into: &out)
            if let number = asset.number {
                out += #","number":"#.utf8
                string(number, into: &out)
            }
            out += #","title":"#.utf8
            string(asset.title, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out += #"],"keywords":["#.utf8
        for (index, keyword) in content.keywords.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            string(keyword, into: &out)
        }
        out += #"],"negotiable":"#.utf8
        out += (content.negotiable ? "true" : "false").utf8
        out += #","publishedAt":"#.utf8
        if let published = listing.publishedAt { date(published, into: &out) } else { out += "null".utf8 }
        out += #","reference":"#.utf8
        string(content.reference, into: &out)
        out += #","regionCode":"#.utf8
        string(listing.regionCode.value, into: &out)
        out += #","status":"#.utf8
        string(listing.status.rawValue, into: &out)
        out += #","summary":"#.utf8
        string(content.summary, into: &out)
        out += #","title":"#.utf8
        string(content.title, into: &out)
        out += #","transferModes":["#.utf8
        for (index, mode) in content.transferModes.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            string(mode.rawValue, into: &out)
        }
        out += #"],"trl":"#.utf8
        out += String(content.trl).utf8
        out += #","updatedAt":"#.utf8
        date(listing.updatedAt, into: &out)
        out += #","version":"#.utf8
        out += String(listing.version).utf8
        out.append(UInt8(ascii: "}"))
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// A JSON string: `"` and `\` escaped, control characters as \b \f \n \r \t or \u00xx, the
    /// rest (slashes, all of Unicode) as UTF-8.
    static func string(_ text: String?, into out: inout [UInt8]) {
        guard let text else {
            out += "null".utf8
            return
        }
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += #"\""#.utf8
            case UInt8(ascii: "\\"): out += #"\\"#.utf8
            case 0x08: out += #"\b"#.utf8
            case 0x0C: out += #"\f"#.utf8
            case 0x0A: out += #"\n"#.utf8
            case 0x0D: out += #"\r"#.utf8
            case 0x09: out += #"\t"#.utf8
            case 0..<0x20: out += [0x5C, 0x75, 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `2026-11-26T21:10:44Z`: UTC, whole seconds (the fraction dropped), as `.iso8601` writes it.
    static func date(_ date: Date, into out: inout [UInt8]) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Day.civil(fromDaysSince1970: days)
        func two(_ value: Int64) {
            out.append(UInt8(0x30 + value / 10))
            out.append(UInt8(0x30 + value % 10))
        }
        out.append(UInt8(ascii: "\""))
        out += String(year).utf8
        out.append(UInt8(ascii: "-"))
        two(month)
        out.append(UInt8(ascii: "-"))
        two(day)
        out.append(UInt8(ascii: "T"))
        two(secondOfDay / 3_600)
        out.append(UInt8(ascii: ":"))
        two(secondOfDay / 60 % 60)
        out.append(UInt8(ascii: ":"))
        two(secondOfDay % 60)
        out += #"Z""#.utf8
    }
}
