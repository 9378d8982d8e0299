import OfficeKit
import StructureConfig
import Agenda
import Foundation
import Hummingbird
import Store

/// Opening hours and exceptional closures: everyone sees them, managers change them.
struct HoursPages: ConsoleSection {
    let office: Office
    let pages: WebPages

    func addRoutes(to console: RouterGroup<ConsoleContext>, managers: RouterGroup<ConsoleContext>) {
        console.get("hours", use: show)
        managers.post("hours", use: replaceHours)
        managers.post("closures", use: announce)
        managers.post("closures/{id}/withdraw", use: withdraw)
        managers.post("holidays/{date}", use: setHoliday)
    }

    func render(
        _ context: ConsoleContext, notice: String?, error: String? = nil, typed: [String: String] = [:],
        hits: [Booking] = [], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let now = office.clock()
        let plan = try await office.database.hoursPlan(default: office.structure, now: now)
        let days = Weekday.allCases.map { day -> [String: Any] in
            let current = plan.hours.ranges(on: day).map(\.description).joined(separator: ", ")
            return ["key": day.key, "name": day.french.capitalizedFirst, "value": typed["day-\(day.key)"] ?? current]
        }
        let upcoming = try await office.database.closures(overlapping: TimeSpan(now.addingTimeInterval(-86_400), now.addingTimeInterval(400 * 86_400)))
        let closures = upcoming.filter { !$0.withdrawn }.map { c -> [String: Any] in
            ["id": c.id, "reason": c.reason, "from": kit.dateTime(c.span.start), "to": kit.dateTime(c.span.end), "emergency": c.emergency,
             "announced": kit.dateTime(c.announcedAt)]
        }
        let today = kit.zone.localDate(now)
        let announced = plan.calendar.upcoming(after: today).map { change -> [String: Any] in
            ["from": kit.dayTitle(change.effectiveFrom), "text": Weekday.allCases.compactMap { day in
                let ranges = change.hours.ranges(on: day)
                return ranges.isEmpty ? nil : "\(day.french) \(ranges.map(\.description).joined(separator: ", "))"
            }.joined(separator: " ; ")]
        }
        // The public holidays of the coming twelve months: closed unless declared open.
        let holidays = plan.calendar.holidays(from: today, through: today.adding(days: 366)).map { h -> [String: Any] in
            ["date": h.date.description, "title": kit.dayTitle(h.date), "name": h.name, "open": h.open, "action": h.open ? "close" : "open"]
        }
        return kit.page(
            "hours", title: "Horaires et fermetures", section: "hours", context: context,
            [
                "days": days, "announced": announced, "hasAnnounced": !announced.isEmpty, "holidays": holidays,
                "effectiveFrom": typed["effectiveFrom"] ?? "", "closures": closures, "hasClosures": !closures.isEmpty, "rule": OpeningHoursMinimum.summary(for: office.structure.label),
                "hits": kit.warningRows(hits),
                "hasHits": !hits.isEmpty,
                "closureStartDate": typed["startDate"] ?? "", "closureStartTime": typed["startTime"] ?? "00:00",
                "closureEndDate": typed["endDate"] ?? "", "closureEndTime": typed["endTime"] ?? "23:59", "closureReason": typed["reason"] ?? "",
            ], notice: notice, error: error, status: status)
    }

    @Sendable func show(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await render(context, notice: Notices.text(request))
    }

    @Sendable func replaceHours(_ request: Request, context: ConsoleContext) async throws -> Response {
        let form = context.form
        var typed: [String: String] = [:]
        var days: [String: [String]] = [:]
        for day in Weekday.allCases {
            let text = form["day-\(day.key)"] ?? ""
            typed["day-\(day.key)"] = text
            days[day.key] = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "") }
                .filter { !$0.isEmpty }
        }
        typed["effectiveFrom"] = form["effectiveFrom"] ?? ""
        do {
            let hours = try WireInput.weeklyHours(days)
            let from = try form.nonEmpty("effectiveFrom").map { try WireInput.date($0, field: "effectiveFrom") }
            _ = try await office.database.replaceOpeningHours(hours, effectiveFrom: from, structure: office.structure, now: office.clock())
            return .redirect(to: "/console/hours?done=hours")
        } catch {
            guard let message = ConsoleKit.describe(error) else { throw error }
            return try await render(context, notice: nil, error: message, typed: typed, status: .unprocessableContent)
        }
    }

    @Sendable func announce(_ request: Request, context: ConsoleContext) async throws -> Response {
        let form = context.form
        var typed: [String: String] = [:]
        for key in ["startDate", "startTime", "endDate", "endTime", "reason"] { typed[key] = form[key] ?? "" }
        func refuse(_ message: String) async throws -> Response {
            try await render(context, notice: nil, error: message, typed: typed, status: .unprocessableContent)
        }
        guard let startDate = form["startDate"].flatMap(LocalDate.init(iso:)), let endDate = form["endDate"].flatMap(LocalDate.init(iso:)),
            LocalDate.acceptedYears.contains(startDate.year), LocalDate.acceptedYears.contains(endDate.year),
            let startTime = LocalTime(iso: form["startTime"] ?? ""), let endTime = LocalTime(iso: form["endTime"] ?? "")
        else { return try await refuse("Indiquez le début et la fin de la fermeture (date et heure).") }
        let span = TimeSpan(kit.zone.instant(startDate, startTime), kit.zone.instant(endDate, endTime))
        guard span.end > span.start else { return try await refuse("La fin doit suivre le début.") }
        do {
            let result = try await office.database.announceClosure(
                span: span, reason: form["reason"] ?? "", emergency: form.has("emergency"), now: office.clock())
            if result.hits.isEmpty { return .redirect(to: "/console/hours?done=closure") }
            return try await render(
                context, notice: "Fermeture annoncée. Prévenez les usagers des rendez-vous ci-dessous.", hits: result.hits)
        } catch let error as AgendaError {
            return try await refuse(error.french)
        }
    }

    /// Declares a public holiday open, or closed again (`action` = open | close).
    @Sendable func setHoliday(_ request: Request, context: ConsoleContext) async throws -> Response {
        let form = context.form
        let text = try context.parameters.require("date")
        do {
            let date = try WireInput.date(text, field: "date")
            let open = form["action"] == "open"
            let result = try await AuditContext.naming(open ? "holiday.open" : "holiday.close") {
                try await office.database.setHolidayOpen(date, open: open, structure: office.structure, now: office.clock())
            }
            if result.hits.isEmpty { return .redirect(to: "/console/hours?done=hours") }
            return try await render(context, notice: "Jour férié fermé. Prévenez les usagers des rendez-vous ci-dessous.", hits: result.hits)
        } catch {
            guard let message = ConsoleKit.describe(error) else { throw error }
            return try await render(context, notice: nil, error: message, status: .unprocessableContent)
        }
    }

    @Sendable func withdraw(_ request: Request, context: ConsoleContext) async throws -> Response {
        let id = try context.parameters.require("id")
        _ = try await office.database.withdrawClosure(id: id)
        return .redirect(to: "/console/hours?done=closure-withdrawn")
    }
}
