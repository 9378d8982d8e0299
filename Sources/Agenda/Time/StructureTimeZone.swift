import Foundation

/// Converts between the structure's wall clock and unambiguous instants.
///
/// Everything the office plans (opening hours, a permanence at 09:00) is wall-clock
/// time in the structure's zone; everything stored is an instant. The two rules
/// below follow RFC 5545 §3.3.5 so that our calendars and the clients reading our
/// feeds agree:
/// - a wall time that happens twice (autumn fall-back) means its first occurrence;
/// - a wall time that never happens (spring gap) is read with the offset in force
///   before the gap, which moves it forward by the gap's length.
public struct StructureTimeZone: Sendable, Equatable {
    public let timeZone: TimeZone

    public init(_ timeZone: TimeZone) { self.timeZone = timeZone }

    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.timeZone = zone
    }

    public var identifier: String { timeZone.identifier }

    /// Seconds east of UTC in force at `instant`.
    public func offset(at instant: Date) -> Int { timeZone.secondsFromGMT(for: instant) }

    /// The instant at which the wall clock shows `time` on `date`.
    public func instant(_ date: LocalDate, _ time: LocalTime) -> Date {
        let wall = Double(date.daysSinceEpoch * 86_400 + time.minutes * 60)
        let before = offset(at: Date(timeIntervalSince1970: wall - 86_400))
        let after = offset(at: Date(timeIntervalSince1970: wall + 86_400))
        let first = wall - Double(before)
        let second = wall - Double(after)
        let firstValid = offset(at: Date(timeIntervalSince1970: first)) == before
        let secondValid = offset(at: Date(timeIntervalSince1970: second)) == after
        switch (firstValid, secondValid) {
        case (true, true): return Date(timeIntervalSince1970: min(first, second))
        case (true, false): return Date(timeIntervalSince1970: first)
        case (false, true): return Date(timeIntervalSince1970: second)
        case (false, false): return Date(timeIntervalSince1970: first)  // in a gap: offset before it
        }
    }

    /// The wall-clock day and time shown at `instant` (seconds dropped).
    public func local(_ instant: Date) -> (date: LocalDate, time: LocalTime) {
        StructureTimeZone.wall(instant, offset: offset(at: instant))
    }

    /// The wall-clock day and time of `instant` under a given offset.
    public static func wall(_ instant: Date, offset: Int) -> (date: LocalDate, time: LocalTime) {
        let wall = Int(instant.timeIntervalSince1970.rounded(.down)) + offset
        let days = Int((Double(wall) / 86_400).rounded(.down))
        let minutes = (wall - days * 86_400) / 60
        return (LocalDate(daysSinceEpoch: days), LocalTime(clampingMinutes: minutes))
    }

    public func localDate(_ instant: Date) -> LocalDate { local(instant).date }

    /// The instants a wall-clock range covers on `date`.
    public func span(_ date: LocalDate, _ range: LocalTimeRange) -> TimeSpan {
        TimeSpan(instant(date, range.start), instant(date, range.end))
    }

    /// The instants of local day `date`, midnight to midnight.
    public func day(_ date: LocalDate) -> TimeSpan {
        TimeSpan(instant(date, LocalTime.midnight), instant(date.adding(days: 1), LocalTime.midnight))
    }
}
