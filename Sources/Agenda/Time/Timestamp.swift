import Foundation

/// ISO 8601 timestamps as the API and the store write and read them.
///
/// Input must carry an explicit offset (`Z` or `±HH:MM`): an instant without one is
/// ambiguous, and Guichet stores only unambiguous instants. Output is always in the
/// structure's zone with its offset, to the second (`2026-03-30T09:00:00+02:00`).
public enum Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)`; nil when malformed or outside
    /// `LocalDate.acceptedYears`.
    public static func parse(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count >= 17, chars.count <= 35 else { return nil }
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= chars.count else { return nil }
            var value = 0
            for c in chars[from..<from + count] {
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        func byte(_ i: Int, _ c: Character) -> Bool { i < chars.count && chars[i] == c.asciiValue! }
        guard let year = digits(0, 4), byte(4, "-"), let month = digits(5, 2), byte(7, "-"),
            let day = digits(8, 2), byte(10, "T") || byte(10, "t"), let hour = digits(11, 2), byte(13, ":"),
            let minute = digits(14, 2)
        else { return nil }
        var i = 16
        var second = 0
        var fraction = 0.0
        if byte(i, ":") {
            guard let s = digits(i + 1, 2) else { return nil }
            second = s
            i += 3
            if byte(i, ".") {
                i += 1
                var scale = 0.1
                let startDigits = i
                while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
                    fraction += Double(chars[i] - 48) * scale
                    scale /= 10
                    i += 1
                }
                guard i > startDigits else { return nil }
            }
        }
        var offset: Int
        if byte(i, "Z") || byte(i, "z") {
            offset = 0
            i += 1
        } else if byte(i, "+") || byte(i, "-") {
            let sign = byte(i, "-") ? -1 : 1
            guard let oh = digits(i + 1, 2), byte(i + 3, ":"), let om = digits(i + 4, 2), oh <= 14, om <= 59 else {
                return nil
            }
            offset = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            return nil
        }
        guard i == chars.count, LocalDate.acceptedYears.contains(year), hour <= 23, minute <= 59, second <= 59,
            let date = LocalDate(year: year, month: month, day: day)
        else { return nil }
        let wall = date.daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: Double(wall - offset) + fraction)
    }

    /// Formats `instant` as wall-clock time in `zone` with its offset.
    public static func format(_ instant: Date, in zone: StructureTimeZone) -> String {
        let offset = zone.offset(at: instant)
        let wall = Int(instant.timeIntervalSince1970.rounded(.down)) + offset
        let days = Int((Double(wall) / 86_400).rounded(.down))
        let seconds = wall - days * 86_400
        let date = LocalDate(daysSinceEpoch: days)
        let sign = offset < 0 ? "-" : "+"
        let abs = Swift.abs(offset)
        return "\(date)T\(LocalDate.pad(seconds / 3600, 2)):\(LocalDate.pad(seconds / 60 % 60, 2)):"
            + "\(LocalDate.pad(seconds % 60, 2))\(sign)\(LocalDate.pad(abs / 3600, 2)):\(LocalDate.pad(abs / 60 % 60, 2))"
    }
}
