import Agenda
import ArgumentParser
import Foundation
import Reports
import App
import NetworkStore
import OfficeKit
import StructureConfig

/// `guichet report`: the activity report as CSV files or one HTML page.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write the activity report of a period (quarter, month, year or date range).",
        discussion: """
            Periods: 2026-Q3 (quarter), 2026-09 (month, as the Caf Point numérique reports), 2026 (year,
            the quality indicators), or 2026-09-15..2026-10-15. CSV: one UTF-8 file per table with
            French headers (see README); HTML: one printable page with SVG charts.
            --network: the network's report from its PostgreSQL database (the configuration's
            `database`), one row per structure and the totals.
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

    @Flag(help: "The network's report (every structure of its PostgreSQL database), not this structure's.")
    var network = false

    @Option(help: "The network's database (postgres://…), over the configuration's `database`.")
    var database: String?

    func run() async throws {
        guard let period = ReportPeriod(period) else {
            throw ValidationError("'\(self.period)' is not a period: use 2026-Q3, 2026-09, 2026 or 2026-09-15..2026-10-15.")
        }
        let report = try await network ? networkReport(period) : office.openForReading().report(period)
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

extension ReportCommand {
    /// Counted by PostgreSQL over the whole network; the period in this configuration's zone.
    func networkReport(_ period: ReportPeriod) async throws -> Report {
        let config = try GuichetConfig.load(path: office.config)
        guard let settings = database.map({ NetworkSettings(url: $0, passwordFile: config.network?.passwordFile) }) ?? config.network else {
            throw ValidationError("--network needs the network's database: `database` in \(office.config), or --database postgres://…")
        }
        let membership = try NetworkJoin.membership(settings, structure: config.structure)
        let span = period.span(in: config.structure.timeZone)
        let rows = try await membership.database.run { try await $0.activityByStructure(from: span.start, to: span.end) }
        return NetworkReport.compute(rows, period: period, generatedAt: office.clock())
    }
}

extension CSVWriter.Dialect: ExpressibleByArgument {}
