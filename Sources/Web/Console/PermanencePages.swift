import OfficeKit
import Agenda
import Foundation
import Hummingbird
import Store
import StructureConfig

/// Partner permanences (managers): the series, a new one, a date taken out, an end.
struct PermanencePages: ConsoleSection {
    let office: Office
    let pages: WebPages

    func addRoutes(to console: RouterGroup<ConsoleContext>, managers: RouterGroup<ConsoleContext>) {
        console.get("permanences", use: list)
        managers.post("permanences", use: add)
        managers.post("permanences/{id}/exception", use: exception)
        managers.post("permanences/{id}/cancel", use: cancel)
    }

    func page(_ context: ConsoleContext, form: FormData?, notice: String?, error: String?, hits: [Booking] = []) async throws -> Response {
        let specialists = try await office.database.specialists()
        let names = Dictionary(uniqueKeysWithValues: specialists.map { ($0.id, $0.displayName) })
        let permanences = try await office.database.permanences().map { p -> [String: Any] in
            ["id": p.id, "partner": kit.partnerName(p.partner), "who": names[p.specialist] ?? p.specialist, "room": kit.roomName(p.room),
             "when": "\(p.recurrence.frenchDescription), \(p.hours.start) – \(p.hours.end)", "since": kit.dayTitle(p.firstDate)]
        }
        return kit.page(
            "permanences", title: "Permanences des partenaires", section: "permanences", context: context,
            [
                "permanences": permanences, "hasPermanences": !permanences.isEmpty,
                "specialists": specialists.map { ["id": $0.id, "label": "\($0.displayName) — \(kit.partnerName($0.partner))", "selected": $0.id == form?["specialist"]] },
                "rooms": office.structure.rooms.map { ["id": $0.id, "name": $0.name, "selected": $0.id == form?["room"]] },
                "weekdays": Weekday.allCases.map { ["id": $0.key, "name": $0.french.capitalizedFirst, "selected": $0.key == (form?["weekday"] ?? "tuesday")] },
                "hours": form?["hours"] ?? "09:00-12:00", "firstDate": form?["firstDate"] ?? kit.zone.localDate(office.clock()).description,
                "interval": form?["interval"] ?? "1",
                "hits": kit.warningRows(hits),
                "hasHits": !hits.isEmpty,
            ], notice: notice, error: error, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await page(context, form: nil, notice: Notices.text(request), error: nil)
    }

    /// The recurrence from the form: every N weeks, or the Nth (or last) weekday of the month.
    func recurrence(_ form: FormData) -> Recurrence? {
        guard let day = Weekday(key: form["weekday"] ?? "") else { return nil }
        switch form["frequency"] {
        case "weekly":
            guard let n = Int(form["interval"] ?? ""), (1...8).contains(n) else { return nil }
            return .weekly(interval: n, weekday: day)
        case "monthly":
            guard let n = Int(form["ordinal"] ?? ""), [1, 2, 3, 4, -1].contains(n) else { return nil }
            return .monthly(ordinal: n, weekday: day)
        default: return nil
        }
    }

    @Sendable func add(_ request: Request, context: ConsoleContext) async throws -> Response {
        let form = context.form
        guard let recurrence = recurrence(form), let hours = LocalTimeRange(iso: form["hours"] ?? ""),
            let first = form["firstDate"].flatMap(LocalDate.init(iso:)), LocalDate.acceptedYears.contains(first.year)
        else {
            return try await page(context, form: form, notice: nil, error: "Indiquez le rythme, les heures (09:00-12:00) et la date de début.")
        }
        do {
            _ = try await office.database.addPermanence(
                specialist: form["specialist"] ?? "", room: form["room"] ?? "", recurrence: recurrence, hours: hours, firstDate: first, lastDate: nil,
                structure: office.structure, now: office.clock())
            return .redirect(to: "/console/permanences?done=permanence")
        } catch let error as AgendaError {
            return try await page(context, form: form, notice: nil, error: error.french)
        }
    }

    @Sendable func exception(_ request: Request, context: ConsoleContext) async throws -> Response {
        let form = context.form
        let id = try context.parameters.require("id")
        guard let date = form["date"].flatMap(LocalDate.init(iso:)), LocalDate.acceptedYears.contains(date.year) else {
            return try await page(context, form: nil, notice: nil, error: "Indiquez la date à retirer.")
        }
        do {
            let result = try await office.database.addPermanenceException(id: id, date: date, zone: kit.zone)
            return try await page(context, form: nil, notice: "Date retirée de la permanence.", error: nil, hits: result.hits)
        } catch let error as AgendaError {
            return try await page(context, form: nil, notice: nil, error: error.french)
        }
    }

    @Sendable func cancel(_ request: Request, context: ConsoleContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let result = try await office.database.cancelPermanence(id: id, now: office.clock())
        return try await page(context, form: nil, notice: "Permanence arrêtée.", error: nil, hits: result.hits)
    }
}
