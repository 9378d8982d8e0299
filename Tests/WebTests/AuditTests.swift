import Agenda
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OfficeKit
import Store
import Testing
@testable import Web

/// One audit path: the API's and the console's writes are journalled the same way, in the
/// write's own transaction, with one vocabulary; a refused request leaves no line.
extension ConsoleSecurityTests {
    @Test func consoleAndAPIWritesAreJournalledOnceWithOneVocabulary() async throws {
        let office = try await makeOffice()
        try await daemon(office).test(.router) { client in
            _ = try await signIn(client, office, login: "camille")
            let (session, csrf) = try await signInByForm(client, login: "camille")
            let headers: HTTPFields = [.cookie: session, .contentType: "application/x-www-form-urlencoded"]
            // Refused (no CSRF token, then an invalid holiday date): nothing written, nothing journalled.
            let before = try await office.database.auditJournal().count
            _ = try await client.execute(uri: "/console/contacts", method: .post, headers: headers, body: form(contactFields(csrf: nil)))
            let badDate = try await client.execute(uri: "/console/holidays/2026-13-40", method: .post, headers: headers, body: form([("_csrf", csrf), ("action", "open")]))
            #expect(badDate.status == .unprocessableContent)
            #expect(try await office.database.auditJournal().count == before)

            let recorded = try await client.execute(uri: "/console/contacts", method: .post, headers: headers, body: form(contactFields(csrf: csrf)))
            #expect(recorded.status == .seeOther)
            let holiday = try await client.execute(uri: "/console/holidays/2026-12-25", method: .post, headers: headers, body: form([("_csrf", csrf), ("action", "open")]))
            #expect(holiday.status.code < 400)
            // A console action that writes nothing here (no visio engine: the hang-up is a no-op) is journalled all the same.
            let hangUp = try await client.execute(uri: "/console/visio/b-unknown/hang-up", method: .post, headers: headers, body: form([("_csrf", csrf)]))
            #expect(hangUp.status == .seeOther)

            let journal = try await office.database.auditJournal()
            let camille = try #require(try await office.database.credentials(login: "camille")?.agent.id)
            let contact = try #require(journal.first { $0.action == "contact.record" })
            #expect(contact.actor == camille && contact.target?.hasPrefix("v") == true)
            #expect(journal.filter { $0.action == "contact.record" }.count == 1)
            #expect(journal.contains { $0.action == "holiday.open" && $0.target == "2026-12-25" })
            #expect(journal.contains { $0.action == "visio.hang-up" && $0.target == "b-unknown" })
            #expect(!journal.contains { $0.action.hasPrefix("POST ") || $0.action.hasPrefix("PUT ") })
        }
    }

    @Test func everyWriteRouteOfTheConsoleAndTheAPIHasAnActionName() async throws {
        let router = buildRouter(office: try await makeOffice(), pages: try await WebPages.load())
        let writes = router.routes.filter { $0.method != .get && $0.method != .head }
            .map { "\($0.method.rawValue) \($0.path.description)" }
            .filter { $0.contains(" /console") || $0.contains(" /api/v1") }
        #expect(writes.count > 40)
        let unnamed = writes.filter { AuditVocabulary.table[$0] == nil && !AuditVocabulary.unaudited.contains($0) }
        #expect(unnamed.isEmpty, "write routes without an audit action: \(unnamed)")
        let stale = Set(AuditVocabulary.table.keys).subtracting(writes)
        #expect(stale.isEmpty, "actions for routes that do not exist: \(stale.sorted())")
    }
}
