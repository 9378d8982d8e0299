import Agenda
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OfficeKit
import Store
import Testing
import Web

/// A PC is enrolled with a one-time code from the console, then known by its credential only.
struct DeviceTests {
    let json: HTTPFields = [.contentType: "application/json"]

    func csrf(_ client: some TestClientProtocol, _ headers: HTTPFields) async throws -> String {
        let page = try await client.execute(uri: "/console/devices", method: .get, headers: headers)
        #expect(page.status == .ok)
        return String(try #require(String(buffer: page.body).firstMatch(of: /name="_csrf" value="([a-z0-9]+)"/)?.1))
    }

    /// The manager asks the console for a code; returns it as the page shows it.
    func code(_ client: some TestClientProtocol, _ headers: HTTPFields, for id: String) async throws -> String {
        let token = try await csrf(client, headers)
        var form = headers
        form[.contentType] = "application/x-www-form-urlencoded"
        let page = try await client.execute(uri: "/console/devices/\(id)/code", method: .post, headers: form, body: ByteBuffer(string: "_csrf=\(token)"))
        #expect(page.status == .ok)
        #expect(page.headers[.cacheControl] == "no-store")
        let html = String(buffer: page.body)
        // The command to type names the address this manager reached the server by.
        #expect(html.contains("--server http://") && html.contains("--code"))
        return String(try #require(html.firstMatch(of: /<strong>([A-Z2-9]{4}-[A-Z2-9]{4})<\/strong>/)?.1))
    }

    func enrol(_ client: some TestClientProtocol, code: String, kind: String = "station") async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/devices/enrol", method: .post, headers: json, body: ByteBuffer(string: #"{"code":"\#(code)","kind":"\#(kind)","version":"9.9"}"#))
    }

    func contact(_ client: some TestClientProtocol, credential: String) async throws -> TestResponse {
        var headers = json
        headers[.authorization] = "Bearer \(credential)"
        return try await client.execute(uri: "/api/v1/devices/contact", method: .post, headers: headers, body: ByteBuffer(string: #"{"version":"9.9","health":"ok"}"#))
    }

    struct Enrolled: Decodable {
        let device: String
        let kind: String
        let credential: String
    }

    @Test func aCodeIsSpentOnceForACredentialThatARevocationEnds() async throws {
        let office = try await makeOffice()
        try await daemon(office).test(.router) { client in
            let manager = try await signIn(client, office)
            let code = try await code(client, manager, for: "poste-1")
            // Typed in lower case without the dash, it is the same code.
            let typed = code.lowercased().replacingOccurrences(of: "-", with: " ")
            let first = try await enrol(client, code: typed)
            #expect(first.status == .created)
            let enrolled = try JSONDecoder().decode(Enrolled.self, from: Data(first.body.readableBytesView))
            #expect(enrolled.device == "poste-1" && enrolled.kind == "station" && enrolled.credential.count == 64)
            // Only hashes are stored: neither the code nor the credential appears in the database.
            let stored = try await office.database.devices()
            #expect(stored.count == 1 && stored[0].isEnrolled && stored[0].version == "9.9")
            #expect(try await office.database.device(credentialHash: enrolled.credential) == nil)

            #expect(try await enrol(client, code: code).status == .forbidden)  // single use
            #expect(try await contact(client, credential: enrolled.credential).status == .ok)
            #expect(try await contact(client, credential: String(enrolled.credential.reversed())).status == .unauthorized)

            // The console shows it, with what it said of itself.
            let list = String(buffer: try await client.execute(uri: "/console/devices", method: .get, headers: manager).body)
            #expect(list.contains("Enrôlé le") && list.contains("<td>9.9</td>"))

            // Revoked: its next call is refused, from anywhere.
            let token = try await csrf(client, manager)
            var form = manager
            form[.contentType] = "application/x-www-form-urlencoded"
            let revoke = try await client.execute(uri: "/console/devices/poste-1/revoke", method: .post, headers: form, body: ByteBuffer(string: "_csrf=\(token)"))
            #expect(revoke.status == .seeOther)
            let refused = try await contact(client, credential: enrolled.credential)
            #expect(refused.status == .unauthorized && String(buffer: refused.body).contains("device_credential"))

            let journal = try await office.database.auditJournal().map { "\($0.action) \($0.target ?? "")" }
            #expect(journal.contains("device.code poste-1") && journal.contains("device.enrol poste-1") && journal.contains("device.revoke poste-1"))
        }
    }

    @Test func aCodeForTheRoomIsNotSpentOnAStationNorAfterFifteenMinutes() async throws {
        let clock = TestClock(Timestamp.parse("2026-11-25T10:00:00+01:00")!)
        let office = try await makeOffice(clock: clock)
        try await daemon(office).test(.router) { client in
            let manager = try await signIn(client, office)
            let room = try await code(client, manager, for: "visio")
            #expect(try await enrol(client, code: room, kind: "station").status == .forbidden)
            let enrolled = try await enrol(client, code: room, kind: "room")
            #expect(enrolled.status == .created)
            #expect(try JSONDecoder().decode(Enrolled.self, from: Data(enrolled.body.readableBytesView)).kind == "room")

            let late = try await code(client, manager, for: "poste-1")
            clock.advance(15 * 60 + 1)
            #expect(try await enrol(client, code: late).status == .forbidden)
            // An unknown PC gets no code.
            let token = try await csrf(client, manager)
            var form = manager
            form[.contentType] = "application/x-www-form-urlencoded"
            let unknown = try await client.execute(uri: "/console/devices/poste-9/code", method: .post, headers: form, body: ByteBuffer(string: "_csrf=\(token)"))
            #expect(unknown.status == .notFound)
        }
    }

    @Test func guessingCodesIsStoppedAndAgentsCannotIssueThem() async throws {
        let office = try await makeOffice()
        try await daemon(office).test(.router) { client in
            for _ in 0..<10 { #expect(try await enrol(client, code: "AAAA-AAAA").status == .forbidden) }
            let manager = try await signIn(client, office)
            let good = try await code(client, manager, for: "poste-1")
            // Even the right code waits once this address guessed ten times.
            #expect(try await enrol(client, code: good).status == .tooManyRequests)
            let agent = try await signIn(client, office, login: "alex", role: .agent)
            let page = try await client.execute(uri: "/console/devices", method: .get, headers: agent)
            #expect(page.status == .forbidden)
            let malformed = try await client.execute(uri: "/api/v1/devices/enrol", method: .post, headers: json, body: ByteBuffer(string: #"{"code":"X","kind":"toaster"}"#))
            #expect(malformed.status == .badRequest)
        }
    }
}
