import Agenda
import Foundation
import NetworkStore
import Testing

/// The network's accounts in its PostgreSQL database (schema v4), as each structure's server
/// reads them: one login, a role per structure, the coordinator's in all.
struct NetworkAccountsTests {
    private func network(_ name: String, _ body: @Sendable (NetworkDatabase, NetworkMembership, NetworkMembership) async throws -> Void) async throws {
        let location = try NetworkDatabaseLocation(url: try PrivatePostgres.shared.get().database(name))
        try await NetworkDatabase(location).run { db in
            let lormes = NetworkMembership(database: db, structure: "mfs-lormes", name: "Lormes", timeout: .seconds(30))
            let corbigny = NetworkMembership(database: db, structure: "mfs-corbigny", name: "Corbigny", timeout: .seconds(30))
            try await lormes.join()
            try await corbigny.join()
            try await body(db, lormes, corbigny)
        }
    }

    @Test func anAccountHasItsRoleInEachStructureAndTheCoordinatorsInAll() async throws {
        try await network("accounts") { db, lormes, corbigny in
            try await db.addAccount(login: "Marie.Dupont", displayName: " Marie Dupont ", passwordHash: "$2b$04$marie", coordinator: false)
            #expect(try await lormes.account(login: "marie.dupont") == NetworkAccount(login: "marie.dupont", displayName: "Marie Dupont", passwordHash: "$2b$04$marie", role: nil))
            try await db.grant(login: "marie.dupont", structure: "mfs-lormes", role: .manager)
            try await db.grant(login: "marie.dupont", structure: "mfs-corbigny", role: .manager)
            try await db.grant(login: "marie.dupont", structure: "mfs-corbigny", role: .agent)  // over the one it had
            #expect(try await lormes.account(login: "marie.dupont")?.role == .manager)
            #expect(try await corbigny.account(login: "marie.dupont")?.role == .agent)

            try await db.addAccount(login: "nievre", displayName: "Coordination Nièvre", passwordHash: "$2b$04$coord", coordinator: true)
            #expect(try await lormes.account(login: "nievre")?.role == .coordinator)
            #expect(try await corbigny.accounts(logins: ["nievre", "marie.dupont", "ghost"]).map(\.login) == ["marie.dupont", "nievre"])
            #expect(try await lormes.account(login: "ghost") == nil)

            // Taken away in Corbigny only.
            try await corbigny.revoke(login: "marie.dupont")
            #expect(try await corbigny.account(login: "marie.dupont")?.role == nil)
            #expect(try await lormes.account(login: "marie.dupont")?.role == .manager)
            #expect(try await db.revoke(login: "marie.dupont", structure: "mfs-corbigny") == false)

            let listed = try await db.accountRoles()
            #expect(listed.map(\.login) == ["marie.dupont", "nievre"])
            #expect(listed[0].roles.map(\.structure) == ["mfs-lormes"] && listed[0].roles.map(\.role) == [.manager] && listed[1].coordinator)
        }
    }

    @Test func badGrantsAndAccountsAreRefusedAndChangeNothing() async throws {
        try await network("account-refusals") { db, lormes, _ in
            try await db.addAccount(login: "marie", displayName: "Marie", passwordHash: "$2b$04$marie", coordinator: false)
            try await db.addAccount(login: "nievre", displayName: "Coordination", passwordHash: "$2b$04$coord", coordinator: true)
            await #expect(throws: AgendaError.self) { try await db.addAccount(login: "marie", displayName: "Another", passwordHash: "$2b$04$x", coordinator: false) }
            await #expect(throws: AgendaError.self) { try await db.addAccount(login: "Marie Dupont", displayName: "M", passwordHash: "$2b$04$x", coordinator: false) }
            await #expect(throws: AgendaError.self) { try await db.addAccount(login: "paul", displayName: "  ", passwordHash: "$2b$04$x", coordinator: false) }
            // A password kept in clear is refused by the database itself, whatever code writes.
            await #expect(throws: AgendaError.self) { try await db.addAccount(login: "paul", displayName: "Paul", passwordHash: "hunter2", coordinator: false) }
            await #expect(throws: AgendaError.notFound("network account", id: "ghost")) {
                try await db.grant(login: "ghost", structure: "mfs-lormes", role: .agent)
            }
            await #expect(throws: AgendaError.notFound("structure", id: "mfs-nowhere")) {
                try await db.grant(login: "marie", structure: "mfs-nowhere", role: .agent)
            }
            await #expect(throws: AgendaError.self) { try await db.grant(login: "nievre", structure: "mfs-lormes", role: .manager) }
            await #expect(throws: AgendaError.self) { try await db.grant(login: "marie", structure: "mfs-lormes", role: .coordinator) }
            #expect(try await db.accountRoles().map(\.login) == ["marie", "nievre"])
            #expect(try await db.accountRoles().allSatisfy { $0.roles.isEmpty })
            #expect(try await lormes.account(login: "nievre")?.displayName == "Coordination")
        }
    }
}
