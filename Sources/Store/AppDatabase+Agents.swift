import Agenda
import Foundation
import GRDB

struct AgentRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "agent"
    var id: String
    var login: String
    var displayName: String
    var passwordHash: String
    var role: String
    var active: Bool
    var createdAt: Int64
    var network = false

    var agent: Agent {
        Agent(id: id, login: login, displayName: displayName, role: AgentRole(rawValue: role) ?? .agent, active: active, network: network)
    }
}

extension AppDatabase {
    /// Creates an account; `passwordHash` is already a slow salted hash.
    public func addAgent(login: String, displayName: String, role: AgentRole, passwordHash: String, actor: String, now: Date) async throws -> Agent {
        let login = try Agent.validLogin(login)
        let name = try Agent.validDisplayName(displayName)
        return try await write(target: { $0.id }, fallback: AuditLine(actor: actor, action: "agent.add", at: now)) { db in
            if try AgentRecord.filter(Column("login") == login).fetchCount(db) > 0 {
                throw AgendaError(
                    code: "login_taken", kind: .conflict, french: "Cet identifiant existe déjà.", english: "This login already exists.",
                    details: ["field": "login"])
            }
            let record = AgentRecord(
                id: Identifier.make("a"), login: login, displayName: name, passwordHash: passwordHash, role: role.rawValue,
                active: true, createdAt: now.seconds)
            try record.insert(db)
            return record.agent
        }
    }

    public func agents() async throws -> [Agent] {
        try await writer.read { db in try AgentRecord.order(Column("login")).fetchAll(db).map(\.agent) }
    }

    public func agentCount() async throws -> Int {
        try await writer.read { db in try AgentRecord.fetchCount(db) }
    }

    /// The stored hash and the account for `login`, for the caller to verify a password.
    public func credentials(login: String) async throws -> (agent: Agent, passwordHash: String)? {
        try await writer.read { db in
            try AgentRecord.filter(Column("login") == login.lowercased()).fetchOne(db).map { ($0.agent, $0.passwordHash) }
        }
    }

    public func setAgentActive(id: String, active: Bool, actor: String, now: Date) async throws {
        defer { sessionCache.clear() }
        try await write(target: { _ in id }, fallback: AuditLine(actor: actor, action: active ? "agent.enable" : "agent.disable", at: now)) { db in
            guard var record = try AgentRecord.fetchOne(db, key: id) else { throw AgendaError.notFound("agent", id: id) }
            record.active = active
            try record.update(db)
            try Self.endSessions(db, agent: id)
        }
    }

    /// Gives the structure's own account `login` a new password (`passwordHash`, already
    /// hashed) and ends its sessions. A network's account's password is the network's.
    public func setPassword(login: String, passwordHash: String, actor: String, now: Date) async throws {
        defer { sessionCache.clear() }
        try await write(target: { $0 }, fallback: AuditLine(actor: actor, action: "agent.password", at: now)) { db -> String in
            guard var record = try AgentRecord.filter(Column("login") == login.lowercased()).fetchOne(db) else {
                throw AgendaError.notFound("agent", id: login)
            }
            guard !record.network else {
                throw AgendaError.invalidField(
                    "login", french: "Ce compte est celui du réseau : son mot de passe se change dans le réseau (--network).",
                    english: "This is the network's account: its password is changed in the network (--network).")
            }
            record.passwordHash = passwordHash
            try record.update(db)
            try Self.endSessions(db, agent: record.id)
            return record.id
        }
    }

    // MARK: the network's accounts

    /// Keeps the network's account `account` (with a role here) as this structure now sees it,
    /// for its session and its next sign-in: added, or updated. Refused when this structure
    /// has an account of its own with that login (which signs in as it always did).
    public func keepNetworkAccount(_ account: NetworkAccount, now: Date) async throws -> Agent {
        guard let role = account.role else { throw AgendaError.notFound("agent", id: account.login) }
        let login = try Agent.validLogin(account.login)
        let name = try Agent.validDisplayName(account.displayName)
        defer { sessionCache.clear() }
        return try await writer.write { db in
            if var record = try AgentRecord.filter(Column("login") == login).fetchOne(db) {
                guard record.network else {
                    throw AgendaError(
                        code: "login_taken", kind: .conflict, french: "Cet identifiant est déjà celui d'un compte de la structure.",
                        english: "This login is already one of the structure's own accounts.", details: ["field": "login"])
                }
                try Self.take(account, name: name, role: role, into: &record, db, now: now)
                return record.agent
            }
            let record = AgentRecord(
                id: Identifier.make("a"), login: login, displayName: name, passwordHash: account.passwordHash, role: role.rawValue, active: true,
                createdAt: now.seconds, network: true)
            try record.insert(db)
            try Self.audit(db, at: now, actor: "network", action: "agent.network-add", target: record.id)
            return record.agent
        }
    }

    /// The logins of the network's accounts kept here and still active.
    public func networkAccountLogins() async throws -> [String] {
        try await writer.read { db in
            try String.fetchAll(db, sql: "SELECT login FROM agent WHERE network = 1 AND active = 1 ORDER BY login")
        }
    }

