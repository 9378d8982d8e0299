import Agenda
import ArgumentParser
import Foundation
import Reports
import OfficeKit

/// `guichet report`: the activity report as CSV files or one HTML page.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write the activity report of a period (quarter, month, year or date range).",
        discussion: """
            Periods: 2026-Q3 (quarter), 2026-09 (month, as the Caf Point numérique reports), 2026 (year,
            the quality indicators), or 2026-09-15..2026-10-15. CSV: one UTF-8 file per table with
            French headers (see README); HTML: one printable page with SVG charts.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, html }

    @OptionGroup var office: OfficeOptions

    @Option(help: "The period: 2026-Q3, 2026-09, 2026 or 2026-09-15..2026-10-15.")
    var period: String

    @Option(help: "csv or html.")
    var format: Format = .html

    @Option(help: "CSV dialect: rfc4180 (comma, decimal point; for scripts) or excel-fr (semicolon, decimal comma, UTF-8 with BOM; opens right in a French spreadsheet).")
    var csvDialect: CSVWriter.Dialect = .rfc4180

    @Option(help: "Folder to write into (created if missing).")
    var out: String

    func run() async throws {
        guard let period = ReportPeriod(period) else {
            throw ValidationError("'\(self.period)' is not a period: use 2026-Q3, 2026-09, 2026 or 2026-09-15..2026-10-15.")
        }
        let report = try await office.openForReading().report(period)
        let folder = URL(fileURLWithPath: out)
        switch format {
        case .csv:
            for url in try CSVWriter.write(report, to: folder, dialect: csvDialect) { print(url.path) }
        case .html:
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let url = folder.appendingPathComponent("rapport.html")
            try Data(HTMLReport.render(report).utf8).write(to: url, options: .atomic)
            print(url.path)
        }
    }
}

extension CSVWriter.Dialect: ExpressibleByArgument {}
