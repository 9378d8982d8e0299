import Agenda
import Foundation
import Hummingbird
import OfficeKit
import Reports

/// The network's coordinator (`guichet agent add --coordinator`): every structure of the
/// network at a glance, read from its database — the week of bookings across structures, the
/// shared specialists' week, and the network's report. Nothing here writes.
struct NetworkPages: ConsoleSection {
    let office: Office
    let pages: WebPages

    func addRoutes(to console: RouterGroup<ConsoleContext>, managers: RouterGroup<ConsoleContext>) {
        console.get("reseau", use: network)
        console.get("reseau/{file}", use: csv)
    }

    private func overview(_ context: ConsoleContext) throws -> any NetworkOverview {
        guard context.agent.role == .coordinator else { throw ConsoleRefusal(reason: .coordinatorOnly) }
        guard let overview = office.networkOverview else {
            throw HTTPError(.notFound, message: "Cette structure n’appartient à aucun réseau (réglage database de sa configuration).")
        }
        return overview
    }

    private func period(_ request: Request) -> ReportPeriod {
        if let asked = request.uri.queryParameters["period"].flatMap({ ReportPeriod(String($0)) }) { return asked }
        let today = kit.zone.localDate(office.clock())
        return ReportPeriod("\(today.year)-Q\((today.month - 1) / 3 + 1)")!
    }

    @Sendable func network(_ request: Request, context: ConsoleContext) async throws -> Response {
        let overview = try overview(context)
        let asked = request.uri.queryParameters["semaine"].flatMap { LocalDate(iso: String($0)) }
        let anchor = asked.flatMap { LocalDate.acceptedYears.contains($0.year) ? $0 : nil } ?? kit.zone.localDate(office.clock())
        let monday = anchor.adding(days: -(anchor.weekday.rawValue - 1))
        let dates = (0..<7).map { monday.adding(days: $0) }
        let week = TimeSpan(kit.zone.day(monday).start, kit.zone.day(dates[6]).end)
        let period = period(request)
        let periodSpan = period.span(in: kit.zone)
        var values: [String: Any] = [
            // Short headings (a week is seven columns): "Mardi 8"; the week's title gives the month.
            "days": dates.map { ["title": "\($0.weekday.french.capitalizedFirst) \($0.day)"] }, "previous": monday.adding(days: -7).description, "next": monday.adding(days: 7).description,
            "weekTitle": "Semaine du \(kit.dayTitle(monday).prefix(1).lowercased())\(kit.dayTitle(monday).dropFirst())",
            "period": period.label, "periodQuery": request.uri.queryParameters["period"].map(String.init) ?? "",
        ]
        do {
            let rows = try await overview.activityByStructure(from: periodSpan.start, to: periodSpan.end)
            let lines = try await overview.bookingsAcrossStructures(during: week)
            let perDay = { (line: NetworkBookingLine) in dates.firstIndex { kit.zone.day($0).overlaps(line.span) } }
            values["structures"] = rows.map { row in
                let mine = lines.filter { $0.structure == row.structure }
                return ["name": row.name, "id": row.structure, "counts": dates.indices.map { day in ["count": mine.filter { perDay($0) == day }.count] }]
                    as [String: Any]
            }
            let shared = Dictionary(grouping: lines.filter { $0.specialist != nil }, by: { $0.specialist! })
            values["specialists"] = shared.keys.sorted().map { specialist in
                let theirs = shared[specialist]!
                return [
                    "id": specialist, "partner": kit.partnerName(theirs.first?.partner),
                    "days": dates.indices.map { day in
                        ["places": Dictionary(grouping: theirs.filter { perDay($0) == day }, by: \.structureName).keys.sorted().joined(separator: ", ")]
                    },
                ] as [String: Any]
            }
            values["hasSpecialists"] = !shared.isEmpty
            let report = NetworkReport.compute(rows, period: period, generatedAt: office.clock())
            let table = report.tables[0]
            values["columns"] = table.columns.dropFirst(2).map { ["label": $0.replacingOccurrences(of: "_", with: " ")] }
            values["report"] = table.rows.map { ["name": $0[1], "values": $0.dropFirst(2).map { ["value": $0] }, "total": $0[0] == "total"] as [String: Any] }
            // The network's own lines of the table by language; each structure's are in its CSV.
            let languages = report.tables[1].rows.filter { $0[0] == "total" }.map { ["name": $0[3], "sessions": $0[4]] }
            values["languages"] = languages
            values["hasLanguages"] = !languages.isEmpty
            values["reachable"] = true
        } catch let error as AgendaError where error == .networkUnavailable {
            return kit.page("network", title: "Réseau", section: "network", context: context, values, error: error.french, status: .serviceUnavailable)
        }
        return kit.page("network", title: "Réseau — toutes les structures", section: "network", context: context, values)
    }

    @Sendable func csv(_ request: Request, context: ConsoleContext) async throws -> Response {
        let overview = try overview(context)
        let period = period(request)
        let span = period.span(in: kit.zone)
        // One of the report's tables by its file's name (`reseau.csv`, `reseau-postes-par-langue.csv`).
        let file = context.parameters.get("file") ?? ""
        guard file.hasSuffix(".csv"), NetworkReport.tableFiles.contains(String(file.dropLast(4))) else { throw HTTPError(.notFound) }
        let report = NetworkReport.compute(try await overview.activityByStructure(from: span.start, to: span.end), period: period, generatedAt: office.clock())
        guard let table = report.tables.first(where: { "\($0.file).csv" == file }) else { throw HTTPError(.notFound) }
        let dialect = request.uri.queryParameters["dialect"].flatMap { CSVWriter.Dialect(rawValue: String($0)) } ?? .rfc4180
        var response = Response(
            status: .ok, headers: [.contentType: "text/csv; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: CSVWriter.csv(table, dialect: dialect))))
        response.headers[.contentDisposition] = "attachment; filename=\"\(table.file)-\(period.first)-\(period.last).csv\""
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
