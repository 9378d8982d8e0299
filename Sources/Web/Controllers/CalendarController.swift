import OfficeKit
import Agenda
import Foundation
import Hummingbird
import Store

/// iCalendar feeds: the structure's public hours and closures, and each specialist's own
/// calendar behind its unguessable token.
struct CalendarController<Context: RequestContext> {
    let office: Office

    func addRoutes(to router: Router<Context>) {
        router.get("calendars/public.ics", use: publicFeed)
        router.get("calendars/specialists/{token}", use: specialistFeed)
    }

    static var contentType: String { "text/calendar; charset=utf-8" }

    @Sendable func publicFeed(_ request: Request, context: Context) async throws -> Response {
        let now = office.clock()
        let plan = try await office.database.hoursPlan(default: office.structure, now: now)
        let closures = try await office.database.closures()
        return .text(CalendarFeeds.publicFeed(structure: office.structure, plan: plan, closures: closures, now: now), contentType: Self.contentType)
    }

    @Sendable func specialistFeed(_ request: Request, context: Context) async throws -> Response {
        var token = try context.id("token")
        if token.hasSuffix(".ics") { token.removeLast(4) }
        guard token.count == 32, let specialist = try await office.database.specialist(calendarToken: token) else {
            // Same answer for a malformed and an unknown token: nothing to learn by probing.
            throw APIError.routeNotFound
        }
        let now = office.clock()
        let permanences = try await office.database.permanences(includeCancelled: true).filter { $0.specialist == specialist.id }
        let range = TimeSpan(now.addingTimeInterval(-90 * 86_400), now.addingTimeInterval(400 * 86_400))
        let visio = try await office.database.visioSlots(overlapping: range).filter { $0.specialist == specialist.id }
        let bookings = try await office.database.bookings(specialist: specialist.id).filter { $0.span.overlaps(range) }
        // In a network, their appointments in the other structures too; out of reach, this
        // structure's (a calendar client asks again within the hour).
        let elsewhere = (try? await office.networkOverview?.bookingsElsewhere(specialist: specialist.id, during: range)) ?? []
        let text = CalendarFeeds.specialistFeed(
            structure: office.structure, specialist: specialist, permanences: permanences, visioSlots: visio, bookings: bookings,
            elsewhere: elsewhere, now: now)
        return .text(text, contentType: Self.contentType)
    }
}
