import OfficeKit
import Agenda
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import StructureConfig
import Testing
import Web

struct APITests {
    func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] ?? [:]
    }

    @Test func openAPIDocumentListsExactlyTheDaemonsRoutes() async throws {
        let router = buildRouter(office: try await makeOffice(), pages: try await WebPages.load())
        let doc = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.text.utf8)) as! [String: Any]
        let paths = doc["paths"] as! [String: [String: Any]]
        var documented = Set<String>()
        for (path, operations) in paths { for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") } }
        // The console's and the station's HTML pages and static files are not API; every other
        // route is documented, the station's machine-facing ones included.
        let machine = ["/etat", "/superviseur", "/billet"]
        let served = Set(router.routes.filter {
            let path = $0.path.description
            if path.hasPrefix("/kiosk") { return path.hasPrefix("/kiosk/") && machine.contains { path.hasSuffix($0) } }
            return !path.hasPrefix("/console") && !path.hasPrefix("/static")
        }
            .map { "\($0.method.rawValue) \($0.path.description == "/" ? "/" : $0.path.description)" })
        #expect(served == documented, "undocumented: \(served.subtracting(documented).sorted()); documented but not served: \(documented.subtracting(served).sorted())")
        #expect(served.count > 20)
    }

    @Test func bookingAPermanenceSlotThenTheSameSlotAgainConflicts() async throws {
        let office = try await makeOffice()
        let app = try await daemon(office)
        try await app.test(.router) { client in
            let slots = try await client.execute(uri: "/api/v1/availability?partner=caf&from=2026-12-01&to=2026-12-01", method: .get)
            #expect(slots.status == .ok)
            let first = try #require((try json(slots.body)["items"] as? [[String: Any]])?.first)
            #expect(first["start"] as? String == "2026-12-01T09:00:00+01:00")
            let body = """
                {"kind":"permanence","permanence":"\(first["permanence"]!)","lifeSituation":"having-baby","start":"\(first["start"]!)","end":"\(first["end"]!)","usager":{"name":"Awa Diallo"}}
                """
            let unsigned = try await client.execute(uri: "/api/v1/bookings", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(unsigned.status == .unauthorized)
            let headers = try await signIn(client, office)
            let created = try await client.execute(uri: "/api/v1/bookings", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(created.status == .created)
            let again = try await client.execute(uri: "/api/v1/bookings", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(again.status == .conflict)
            let error = try json(again.body)["error"] as? [String: Any]
            #expect(error?["code"] as? String == "slot_taken")
            #expect((error?["message"] as? [String: String])?["fr"]?.isEmpty == false)
            let after = try await client.execute(uri: "/api/v1/availability?partner=caf&from=2026-12-01&to=2026-12-01", method: .get)
            let remaining = try json(after.body)["items"] as? [[String: Any]] ?? []
            #expect(!remaining.contains { $0["start"] as? String == "2026-12-01T09:00:00+01:00" })
        }
        // The write is in the audit journal, once (the refused one wrote nothing), without the usager.
        let journal = try await office.database.auditJournal()
        #expect(journal.filter { $0.action == "booking.create" && $0.actor.hasPrefix("a") && $0.target?.hasPrefix("b") == true }.count == 1)
        #expect(!journal.contains { "\($0.action) \($0.target ?? "")".contains("Awa") })
    }

    @Test func invalidInputGetsAClearFourHundredAndChangesNothing() async throws {
        let office = try await makeOffice()
        let app = try await daemon(office)
        let span = #""start":"2026-12-01T09:00:00+01:00","end":"2026-12-01T09:30:00+01:00""#
        let cases: [(String, String, HTTPResponse.Status, String)] = [
            ("/api/v1/bookings", "{\"kind\":", .badRequest, "malformed_json"),
            ("/api/v1/bookings", "{\"kind\":\"room\",\(span)}", .badRequest, "malformed_json"),
            ("/api/v1/bookings", "{\"kind\":\"room\",\"room\":\"nowhere\",\(span),\"usager\":{\"name\":\"A\"}}", .unprocessableContent, "unknown_reference"),
            ("/api/v1/bookings", "{\"kind\":\"room\",\"start\":\"2026-12-01T10:00:00+01:00\",\"end\":\"2026-12-01T09:00:00+01:00\",\"usager\":{\"name\":\"A\"}}", .unprocessableContent, "end_before_start"),
            ("/api/v1/bookings", "{\"kind\":\"room\",\"start\":\"10000-12-01T09:00:00+01:00\",\"end\":\"10000-12-01T10:00:00+01:00\",\"usager\":{\"name\":\"A\"}}", .unprocessableContent, "invalid_field"),
            ("/api/v1/specialists", "{\"partner\":\"unknown-partner\",\"displayName\":\"X\"}", .unprocessableContent, "unknown_reference"),
            ("/api/v1/closures", "{\"start\":\"2026-11-27T09:00:00+01:00\",\"end\":\"2026-11-27T18:00:00+01:00\",\"reason\":\"Formation\"}", .conflict, "closure_notice_too_short"),
            ("/api/v1/bookings", "{\"kind\":\"room\",\(span),\"usager\":{\"name\":\"\(String(repeating: "x", count: 10_000_000))\"}}", .contentTooLarge, "payload_too_large"),
        ]
        try await app.test(.router) { client in
            let headers = try await signIn(client, office)
            for (uri, body, status, code) in cases {
                let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(response.status == status, "\(body.prefix(80))")
                #expect((try json(response.body)["error"] as? [String: Any])?["code"] as? String == code, "\(body.prefix(80))")
            }
            let missing = try await client.execute(uri: "/api/v1/bookings/b-nothere", method: .get, headers: headers)
            #expect(missing.status == .notFound)
        }
        let span2 = (try await office.database.closures(), try await office.database.specialists().count)
        #expect(span2.0.isEmpty)
        #expect(span2.1 == office.config.demo.specialists.count)
        #expect(try await office.database.bookings(overlapping: .init(.distantPast, .distantFuture)).isEmpty)
    }

    @Test func openingHoursBelowTheLabelMinimumAreRefusedWithTheRule() async throws {
        let office = try await makeOffice()
        let app = try await daemon(office)
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/opening-hours", method: .put, headers: try await signIn(client, office),
                body: ByteBuffer(string: #"{"days":{"monday":["09:00-12:00"],"tuesday":["09:00-12:00"]}}"#))
            #expect(response.status == .unprocessableContent)
            let error = try json(response.body)["error"] as? [String: Any]
            #expect((error?["details"] as? [String: String])?["rule"] == "france-services-24h-5-days")
            let plan = try await client.execute(uri: "/api/v1/opening-hours", method: .get)
            #expect(try json(plan.body)["revision"] as? Int == 0)
        }
    }

    @Test func healthReportsEachComponent() async throws {
        let app = try await daemon(try await makeOffice())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            let body = try json(response.body)
            let components = body["components"] as? [String: Any]
            // In memory, with no station nor visio: the database (a real write) and the agenda.
            #expect(Set(components?.keys ?? [:].keys) == ["database", "agenda"])
            #expect((body["down"] as? [String]) == [])
        }
    }
}
