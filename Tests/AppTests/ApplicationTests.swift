import Agenda
import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import Media
import NIOCore
import OfficeKit
import Store
import StructureConfig
import Synchronization
import Testing
import Visio
import WSClient

/// The daemon's exact application, as `guichet serve` builds it (`buildApplication`), with its
/// services running: signalling over a real WebSocket, the data folder's lock, the purge job.
@Suite struct ApplicationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func config() throws -> GuichetConfig {
        var config = try GuichetConfig.load(path: root.appendingPathComponent("config/guichet.json").path)
        config.console.passwordCost = 4
        return config
    }

    static func options(database: AppDatabase, clock: @escaping @Sendable () -> Date) -> AppOptions {
        var options = AppOptions()
        (options.database, options.clock, options.stations, options.port) = (database, clock, false, 0)
        // The room's engine on GStreamer's test sources (no camera here); no call is admitted below.
        var media = MediaSettings()
        media.sources = .test()
        options.visio = media
        return options
    }

    @Test func theSpecialistWaitsOverTheDaemonsWebSocketAndBadMessagesAreRefused() async throws {
        let database = try AppDatabase.inMemory()
        let now = Mutex(Timestamp.parse("2026-11-25T10:00:00+01:00")!)
        let clock: @Sendable () -> Date = { now.withLock { $0 } }
        let app = try await buildApplication(config: try Self.config(), options: Self.options(database: database, clock: clock))
        try await app.test(.live) { client in
            let headers = try await Self.signIn(client, database)
            let slots = try await client.execute(uri: "/api/v1/availability?kind=visio", method: .get)
            #expect(slots.status == .ok)
            let slot = try #require(try Self.object(slots.body)["items"] as? [[String: Any]]).first
            let (start, end, window) = (try #require(slot?["start"] as? String), try #require(slot?["end"] as? String), try #require(slot?["visioSlot"] as? String))
            let body = #"{"kind":"visio","visioSlot":"\#(window)","start":"\#(start)","end":"\#(end)","usager":{"name":"Awa Diallo"}}"#
            let created = try await client.execute(uri: "/api/v1/bookings", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(created.status == .created)
            let booking = try #require(try Self.object(created.body)["id"] as? String)
            let token = try await database.visioLink(booking: booking, now: clock())

            // Before the window the upgrade is refused; at the slot it opens.
            await #expect(throws: (any Error).self) { try await client.ws("/visio/\(token)/ws") { _, _, _ in } }
            now.withLock { $0 = Timestamp.parse(start)! }
            let replies = Mutex<[String]>([])
            try await client.ws("/visio/\(token)/ws") { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
                func next() async throws -> String {
                    guard case .text(let text)? = try await messages.next() else { return "" }
                    replies.withLock { $0.append(text) }
                    return text
                }
                _ = try await next()  // the first "waiting", on connection
                try await outbound.write(.text(#"{"type":"join"}"#))
                _ = try await next()
                try await outbound.write(.text(#"{"type":"join","extra":1}"#))
                _ = try await next()
                try await outbound.write(.text(#"{"type":"answer","sdp":"v=0\r\n"}"#))
                _ = try await next()
                try await outbound.write(.text(#"{"type":"leave"}"#))
            }
            let seen = replies.withLock { $0 }.map { try? OutgoingSignal.parse($0) }
            #expect(seen.count == 4)
            #expect(seen[0] == .waiting && seen[1] == .waiting)
            #expect(seen[2]?.errorCode == "malformed")
            #expect(seen[3]?.errorCode == "not_now")
        }
    }

    @Test func aSecondDaemonOnTheSameDataFolderIsRefused() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-app-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var options = AppOptions()
        (options.data, options.stations, options.port) = (folder, false, 0)
        let same = options
        do {
            let first = try await buildApplication(config: try Self.config(), options: options)
            try await first.test(.live) { client in
                let home = try await client.execute(uri: "/", method: .get)
                #expect(home.status == .ok)
                await #expect(throws: StoreError.self) { _ = try await buildApplication(config: try Self.config(), options: same) }
            }
        }
        // Stopped, the folder is free again.
        _ = try await buildApplication(config: try Self.config(), options: options)
    }

    @Test func theDailyPurgeRunsAsTheDaemonStarts() async throws {
        let database = try AppDatabase.inMemory()
        let app = try await buildApplication(config: try Self.config(), options: Self.options(database: database, clock: { Date() }))
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/", method: .get).status == .ok)
            var journal: [AuditEntry] = []
            for _ in 0..<100 where !journal.contains(where: { $0.action == "purge" }) {
                journal = try await database.auditJournal()
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(journal.contains { $0.action == "purge" && $0.actor == "system" })
        }
    }

    static func signIn(_ client: some TestClientProtocol, _ database: AppDatabase) async throws -> HTTPFields {
        let password = "un mot de passe de test"
        _ = try await database.addAgent(
            login: "camille", displayName: "Camille", role: .manager, passwordHash: await Accounts.hash(password, cost: 4), actor: "test", now: Date())
        let response = try await client.execute(
            uri: "/api/v1/session", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"login":"camille","password":"\#(password)"}"#))
        let cookie = try #require(response.headers[.setCookie]?.split(separator: ";").first)
        return [.cookie: String(cookie), .contentType: "application/json"]
    }

    static func object(_ body: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any])
    }
}
