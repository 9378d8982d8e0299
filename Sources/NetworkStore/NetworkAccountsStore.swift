import Agenda
import Foundation
import PostgresNIO

/// The network's accounts in its database (`NetworkSchema` v4): created and granted from the
/// command line (`guichet agent add --network`, `grant`, `revoke`), read by each structure's
/// server at sign-in.
extension NetworkDatabase {
    /// A new account of the network; `passwordHash` is already bcrypt. A coordinator reads
    /// every structure; anyone else has a role only where `grant` gives one.
    public func addAccount(login: String, displayName: String, passwordHash: String, coordinator: Bool) async throws {
        let login = try Agent.validLogin(login)
        let name = try Agent.validDisplayName(displayName)
        do {
            try await write {
                try await self.execute(
                    """
                    INSERT INTO network_agent (login, display_name, password_hash, coordinator)
                    VALUES (\(login), \(name), \(passwordHash), \(coordinator))
                    """)
            }
        } catch let error as AgendaError where error.code == "already_exists" {
            throw AgendaError(
                code: "login_taken", kind: .conflict, french: "Cet identifiant existe déjà dans le réseau.", english: "This login already exists in the network.",
                details: ["field": "login"])
        }
    }

    /// Gives `login` the role `role` (agent or manager) in `structure`, over the one it had there.
    public func grant(login: String, structure: String, role: AgentRole) async throws {
        guard role != .coordinator else {
            throw AgendaError.invalidField(
                "role", french: "La coordination se donne à la création du compte (--coordinator), pour tout le réseau.",
                english: "The coordinator's role is given when the account is created, for the whole network.")
        }
        let found = try await fetch(
            "SELECT (SELECT coordinator FROM network_agent WHERE login = \(login)), EXISTS (SELECT 1 FROM structure WHERE id = \(structure))",
            (Bool?, Bool).self)
        guard let (coordinator, structureKnown) = found.first, let coordinator else { throw AgendaError.notFound("network account", id: login) }
        guard structureKnown else { throw AgendaError.notFound("structure", id: structure) }
        guard !coordinator else {
            throw AgendaError.invalidField(
                "role", french: "Ce compte coordonne le réseau : il lit déjà chaque structure, sans rôle dans aucune.",
                english: "This account is the network's coordinator: it already reads every structure, with no role in any.")
        }
        try await write {
            try await self.execute(
                """
                INSERT INTO network_role (login, structure, role) VALUES (\(login), \(structure), \(role.rawValue))
                ON CONFLICT (login, structure) DO UPDATE SET role = excluded.role
                """)
        }
    }

    /// Takes away `login`'s role in `structure`; false when it had none there.
    @discardableResult
    public func revoke(login: String, structure: String) async throws -> Bool {
        try await fetch("DELETE FROM network_role WHERE login = \(login) AND structure = \(structure) RETURNING 1", Int.self).count == 1
    }

    /// A new password (`passwordHash`, already bcrypt) for the account; each structure's copy
    /// takes it, and ends the sessions opened with the old one, at its next hand-over or sign-in.
    public func setPassword(login: String, passwordHash: String) async throws {
        var changed = 0
        try await write {
            changed = try await self.fetch(
                "UPDATE network_agent SET password_hash = \(passwordHash) WHERE login = \(login) RETURNING 1", Int.self
            ).count
        }
        guard changed == 1 else { throw AgendaError.notFound("network account", id: login) }
    }

    /// Removes the account and its roles everywhere; false when there was none. Each
    /// structure's copy is signed out at its next hand-over.
    @discardableResult
    public func removeAccount(login: String) async throws -> Bool {
        try await fetch("DELETE FROM network_agent WHERE login = \(login) RETURNING 1", Int.self).count == 1
    }

    /// The account `login` as `structure` sees it (its role there, the coordinator's, or none).
    public func account(login: String, structure: String) async throws -> NetworkAccount? {
        try await accounts(logins: [login], structure: structure).first
    }

    /// Those of `logins` the network holds, as `structure` sees them.
    public func accounts(logins: [String], structure: String) async throws -> [NetworkAccount] {
        try await fetch(
            """
            SELECT a.login, a.display_name, a.password_hash, CASE WHEN a.coordinator THEN 'coordinator' ELSE r.role END
            FROM network_agent a LEFT JOIN network_role r ON r.login = a.login AND r.structure = \(structure)
            WHERE a.login = ANY(\(logins))
            ORDER BY a.login
            """, (String, String, String, String?).self
        ).map { NetworkAccount(login: $0.0, displayName: $0.1, passwordHash: $0.2, role: $0.3.flatMap(AgentRole.init(rawValue:))) }
    }

    /// Every account of the network with its roles, by structure (`guichet agent list --network`).
    public func accountRoles() async throws -> [(login: String, displayName: String, coordinator: Bool, roles: [(structure: String, role: AgentRole)])] {
        let rows = try await fetch(
            """
            SELECT a.login, a.display_name, a.coordinator, coalesce(array_agg(r.structure || ':' || r.role ORDER BY r.structure)
                FILTER (WHERE r.login IS NOT NULL), '{}')
            FROM network_agent a LEFT JOIN network_role r ON r.login = a.login
            GROUP BY a.login ORDER BY a.login
            """, (String, String, Bool, [String]).self)
        return rows.map { row in
            let roles = row.3.compactMap { pair -> (String, AgentRole)? in
                let parts = pair.split(separator: ":", maxSplits: 1).map(String.init)
                return parts.count == 2 ? AgentRole(rawValue: parts[1]).map { (parts[0], $0) } : nil
            }
            return (row.0, row.1, row.2, roles)
        }
    }
}

extension NetworkMembership: NetworkAccounts {
    public func account(login: String) async throws -> NetworkAccount? {
        try await bounded {
            try await self.join()
            return try await self.database.account(login: login, structure: self.structure)
        }
    }

    public func accounts(logins: [String]) async throws -> [NetworkAccount] {
        guard !logins.isEmpty else { return [] }
        return try await bounded {
            try await self.join()
            return try await self.database.accounts(logins: logins, structure: self.structure)
        }
    }

    public func revoke(login: String) async throws {
        try await bounded {
            try await self.join()
            try await self.database.revoke(login: login, structure: self.structure)
        }
    }
}
