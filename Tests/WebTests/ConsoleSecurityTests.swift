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

/// The console refuses what it must, and a refusal changes nothing.
struct ConsoleSecurityTests {
    func form(_ fields: [(String, String)]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return ByteBuffer(string: fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
    }

    let formType: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    func cookie(_ response: TestResponse) -> String? {
        response.headers[.setCookie]?.split(separator: ";").first.map(String.init)
    }

    /// Signs in through the form; returns the session cookie and the page's CSRF token.
    func signInByForm(_ client: some TestClientProtocol, login: String, password: String = testPassword) async throws -> (cookie: String, csrf: String) {
        let response = try await client.execute(
            uri: "/console/sign-in", method: .post, headers: formType, body: form([("login", login), ("password", password)]))
        #expect(response.status == .seeOther)
        let session = try #require(cookie(response))
        let page = try await client.execute(uri: "/console", method: .get, headers: [.cookie: session])
        let html = String(buffer: page.body)
        let csrf = try #require(html.firstMatch(of: /name="_csrf" value="([a-z0-9]+)"/)?.1)
        return (session, String(csrf))
    }

    func contactFields(csrf: String?) -> [(String, String)] {
        var fields = [("partners", "caf"), ("reason", "Prime d’activité"), ("channel", "walk-in"), ("outcome", "resolved")]
        if let csrf { fields.append(("_csrf", csrf)) }
        return fields
    }

    var wholeYear: TimeSpan { TimeSpan(Timestamp.parse("2026-01-01T00:00:00+01:00")!, Timestamp.parse("2027-01-01T00:00:00+01:00")!) }

    @Test func aWrongPasswordIsRefusedAndOpensNoSession() async throws {
        let office = try await makeOffice()
        _ = try await office.addAgent(login: "camille", displayName: "Camille", role: .agent, password: testPassword, actor: "test")
        let app = try await daemon(office)
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/console/sign-in", method: .post, headers: formType, body: form([("login", "camille"), ("password", "pas le bon")]))
            #expect(response.status == .unauthorized)
            #expect(cookie(response) == nil)
            #expect(String(buffer: response.body).contains("Identifiant ou mot de passe incorrect"))
            let page = try await client.execute(uri: "/console", method: .get)
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/console/sign-in")
        }
    }

    @Test func repeatedFailuresLockTheAccountEvenWithTheRightPassword() async throws {
        let office = try await makeOffice()
        _ = try await office.addAgent(login: "camille", displayName: "Camille", role: .agent, password: testPassword, actor: "test")
        let app = try await daemon(office)
        try await app.test(.router) { client in
            for _ in 0..<5 {
                _ = try await client.execute(uri: "/console/sign-in", method: .post, headers: formType, body: form([("login", "camille"), ("password", "non")]))
            }
            let response = try await client.execute(
                uri: "/console/sign-in", method: .post, headers: formType, body: form([("login", "camille"), ("password", testPassword)]))
            #expect(response.status == .tooManyRequests)
            #expect(cookie(response) == nil)
        }
    }

    @Test func aPostWithoutTheCSRFTokenIsRefusedAndRecordsNothing() async throws {
        let office = try await makeOffice()
        _ = try await office.addAgent(login: "camille", displayName: "Camille", role: .agent, password: testPassword, actor: "test")
        let app = try await daemon(office)
        try await app.test(.router) { client in
            let (session, csrf) = try await signInByForm(client, login: "camille")
            var headers = formType
            headers[.cookie] = session
            for token in [nil, "wrong-token"] as [String?] {
                let refused = try await client.execute(uri: "/console/contacts", method: .post, headers: headers, body: form(contactFields(csrf: token)))
                #expect(refused.status == .forbidden)
            }
            #expect(try await office.database.contacts(in: wholeYear).isEmpty)
            let accepted = try await client.execute(uri: "/console/contacts", method: .post, headers: headers, body: form(contactFields(csrf: csrf)))
            #expect(accepted.status == .seeOther)
            #expect(try await office.database.contacts(in: wholeYear).count == 1)
        }
    }

