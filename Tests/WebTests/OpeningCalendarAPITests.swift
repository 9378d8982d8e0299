import OfficeKit
import Agenda
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import Testing
import Web

/// The field test's agenda defects, through the daemon's routes and read where people read
/// them: the report's CSV, availability, the booking answer, the public page and feed.
struct OpeningCalendarAPITests {
    func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] ?? [:]
    }

    func errorCode(_ buffer: ByteBuffer) throws -> String? {
        (try json(buffer)["error"] as? [String: Any])?["code"] as? String
    }

    /// The `heures_ouverture_hebdo` row of the summary CSV, as the console serves it.
    func weeklyHours(_ client: some TestClientProtocol, _ headers: HTTPFields, period: String) async throws -> String? {
        let csv = try await client.execute(uri: "/console/reports/synthese.csv?period=\(period)", method: .get, headers: headers)
        return String(buffer: csv.body).split(whereSeparator: \.isNewline).first { $0.hasPrefix("heures_ouverture_hebdo,") }?.split(separator: ",").last.map(String.init)
    }

    let wednesdayMorningsOnly = #"{"days":{"monday":["13:30-17:30"],"tuesday":["09:00-12:30","13:30-17:30"],"wednesday":["09:00-12:30"],"thursday":["09:00-12:30","13:30-19:00"],"friday":["09:00-12:30","13:30-16:30"],"saturday":["09:00-12:00"]}"#

    @Test func changingTheHoursTodayLeavesAPastQuarterAsItWas() async throws {
        let office = try await makeOffice()
        try await daemon(office).test(.router) { client in
            let headers = try await signIn(client, office)
            #expect(try await weeklyHours(client, headers, period: "2026-Q3") == "37.50")
            let put = try await client.execute(uri: "/api/v1/opening-hours", method: .put, headers: headers, body: ByteBuffer(string: wednesdayMorningsOnly + "}"))
            #expect(put.status == .ok)
            #expect(try await weeklyHours(client, headers, period: "2026-Q3") == "37.50")
            // The quarter in progress weighs each plan by its days: 55 days of 37.5 h, then 37 (from 25 November) of 33.5 h.
            #expect(try await weeklyHours(client, headers, period: "2026-Q4") == String(format: "%.2f", (55 * 37.5 + 37 * 33.5) / 92))
        }
    }

    @Test func aChangeAnnouncedAheadDrivesAvailabilityFromItsDate() async throws {
        let office = try await makeOffice()
        try await daemon(office).test(.router) { client in
            let headers = try await signIn(client, office)
            let body = wednesdayMorningsOnly + #","effectiveFrom":"2027-01-04"}"#
            let put = try await client.execute(uri: "/api/v1/opening-hours", method: .put, headers: headers, body: ByteBuffer(string: body))
            #expect(put.status == .ok)
            let shown = try json(try await client.execute(uri: "/api/v1/opening-hours", method: .get).body)
            #expect((shown["days"] as? [String: [String]])?["wednesday"] == ["09:00-12:30", "13:30-17:30"])  // still today's plan
            #expect(((shown["upcoming"] as? [[String: Any]])?.first?["effectiveFrom"] as? String) == "2027-01-04")
            // The demo's Wednesday-afternoon visio slots (Assurance retraite), before and after the change.
            func afternoon(_ date: String) async throws -> Bool {
                let r = try await client.execute(uri: "/api/v1/availability?partner=cnav&from=\(date)&to=\(date)", method: .get, headers: headers)
                return try (json(r.body)["items"] as? [[String: Any]] ?? []).contains { ($0["start"] as? String)?.contains("T14:00") == true }
            }
            #expect(try await afternoon("2026-12-30"))
            #expect(try await afternoon("2027-01-06") == false)
            // A change cannot rewrite the past.
            let past = try await client.execute(
                uri: "/api/v1/opening-hours", method: .put, headers: headers, body: ByteBuffer(string: wednesdayMorningsOnly + #","effectiveFrom":"2026-07-01"}"#))
            #expect(past.status == .unprocessableContent)
        }
    }

    @Test func publicHolidaysCloseTheStructureEverywhereUnlessDeclaredOpen() async throws {
        let office = try await makeOffice()
        try await daemon(office).test(.router) { client in
            let headers = try await signIn(client, office)
            // The demo's Friday visio slots skip Christmas Day.
            let slots = try json(try await client.execute(uri: "/api/v1/visio-slots?from=2026-12-25&to=2026-12-25", method: .get, headers: headers).body)
            #expect((slots["items"] as? [Any])?.isEmpty == true)
            // No slot offered, and a booking refused, on Christmas, New Year, Easter Monday and Ascension Day.
            for (date, start) in [("2026-12-25", "2026-12-25T10:00:00+01:00"), ("2027-01-01", "2027-01-01T10:00:00+01:00"),
                                  ("2027-03-29", "2027-03-29T14:00:00+02:00"), ("2027-05-06", "2027-05-06T10:00:00+02:00")] {
                let free = try json(try await client.execute(uri: "/api/v1/availability?from=\(date)&to=\(date)", method: .get, headers: headers).body)
                #expect((free["items"] as? [Any])?.isEmpty == true, "\(date)")
                let end = start.replacingOccurrences(of: ":00:00+", with: ":30:00+")
                let booked = try await client.execute(
                    uri: "/api/v1/bookings", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"kind":"room","room":"accueil","start":"\#(start)","end":"\#(end)","usager":{"name":"Awa"}}"#))
                #expect(booked.status == .conflict, "\(date)")
                #expect(try errorCode(booked.body) == "public_holiday", "\(date)")
            }
            // The public page and the feed say so.
            let page = String(buffer: try await client.execute(uri: "/", method: .get).body)
            #expect(page.contains("Noël") && page.contains("Jours fériés"))
            let ics = String(buffer: try await client.execute(uri: "/calendars/public.ics", method: .get).body)
            #expect(ics.contains("EXDATE;TZID=Europe/Paris:20261225T090000"))
            #expect(ics.contains("UID:holiday-2026-12-25@"))
            // Declared open, Christmas takes bookings; the feed no longer excludes it.
            let opened = try await client.execute(uri: "/api/v1/holidays/2026-12-25", method: .put, headers: headers, body: ByteBuffer(string: #"{"open":true}"#))
            #expect(opened.status == .ok)
            let booked = try await client.execute(
                uri: "/api/v1/bookings", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"kind":"room","room":"accueil","start":"2026-12-25T10:00:00+01:00","end":"2026-12-25T10:30:00+01:00","usager":{"name":"Awa"}}"#))
            #expect(booked.status == .created)
            let after = String(buffer: try await client.execute(uri: "/calendars/public.ics", method: .get).body)
            #expect(!after.contains("20261225T090000") || !after.contains("EXDATE;TZID=Europe/Paris:20261225"))
            let notHoliday = try await client.execute(uri: "/api/v1/holidays/2026-12-24", method: .put, headers: headers, body: ByteBuffer(string: #"{"open":true}"#))
            #expect(notHoliday.status == .unprocessableContent)
        }
    }

    @Test func aRoomHeldByAPartnerWindowIsRefusedToAnAgentsRoomBooking() async throws {
        let office = try await makeOffice()
        try await daemon(office).test(.router) { client in
            let headers = try await signIn(client, office)
            // The Caf permanence holds the partners' office on Tuesday mornings (demo).
            let inside = try await client.execute(
                uri: "/api/v1/bookings", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"kind":"room","room":"bureau-partenaires","start":"2026-12-01T10:00:00+01:00","end":"2026-12-01T10:30:00+01:00","usager":{"name":"Awa"}}"#))
            #expect(inside.status == .conflict)
            #expect(try errorCode(inside.body) == "room_held_by_permanence")
            let details = (try json(inside.body)["error"] as? [String: Any])?["details"] as? [String: String]
            #expect(details?["window"]?.hasPrefix("p-") == true && details?["partner"] == "caf")
            // The partner's own booking at that time still succeeds.
            let slots = try json(try await client.execute(uri: "/api/v1/availability?partner=caf&from=2026-12-01&to=2026-12-01", method: .get).body)
            let first = try #require((slots["items"] as? [[String: Any]])?.first { $0["start"] as? String == "2026-12-01T10:00:00+01:00" })
            let partner = try await client.execute(
                uri: "/api/v1/bookings", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"kind":"permanence","permanence":"\#(first["permanence"]!)","start":"2026-12-01T10:00:00+01:00","end":"2026-12-01T10:30:00+01:00","usager":{"name":"Awa"}}"#))
            #expect(partner.status == .created)
            // Outside the window the room is the agents'.
            let after = try await client.execute(
                uri: "/api/v1/bookings", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"kind":"room","room":"bureau-partenaires","start":"2026-12-01T14:00:00+01:00","end":"2026-12-01T14:30:00+01:00","usager":{"name":"Awa"}}"#))
            #expect(after.status == .created)
        }
    }
}

extension ConsoleSecurityTests {
    /// The manager's side of the field test's agenda fixes, through the console's forms.
    @Test func aManagerAnnouncesHoursAheadAndOpensAHolidayFromTheConsole() async throws {
        let office = try await makeOffice()
        _ = try await office.addAgent(login: "camille", displayName: "Camille", role: .manager, password: testPassword, actor: "test")
        try await daemon(office).test(.router) { client in
            let (session, csrf) = try await signInByForm(client, login: "camille")
            var headers = formType
            headers[.cookie] = session
            let page = String(buffer: try await client.execute(uri: "/console/hours", method: .get, headers: [.cookie: session]).body)
            #expect(page.contains("Noël") && page.contains("Ouvrir ce jour"))
            let opened = try await client.execute(
                uri: "/console/holidays/2026-12-25", method: .post, headers: headers, body: form([("_csrf", csrf), ("action", "open")]))
            #expect(opened.status == .seeOther)
            #expect(try await office.database.hoursPlan(default: office.structure, now: office.clock()).calendar.closedHoliday(LocalDate(iso: "2026-12-25")!) == nil)
            // A plan announced for 4 January: today's stays in force until then.
            var fields = [("_csrf", csrf), ("effectiveFrom", "2027-01-04")]
            for day in ["monday", "tuesday", "wednesday", "thursday", "friday"] { fields.append(("day-\(day)", "09:00-12:00,13:30-17:30")) }
            let hours = try await client.execute(uri: "/console/hours", method: .post, headers: headers, body: form(fields))
            #expect(hours.status == .seeOther)
            let calendar = try await office.database.hoursPlan(default: office.structure, now: office.clock()).calendar
            #expect(calendar.hours(on: LocalDate(iso: "2026-12-31")!) == office.structure.openingHours)
            #expect(calendar.hours(on: LocalDate(iso: "2027-01-04")!).ranges(on: .saturday).isEmpty)
            let after = String(buffer: try await client.execute(uri: "/console/hours", method: .get, headers: [.cookie: session]).body)
            #expect(after.contains("Changements annoncés") && after.contains("Ouvert (exception)"))
        }
    }
}
