import Agenda
import Foundation
import Hummingbird
import OfficeKit
import Station

/// "Prendre rendez-vous" at the station: the public page's steps as big buttons, asked of the
/// structure's agenda through the station's backend (this database, or the server's device
/// API for a station on its own PC). The name only — a shared PC takes no phone nor address —
/// then a one-page slip among the session's files, printed within its page cap and wiped with it.
extension KioskPages {
    static let bookingPath = "prendre-rendez-vous"

    func bookingLink(_ v: Visit, _ items: [(String, String?)]) -> String {
        var components = URLComponents()
        components.path = "\(v.base)/\(Self.bookingPath)"
        components.queryItems = items.compactMap { key, value in value.map { URLQueryItem(name: key, value: $0) } }
        return components.string ?? components.path
    }

    @Sendable func bookingPage(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        let query = request.uri.queryParameters
        let ask = StationBookingAsk(situation: query["situation"].map(String.init), choice: query["choice"].map(String.init), day: query["day"].map(String.init))
        if let value = query["slot"].map(String.init), let slot = SlotChoice(value), let choice = ask.choice.flatMap(SelfBookingChoice.init) {
            return bookingForm(v, request, slot: slot, choice: choice, situation: ask.situation)
        }
        return try await bookingStep(v, request, ask: ask)
    }

    func bookingStep(_ v: Visit, _ request: Request, ask: StationBookingAsk, error: String? = nil) async throws -> Response {
        let text = SelfBookingText(kit: ConsoleKit(office: office, pages: pages), t: v.t, language: v.language)
        let step: StationBookingStep
        do {
            step = try await office.stationBackend.selfBookingStep(ask, now: office.clock())
        } catch StationBackendError.unreachable {
            return render("kiosk-book", v, request, ["unreachable": true])
        }
        var values: [String: Any] = ["closed": step.closed, "none": step.none, "back": "\(v.base)/accueil"]
        if let situations = step.situations {
            values["stepSituation"] = true
            values["situations"] = situations.compactMap(text.situation).map {
                ["title": text.title($0), "titleLang": v.situationLang, "icon": Self.icon($0.theme), "href": bookingLink(v, [("situation", $0.id)])]
            }
        } else if let choices = step.choices {
            values["stepChoice"] = true
            values["situationTitle"] = text.situation(ask.situation).map(text.title) ?? ""
            values["choices"] = choices.compactMap(SelfBookingChoice.init).map {
                ["label": text.with($0), "icon": $0.kind == .visio ? "procedure" : "help", "href": bookingLink(v, [("situation", ask.situation), ("choice", $0.value)])]
            }
            values["back"] = bookingLink(v, [])
        } else if let value = step.choice, let choice = SelfBookingChoice(value) {
            values["stepSlots"] = true
            values["situationTitle"] = text.situation(ask.situation).map(text.title) ?? ""
            values["with"] = text.with(choice)
            values["dayTitle"] = step.day.flatMap(LocalDate.init(iso:)).map(text.dayTitle) ?? false
            let base: [(String, String?)] = [("situation", ask.situation), ("choice", value)]
            values["slots"] = (step.slots ?? []).compactMap(SlotChoice.init).map { slot -> [String: Any] in
                ["time": text.kit.time(slot.span.start), "end": text.kit.time(slot.span.end), "href": bookingLink(v, base + [("day", step.day), ("slot", slot.value)])]
            }
            values["previous"] = step.previous.map { bookingLink(v, base + [("day", $0)]) } ?? false
            values["next"] = step.next.map { bookingLink(v, base + [("day", $0)]) } ?? false
            values["back"] = bookingLink(v, [])
        }
        return render("kiosk-book", v, request, values, error: error)
    }

    func bookingForm(_ v: Visit, _ request: Request, slot: SlotChoice, choice: SelfBookingChoice, situation: String?, name: String = "", error: String? = nil) -> Response {
        let text = SelfBookingText(kit: ConsoleKit(office: office, pages: pages), t: v.t, language: v.language)
        return render("kiosk-book", v, request, [
            "stepForm": true, "when": text.when(slot.span), "with": text.with(choice),
            "situationTitle": text.situation(situation).map(text.title) ?? "", "slot": slot.value, "choice": choice.value,
            "situation": situation ?? "", "name": name, "back": bookingLink(v, [("situation", situation), ("choice", choice.value)]),
        ], error: error)
    }

    @Sendable func bookAtStation(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        let form = context.form
        let situation = form["situation"].flatMap { $0.isEmpty ? nil : $0 }
        guard let slot = form["slot"].flatMap(SlotChoice.init), let choice = form["choice"].flatMap(SelfBookingChoice.init) else {
            return try await bookingStep(v, request, ask: StationBookingAsk())
        }
        let name = form["name"] ?? ""
        let text = SelfBookingText(kit: ConsoleKit(office: office, pages: pages), t: v.t, language: v.language)
        guard office.formTokens.allow("station-booking \(v.station.station)", perHour: DeviceAPI.stationBookingsPerHour, now: office.clock()) else {
            return bookingForm(v, request, slot: slot, choice: choice, situation: situation, name: name, error: v.t["bookUnreachable"])
        }
        let booked: StationBooked
        do {
            booked = try await office.stationBackend.selfBook(slot: slot.value, situation: situation, name: name, now: office.clock())
        } catch let error as AgendaError {
            return bookingForm(v, request, slot: slot, choice: choice, situation: situation, name: name, error: text.english ? error.english : error.french)
        } catch {
            return render("kiosk-book", v, request, ["unreachable": true])
        }
        let span = TimeSpan(Date(timeIntervalSince1970: booked.start), Date(timeIntervalSince1970: booked.end))
        let kind = BookingKind(rawValue: booked.kind) ?? slot.kind
        let slip = text.slip(code: booked.code, kind: kind, partner: booked.partner, room: booked.room, span: span, situation: booked.situation)
        let file = try? await v.station.keep(slip, as: "rendez-vous-\(booked.code).pdf")
        return render("kiosk-book", v, request, [
            "stepDone": true, "code": SelfBookingCode.display(booked.code), "when": text.when(span),
            "with": text.with(SelfBookingChoice(kind: kind, partner: booked.partner)), "where": text.place(kind: kind, room: booked.room),
            "bring": text.bring(partner: booked.partner),
            "slip": file?.name ?? false,
        ])
    }
}
