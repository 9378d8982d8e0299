import Agenda
import StructureConfig
import Devices
import Foundation
import HummingbirdBcrypt
import Store

/// Agents' passwords: bcrypt, computed off the event loops (a hash takes a good fraction
/// of a second by design).
public enum Accounts {
    public static let minimumPasswordLength = 12

    /// A hash no password matches, verified for unknown logins so that their answer takes
    /// as long as a wrong password's.
    public static let decoyHash = Bcrypt.hash("decoy password that nobody types", cost: 10)

    public static func hash(_ password: String, cost: Int) async -> String {
        await OffPool.run { Bcrypt.hash(password, cost: UInt8(cost)) }
    }

    public static func verify(_ password: String, hash: String) async -> Bool {
        await OffPool.run { Bcrypt.verify(password, hash: hash) }
    }

    /// Why a new password is refused, or nil.
    public static func weakness(of password: String, login: String) -> String? {
        if password.count < minimumPasswordLength { return "Le mot de passe doit compter au moins \(minimumPasswordLength) caractères." }
        if password.count > 72 { return "Le mot de passe ne peut dépasser 72 caractères." }
        if password.lowercased().contains(login.lowercased()) { return "Le mot de passe ne doit pas contenir l’identifiant." }
        if Set(password).count < 5 { return "Le mot de passe est trop répétitif." }
        return nil
    }
}

/// Whose password a sign-in checks: an account of this structure, or of the network.
public struct SignInCandidate: Sendable {
    public let passwordHash: String
    /// The network's account as last seen here: the network did not answer.
    public let lastSeen: Bool
    fileprivate let agent: Agent?
    /// The network's account as it is now, kept here once its password matched.
    fileprivate let network: NetworkAccount?
}

extension Office {
    /// The account `login` names: this structure's own; else, in a network, the network's, with
    /// its role here (nil when it has none). When the network does not answer, its accounts
    /// signed in here before still can, as last seen (`lastSeen`); any other network login
    /// gets `AgendaError.networkUnavailable`.
    public func signInCandidate(login: String) async throws -> SignInCandidate? {
        let local = try await database.credentials(login: login)
        guard let accounts = networkAccounts, local == nil || local?.agent.network == true else {
            return local.map { SignInCandidate(passwordHash: $0.passwordHash, lastSeen: false, agent: $0.agent, network: nil) }
        }
        let account: NetworkAccount?
        do {
            account = try await accounts.account(login: login.lowercased())
        } catch let error as AgendaError where error == .networkUnavailable {
            guard let local else { throw error }
            return SignInCandidate(passwordHash: local.passwordHash, lastSeen: true, agent: local.agent, network: nil)
        }
        guard let account, account.role != nil else {
            // Its role here taken away since: its sessions here end now, not at the next hand-over.
            if let local, local.agent.active { try await database.refreshNetworkAccounts([], asked: [local.agent.login], now: clock()) }
            return nil
        }
        return SignInCandidate(passwordHash: account.passwordHash, lastSeen: false, agent: nil, network: account)
    }

    /// Who signs in, once the candidate's password matched: nil for a disabled account.
    public func admit(_ candidate: SignInCandidate) async throws -> Agent? {
        if let account = candidate.network { return try await database.keepNetworkAccount(account, now: clock()) }
        return candidate.agent.flatMap { $0.active ? $0 : nil }
    }

    /// Disables an account here; a network's account loses its role in this structure, in the
    /// network's database first (else its next sign-in would bring it back).
    public func disableAgent(id: String, actor: String) async throws {
        guard let agent = try await database.agents().first(where: { $0.id == id }) else { throw AgendaError.notFound("agent", id: id) }
        if agent.network, agent.role == .coordinator {
            throw AgendaError(
                code: "network_coordinator", kind: .conflict,
                french: "Ce compte coordonne tout le réseau : il se retire depuis le réseau (guichet agent remove --network).",
                english: "This account coordinates the whole network: it is removed from the network (guichet agent remove --network).")
        }
        if agent.network, let accounts = networkAccounts {
            do {
                try await accounts.revoke(login: agent.login)
            } catch let error as AgendaError where error == .networkUnavailable {
                throw AgendaError(
                    code: "network_unavailable", kind: .unavailable,
                    french: "La base du réseau France Services est injoignable : ce compte du réseau n'a pas été retiré de la structure. Réessayez dans quelques minutes.",
                    english: "The network's database cannot be reached: this network account was not taken out of the structure. Try again in a few minutes.")
            }
        }
        try await database.setAgentActive(id: id, active: false, actor: actor, now: clock())
    }

    /// Creates an account with a hashed password, refusing a weak one.
    public func addAgent(login: String, displayName: String, role: AgentRole, password: String, actor: String) async throws -> Agent {
        if let weakness = Accounts.weakness(of: password, login: login) {
            throw AgendaError.invalidField("password", french: weakness, english: "The password is too weak.")
        }
        let hash = await Accounts.hash(password, cost: config.console.passwordCost)
        return try await database.addAgent(login: login, displayName: displayName, role: role, passwordHash: hash, actor: actor, now: clock())
    }

    /// A new password for this structure's own account `login`, refusing a weak one; its sessions end.
    public func setPassword(login: String, password: String, actor: String) async throws {
        if let weakness = Accounts.weakness(of: password, login: login) {
            throw AgendaError.invalidField("password", french: weakness, english: "The password is too weak.")
        }
        let hash = await Accounts.hash(password, cost: config.console.passwordCost)
        try await database.setPassword(login: login, passwordHash: hash, actor: actor, now: clock())
    }

    /// Purges personal data whose retention has ended (the daily job and `guichet purge`).
    public func purgePersonalData(actor: String) async throws -> PurgeReport {
        let r = config.console.retention
        return try await database.purgePersonalData(
            bookingDays: r.bookings, contactNoteDays: r.contactNotes, referralDays: r.referrals, mandateDays: r.mandates, messageDays: r.messages, actor: actor,
            now: clock())
    }
}
