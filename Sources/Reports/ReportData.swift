import Agenda
import Foundation

/// Everything a report is computed from, already loaded for the period.
public struct ReportData: Sendable {
    public var period: ReportPeriod
    public var structure: Structure
    public var contacts: [Contact]
    public var bookings: [Booking]
    public var stationUses: [StationUse]
    public var referrals: [Referral]
    public var satisfaction: [SatisfactionAnswer]
    public var messages: [ContactMessage]
    public var closures: [Closure]
    /// The hours as they were over time: a period is reported with the hours in force then.
    public var opening: OpeningCalendar

    public init(
        period: ReportPeriod, structure: Structure, contacts: [Contact] = [], bookings: [Booking] = [], stationUses: [StationUse] = [],
        referrals: [Referral] = [], satisfaction: [SatisfactionAnswer] = [], messages: [ContactMessage] = [], closures: [Closure] = [],
        opening: OpeningCalendar? = nil
    ) {
        self.period = period
        self.structure = structure
        self.opening = opening ?? OpeningCalendar(initial: structure.openingHours)
        self.contacts = contacts
        self.bookings = bookings
        self.stationUses = stationUses
        self.referrals = referrals
        self.satisfaction = satisfaction
        self.messages = messages
        self.closures = closures
    }
}

/// One table of a report: a CSV file and a section of the HTML page.
public struct ReportTable: Sendable, Equatable {
    /// File name without extension, stable: scripts depend on it.
    public let file: String
    public let title: String
    public let columns: [String]
    public let rows: [[String]]
    /// A chart drawn from the table: the column holding labels and the one holding values.
    public let chart: Chart?

    public struct Chart: Sendable, Equatable {
        public let labelColumn: Int
        public let valueColumn: Int

        public init(labelColumn: Int, valueColumn: Int) {
            self.labelColumn = labelColumn
            self.valueColumn = valueColumn
        }
    }

    public init(file: String, title: String, columns: [String], rows: [[String]], chart: Chart? = nil) {
        self.file = file
        self.title = title
        self.columns = columns
        self.rows = rows
        self.chart = chart
    }

    /// The value in `column` of the row whose first cell is `key` (tests and summaries).
    public func value(_ key: String, _ column: String) -> String? {
        guard let c = columns.firstIndex(of: column) else { return nil }
        return rows.first { $0.first == key }?[c]
    }
}

/// A computed report: a title, its period and its tables.
public struct Report: Sendable {
    public let title: String
    public let structure: String
    public let period: ReportPeriod
    public let generatedAt: Date
    public let tables: [ReportTable]

    public init(title: String, structure: String, period: ReportPeriod, generatedAt: Date, tables: [ReportTable]) {
        self.title = title
        self.structure = structure
        self.period = period
        self.generatedAt = generatedAt
        self.tables = tables
    }

    public func table(_ file: String) -> ReportTable? { tables.first { $0.file == file } }
}
