import OfficeKit
import Agenda
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import Testing
import Web

/// The public page and its contact form: robots and bad input are refused, nothing they
/// send is stored, and whatever is shown back is escaped.
struct PublicPageTests {
    let formType: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    func encode(_ fields: [(String, String)]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return ByteBuffer(string: fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
    }

    func token(_ html: String) throws -> String {
        String(try #require(html.firstMatch(of: /name="token" value="([a-z0-9]+)"/)?.1))
    }

    var all: TimeSpan { TimeSpan(.distantPast, .distantFuture) }

    @Test func thePageShowsTodaysStatusHoursAndTheCalendar() async throws {
        let clock = TestClock(Timestamp.parse("2026-11-25T12:10:00+01:00")!)  // Wednesday, closes at 12:30
        let office = try await makeOffice(clock: clock)
        let app = try await daemon(office)
        try await app.test(.router) { client in
            var html = String(buffer: try await client.execute(uri: "/", method: .get).body)
            #expect(html.contains("ferme bientôt (à 12:30)"))
            #expect(html.contains("/calendars/public.ics"))
            #expect(html.contains("Mercredi (aujourd’hui)"))
            #expect(html.contains("Assurance Maladie"))
            clock.advance(30 * 60)
            html = String(buffer: try await client.execute(uri: "/", method: .get).body)
            #expect(html.contains("Fermé pour le moment, ouvre à 13:30"))
            clock.advance(2 * 3600)
            html = String(buffer: try await client.execute(uri: "/", method: .get).body)
            #expect(html.contains("Ouvert maintenant, jusqu’à 17:30"))
        }
    }

    @Test func theContactFormRefusesRobotsAndBadInputAndEscapesWhatItShows() async throws {
        let clock = TestClock(Timestamp.parse("2026-11-25T10:00:00+01:00")!)
        let office = try await makeOffice(clock: clock)
        let app = try await daemon(office)
        try await app.test(.router) { client in
            var page = String(buffer: try await client.execute(uri: "/", method: .get).body)
            let good = [("name", "Awa Diallo"), ("email", "awa@example.fr"), ("message", "Bonjour, quels papiers pour une carte d’identité ?")]
            func post(_ fields: [(String, String)]) async throws -> TestResponse {
                let response = try await client.execute(uri: "/contact", method: .post, headers: formType, body: encode(fields))
                page = String(buffer: response.body)
                return response
            }
            // Sent in under three seconds: a robot.
            #expect(try await post(good + [("token", token(page))]).status == .forbidden)
            clock.advance(10)
            // No token, or an invented one.
            #expect(try await post(good).status == .forbidden)
            #expect(try await post(good + [("token", "abcdefghijkmnpqrstuvwxyz23456789")]).status == .forbidden)
            // The hidden field filled.
            let hidden = try token(page)
            clock.advance(10)
            #expect(try await post(good + [("token", hidden), ("website", "http://spam.example")]).status == .forbidden)
            // Empty fields.
            var t = try token(page)
            clock.advance(10)
            #expect(try await post([("name", ""), ("email", ""), ("message", ""), ("token", t)]).status == .unprocessableContent)
            // Scripted content is refused and shown back escaped.
            t = try token(page)
            clock.advance(10)
            let scripted = try await post([("name", "<b>Awa</b>"), ("email", "awa@example.fr"), ("message", "<script>alert('x')</script> bonjour à vous"), ("token", t)])
            #expect(scripted.status == .unprocessableContent)
            #expect(!page.contains("<script>alert"))
            #expect(page.contains("&lt;script&gt;alert"))
            #expect(page.contains("&lt;b&gt;Awa&lt;/b&gt;"))
            // Oversize.
            t = try token(page)
            clock.advance(10)
            let big = try await client.execute(
                uri: "/contact", method: .post, headers: formType,
                body: encode([("name", "A"), ("email", "a@b.fr"), ("message", String(repeating: "x", count: 20_000)), ("token", t)]))
            #expect(big.status == .contentTooLarge)
            #expect(try await office.database.messages(openOrSince: .distantPast).isEmpty)
            // A person, at last; then the same token again is refused.
            page = String(buffer: try await client.execute(uri: "/", method: .get).body)
            t = try token(page)
            clock.advance(10)
            let sent = try await post([("name", "<b>Awa</b>"), ("email", "awa@example.fr"), ("message", "Bonjour, quels papiers pour une carte d’identité ?"), ("token", t)])
            #expect(sent.status == .seeOther)
            #expect(try await post(good + [("token", t)]).status == .forbidden)
            let stored = try await office.database.messages(openOrSince: .distantPast)
            #expect(stored.count == 1)
            #expect(stored.first?.receivedAt == clock.now)
            #expect(stored.first.map { $0.deadline.timeIntervalSince($0.receivedAt) } == TimeInterval(72 * 3600))
            // The agents see it, escaped.
            let headers = try await signIn(client, office)
            let inbox = String(buffer: try await client.execute(uri: "/console/messages", method: .get, headers: [.cookie: headers[.cookie]!]).body)
            #expect(inbox.contains("&lt;b&gt;Awa&lt;/b&gt;"))
            #expect(!inbox.contains("<b>Awa</b>"))
        }
    }
}