    @Test func aPlantedSessionCookieIsNeverPromotedBySignIn() async throws {
        let office = try await makeOffice()
        _ = try await office.addAgent(login: "camille", displayName: "Camille", role: .agent, password: testPassword, actor: "test")
        let planted = try await office.database.openSession(kind: .kiosk, agent: nil, station: "poste-1", replacing: nil, lifetime: 3600, now: office.clock())
        let app = try await daemon(office)
        try await app.test(.router) { client in
            var headers = formType
            headers[.cookie] = "guichet_session=\(planted.token)"
            let response = try await client.execute(
                uri: "/console/sign-in", method: .post, headers: headers, body: form([("login", "camille"), ("password", testPassword)]))
            #expect(response.status == .seeOther)
            let fresh = try #require(cookie(response))
            #expect(fresh != "guichet_session=\(planted.token)")
            #expect(response.headers[.setCookie]?.contains("HttpOnly") == true)
            #expect(response.headers[.setCookie]?.contains("SameSite=Strict") == true)
            let withPlanted = try await client.execute(uri: "/console", method: .get, headers: [.cookie: "guichet_session=\(planted.token)"])
            #expect(withPlanted.status == .seeOther)
            let withFresh = try await client.execute(uri: "/console", method: .get, headers: [.cookie: fresh])
            #expect(withFresh.status == .ok)
        }
    }

    @Test func aKioskSessionCannotReachAgentPagesOrData() async throws {
        let office = try await makeOffice()
        let kiosk = try await office.database.openSession(kind: .kiosk, agent: nil, station: "poste-1", replacing: nil, lifetime: 3600, now: office.clock())
        let app = try await daemon(office)
        try await app.test(.router) { client in
            let headers: HTTPFields = [.cookie: "guichet_session=\(kiosk.token)"]
            for uri in ["/console", "/console/referrals", "/console/mandates"] {
                let response = try await client.execute(uri: uri, method: .get, headers: headers)
                #expect(response.status == .forbidden, "\(uri)")
            }
            let api = try await client.execute(uri: "/api/v1/bookings", method: .get, headers: headers)
            #expect(api.status == .unauthorized)
            var post = formType
            post[.cookie] = "guichet_session=\(kiosk.token)"
            let write = try await client.execute(uri: "/console/contacts", method: .post, headers: post, body: form(contactFields(csrf: kiosk.csrf)))
            #expect(write.status == .forbidden)
        }
        #expect(try await office.database.contacts(in: wholeYear).isEmpty)
    }

    @Test func anAgentCannotDoAManagersAction() async throws {
        let office = try await makeOffice()
        _ = try await office.addAgent(login: "camille", displayName: "Camille", role: .agent, password: testPassword, actor: "test")
        let app = try await daemon(office)
        let before = try await office.database.hoursPlan(default: office.structure, now: office.clock())
        try await app.test(.router) { client in
            let (session, csrf) = try await signInByForm(client, login: "camille")
            var headers = formType
            headers[.cookie] = session
            let hours = try await client.execute(
                uri: "/console/hours", method: .post, headers: headers,
                body: form([("_csrf", csrf), ("day-monday", "08:00-20:00"), ("day-tuesday", "08:00-20:00"), ("day-wednesday", "08:00-20:00"),
                            ("day-thursday", "08:00-20:00"), ("day-friday", "08:00-20:00")]))
            #expect(hours.status == .forbidden)
            let account = try await client.execute(
                uri: "/console/agents", method: .post, headers: headers,
                body: form([("_csrf", csrf), ("login", "intrus"), ("name", "Intrus"), ("password", "un mot de passe long"), ("role", "manager")]))
            #expect(account.status == .forbidden)
            let page = try await client.execute(uri: "/console/agents", method: .get, headers: [.cookie: session])
            #expect(page.status == .forbidden)
            let api = try await client.execute(
                uri: "/api/v1/opening-hours", method: .put, headers: try await signIn(client, office, login: "camille", role: .agent),
                body: ByteBuffer(string: #"{"days":{"monday":["08:00-20:00"],"tuesday":["08:00-20:00"],"wednesday":["08:00-20:00"],"thursday":["08:00-20:00"],"friday":["08:00-20:00"]}}"#))
            #expect(api.status == .forbidden)
        }
        #expect(try await office.database.hoursPlan(default: office.structure, now: office.clock()).revision == before.revision)
        #expect(try await office.database.agents().map(\.login) == ["camille"])
    }

    @Test func everyConsolePageRendersForAManager() async throws {
        let office = try await makeOffice()
        _ = try await office.addAgent(login: "dominique", displayName: "Dominique", role: .manager, password: testPassword, actor: "test")
        let app = try await daemon(office)
        try await app.test(.router) { client in
            let (session, _) = try await signInByForm(client, login: "dominique")
            for uri in ["/console", "/console/week", "/console/book?situation=having-baby", "/console/book?with=agent", "/console/contacts/new", "/console/permanences",
                        "/console/referrals", "/console/mandates", "/console/hours", "/console/agents"] {
                let response = try await client.execute(uri: uri, method: .get, headers: [.cookie: session])
                #expect(response.status == .ok, "\(uri)")
                let html = String(buffer: response.body)
                #expect(html.contains("<html lang=\"fr\">"), "\(uri)")
                #expect(!html.contains("{{"), "\(uri)")
            }
        }
    }
}
