import Agenda
import Foundation
import Store
import Testing

/// The network's accounts as a structure keeps them (`agent.network`): added at their first
/// sign-in here, brought to what the network says at each hand-over, never over an account
/// of the structure's own.
struct NetworkAccountStoreTests {
    let now = Date(timeIntervalSince1970: 1_797_325_200)

    private func account(_ login: String, _ role: AgentRole?, hash: String = "$2b$04$first") -> NetworkAccount {
        NetworkAccount(login: login, displayName: "Marie Dupont", passwordHash: hash, role: role)
    }

    @Test func aNetworkAccountIsKeptAsLastSeenAndSignedOutWhenItsRoleHereIsTakenAway() async throws {
        let db = try AppDatabase.inMemory()
        let marie = try await db.keepNetworkAccount(account("marie", .agent), now: now)
        #expect(marie.network && marie.active && marie.role == .agent)
        // Its next sign-in brings the network's password and role.
        let again = try await db.keepNetworkAccount(account("marie", .manager, hash: "$2b$04$second"), now: now)
        #expect(again.id == marie.id && again.role == .manager)
        #expect(try await db.credentials(login: "marie")?.passwordHash == "$2b$04$second")
        let session = try await db.openSession(kind: .agent, agent: again, station: nil, replacing: nil, lifetime: 3600, now: now)
        #expect(try await db.session(token: session.token, now: now)?.agent?.role == .manager)
        #expect(try await db.networkAccountLogins() == ["marie"])

        // The network says agent again: the live session reads the new role at once.
        #expect(try await db.refreshNetworkAccounts([account("marie", .agent, hash: "$2b$04$second")], asked: ["marie"], now: now).isEmpty)
        #expect(try await db.session(token: session.token, now: now)?.agent?.role == .agent)
        // Then no role here (or no account at all): disabled, its session gone.
        #expect(try await db.refreshNetworkAccounts([account("marie", nil)], asked: ["marie"], now: now) == ["marie"])
        #expect(try await db.session(token: session.token, now: now) == nil)
        #expect(try await db.credentials(login: "marie")?.agent.active == false)
        #expect(try await db.networkAccountLogins().isEmpty)
        let journal = try await db.auditJournal().map(\.action)
        #expect(journal.contains("agent.network-add") && journal.contains("agent.network-revoked"))
        // A role given back: the next sign-in enables it again.
        #expect(try await db.keepNetworkAccount(account("marie", .agent), now: now).active)
    }

    @Test func theStructuresOwnAccountIsNeverReplacedByTheNetworks() async throws {
        let db = try AppDatabase.inMemory()
        let own = try await db.addAgent(login: "camille", displayName: "Camille", role: .manager, passwordHash: "$2b$04$own", actor: "test", now: now)
        await #expect(throws: AgendaError.self) { try await db.keepNetworkAccount(account("camille", .agent), now: now) }
        // Nor touched by a refresh that names it.
        #expect(try await db.refreshNetworkAccounts([], asked: ["camille"], now: now).isEmpty)
        let kept = try #require(try await db.credentials(login: "camille"))
        #expect(kept.agent == own && kept.passwordHash == "$2b$04$own")
        // No role here: nothing to keep.
        await #expect(throws: AgendaError.self) { try await db.keepNetworkAccount(account("marie", nil), now: now) }
        #expect(try await db.agentCount() == 1)
    }

    @Test func aNewPasswordEndsTheSessionsOpenedWithTheOldOne() async throws {
        let db = try AppDatabase.inMemory()
        // The structure's own account: from the command line.
        let own = try await db.addAgent(login: "camille", displayName: "Camille", role: .agent, passwordHash: "$2b$04$old", actor: "test", now: now)
        let ownSession = try await db.openSession(kind: .agent, agent: own, station: nil, replacing: nil, lifetime: 3600, now: now)
        try await db.setPassword(login: "Camille", passwordHash: "$2b$04$new", actor: "cli", now: now)
        #expect(try await db.credentials(login: "camille")?.passwordHash == "$2b$04$new")
        #expect(try await db.session(token: ownSession.token, now: now) == nil)
        await #expect(throws: AgendaError.notFound("agent", id: "nobody")) {
            try await db.setPassword(login: "nobody", passwordHash: "$2b$04$x", actor: "cli", now: now)
        }
        // The network's: its password is the network's; a new one there signs its sessions out here.
        let marie = try await db.keepNetworkAccount(account("marie", .agent), now: now)
        await #expect(throws: AgendaError.self) { try await db.setPassword(login: "marie", passwordHash: "$2b$04$x", actor: "cli", now: now) }
        let session = try await db.openSession(kind: .agent, agent: marie, station: nil, replacing: nil, lifetime: 3600, now: now)
        #expect(try await db.refreshNetworkAccounts([account("marie", .agent)], asked: ["marie"], now: now).isEmpty)
        #expect(try await db.session(token: session.token, now: now) != nil)
        #expect(try await db.refreshNetworkAccounts([account("marie", .agent, hash: "$2b$04$second")], asked: ["marie"], now: now).isEmpty)
        #expect(try await db.session(token: session.token, now: now) == nil)
        #expect(try await db.credentials(login: "marie")?.agent.active == true)
    }
}
