import OfficeKit
import StructureConfig
import Agenda
import Foundation
import Hummingbird
import Store

/// Booking for a usager: choose a need, see free slots, book with minimal personal data;
/// then check-in, no-show, done, cancel and move from the day and week views.
struct BookingPages: ConsoleSection {
    let office: Office
    let pages: WebPages
    static let searchDays = 14

    func addRoutes(to console: RouterGroup<ConsoleContext>, managers: RouterGroup<ConsoleContext>) {
        console.get("book", use: search)
        console.post("bookings", use: create)
        console.get("bookings/{id}/move", use: moveForm)
        console.post("bookings/{id}/move", use: move)
        for event in BookingEvent.allCases where event != .reschedule {
            console.post("bookings/{id}/\(event.rawValue)") { request, context in
                try await apply(event, request: request, context: context)
            }
        }
    }

    /// The slot chosen in the form, as one radio value.
    typealias SlotChoice = OfficeKit.SlotChoice

    struct Criteria {
        var situation: String?
        var partner: String?
        var withAgent: Bool
        var room: String?
        var from: LocalDate

        init(_ values: (String) -> String?, today: LocalDate) {
            situation = values("situation").flatMap { $0.isEmpty ? nil : $0 }
            partner = values("partner").flatMap { $0.isEmpty ? nil : $0 }
            withAgent = values("with") == "agent"
            room = values("room").flatMap { $0.isEmpty ? nil : $0 }
            let asked = values("from").flatMap { LocalDate(iso: $0) }
            from = asked.map { max($0, today) }.flatMap { LocalDate.acceptedYears.contains($0.year) ? $0 : nil } ?? today
        }

        var chosen: Bool { situation != nil || partner != nil || withAgent }
    }

    func slots(for criteria: Criteria, now: Date) async throws -> [FreeSlot] {
        guard criteria.chosen else { return [] }
        let structure = office.structure
        var query = Availability.Query(
            from: criteria.from, to: criteria.from.adding(days: Self.searchDays - 1), slotMinutes: office.config.booking.slotMinutes)
        if criteria.withAgent {
            query.kinds = [.room]
            query.room = criteria.room ?? structure.rooms.first { !$0.confidential }?.id ?? structure.rooms.first?.id
        } else if let situation = criteria.situation {
            guard let s = structure.lifeSituations.first(where: { $0.id == situation }) else { return [] }
            query.partners = Set(s.partners)
        } else if let partner = criteria.partner {
            query.partners = [partner]
        }
        return try await office.database.availability(query, structure: structure, now: now)
    }