    /// Brings the network's accounts kept here (`asked`) to what the network now says
    /// (`accounts`): updated (signed out if their password changed), or, with no role here
    /// any more, disabled and signed out.
    /// Returns the logins disabled.
    @discardableResult
    public func refreshNetworkAccounts(_ accounts: [NetworkAccount], asked: [String], now: Date) async throws -> [String] {
        let current = Dictionary(accounts.map { ($0.login, $0) }, uniquingKeysWith: { first, _ in first })
        defer { sessionCache.clear() }
        return try await writer.write { db in
            var disabled: [String] = []
            for login in asked {
                guard var record = try AgentRecord.filter(Column("login") == login && Column("network") == true).fetchOne(db) else { continue }
                if let account = current[login], let role = account.role {
                    try Self.take(account, name: account.displayName, role: role, into: &record, db, now: now)
                } else if record.active {
                    record.active = false
                    try record.update(db)
                    try Self.endSessions(db, agent: record.id)
                    try Self.audit(db, at: now, actor: "network", action: "agent.network-revoked", target: record.id)
                    disabled.append(login)
                }
            }
            return disabled
        }
    }

    /// A kept network account brought to what the network says (enabled, with its role here).
    /// Its sessions read the role afresh (`session(token:)`), so a new role holds at once; a
    /// new password ends the sessions opened with the old one.
    private static func take(_ account: NetworkAccount, name: String, role: AgentRole, into record: inout AgentRecord, _ db: Database, now: Date) throws {
        let changed = record.role != role.rawValue || !record.active
        if record.passwordHash != account.passwordHash { try endSessions(db, agent: record.id) }
        (record.displayName, record.passwordHash, record.role, record.active) = (name, account.passwordHash, role.rawValue, true)
        try record.update(db)
        if changed { try audit(db, at: now, actor: "network", action: "agent.network-role", target: record.id) }
    }

    private static func endSessions(_ db: Database, agent: String) throws {
        try db.execute(sql: "DELETE FROM webSession WHERE agentId = ?", arguments: [agent])
    }

    // MARK: sign-in attempts

    /// Failed attempts since `since` for a login and for an address.
    public func recentFailures(login: String, address: String, since: Date) async throws -> (login: Int, address: Int) {
        try await writer.read { db in
            let byLogin = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM signInAttempt WHERE login = ? AND at >= ? AND succeeded = 0",
                arguments: [login.lowercased(), since.seconds]) ?? 0
            let byAddress = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM signInAttempt WHERE address = ? AND at >= ? AND succeeded = 0",
                arguments: [address, since.seconds]) ?? 0
            return (byLogin, byAddress)
        }
    }

    public func recordSignInAttempt(login: String, address: String, succeeded: Bool, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO signInAttempt (login, address, at, succeeded) VALUES (?, ?, ?, ?)",
                arguments: [String(login.lowercased().prefix(60)), address, now.seconds, succeeded])
            // Attempts older than a day serve no rate limit.
            try db.execute(sql: "DELETE FROM signInAttempt WHERE at < ?", arguments: [now.seconds - 86_400])
        }
    }

    // MARK: sessions

    /// Opens a fresh session. Any session the browser presented before is deleted, so a
    /// token planted before sign-in never becomes a signed-in one (session fixation).
    public func openSession(
        kind: WebSession.Kind, agent: Agent?, station: String?, replacing previous: String?, lifetime: TimeInterval, now: Date
    ) async throws -> WebSession {
        let token = Identifier.secret() + Identifier.secret()
        let csrf = Identifier.secret()
        let expires = now.addingTimeInterval(lifetime)
        defer { sessionCache.clear() }
        try await writer.write { db in
            if let previous { try db.execute(sql: "DELETE FROM webSession WHERE token = ?", arguments: [previous]) }
            try db.execute(sql: "DELETE FROM webSession WHERE expiresAt < ?", arguments: [now.seconds])
            try db.execute(
                sql: "INSERT INTO webSession (token, kind, agentId, station, csrf, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [token, kind.rawValue, agent?.id, station, csrf, now.seconds, expires.seconds])
            if let agent { try Self.audit(db, at: now, actor: agent.id, action: "session.open", target: nil) }
        }
        return WebSession(token: token, kind: kind, agent: agent, station: station, csrf: csrf, expiresAt: expires)
    }

    /// The live session for `token`, or nil when unknown, expired or its agent disabled.
    public func session(token: String, now: Date) async throws -> WebSession? {
        guard token.count == 64, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        if let cached = sessionCache.lookup(token, now: now) { return cached }
        let found = try await writer.read { db -> WebSession? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM webSession WHERE token = ? AND expiresAt > ?", arguments: [token, now.seconds])
            else { return nil }
            var agent: Agent?
            if let agentId: String = row["agentId"] {
                guard let record = try AgentRecord.fetchOne(db, key: agentId), record.active else { return nil }
                agent = record.agent
            }
            return WebSession(
                token: token, kind: WebSession.Kind(rawValue: row["kind"]) ?? .kiosk, agent: agent, station: row["station"],
                csrf: row["csrf"], expiresAt: Date(seconds: row["expiresAt"]))
        }
        sessionCache.store(token, found, now: now)
        return found
    }

    public func closeSession(token: String, now: Date) async throws {
        defer { sessionCache.clear() }
        try await writer.write { db in
            let agentId = try String.fetchOne(db, sql: "SELECT agentId FROM webSession WHERE token = ?", arguments: [token])
            try db.execute(sql: "DELETE FROM webSession WHERE token = ?", arguments: [token])
            if let agentId { try Self.audit(db, at: now, actor: agentId, action: "session.close", target: nil) }
        }
    }
}
