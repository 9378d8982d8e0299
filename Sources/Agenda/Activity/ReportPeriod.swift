import Foundation

/// The period a report covers, in local dates of the structure (both ends included).
public struct ReportPeriod: Sendable, Equatable, CustomStringConvertible {
    public let first: LocalDate
    public let last: LocalDate
    public let label: String

    public init(first: LocalDate, last: LocalDate, label: String) {
        self.first = first
        self.last = last
        self.label = label
    }

    /// Parses `2026-Q3`, `2026-09`, `2026`, or `2026-09-15..2026-10-15`.
    /// A quarter (1–4) of `year`.
    public init(year: Int, quarter: Int) {
        let q = min(4, max(1, quarter))
        let start = LocalDate(clampingYear: year, month: 3 * q - 2, day: 1)
        self.init(first: start, last: start.addingMonths(3).adding(days: -1), label: "\(q)\(q == 1 ? "er" : "e") trimestre \(year)")
    }

    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let range = t.range(of: "..") {
            guard let a = LocalDate(iso: String(t[..<range.lowerBound])), let b = LocalDate(iso: String(t[range.upperBound...])),
                a <= b, a.days(until: b) <= 366, LocalDate.acceptedYears.contains(a.year), LocalDate.acceptedYears.contains(b.year)
            else { return nil }
            self.init(first: a, last: b, label: "du \(a) au \(b)")
            return
        }
        let parts = t.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let year = Int(parts[0]), parts[0].count == 4, LocalDate.acceptedYears.contains(year) else { return nil }
        if parts.count == 1 {
            self.init(first: LocalDate(clampingYear: year, month: 1, day: 1), last: LocalDate(clampingYear: year, month: 12, day: 31), label: "année \(year)")
        } else if parts.count == 2, parts[1].count == 2, parts[1].first == "Q", let q = Int(parts[1].dropFirst()), (1...4).contains(q) {
            let start = LocalDate(clampingYear: year, month: 3 * q - 2, day: 1)
            self.init(first: start, last: start.addingMonths(3).adding(days: -1), label: "\(q)\(q == 1 ? "er" : "e") trimestre \(year)")
        } else if parts.count == 2, parts[1].count == 2, let m = Int(parts[1]), (1...12).contains(m) {
            let start = LocalDate(clampingYear: year, month: m, day: 1)
            self.init(first: start, last: start.addingMonths(1).adding(days: -1), label: "\(LocalDate.frenchMonths[m - 1]) \(year)")
        } else {
            return nil
        }
    }

    public var description: String { label }

    /// The instants the period covers in `zone`.
    public func span(in zone: StructureTimeZone) -> TimeSpan {
        TimeSpan(zone.day(first).start, zone.day(last).end)
    }

    public var days: [LocalDate] { (0...first.days(until: last)).map { first.adding(days: $0) } }
}
