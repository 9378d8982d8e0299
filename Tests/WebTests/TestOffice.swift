import Agenda
import App
import OfficeKit
import Synchronization
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Foundation
import Store
import StructureConfig
import Web

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// The demo structure on an in-memory database, at a fixed time (Wednesday 25 Nov 2026, 10:00 Paris).
func makeOffice(clock: TestClock? = nil) async throws -> Office {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var config = try GuichetConfig.load(path: root.appendingPathComponent("config/guichet.json").path)
    config.console.passwordCost = 4  // bcrypt's minimum keeps the tests fast; the rule is the same
    let now = Timestamp.parse("2026-11-25T10:00:00+01:00")!
    let office = Office(config: config, database: try AppDatabase.inMemory(), clock: { clock?.now ?? now })
    try await office.seedDemo()
    return office
}

/// The daemon's exact application (`buildApplication`, services included) over this office's
/// database and clock; no station, no visio.
func daemon(_ office: Office) async throws -> some ApplicationProtocol {
    var options = AppOptions()
    (options.database, options.clock, options.stations, options.seedDemo) = (office.database, office.clock, false, false)
    options.port = 0
    return try await buildApplication(config: office.config, options: options)
}

let testPassword = "un mot de passe de test"

/// Creates the account if needed and signs it in through the API; returns the headers
/// (session cookie, JSON) for the calls that follow.
func signIn(
    _ client: some TestClientProtocol, _ office: Office, login: String = "camille", role: AgentRole = .manager
) async throws -> HTTPFields {
    if try await office.database.credentials(login: login) == nil {
        _ = try await office.addAgent(login: login, displayName: login.capitalized, role: role, password: testPassword, actor: "test")
    }
    let response = try await client.execute(
        uri: "/api/v1/session", method: .post, headers: [.contentType: "application/json"],
        body: ByteBuffer(string: #"{"login":"\#(login)","password":"\#(testPassword)"}"#))
    guard response.status == .created, let cookie = response.headers[.setCookie]?.split(separator: ";").first else {
        throw TestFailure("sign-in refused: \(response.status)")
    }
    return [.cookie: String(cookie), .contentType: "application/json"]
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