    func searchPage(
        _ request: Request, context: ConsoleContext, criteria: Criteria, values: [String: String] = [:], error: String? = nil
    ) async throws -> Response {
        let now = office.clock()
        let found = try await slots(for: criteria, now: now)
        let specialists = Dictionary(uniqueKeysWithValues: try await office.database.specialists().map { ($0.id, $0.displayName) })
        var byDay: [(LocalDate, [[String: Any]])] = []
        for slot in found.prefix(300) {
            let date = kit.zone.localDate(slot.span.start)
            let row: [String: Any] = [
                "value": SlotChoice(slot).value, "time": "\(kit.time(slot.span.start)) – \(kit.time(slot.span.end))",
                "what": slot.kind == .room ? "Avec un agent · \(kit.roomName(slot.room))"
                    : "\(ConsoleKit.kindFrench(slot.kind)) \(kit.partnerName(slot.partner)) · \(specialists[slot.specialist] ?? slot.specialist)",
                "checked": values["slot"] == SlotChoice(slot).value,
            ]
            if byDay.last?.0 == date { byDay[byDay.count - 1].1.append(row) } else { byDay.append((date, [row])) }
        }
        var index = 0
        let days = byDay.map { day -> [String: Any] in
            ["title": kit.dayTitle(day.0), "slots": day.1.map { slot -> [String: Any] in
                index += 1
                var s = slot
                s["n"] = index
                return s
            }]
        }
        return kit.page(
            "book", title: "Prendre rendez-vous", section: "book", context: context,
            [
                "situations": kit.situationOptions.map { var o = $0; o["selected"] = (o["id"] as? String) == criteria.situation; return o },
                "partners": kit.partnerOptions.map { var o = $0; o["selected"] = (o["id"] as? String) == criteria.partner; return o },
                "rooms": office.structure.rooms.map { ["id": $0.id, "name": $0.name, "selected": $0.id == criteria.room] },
                "withAgent": criteria.withAgent, "from": criteria.from.description, "chosen": criteria.chosen,
                "days": days, "hasSlots": !days.isEmpty, "situation": criteria.situation ?? "", "partner": criteria.partner ?? "",
                "name": values["name"] ?? "", "phone": values["phone"] ?? "", "email": values["email"] ?? "",
                "consent": values["consent"] != nil,
            ], error: error, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func search(_ request: Request, context: ConsoleContext) async throws -> Response {
        let query = request.uri.queryParameters
        let criteria = Criteria({ key in query[Substring(key)].map(String.init) }, today: kit.zone.localDate(office.clock()))
        return try await searchPage(request, context: context, criteria: criteria)
    }

    @Sendable func create(_ request: Request, context: ConsoleContext) async throws -> Response {
        let form = context.form
        let criteria = Criteria({ form[$0] }, today: kit.zone.localDate(office.clock()))
        var values: [String: String] = [:]
        for key in ["slot", "name", "phone", "email"] { values[key] = form[key] ?? "" }
        if form.has("consent") { values["consent"] = "on" }
        func refuse(_ message: String) async throws -> Response {
            try await searchPage(request, context: context, criteria: criteria, values: values, error: message)
        }
        guard let choice = form["slot"].flatMap(SlotChoice.init) else { return try await refuse("Choisissez un créneau.") }
        let name = form["name"] ?? ""
        guard !name.isEmpty else { return try await refuse("Le nom de l’usager est requis.") }
        let consent = form.has("consent")
        let usager = Usager(
            name: name, phone: consent ? form.nonEmpty("phone") : nil, email: consent ? form.nonEmpty("email") : nil, reminderConsent: consent)
        let bookingRequest = choice.request(lifeSituation: criteria.situation, usager: usager)
        do {
            _ = try await office.createBooking(bookingRequest, channel: "console")
            return .redirect(to: "/console?done=booked")
        } catch let error as AgendaError {
            return try await refuse(error.french)
        }
    }

    func apply(_ event: BookingEvent, request: Request, context: ConsoleContext) async throws -> Response {
        let form = context.form
        let id = try context.parameters.require("id")
        let back = form["back"] == "week" ? "/console/week" : "/console"
        do {
            _ = try await office.database.applyBookingEvent(id: id, event, now: office.clock())
            return .redirect(to: "\(back)?done=\(event.rawValue)")
        } catch let error as AgendaError {
            return kit.page("message", title: "Action refusée", section: "today", context: context, ["message": error.french, "back": back], status: .conflict)
        }
    }

    @Sendable func moveForm(_ request: Request, context: ConsoleContext) async throws -> Response {
        let booking = try await office.database.booking(id: try context.parameters.require("id"))
        return movePage(booking, context: context, error: nil)
    }

    func movePage(_ booking: Booking, context: ConsoleContext, error: String?) -> Response {
        let local = kit.zone.local(booking.span.start)
        return kit.page(
            "move", title: "Déplacer un rendez-vous", section: "week", context: context,
            [
                "id": booking.id, "name": booking.usager?.name ?? "", "current": kit.dateTime(booking.span.start),
                "date": local.date.description, "time": local.time.description,
                "minutes": Int(booking.span.duration / 60),
            ], error: error, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func move(_ request: Request, context: ConsoleContext) async throws -> Response {
        let form = context.form
        let booking = try await office.database.booking(id: try context.parameters.require("id"))
        guard let date = form["date"].flatMap(LocalDate.init(iso:)), LocalDate.acceptedYears.contains(date.year),
            let time = form["time"].flatMap(LocalTime.init(iso:))
        else { return movePage(booking, context: context, error: "Indiquez une date et une heure valides.") }
        let start = kit.zone.instant(date, time)
        let span = TimeSpan(start, start.addingTimeInterval(booking.span.duration))
        do {
            _ = try await office.database.rescheduleBooking(id: booking.id, to: span, structure: office.structure, now: office.clock())
            return .redirect(to: "/console/week?date=\(date)&done=moved")
        } catch let error as AgendaError {
            return movePage(booking, context: context, error: error.french)
        }
    }
}
