import OfficeKit
import Agenda
import Foundation
import Hummingbird
import Reports
import Store
import StructureConfig

/// Reports from the console (the same as `guichet report`) and the contact-form messages.
struct ReportPages: ConsoleSection {
    let office: Office
    let pages: WebPages

    func addRoutes(to console: RouterGroup<ConsoleContext>, managers: RouterGroup<ConsoleContext>) {
        console.get("reports", use: reports)
        console.get("reports/rapport.html", use: html)
        console.get("reports/{file}", use: csv)
        console.get("messages", use: messages)
        console.post("messages/{id}/answered", use: answered)
    }

    func period(_ request: Request) -> ReportPeriod? {
        request.uri.queryParameters["period"].flatMap { ReportPeriod(String($0)) }
    }

    /// The last four quarters and the last three months, newest first.
    func suggestions() -> [String] {
        let today = kit.zone.localDate(office.clock())
        let quarter = (today.month - 1) / 3
        var result: [String] = []
        for back in 0..<4 {
            let index = today.year * 4 + quarter - back
            result.append("\(index / 4)-Q\(index % 4 + 1)")
        }
        for back in 0..<3 {
            let month = today.firstOfMonth.addingMonths(-back)
            result.append(String(month.description.prefix(7)))
        }
        return result + [String(today.year - 1)]
    }

    @Sendable func reports(_ request: Request, context: ConsoleContext) async throws -> Response {
        let asked = request.uri.queryParameters["period"].map(String.init)
        var values: [String: Any] = ["suggestions": suggestions().map { ["id": $0, "selected": $0 == asked] }, "period": asked ?? "", "hasReport": false]
        var error: String?
        if let asked {
            if let period = ReportPeriod(asked) {
                let report = try await office.report(period)
                values["hasReport"] = true
                values["label"] = period.label
                let summary = report.table("synthese")
                values["summary"] = summary?.rows.map { ["label": $0[1], "value": HTMLReport.display(summary!, row: $0, column: 2)] } ?? []
                values["files"] = report.tables.map { ["file": $0.file, "title": $0.title] }
                values["query"] = asked.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-."))) ?? ""
            } else {
                error = "Période non reconnue : 2026-Q3, 2026-09, 2026 ou 2026-09-15..2026-10-15."
            }
        }
        return kit.page("reports", title: "Rapports d’activité", section: "reports", context: context, values, error: error,
                        status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func html(_ request: Request, context: ConsoleContext) async throws -> Response {
        guard let period = period(request) else { throw HTTPError(.badRequest, message: "Période non reconnue.") }
        let report = try await office.report(period)
        var response = Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: HTMLReport.render(report))))
        response.headers[.cacheControl] = "no-store"
        // A document meant to be saved and sent on: its style is inside it, and nothing else runs.
        response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
        return response
    }

    @Sendable func csv(_ request: Request, context: ConsoleContext) async throws -> Response {
        let name = try context.parameters.require("file")
        guard name.hasSuffix(".csv"), let period = period(request) else { throw HTTPError(.notFound) }
        let report = try await office.report(period)
        guard let table = report.table(String(name.dropLast(4))) else { throw HTTPError(.notFound) }
        let dialect = request.uri.queryParameters["dialect"].flatMap { CSVWriter.Dialect(rawValue: String($0)) } ?? .rfc4180
        var response = Response(
            status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: CSVWriter.csv(table, dialect: dialect))))
        response.headers[.contentDisposition] = "attachment; filename=\"\(table.file)-\(period.first)-\(period.last).csv\""
        response.headers[.cacheControl] = "no-store"
        return response
    }

    @Sendable func messages(_ request: Request, context: ConsoleContext) async throws -> Response {
        let now = office.clock()
        let all = try await office.database.messages(openOrSince: now.addingTimeInterval(-30 * 86_400)).map { m -> [String: Any] in
            [
                "id": m.id, "name": m.name ?? "(effacé)", "email": m.email ?? "", "message": m.message ?? "", "received": kit.dateTime(m.receivedAt),
                "deadline": kit.dateTime(m.deadline), "overdue": m.overdue(at: now), "open": m.answeredAt == nil,
                "answered": m.answeredAt.map(kit.dateTime) ?? "",
            ]
        }
        return kit.page(
            "messages", title: "Messages reçus", section: "messages", context: context,
            ["messages": all, "hasMessages": !all.isEmpty], notice: Notices.text(request))
    }

    @Sendable func answered(_ request: Request, context: ConsoleContext) async throws -> Response {
        let agent = context.agent
        let id = try context.parameters.require("id")
        try await office.database.markMessageAnswered(id: id, agent: agent.id, now: office.clock())
        return .redirect(to: "/console/messages?done=message")
    }
}
