import Foundation

/// Writes RFC 5545 content lines: CRLF endings, 75-octet folding, TEXT escaping.
public struct ICalendarWriter: Sendable {
    public private(set) var text = ""

    public init() {}

    /// Appends `NAME[;PARAMS]:VALUE` with `value` written verbatim (already formatted).
    public mutating func line(_ name: String, _ value: String) {
        fold(name + ":" + value)
    }

    /// Appends a TEXT property, escaping backslashes, semicolons, commas and newlines (§3.3.11).
    public mutating func text(_ name: String, _ value: String) {
        var escaped = ""
        for c in value {
            switch c {
            case "\\": escaped += "\\\\"
            case ";": escaped += "\\;"
            case ",": escaped += "\\,"
            case "\n", "\r\n": escaped += "\\n"
            case "\r": break
            default:
                // Other control characters are not allowed in TEXT.
                if c.unicodeScalars.allSatisfy({ $0.properties.generalCategory != .control }) { escaped.append(c) }
            }
        }
        fold(name + ":" + escaped)
    }

    /// Appends a DATE-TIME property for `instant`: local time with `TZID` when that text
    /// names this instant, the UTC form otherwise. At the autumn change the repeated hour's
    /// local text means its first occurrence (RFC 5545 §3.3.5), so its second occurrence
    /// (02:00+01:00 in Paris) is written in UTC, as the RFC asks.
    public mutating func dateTime(_ name: String, _ instant: Date, _ zone: StructureTimeZone) {
        let (date, time) = zone.local(instant)
        if zone.instant(date, time) == instant {
            line("\(name);TZID=\(zone.identifier)", Self.local(date, time))
        } else {
            line(name, Self.utc(instant))
        }
    }

    public mutating func begin(_ component: String) { line("BEGIN", component) }
    public mutating func end(_ component: String) { line("END", component) }

    /// Lines longer than 75 octets continue on the next line after CRLF and a space,
    /// never splitting a UTF-8 sequence (§3.1).
    private mutating func fold(_ line: String) {
        var octets = 0
        var limit = 75
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            if octets + size > limit {
                text += "\r\n "
                octets = 1
                limit = 75
            }
            text.unicodeScalars.append(scalar)
            octets += size
        }
        text += "\r\n"
    }

    /// `YYYYMMDDTHHMMSS` wall time in `zone` (for `;TZID=` values).
    public static func local(_ instant: Date, _ zone: StructureTimeZone) -> String {
        let (date, time) = zone.local(instant)
        return local(date, time)
    }

    public static func local(_ date: LocalDate, _ time: LocalTime) -> String {
        "\(LocalDate.pad(date.year, 4))\(LocalDate.pad(date.month, 2))\(LocalDate.pad(date.day, 2))T\(LocalDate.pad(time.hour, 2))\(LocalDate.pad(time.minute, 2))00"
    }

    /// `YYYYMMDDTHHMMSSZ`.
    public static func utc(_ instant: Date) -> String {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let rest = seconds - days * 86_400
        let date = LocalDate(daysSinceEpoch: days)
        return "\(LocalDate.pad(date.year, 4))\(LocalDate.pad(date.month, 2))\(LocalDate.pad(date.day, 2))T"
            + "\(LocalDate.pad(rest / 3600, 2))\(LocalDate.pad(rest / 60 % 60, 2))\(LocalDate.pad(rest % 60, 2))Z"
    }
}
