import OfficeKit
import Agenda
import Hummingbird
import Store

/// `/api/v1/opening-hours`: the weekly plan, with the label's legal minimum enforced and its
/// history kept (a change applies from a date, announced ahead or from today); and
/// `/api/v1/holidays`: the French public holidays, closed unless declared open.
struct OpeningHoursController<Context: RequestContext> {
    let office: Office

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("opening-hours", use: show)
        group.put("opening-hours", use: replace)
        group.get("holidays", use: holidays)
        group.put("holidays/{date}", use: setHoliday)
    }

    struct Replace: Decodable {
        let days: [String: [String]]
        let effectiveFrom: String?
    }

    struct Replaced: Encodable {
        let plan: WireHoursPlan
        let bookingsOutside: [Booking]
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let plan = try await office.database.hoursPlan(default: office.structure, now: office.clock())
        return try .json(zone: office.zone, WireHoursPlan(plan, structure: office.structure, today: office.zone.localDate(office.clock())))
    }

    @Sendable func replace(_ request: Request, context: Context) async throws -> Response {
        let input = try await request.decodeJSON(Replace.self)
        let hours = try WireInput.weeklyHours(input.days)
        let from = try input.effectiveFrom.map { try WireInput.date($0, field: "effectiveFrom") }
        let result = try await office.database.replaceOpeningHours(hours, effectiveFrom: from, structure: office.structure, now: office.clock())
        return try .json(zone: office.zone, Replaced(
            plan: WireHoursPlan(result.plan, structure: office.structure, today: office.zone.localDate(office.clock())),
            bookingsOutside: result.outside))
    }

    struct Holiday: Encodable {
        let date: String
        let name: String
        let open: Bool

        init(_ holiday: OpeningCalendar.Holiday) {
            date = holiday.date.description
            name = holiday.name
            open = holiday.open
        }
    }

    @Sendable func holidays(_ request: Request, context: Context) async throws -> Response {
        let today = office.zone.localDate(office.clock())
        let asked = request.uri.queryParameters.get("year")
        guard let year = asked.map({ Int($0) }) ?? today.year, (today.year - 5...today.year + 5).contains(year) else {
            throw APIError(AgendaError.invalidField("year", french: "Année attendue, à cinq ans au plus d'aujourd'hui.", english: "A year within five years of today is expected."))
        }
        let calendar = try await office.database.hoursPlan(default: office.structure, now: office.clock()).calendar
        let days = calendar.holidays(from: LocalDate(clampingYear: year, month: 1, day: 1), through: LocalDate(clampingYear: year, month: 12, day: 31))
        return try .json(zone: office.zone, WireList(items: days.map { Holiday($0) }))
    }

    struct SetHoliday: Decodable { let open: Bool }

    struct HolidaySet: Encodable {
        let holiday: Holiday
        let affectedBookings: [Booking]
    }

    @Sendable func setHoliday(_ request: Request, context: Context) async throws -> Response {
        let date = try WireInput.date(try context.parameters.require("date"), field: "date")
        let input = try await request.decodeJSON(SetHoliday.self)
        let result = try await office.database.setHolidayOpen(date, open: input.open, structure: office.structure, now: office.clock())
        let holiday = result.calendar.holidays(from: date, through: date)[0]  // a holiday: setHolidayOpen checked it
        return try .json(zone: office.zone, HolidaySet(
            holiday: Holiday(holiday),
            affectedBookings: result.hits))
    }
}
